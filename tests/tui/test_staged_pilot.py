"""Pilot tests of staged rollouts in the TUI, against the demo sim over HTTP (manual clock).

`stage/api` in the demo has 5 replicas with an update held at partition 5. The plan
runs in the app's worker (the same Runner as `ststui rollout run`); the test moves the
sim's clock and reads the StatefulSet back with the official client.
"""
from __future__ import annotations

import asyncio
import json
import time

from ststui.state import staged as S
from ststui.tui.modals import ConfirmModal, plan_text
from ststui.tui.staged import PlanDialog
from tests.tui.test_sim_pilot import demo, select, wait_for

WAIT = 20.0


def read_sts(client, ns="stage", name="api") -> dict:
    from ststui.kube.rest import request_json
    return request_json(client, "GET", f"/apis/apps/v1/namespaces/{ns}/statefulsets/{name}")


def record(client) -> S.PlanRecord | None:
    return S.read_record(read_sts(client))


def partition(client) -> int:
    return read_sts(client)["spec"]["updateStrategy"]["rollingUpdate"]["partition"]


async def run_until(pilot, cluster, condition, what, step=1.0):
    """Advance the sim a second at a time (letting the runner tick) until condition()."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        cluster.advance(step)
        await pilot.pause(0.03)


def strip_text(app) -> str:
    return str(app.query_one("#plan").render())


def test_plan_dialog_sentences_progress_pause_and_abort(tmp_path):
    with demo(tmp_path, namespace="stage") as (cluster, app, client, server):
        app.staged_poll = 0.02

        async def main():
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: "stage/api" in app.views, "stage/api")
                await select(pilot, app, "stage/api")
                await pilot.press("o")
                assert isinstance(app.screen, PlanDialog)
                dialog = app.screen
                # defaults for 5 replicas: 1,25%,50%,100%; pending update, so no image
                assert dialog.query_one("#plan-steps").value == "1,25%,50%,100%"
                assert dialog.query_one("#plan-image").value == ""
                dialog.query_one("#plan-steps").value = "1,50%,100%"
                dialog.query_one("#plan-soak").value = "30s"
                await pilot.pause()
                preview = dialog.preview_text
                assert "Step 1: partition 4, api-4 updates (1/5 pods on the new revision); soak 30s." in preview
                assert "Step 2: partition 2, api-3, api-2 update (3/5 pods on the new revision); soak 30s." \
                    in preview
                assert "Step 3: partition 0, api-1, api-0 update (5/5 pods on the new revision); soak 30s." \
                    in preview
                await pilot.press("enter")
                assert isinstance(app.screen, ConfirmModal)
                text = plan_text(app.screen.plan).plain
                assert "Rolls out the pending update" in text and "the partition stays at 5 until step 1" in text
                assert "During each soak: no restart, none leaves Ready, no new Warning event." in text
                assert "It aborts if a check fails, a step's pods are not all updated and Ready within 10m of " \
                       "the step, or the plan " \
                       "runs past 1h." in text
                assert "Abort: the partition holds where it is; updated pods keep the new revision" in text
                assert ("Headless equivalent: ststui rollout run stage/api --steps 1,3,5 --soak 30s "
                        "--step-timeout 10m --timeout 1h") in text
                assert app.screen.query_one("#no").has_focus          # default No
                await pilot.press("y")
                # the strip shows progress: step 1 soaking with a countdown
                await run_until(pilot, cluster, lambda: "soaking" in strip_text(app), "step 1 soaking")
                shown = strip_text(app)
                assert "Plan RUNNING [1,3,5]: 0 of 3 step(s) done, 3 left" in shown
                assert "step 1/3: api-4 soaking" in shown and "left" in shown
                assert "runner: this ststui" in shown
                assert partition(client) == 4
                # space pauses (the annotation says so), space resumes
                await pilot.press("space")
                await wait_for(pilot, lambda: record(client).state == S.PAUSED, "paused")
                await run_until(pilot, cluster, lambda: "Plan PAUSED" in strip_text(app), "strip says paused")
                for _ in range(40):              # paused: no further step however long we wait
                    cluster.advance(1)
                    await pilot.pause(0.01)
                assert partition(client) == 4
                await pilot.press("space")
                await wait_for(pilot, lambda: record(client).state == S.RUNNING, "running again")
                await run_until(pilot, cluster, lambda: record(client).step >= 1, "step 1 done")
                await run_until(pilot, cluster, lambda: partition(client) == 2, "step 2 lowered")
                # x asks, then holds the partition where no further pod updates
                await pilot.press("x")
                assert isinstance(app.screen, ConfirmModal)
                assert "The partition is set where no further pod updates" in plan_text(app.screen.plan).plain
                await pilot.press("y")
                await wait_for(pilot, lambda: record(client).state == S.ABORTED, "aborted")
                cluster.settle(120)
                assert partition(client) >= 2
                await run_until(pilot, cluster, lambda: "Plan ABORTED" in strip_text(app), "strip says aborted")
                titles = [e.message for e in app.action_log.entries if e.title == "Staged rollout of stage/api"]
                assert any(m.startswith("step: step 1/3: partition 5 → 4") for m in titles)
                assert any(m.startswith("step: step 2/3: partition 4 → 2") for m in titles)
                step_entry = next(e for e in app.action_log.entries if e.message.startswith("step: step 1/3"))
                patch = json.dumps({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 4}}}},
                                   separators=(",", ":"))
                assert step_entry.kubectl == (f"kubectl patch sts/api -n stage -p '{patch}'",)
                await pilot.press("q")

        asyncio.run(main())
        audit = (tmp_path / "audit.log").read_text()
        assert "Staged rollout of stage/api" in audit and "partition 5 → 4" in audit


def test_a_later_ststui_resumes_a_plan_whose_runner_died(tmp_path):
    from ststui.kube import staged_runner as R

    class SimClock(R.RunnerClock):
        def __init__(self, cluster):
            self.cluster = cluster

        def now(self):
            return self.cluster.now()

        def sleep(self, seconds):
            self.cluster.advance(seconds)

    with demo(tmp_path, namespace="stage") as (cluster, app, client, server):
        first = R.Runner(client, "stage", "api", clock=SimClock(cluster), holder="gone/1")
        first.start(R.PlanOptions(steps="1,100%", soak=5))
        while record(client).step < 1:       # step 1 done, then the runner "dies"
            first.tick()
            cluster.advance(1)
        cluster.advance(S.LEASE_SECONDS + 1)
        app.staged_poll = 0.02

        async def main():
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: "stage/api" in app.views, "stage/api")
                await select(pilot, app, "stage/api")
                await wait_for(pilot, lambda: "runner: none (lease stale)" in strip_text(app), "stale plan shown")
                await pilot.press("o")
                assert isinstance(app.screen, ConfirmModal)
                text = plan_text(app.screen.plan).plain
                assert "The plan [1,100%] is running at step 2/2 and no runner holds it." in text
                await pilot.press("y")
                await run_until(pilot, cluster, lambda: record(client).state == S.COMPLETE, "complete")
                assert partition(client) == 0
                await pilot.press("q")

        asyncio.run(main())


def test_read_only_never_starts_a_plan(tmp_path):
    with demo(tmp_path, namespace="stage", read_only=True) as (cluster, app, client, server):
        async def main():
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: "stage/api" in app.views, "stage/api")
                await select(pilot, app, "stage/api")
                await pilot.press("o")
                await pilot.pause()
                assert not isinstance(app.screen, (PlanDialog, ConfirmModal))
                await pilot.press("q")

        asyncio.run(main())
        assert record(client) is None and partition(client) == 5
