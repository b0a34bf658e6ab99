"""Wall-clock time: with `--speed 20` timestamps follow the wall clock (the sim's own delays are
shorter instead), so ages are true; kubectl describe shows valid event ages. These tests run the
sim on a real clock: they wait (bounded) for pods to become Ready, and assert no durations."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from kubernetes import client

from ststui.sim.clock import RealClock, parse_rfc3339
from ststui.sim.main import start_embedded, stop_embedded
from ststui.sim.scenarios import statefulset

from test_kubectl import KUBECTL, MANIFESTS

SLACK = 2.0        # seconds: timestamps are whole seconds


def _wait(condition, what: str, bound: float = 60.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_the_real_clock_shows_wall_time_and_shortens_durations():
    clock = RealClock(20)
    assert abs(clock.now() - time.time()) < 1
    assert clock.scaled(30) == 1.5 and clock.wall_seconds(10) == 10


def test_timestamps_follow_the_wall_clock_at_speed_20(tmp_path):
    cluster, server, path = start_embedded("empty", speed=20, kubeconfig_out=str(tmp_path / "kc"))
    try:
        from kubernetes import config
        api = config.new_client_from_config(config_file=str(path))
        apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
        apps.create_namespaced_stateful_set("default", statefulset("web", "nginx:1.25", 3, service="web"))
        # status is None until the controller's first status write lands (a background thread here)
        _wait(lambda: (getattr(apps.read_namespaced_stateful_set("web", "default").status, "ready_replicas", 0)
                       or 0) == 3, "3 Ready pods")
        now = time.time()
        stamps = []
        for pod in core.list_namespaced_pod("default").items:
            stamps.append(pod.metadata.creation_timestamp.timestamp())
            stamps += [c.last_transition_time.timestamp() for c in pod.status.conditions]
        for ev in core.list_namespaced_event("default").items:
            stamps.append((ev.last_timestamp or ev.event_time).timestamp())
        assert stamps and max(stamps) <= now + SLACK, (max(stamps) - now)
        assert abs(cluster.now() - time.time()) < SLACK
        api.close()
    finally:
        stop_embedded(cluster, server)


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_describe_shows_valid_event_ages_at_speed_20(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    env = dict(os.environ, PYTHONUNBUFFERED="1", HOME=str(tmp_path))
    env.pop("KUBECONFIG", None)
    sim = subprocess.Popen([sys.executable, "-m", "ststui", "sim", "--scenario", "empty", "--speed", "20",
                            "--port", "0", "--kubeconfig-out", str(kubeconfig)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        _wait(kubeconfig.exists, "the kubeconfig")

        def kubectl(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), *args], capture_output=True,
                                  text=True, env=env, timeout=60)
        _wait(lambda: kubectl("get", "--raw", "/readyz").returncode == 0, "the sim to answer")
        assert kubectl("apply", "-f", str(MANIFESTS / "web.yaml")).returncode == 0
        _wait(lambda: kubectl("get", "sts", "web", "-o", "jsonpath={.status.readyReplicas}").stdout == "2",
              "2 Ready pods")
        out = kubectl("describe", "sts", "web").stdout
        events = out.split("Events:", 1)[1]
        assert "SuccessfulCreate" in events
        assert "<invalid>" not in out
        ages = re.findall(r"^\s+Normal\s+\S+\s+(\S+)\s", events, re.M)
        assert ages and all(re.fullmatch(r"\d+s|\d+m\d*s?", a) for a in ages), ages
        pods = kubectl("get", "pods", "-o", "wide").stdout
        assert "<invalid>" not in pods
    finally:
        sim.terminate()
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()
