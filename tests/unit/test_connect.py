"""Connecting like kubectl (ststui.kube.connect): kubeconfig merging, contexts, namespaces, errors.

Everything runs against temporary kubeconfig files and 127.0.0.1; the few /version
answers come from a tiny status responder (not a Kubernetes server).
"""
import http.server
import json
import logging
import socket
import sys
import threading

import pytest
import yaml

from ststui.kube.connect import (ConnectError, check_reachable, connect, kubeconfig_paths, list_contexts)

TOKEN = "s3cr3t-token-0123456789abcdef"


def kubeconfig(path, *, current="dev", contexts=None, clusters=None, users=None):
    doc = {"apiVersion": "v1", "kind": "Config",
           "clusters": clusters if clusters is not None else [
               {"name": "dev-cluster", "cluster": {"server": "http://127.0.0.1:6443"}}],
           "contexts": contexts if contexts is not None else [
               {"name": "dev", "context": {"cluster": "dev-cluster", "user": "dev-user", "namespace": "shop"}}],
           "users": users if users is not None else [{"name": "dev-user", "user": {"token": TOKEN}}]}
    if current is not None:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return str(path)


@pytest.fixture
def two_files(tmp_path):
    first = kubeconfig(tmp_path / "a.yaml")
    second = kubeconfig(
        tmp_path / "b.yaml", current="prod",
        clusters=[{"name": "prod-cluster", "cluster": {"server": "https://prod.example:6443/"}},
                  {"name": "dev-cluster", "cluster": {"server": "http://shadowed:1"}}],
        contexts=[{"name": "prod", "context": {"cluster": "prod-cluster", "user": "prod-user"}},
                  {"name": "dev", "context": {"cluster": "prod-cluster", "user": "prod-user", "namespace": "shadowed"}}],
        users=[{"name": "prod-user", "user": {"token": "prod-" + TOKEN}}])
    return first, second


def env_for(*paths, **extra):
    env = {"KUBECONFIG": ":".join(paths), "HOME": "/nonexistent-home"}
    env.update(extra)
    return env


def error_of(fn, *args, **kw):
    with pytest.raises(ConnectError) as err:
        fn(*args, **kw)
    return str(err.value)


# --------------------------------------------------------------------------- loading rules

def test_kubeconfig_env_merges_files_first_wins(two_files):
    first, second = two_files
    conn = connect(None, None, None, False, environ=env_for(first, second))
    assert conn.context == "dev"                           # first file's current-context wins
    assert conn.contexts == ["dev", "prod"]
    assert conn.cluster_server == "http://127.0.0.1:6443"  # first file's dev-cluster wins
    assert conn.namespace == "shop" and conn.default_namespace == "shop"
    assert conn.api_client.configuration.host == "http://127.0.0.1:6443"
    assert conn.api_client.configuration.api_key["BearerToken"] == f"Bearer {TOKEN}"


def test_context_from_second_file_and_missing_files_skipped(two_files, tmp_path):
    first, second = two_files
    env = env_for(str(tmp_path / "missing.yaml"), first, second)
    conn = connect(None, "prod", None, False, environ=env)
    assert conn.context == "prod"
    assert conn.cluster_server == "https://prod.example:6443"
    assert conn.namespace == "default" and conn.default_namespace == "default"
    assert list_contexts(None, environ=env) == (["dev", "prod"], "dev")


def test_explicit_kubeconfig_overrides_env(two_files):
    first, second = two_files
    conn = connect(second, None, None, False, environ=env_for(first))
    assert conn.context == "prod" and conn.contexts == ["prod", "dev"]


def test_namespace_flags(two_files):
    first, _ = two_files
    env = env_for(first)
    assert connect(None, None, "other", False, environ=env).namespace == "other"
    every = connect(None, None, None, True, environ=env)
    assert every.namespace is None and every.all_namespaces and every.default_namespace == "shop"
    assert "not a valid namespace name" in error_of(connect, None, None, "Bad_NS", False, environ=env)


def test_default_home_kubeconfig(tmp_path):
    (tmp_path / ".kube").mkdir()
    kubeconfig(tmp_path / ".kube" / "config")
    assert kubeconfig_paths(None, {"HOME": str(tmp_path)}) == [str(tmp_path / ".kube" / "config")]
    assert connect(None, None, None, False, environ={"HOME": str(tmp_path)}).context == "dev"


def test_pool_is_small_and_requests_get_a_timeout(two_files):
    conn = connect(two_files[0], None, None, False, environ={}, pool_size=4)
    assert conn.api_client.configuration.connection_pool_maxsize == 4
    assert conn.api_client.default_timeout[0] > 0 and conn.api_client.default_timeout[1] > 0


