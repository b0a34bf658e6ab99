"""kubectl habits of the command line, against a `ststui sim` process: `get -o
json|yaml|wide|name`, `-l/--selector`, `--request-timeout`, `--as`/`--as-group`, shell
completion from the kubeconfig, `ststui keys` with a config file, `--readonly`."""
from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from tests.conftest import start_sim_process

BIN = Path(sys.executable).parent


def ststui(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ststui", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=env)


@pytest.fixture(scope="module")
def demo_sim(tmp_path_factory):
    handle = start_sim_process(tmp_path_factory.mktemp("demo"), scenario="demo")
    yield handle
    handle.stop()


def test_get_output_formats(demo_sim):
    kc = ("--kubeconfig", str(demo_sim.kubeconfig))
    as_json = json.loads(ststui("get", "-A", "-o", "json", *kc).stdout)
    as_yaml = ststui("get", "-A", "-o", "yaml", *kc)
    assert as_yaml.returncode == 0 and yaml.safe_load(as_yaml.stdout) == as_json
    names = ststui("get", "-A", "-o", "name", *kc).stdout.split()
    assert names == [f"statefulset.apps/{s['name']}" for s in as_json]
    wide = ststui("get", "-n", "shop", "-o", "wide", *kc).stdout.splitlines()
    assert wide[0].split()[:5] == ["NAMESPACE", "NAME", "READY", "UPDATED", "STRATEGY"]
    assert wide[1].split()[:5] == ["shop", "web", "5/5", "2/5", "RollingUpdate/partition=3"]
    assert "nginx:1.27" in wide[1]


def test_selector_keeps_the_matching_statefulsets(demo_sim):
    kc = ("--kubeconfig", str(demo_sim.kubeconfig))
    assert ststui("get", "-A", "-l", "app=nginx", "-o", "name", *kc).stdout.split() == ["statefulset.apps/web"]
    assert ststui("get", "-A", "--selector", "app notin (nginx)", "-o", "name", *kc).stdout.count("web") == 0
    bad = ststui("get", "-A", "-l", "app in (", *kc)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--selector" in bad.stderr


def test_bad_request_timeout_and_as_group_alone_are_one_sentence(demo_sim):
    kc = ("--kubeconfig", str(demo_sim.kubeconfig))
    bad = ststui("get", "-A", "--request-timeout", "2x", *kc)
    assert bad.returncode == 2 and "--request-timeout '2x' is not a duration" in bad.stderr
    assert ststui("get", "-A", "--request-timeout", "1m30s", "-o", "name", *kc).returncode == 0
    alone = ststui("get", "-A", "--as-group", "sre", *kc)
    assert alone.returncode == 2 and "--as-group needs --as" in alone.stderr


def test_impersonation_sends_one_header_per_group(tmp_path):
    """The client side of --as/--as-group, seen by a plain HTTP server on 127.0.0.1."""
    seen: list = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get_all("Impersonate-User"),
                         self.headers.get_all("Impersonate-Group")))
            body = b'{"kind":"List","items":[],"metadata":{"resourceVersion":"1"}}'
            if self.path.startswith("/version"):
                body = b'{"major":"1","minor":"32","gitVersion":"v1.32.0"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kubeconfig = tmp_path / "kc"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "x",
            "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}))
        done = ststui("get", "-A", "--kubeconfig", str(kubeconfig), "--as", "jane",
                      "--as-group", "sre", "--as-group", "db", "-o", "name")
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    assert seen and all(user == ["jane"] and groups == ["sre", "db"] for _, user, groups in seen), seen


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completion_offers_contexts_and_namespaces(demo_sim):
    script = ststui("completion", "bash").stdout
    assert "complete -F _ststui ststui" in script

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        program = (f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _ststui; '
                   'printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
        return subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env,
                              timeout=60).stdout.split()

    kc = str(demo_sim.kubeconfig)
    assert complete("ststui", "--kubeconfig", kc, "--context", "") == \
        ["ststui-sim", "ststui-sim-viewer", "ststui-sim-shop-operator"]
    assert complete("ststui", "--kubeconfig", kc, "-n", "sh") == ["shop"]
    assert "analytics" in complete("ststui", "--kubeconfig", kc, "get", "-n", "")
    assert complete("ststui", "comp") == ["completion"]
    zsh = ststui("completion", "zsh")
    assert zsh.returncode == 0 and "#compdef ststui" in zsh.stdout


def test_keys_lists_every_binding_id_with_the_configured_key(tmp_path):
    (tmp_path / "ststui").mkdir()
    (tmp_path / "ststui" / "config.toml").write_text('[keymap]\n"ststui.help" = "f1"\n')
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    out = ststui("keys", env=env).stdout.splitlines()
    rows = {line.split()[0]: line.split()[1] for line in out}
    assert rows["ststui.help"] == "f1" and rows["ststui.quit"] == "q" and rows["ststui.interrupt"] == "ctrl+c"
    assert rows["ststui.command_line"] == "colon" and rows["ststui.delete_pod"] == "ctrl+d"
    (tmp_path / "ststui" / "config.toml").write_text('[keymap\n')
    broken = ststui("keys", env=env)
    assert broken.returncode == 2 and "line 1" in broken.stderr and broken.stderr.count("\n") == 1
    tui = ststui("--demo", env=env)                   # the TUI refuses it before taking the screen
    assert tui.returncode == 2 and "not valid TOML" in tui.stderr


def test_readonly_is_an_alias_of_read_only():
    from ststui.cli import build_parser
    assert build_parser().parse_args(["--readonly"]).read_only is True
    assert build_parser().parse_args(["--read-only"]).read_only is True
    assert build_parser().parse_args([]).read_only is False
