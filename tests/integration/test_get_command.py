"""`ststui get` against `ststui sim` processes: the printed model, its schema, its errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import start_sim_process

# Every warning kind the demo scenario is built to contain (see ststui/sim/scenarios.py).
DEMO_WARNING_KINDS = {
    "stuck-terminating", "node-not-ready", "orphan-claim", "released-volume",
    "service-missing", "rollout-halted", "ondelete-old-revision",
}


def ststui(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ststui", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def demo_sim(tmp_path_factory):
    handle = start_sim_process(tmp_path_factory.mktemp("demo"), scenario="demo")
    yield handle
    handle.stop()


def test_get_json_shows_every_warning_kind_of_the_demo(demo_sim):
    result = ststui("get", "-A", "-o", "json", "--kubeconfig", str(demo_sim.kubeconfig))
    assert result.returncode == 0, result.stderr
    sets = json.loads(result.stdout)
    kinds = set().union(*(s["warningKinds"] for s in sets))
    assert DEMO_WARNING_KINDS <= kinds, DEMO_WARNING_KINDS - kinds
    for s in sets:   # the stable schema
        assert {"namespace", "name", "replicas", "strategy", "partition", "currentRevision",
                "updateRevision", "service", "pods", "claims", "volumes", "warnings"} <= set(s)
        assert {"name", "headless"} <= set(s["service"])
        ordinals = [p["ordinal"] for p in s["pods"]]
        assert ordinals == sorted(ordinals)
        for p in s["pods"]:
            assert {"ordinal", "name", "phase", "ready", "revision", "node", "nodeReady", "terminating"} <= set(p)
        for c in s["claims"]:
            assert {"name", "template", "ordinal", "phase", "volume", "orphan"} <= set(c)
        for v in s["volumes"]:
            assert {"name", "phase", "reclaimPolicy", "claim"} <= set(v)


def test_get_text_one_statefulset_in_a_namespace(demo_sim):
    result = ststui("get", "web", "-n", "shop", "--kubeconfig", str(demo_sim.kubeconfig))
    assert result.returncode == 0, result.stderr
    assert "web-0" in result.stdout and "shop" in result.stdout


def test_get_unknown_statefulset_is_one_sentence(demo_sim):
    result = ststui("get", "nosuch", "-n", "shop", "--kubeconfig", str(demo_sim.kubeconfig))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "nosuch" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_kubeconfig_is_one_sentence_and_exit_2(tmp_path):
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nclusters: [oops\n")
    for args in (("get", "-A"), ()):
        result = ststui(*args, "--kubeconfig", str(bad))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert result.stderr.strip() and result.stderr.strip().count("\n") == 0


def test_unreachable_server_is_one_sentence_and_exit_2(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()   # nothing listens there now
    from ststui.sim.kubeconfig import write_kubeconfig
    path = write_kubeconfig(tmp_path / "kc", f"http://127.0.0.1:{port}")
    result = ststui("get", "-A", "--kubeconfig", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_get_with_a_forbidden_kind_exits_3_and_says_what_is_missing(demo_sim):
    demo_sim.control("faults/forbid", resource="pods")
    try:
        result = ststui("get", "-A", "-o", "json", "--kubeconfig", str(demo_sim.kubeconfig))
    finally:
        demo_sim.control("faults/allow", resource="pods")
    assert result.returncode == 3, result.stderr
    assert "pods could not be read" in result.stderr and "Traceback" not in result.stderr
    sets = json.loads(result.stdout)
    assert sets and all(s["missingKinds"] == ["pods"] for s in sets)
    phases = {p["phase"] for s in sets for p in s["pods"]}
    assert phases == {"Unknown"}, phases          # not read: unknown, never NotCreated
    complete = ststui("get", "-A", "-o", "json", "--kubeconfig", str(demo_sim.kubeconfig))
    assert complete.returncode == 0 and all(s["missingKinds"] == [] for s in json.loads(complete.stdout))