def test_relative_certificate_paths_resolve_against_their_file(tmp_path):
    (tmp_path / "certs").mkdir()
    for name in ("ca.crt", "client.crt", "client.key"):
        (tmp_path / "certs" / name).write_text("not really a certificate\n")
    path = kubeconfig(
        tmp_path / "k.yaml",
        clusters=[{"name": "dev-cluster", "cluster": {"server": "https://127.0.0.1:6443",
                                                      "certificate-authority": "certs/ca.crt"}}],
        users=[{"name": "dev-user", "user": {"client-certificate": "certs/client.crt",
                                             "client-key": "certs/client.key"}}])
    cfg = connect(path, None, None, False, environ={}).api_client.configuration
    assert cfg.ssl_ca_cert == str(tmp_path / "certs" / "ca.crt")
    assert cfg.cert_file == str(tmp_path / "certs" / "client.crt")
    assert cfg.key_file == str(tmp_path / "certs" / "client.key")


def test_exec_plugin_token_and_failure(tmp_path):
    credential = {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"token": TOKEN}}
    ok_user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
                        "args": ["-c", f"print({json.dumps(json.dumps(credential))})"]}}
    path = kubeconfig(tmp_path / "ok.yaml", users=[{"name": "dev-user", "user": ok_user}])
    conn = connect(path, None, None, False, environ={})
    assert conn.api_client.configuration.api_key["BearerToken"] == f"Bearer {TOKEN}"

    handlers_before = list(logging.getLogger().handlers)
    bad_user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
                         "args": ["-c", "import sys; sys.stderr.write('login expired'); sys.exit(3)"]}}
    path = kubeconfig(tmp_path / "bad.yaml", users=[{"name": "dev-user", "user": bad_user}])
    message = error_of(connect, path, None, None, False, environ={})
    assert message.startswith(f"The credential plugin '{sys.executable}' of context 'dev' failed")
    assert "\n" not in message
    assert logging.getLogger().handlers == handlers_before      # nothing left printing to stderr


