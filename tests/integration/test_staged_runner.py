"""The staged rollout runner over HTTP against the sim, on the sim's manual clock.

Each test builds a 5-replica StatefulSet in the sim, drives a `Runner` (kube/staged_runner.py)
through the real `kubernetes` client, and lets time pass by advancing the sim's clock in the
runner's `sleep()`: no real waiting.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from ststui.kube import staged_runner as R
from ststui.state import staged as S
from tests.sim.controller_kit import make_sts, pods_of, revision


class SimClock(R.RunnerClock):
    def __init__(self, cluster) -> None:
        self.cluster = cluster

    def now(self) -> float:
        return self.cluster.now()

    def sleep(self, seconds: float) -> None:
        self.cluster.advance(seconds)


@pytest.fixture
def web(sim):
    make_sts(sim.cluster, "web", replicas=5, image="nginx:1.25")
    sim.settle()
    return sim


def sts_obj(sim, name="web"):
    return sim.cluster.store.find("statefulsets", "default", name)


def record(sim, name="web") -> S.PlanRecord:
    return S.read_record(sts_obj(sim, name))


def partition(sim, name="web") -> int:
    return ((sts_obj(sim, name)["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}).get("partition", 0)


def images(sim) -> dict[int, str]:
    return {o: p["spec"]["containers"][0]["image"] for o, p in pods_of(sim.cluster).items()}


def runner(sim, events=None, holder=None, **kw) -> R.Runner:
    out = events if events is not None else []
    return R.Runner(sim.api(), "default", "web", clock=SimClock(sim.cluster),
                    emit=lambda kind, msg: out.append((kind, msg)), by="tester", holder=holder, **kw)


def test_complete_plan_with_soak(web):
    events = []
    r = runner(web, events)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,50%,100%", soak=60))
    assert partition(web) == 5 and set(images(web).values()) == {"nginx:1.25"}  # hold + image, nothing updated
    assert r.run(poll=1.0) == R.EXIT_COMPLETE
    web.settle()
    assert set(images(web).values()) == {"nginx:1.26"}
    assert partition(web) == 0
    rec = record(web)
    assert rec.state == S.COMPLETE and rec.step == 3 and rec.holder == ""
    steps = [m for k, m in events if k == "step"]
    assert steps == ["step 1/3: partition 5 → 4; web-4 updates",
                     "step 2/3: partition 4 → 2; web-3, web-2 update",
                     "step 3/3: partition 2 → 0; web-1, web-0 update"]
    assert sum(1 for k, m in events if k == "soak" and m.endswith("soak passed")) == 3
    assert sum(1 for k, m in events if k == "soak" and m.endswith("soaking 1m")) == 3
    assert events[-1][0] == "complete"


def test_soak_watches_between_steps(web):
    """After step 1, web-3 does not update until the 60 s soak of web-4 has passed."""
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=60))
    while r.record.phase != S.PH_SOAK:
        assert r.tick()
        web.advance(1)
    soak_began = web.cluster.now()
    while web.cluster.now() - soak_began < 55:
        assert r.tick()
        web.advance(5)
    assert partition(web) == 4
    assert images(web)[3] == "nginx:1.25" and images(web)[4] == "nginx:1.26"


def test_never_ready_image_aborts_after_first_step(web):
    events = []
    r = runner(web, events)
    r.start(R.PlanOptions(image="app=nginx:1.26-broken", steps="1,50%,100%", soak=30, step_timeout=120))
    assert r.run(poll=2.0) == R.EXIT_ABORTED
    web.settle(300)
    assert partition(web) == 4
    imgs = images(web)
    assert imgs[4] == "nginx:1.26-broken"
    assert all(imgs[o] == "nginx:1.25" for o in range(4))
    rec = record(web)
    assert rec.state == S.ABORTED and "step timeout" in rec.reason and "web-4" in rec.reason
    assert "partition held at 4" in rec.reason


def test_failing_check_aborts(web, tmp_path):
    log = tmp_path / "env.txt"
    check = (f"{sys.executable} -c \"import os,sys; open({str(log)!r},'a').write(' '.join(os.environ[k] for k in "
             "('STSTUI_NAMESPACE','STSTUI_STATEFULSET','STSTUI_POD','STSTUI_ORDINAL','STSTUI_POD_DNS'))+'\\n'); "
             "sys.exit(0 if os.environ['STSTUI_ORDINAL'] != '3' else 1)\"")
    events = []
    r = runner(web, events)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,50%,100%", soak=10, check=check, check_timeout=30))
    assert r.run(poll=1.0) == R.EXIT_ABORTED
    lines = log.read_text().splitlines()
    assert lines[0] == "default web web-4 4 web-4.web.default.svc.cluster.local"
    assert lines[-1].startswith("default web web-3 3 ")
    assert partition(web) == 2
    rec = record(web)
    assert rec.state == S.ABORTED and "failed its check" in rec.reason and "web-3" in rec.reason
    web.settle()
    assert [images(web)[o] for o in range(5)] == ["nginx:1.25", "nginx:1.25", "nginx:1.26", "nginx:1.26",
                                                  "nginx:1.26"]


def test_rollback_on_failure_returns_every_pod(web):
    before = {o: revision(p) for o, p in pods_of(web.cluster).items()}
    events = []
    r = runner(web, events)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,50%,100%", soak=10, check="exit 1",
                          rollback_on_failure=True))
    assert r.run(poll=1.0) == R.EXIT_ABORTED
    rollback = [m for k, m in events if k == "rollback"]
    assert rollback and "web-4 goes back" in rollback[0]
    web.settle()
    assert set(images(web).values()) == {"nginx:1.25"}
    assert {o: revision(p) for o, p in pods_of(web.cluster).items()} == before
    assert partition(web) == 0
    assert record(web).state == S.ABORTED


def test_pause_and_resume_from_another_process(web):
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=5))
    for _ in range(3):
        r.tick()
        web.advance(1)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "ststui", "rollout", *args, "default/web",
                               "--kubeconfig", str(web.kubeconfig)], capture_output=True, text=True, timeout=60)

    paused = cli("pause")
    assert paused.returncode == 0, paused.stderr
    assert "Paused" in paused.stdout
    r.tick()
    assert r.record.state == S.PAUSED
    frozen = partition(web)
    for _ in range(60):
        assert r.tick()
        web.advance(1)
    assert partition(web) == frozen and record(web).state == S.PAUSED and r.result is None
    resumed = cli("resume")
    assert resumed.returncode == 0, resumed.stderr
    assert r.run(poll=1.0) == R.EXIT_COMPLETE
    assert partition(web) == 0


def test_killed_runner_resumed_after_lease_goes_stale(web):
    first = runner(web, holder="first")
    first.start(R.PlanOptions(image="app=nginx:1.26", steps="1,50%,100%", soak=20))
    while record(web).step < 1:
        first.tick()
        web.advance(1)
    # "kill" it: no more ticks. The partition holds where the plan left it.
    held = partition(web)
    web.advance(5)
    second = runner(web, holder="second")
    with pytest.raises(R.RolloutError, match="already being rolled out by first"):
        second.start(R.PlanOptions())
    web.advance(S.LEASE_SECONDS)
    web.settle(60)
    assert partition(web) == held
    events = []
    third = runner(web, events, holder="third")
    third.start(R.PlanOptions())
    assert "taking over from first" in events[0][1]
    assert third.run(poll=1.0) == R.EXIT_COMPLETE
    web.settle()
    assert set(images(web).values()) == {"nginx:1.26"}
    assert partition(web) == 0


def test_two_runners_at_once_one_refuses(web):
    a = runner(web, holder="a")
    a.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=5))
    b = runner(web, holder="b")
    with pytest.raises(R.RolloutError, match="already being rolled out by a"):
        b.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=5))
    assert a.run(poll=1.0) == R.EXIT_COMPLETE


def test_replicas_changed_mid_plan_pauses(web):
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=30))
    while r.record.phase != S.PH_SOAK:
        r.tick()
        web.advance(1)
    web.cluster.store.patch("statefulsets", "default", "web", "merge", {"spec": {"replicas": 6}})
    for _ in range(3):
        r.tick()
        web.advance(1)
    rec = record(web)
    assert rec.state == S.PAUSED and "replicas changed from 5 to 6" in rec.reason
    assert partition(web) == 4


def test_start_from_pending_update(web):
    web.cluster.store.patch("statefulsets", "default", "web", "strategic", {"spec": {
        "updateStrategy": {"rollingUpdate": {"partition": 5}},
        "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    web.settle()
    r = runner(web)
    r.start(R.PlanOptions(steps="2,100%", soak=5))
    assert r.run(poll=1.0) == R.EXIT_COMPLETE
    web.settle()
    assert set(images(web).values()) == {"nginx:1.27"}


def soak_reached(sim, r):
    while r.record.phase != S.PH_SOAK:
        assert r.tick()
        sim.advance(1)


def test_new_warning_event_during_soak_aborts(web):
    from ststui.kube.rest import request_json
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=60))
    soak_reached(web, r)
    r.tick()
    api = web.api()
    request_json(api, "POST", "/api/v1/namespaces/default/events", body={
        "metadata": {"name": "web-4.probe"}, "type": "Warning", "reason": "Unhealthy",
        "message": "Readiness probe failed: connection refused", "count": 1,
        "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-4"}})
    web.advance(1)
    assert not r.tick()
    assert r.result == "aborted"
    rec = record(web)
    assert "Warning event Unhealthy on web-4: Readiness probe failed" in rec.reason
    assert partition(web) == 4


def test_template_changed_by_someone_else_is_never_rolled_back(web):
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=60, rollback_on_failure=True))
    soak_reached(web, r)
    web.cluster.store.patch("statefulsets", "default", "web", "strategic", {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "image": "nginx:9.9"}]}}}})
    for _ in range(5):
        if not r.tick():
            break
        web.advance(1)
    assert r.result == "aborted"
    obj = sts_obj(web)
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:9.9"
    assert "template changed" in record(web).reason
    web.settle()
    assert images(web)[3] == "nginx:1.25"            # held: nothing below updates to anyone's template


def test_promote_ends_the_soak(web):
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=600))
    soak_reached(web, r)
    r.tick()
    assert "Promoted" in R.promote_from_outside(web.api(), "default", "web", "tester")
    for _ in range(3):
        r.tick()
        web.advance(1)
    assert record(web).step == 1 and partition(web) == 0        # step 2 taken long before 600 s
    assert "not soaking" in R.promote_from_outside(web.api(), "default", "web", "tester")


def test_check_is_bounded_by_its_timeout(web):
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=5,
                          check=f"{sys.executable} -c 'import time; time.sleep(30)'", check_timeout=0.5))
    assert r.run(poll=1.0) == R.EXIT_ABORTED
    assert "timed out after 0.5s" in record(web).reason and partition(web) == 4


def test_events_forbidden_skips_only_that_check(web):
    web.control("faults/forbid", resource="events")
    events = []
    r = runner(web, events)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=5))
    assert r.run(poll=1.0) == R.EXIT_COMPLETE
    notes = [m for k, m in events if k == "note"]
    assert len(notes) == 1 and "the soak does not check Warning events" in notes[0]


def test_updated_pod_leaving_ready_during_soak_aborts(web):
    r = runner(web)
    r.start(R.PlanOptions(image="app=nginx:1.26", steps="1,100%", soak=300))
    soak_reached(web, r)
    node = pods_of(web.cluster)[4]["spec"]["nodeName"]
    web.control(f"nodes/{node}/notready")
    for _ in range(120):
        if not r.tick():
            break
        web.advance(1)
    assert r.result == "aborted"
    assert "web-4 left Ready during the soak" in record(web).reason
    assert partition(web) == 4
