"""`ststui rollout ...` in a subprocess against `ststui sim --clock manual` in another one.

The runner's clock is the sim's (hidden `--sim-clock URL`: sleeping advances the sim), so
a 30 s soak passes without real waiting. Exit codes: 0 complete, 3 aborted, 2 usage.
"""
from __future__ import annotations

import json
import subprocess
import sys

from kubernetes import config

from ststui.kube.rest import request_json
from ststui.sim.scenarios import statefulset


def create_web(sim_process, replicas=5):
    api = config.new_client_from_config(config_file=str(sim_process.kubeconfig))
    try:
        request_json(api, "POST", "/apis/apps/v1/namespaces/default/statefulsets",
                     body=statefulset("web", "nginx:1.25", replicas, service="web", container="app"))
    finally:
        api.close()
    sim_process.settle()


def ststui(sim_process, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "ststui", "rollout", *args, "--kubeconfig",
                           str(sim_process.kubeconfig)], capture_output=True, text=True, timeout=timeout)


def status(sim_process):
    done = ststui(sim_process, "status", "default/web", "-o", "json", "--sim-clock", sim_process.url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cli_run_complete_exits_0(sim_process):
    create_web(sim_process)
    done = ststui(sim_process, "run", "default/web", "--image", "app=nginx:1.26", "--steps", "1,50%,100%",
                  "--soak", "30s", "--sim-clock", sim_process.url)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any("step     step 1/3: partition 5 → 4; web-4 updates" in line for line in lines)
    assert lines[-1].startswith("summary: plan complete on default/web: 3 step(s)")
    data = status(sim_process)
    assert (data["state"], data["partition"], data["updated"], data["replicas"]) == ("complete", 0, 5, 5)
    assert data["steps"] == [1, 3, 5]
    assert all(p["updated"] for p in data["pods"])


def test_cli_run_never_ready_exits_3(sim_process):
    create_web(sim_process)
    done = ststui(sim_process, "run", "default/web", "--image", "app=nginx:1.26-broken", "--steps", "1,100%",
                  "--soak", "10s", "--step-timeout", "2m", "--sim-clock", sim_process.url)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "summary: aborted on default/web" in done.stdout
    data = status(sim_process)
    assert data["state"] == "aborted" and data["partition"] == 4 and data["updated"] == 1
    assert "step timeout" in data["reason"]
    assert [p["name"] for p in data["pods"] if p["updated"]] == ["web-4"]


def test_cli_usage_errors_exit_2(sim_process):
    create_web(sim_process)
    bad_steps = ststui(sim_process, "run", "default/web", "--image", "app=x:1", "--steps", "3,1")
    assert bad_steps.returncode == 2 and "must not go down" in bad_steps.stderr
    assert "Traceback" not in bad_steps.stderr
    bad_soak = ststui(sim_process, "run", "default/web", "--soak", "soon")
    assert bad_soak.returncode == 2
    missing = ststui(sim_process, "status", "default/nope")
    assert missing.returncode == 2 and 'StatefulSet "nope" not found' in missing.stderr
    nothing = ststui(sim_process, "run", "default/web", "--steps", "1")
    assert nothing.returncode == 2 and "no pending update" in nothing.stderr
    read_only = ststui(sim_process, "run", "default/web", "--image", "app=nginx:1.26", "--read-only")
    assert read_only.returncode == 2 and "read-only mode" in read_only.stderr
    # nothing changed
    data = status(sim_process)
    assert data["state"] == "none" and data["partition"] == 0


def test_cli_runner_killed_then_second_refused_while_fresh_and_resumes_once_stale(sim_process):
    import signal

    from ststui.state.staged import LEASE_SECONDS
    create_web(sim_process)
    first = subprocess.Popen([sys.executable, "-m", "ststui", "rollout", "run", "default/web", "--image",
                              "app=nginx:1.26", "--steps", "1,100%", "--soak", "5m", "--sim-clock", sim_process.url,
                              "--kubeconfig", str(sim_process.kubeconfig)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in first.stdout:
            if "soaking 5m" in line:
                break
        else:
            raise AssertionError("the first runner never reached its soak")
        # while it runs, a second runner refuses
        second = ststui(sim_process, "run", "default/web")
        assert second.returncode == 2, second.stdout + second.stderr
        assert "already being rolled out by" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    data = status(sim_process)
    assert data["state"] == "running" and data["partition"] == 4 and data["updated"] == 1
    sim_process.advance(LEASE_SECONDS + 1)
    assert status(sim_process)["leaseFresh"] is False
    third = ststui(sim_process, "run", "default/web", "--sim-clock", sim_process.url)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "taking over from" in third.stdout
    data = status(sim_process)
    assert (data["state"], data["partition"], data["updated"]) == ("complete", 0, 5)