def test_in_cluster_service_account(tmp_path):
    sa = tmp_path / "sa"
    sa.mkdir()
    (sa / "token").write_text(TOKEN)
    (sa / "ca.crt").write_text("ca")
    (sa / "namespace").write_text("team-a\n")
    env = {"HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    conn = connect(None, None, None, False, environ=env, service_account_dir=str(sa))
    assert conn.in_cluster and conn.context == "in-cluster"
    assert conn.cluster_server == "https://10.0.0.1:443"
    assert conn.namespace == "team-a" and conn.default_namespace == "team-a"
    assert conn.api_client.configuration.api_key["BearerToken"] == f"bearer {TOKEN}"
    assert connect(None, None, "x", False, environ=env, service_account_dir=str(sa)).namespace == "x"
    assert "cannot be used" in error_of(connect, None, "dev", None, False, environ=env,
                                        service_account_dir=str(sa))


# --------------------------------------------------------------------------- errors, never with credentials

def test_missing_files(tmp_path):
    missing = str(tmp_path / "nope.yaml")
    assert error_of(connect, missing, None, None, False, environ={}) == f"Kubeconfig file {missing} does not exist."
    message = error_of(connect, None, None, None, False, environ=env_for(missing),
                       service_account_dir=str(tmp_path))
    assert message.startswith(f"No kubeconfig found (none of the files in KUBECONFIG ({missing}) exist)")


def test_broken_yaml_gives_line_and_hides_content(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(f"apiVersion: v1\nusers:\n- name: u\n  user: {{token: {TOKEN}\n: : :\n")
    message = error_of(connect, str(path), None, None, False, environ={})
    assert message.startswith(f"Kubeconfig file {path} is not valid YAML (line ")
    assert TOKEN not in message


def test_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    assert "is not a kubeconfig" in error_of(connect, str(path), None, None, False, environ={})


def test_unknown_and_missing_current_context(two_files, tmp_path):
    first, second = two_files
    assert error_of(connect, None, "staging", None, False, environ=env_for(first, second)) == (
        "Context 'staging' is not in the kubeconfig (contexts: dev, prod).")
    nocurrent = kubeconfig(tmp_path / "nocurrent.yaml", current=None)
    assert error_of(connect, nocurrent, None, None, False, environ={}) == (
        "The kubeconfig sets no current context; choose one with --context (contexts: dev).")


def test_context_naming_undefined_cluster_or_user(tmp_path):
    path = kubeconfig(tmp_path / "k.yaml", contexts=[
        {"name": "dev", "context": {"cluster": "gone", "user": "dev-user"}},
        {"name": "u", "context": {"cluster": "dev-cluster", "user": "ghost"}}])
    assert error_of(connect, path, None, None, False, environ={}) == (
        "Context 'dev' uses cluster 'gone', which the kubeconfig does not define.")
    assert error_of(connect, path, "u", None, False, environ={}) == (
        "Context 'u' uses user 'ghost', which the kubeconfig does not define.")


def test_no_error_text_ever_contains_the_token(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    messages = []
    bad_cert = kubeconfig(tmp_path / "cert.yaml", clusters=[
        {"name": "dev-cluster", "cluster": {"server": "https://127.0.0.1:6443"}}],
        users=[{"name": "dev-user", "user": {"token": TOKEN, "client-certificate": "missing.crt",
                                             "client-key": "missing.key"}}])
    messages.append(error_of(connect, bad_cert, None, None, False, environ={}))
    bad_b64 = kubeconfig(tmp_path / "b64.yaml", clusters=[
        {"name": "dev-cluster", "cluster": {"server": "https://127.0.0.1:6443",
                                            "certificate-authority-data": TOKEN + "!!"}}])
    messages.append(error_of(connect, bad_b64, None, None, False, environ={}))
    leaky_exec = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
                           "args": ["-c", f"import sys; sys.stderr.write('bad token {TOKEN}'); sys.exit(1)"],
                           "env": [{"name": "SECRET", "value": TOKEN}]}}
    leaky = kubeconfig(tmp_path / "exec.yaml", users=[{"name": "dev-user", "user": leaky_exec}])
    messages.append(error_of(connect, leaky, None, None, False, environ={}))
    messages.append(error_of(connect, kubeconfig(tmp_path / "c.yaml"), "zzz", None, False, environ={}))
    for message in messages:
        assert message and TOKEN not in message, message
    assert "missing.crt" in messages[0]
    assert "bad token" in messages[2]                 # the plugin's complaint is shown ...
    assert TOKEN not in caplog.text                   # ... and nothing reached a log handler


# --------------------------------------------------------------------------- reachability

def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_connection_refused_is_one_sentence(tmp_path):
    port = closed_port()
    path = kubeconfig(tmp_path / "k.yaml", clusters=[
        {"name": "dev-cluster", "cluster": {"server": f"http://127.0.0.1:{port}"}}])
    conn = connect(path, None, None, False, environ={})
    assert error_of(check_reachable, conn) == (
        f"Cannot reach http://127.0.0.1:{port} (context dev): connection refused.")


def test_silent_server_times_out(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)                      # accepts connections, never answers
    try:
        port = listener.getsockname()[1]
        path = kubeconfig(tmp_path / "k.yaml", clusters=[
            {"name": "dev-cluster", "cluster": {"server": f"http://127.0.0.1:{port}"}}])
        conn = connect(path, None, None, False, environ={})
        message = error_of(check_reachable, conn, timeout=(1.0, 0.2))
        assert message == f"Cannot reach http://127.0.0.1:{port} (context dev): no answer within 0.2 s."
    finally:
        listener.close()


class StatusResponder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the status code in the server's `code` and records the auth header."""

    def do_GET(self):
        self.server.seen.append(self.headers.get("Authorization"))
        body = json.dumps({"gitVersion": "v1.32.0"} if self.server.code == 200 else
                          {"kind": "Status", "code": self.server.code}).encode()
        self.send_response(self.server.code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def responder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StatusResponder)
    server.code, server.seen = 200, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def conn_to(tmp_path, url):
    path = kubeconfig(tmp_path / "k.yaml", clusters=[{"name": "dev-cluster", "cluster": {"server": url}}])
    return connect(path, None, None, False, environ={})


def test_version_ok_sends_token(tmp_path, responder):
    conn = conn_to(tmp_path, f"http://127.0.0.1:{responder.server_port}")
    assert check_reachable(conn)["gitVersion"] == "v1.32.0"
    assert responder.seen == [f"Bearer {TOKEN}"]


@pytest.mark.parametrize("code,expected", [
    (401, "rejected the credentials (401 Unauthorized)"),
    (403, "refused access to /version (403 Forbidden)"),
    (500, "answered GET /version with HTTP 500"),
])
def test_version_http_errors(tmp_path, responder, code, expected):
    responder.code = code
    conn = conn_to(tmp_path, f"http://127.0.0.1:{responder.server_port}")
    message = error_of(check_reachable, conn)
    assert expected in message and TOKEN not in message and "\n" not in message


def test_tls_failure(tmp_path, responder):
    conn = conn_to(tmp_path, f"https://127.0.0.1:{responder.server_port}")   # plain HTTP behind https://
    assert error_of(check_reachable, conn) == (
        f"Cannot reach https://127.0.0.1:{responder.server_port} (context dev): "
        "TLS handshake failed: the server does not speak TLS at that address.")
