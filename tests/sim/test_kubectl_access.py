"""kubectl against `ststui sim --scenario demo`: who may do what (auth can-i, --as), drain with a PDB.

The demo scenario holds the viewer and shop-operator bindings; the kubeconfig written by
`--kubeconfig-out` has one context per user. The sim runs on a manual clock.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from test_kubectl import KUBECTL, Kubectl

# tests/conftest.py's helper, loaded by path ("conftest" alone may name tests/tui/conftest.py).
_spec = importlib.util.spec_from_file_location("_root_conftest", Path(__file__).parents[1] / "conftest.py")
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)
start_sim_process = _root.start_sim_process

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


@pytest.fixture(scope="module")
def demo_process(tmp_path_factory):
    handle = start_sim_process(tmp_path_factory.mktemp("demo"), scenario="demo")
    yield handle
    handle.stop()


@pytest.fixture
def kubectl(demo_process) -> Kubectl:
    return Kubectl(demo_process)


@pytest.mark.parametrize("context, args, answer", [
    ("ststui-sim", ("delete", "nodes"), "yes"),
    ("ststui-sim", ("patch", "statefulsets", "-n", "shop"), "yes"),
    ("ststui-sim-viewer", ("list", "pods", "-n", "db"), "yes"),
    ("ststui-sim-viewer", ("get", "statefulsets/scale", "-n", "shop"), "yes"),
    ("ststui-sim-viewer", ("patch", "statefulsets", "-n", "shop"), "no"),
    ("ststui-sim-viewer", ("create", "pods/eviction", "-n", "shop"), "no"),
    ("ststui-sim-viewer", ("get", "secrets", "-n", "shop"), "no"),
    ("ststui-sim-viewer", ("list", "clusterroles"), "no"),
    ("ststui-sim-shop-operator", ("patch", "statefulsets", "-n", "shop"), "yes"),
    ("ststui-sim-shop-operator", ("update", "statefulsets/scale", "-n", "shop"), "yes"),
    ("ststui-sim-shop-operator", ("create", "pods/eviction", "-n", "shop"), "yes"),
    ("ststui-sim-shop-operator", ("delete", "pods", "-n", "db"), "no"),
    ("ststui-sim-shop-operator", ("list", "pods", "-A"), "no"),
])
def test_auth_can_i_for_each_demo_user(kubectl, context, args, answer):
    done = kubectl.run("--context", context, "auth", "can-i", *args, ok=False)
    assert done.stdout.strip() == answer, done.stderr
    assert done.returncode == (0 if answer == "yes" else 1)


def test_auth_can_i_list_names_the_rules(kubectl):
    out = kubectl("--context", "ststui-sim-shop-operator", "auth", "can-i", "--list", "-n", "shop")
    line = next(ln for ln in out.splitlines() if ln.startswith("statefulsets.apps "))
    assert "patch" in line and "delete" in line


def test_as_acts_as_the_user_and_gets_the_apiservers_403(kubectl):
    done = kubectl.run("--as", "viewer", "-n", "shop", "scale", "sts", "web", "--replicas=6", ok=False)
    assert done.returncode == 1
    assert ('statefulsets.apps "web" is forbidden: User "viewer" cannot patch resource "statefulsets/scale" '
            'in API group "apps" in the namespace "shop"') in done.stderr
    assert kubectl("--as", "viewer", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}") == "viewer"
    assert kubectl("--context", "ststui-sim-shop-operator", "auth", "whoami",
                   "-o", "jsonpath={.status.userInfo.username}") == "shop-operator"
    done = kubectl.run("--context", "ststui-sim-viewer", "-n", "shop", "delete", "pod", "web-0", ok=False)
    assert done.returncode == 1 and 'User "viewer" cannot delete resource "pods"' in done.stderr
    assert kubectl("-n", "shop", "get", "pod", "web-0", "-o", "name").strip() == "pod/web-0"


def test_drain_waits_on_the_pdb_then_succeeds(kubectl, demo_process):
    """node-1 holds web-1 and web-4 (PDB web: maxUnavailable 1): one is evicted at once, the other
    is refused (429) until its sibling is back and Ready; the sim's clock moves while drain retries."""
    import subprocess
    env_home = str(demo_process.kubeconfig.parent)
    drain = subprocess.Popen([KUBECTL, "--kubeconfig", str(demo_process.kubeconfig), "drain", "node-1",
                              "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=300s"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env={"HOME": env_home, "PATH": "/usr/bin:/bin"})
    try:
        for _ in range(600):
            try:
                drain.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                demo_process.advance(1)
        output = drain.communicate(timeout=30)[0]
    finally:
        if drain.poll() is None:
            drain.kill()
    assert drain.returncode == 0, output
    assert "Cannot evict pod as it would violate the pod's disruption budget." in output
    assert "node/node-1 drained" in output
    demo_process.settle()
    left = kubectl("get", "pods", "-A", "--field-selector", "spec.nodeName=node-1", "-o", "name")
    assert left.strip() == ""
    assert kubectl("get", "node", "node-1", "-o", "jsonpath={.spec.unschedulable}") == "true"
    assert kubectl("-n", "shop", "get", "pdb", "web", "-o", "jsonpath={.status.expectedPods}") == "5"
