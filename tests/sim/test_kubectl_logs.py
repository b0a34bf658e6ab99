"""kubectl logs against a `ststui sim` process (manual clock): plain, -f for a bounded
time (the stream ends with the container), --previous, --tail, -c, and logs sts/NAME."""
from __future__ import annotations

import subprocess
import threading

import pytest

from test_kubectl import KUBECTL, Kubectl, apply_web

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


@pytest.fixture
def kubectl(sim_process) -> Kubectl:
    k = Kubectl(sim_process)
    apply_web(k)
    k.sim.advance(30)
    return k


def test_logs_and_tail(kubectl):
    out = kubectl("logs", "web-0")
    lines = out.splitlines()
    assert lines[0].startswith("INFO  starting nginx 1.9.1 (pod web-0, container nginx, attempt 1)")
    assert any("served " in line for line in lines)
    assert kubectl("logs", "web-0", "--tail=2").splitlines() == lines[-2:]
    stamped = kubectl("logs", "web-0", "--timestamps", "--tail=1").split(" ", 1)
    assert stamped[0].endswith("Z") and stamped[1].rstrip("\n") == lines[-1]
    recent = kubectl("logs", "web-0", "--since=15s").splitlines()
    assert recent and len(recent) < len(lines) and recent == lines[-len(recent):]
    assert kubectl("logs", "web-0", "--limit-bytes=20") == out[:20]


def test_logs_container_flag_and_a_wrong_container(kubectl):
    assert kubectl("logs", "web-1", "-c", "nginx").startswith("INFO  starting nginx 1.9.1 (pod web-1")
    done = kubectl.run("logs", "web-1", "-c", "sidecar", ok=False)
    assert done.returncode != 0
    assert "container sidecar is not valid for pod web-1" in done.stderr


def test_logs_of_a_statefulset_picks_one_of_its_pods(kubectl):
    done = kubectl.run("logs", "sts/web")
    assert done.returncode == 0, done.stderr
    assert "INFO  starting nginx 1.9.1 (pod web-" in done.stdout


def test_logs_previous_without_and_with_a_terminated_container(kubectl):
    done = kubectl.run("logs", "web-0", "--previous", ok=False)
    assert done.returncode != 0
    assert 'previous terminated container "nginx" in pod "web-0" not found' in done.stderr
    kubectl("set", "image", "sts/web", "nginx=nginx:1.9.1-broken")
    kubectl.sim.advance(120)              # web-1 is replaced; its broken container restarts
    out = kubectl("logs", "web-1", "--previous")
    assert out.rstrip().endswith("ERROR exiting with code 1")
    assert "attempt 2)" in kubectl("logs", "web-1").splitlines()[0]


def test_logs_follow_gets_new_lines_and_ends_with_the_container(kubectl):
    process = subprocess.Popen(
        [kubectl.binary, "--kubeconfig", str(kubectl.sim.kubeconfig), "logs", "-f", "--tail=1", "web-0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={"HOME": str(kubectl.sim.kubeconfig.parent), "PATH": "/usr/bin:/bin"})
    lines: list[str] = []
    first, got = threading.Event(), threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            first.set()
            if "SIGTERM" in line:
                got.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert first.wait(30), "kubectl logs -f showed nothing"     # the stream is open
        kubectl.sim.advance(40)
        kubectl("delete", "pod", "web-0", "--wait=false")
        kubectl.sim.advance(5)
        assert got.wait(30), "kubectl logs -f did not show the termination signal"
        kubectl.sim.settle()
        assert process.wait(30) == 0, process.stderr.read() if process.stderr else ""
        reader.join(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    text = "".join(lines)
    assert len(lines) >= 4 and text.count("served ") >= 3
    assert "shutdown complete" in lines[-1]
