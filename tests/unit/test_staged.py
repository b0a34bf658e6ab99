"""Pure tests of the staged rollout arithmetic (ststui/state/staged.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from ststui.state import staged as S

NOW = 1_000_000.0


def sts(replicas=5, partition=5, start=0, upd="web-new", cur="web-old", min_ready=0, **kw):
    return S.SetState("db", "web", replicas, partition, start, update_revision=upd, current_revision=cur,
                      min_ready_seconds=min_ready, **kw)


def pods(replicas=5, start=0, updated=(), ready=True, restarts=0, since=NOW - 100):
    out = {}
    for o in range(start, start + replicas):
        rev = "web-new" if o in updated else "web-old"
        out[o] = S.PodState(f"web-{o}", o, rev, "Running", ready, since if ready else None, restarts)
    return out


# ---- steps

def test_percentages_round_up_and_merge():
    steps = S.parse_steps("1,25%,50%,100%", 5)
    assert [s.count for s in steps] == [1, 2, 3, 5]
    # 10% and 20% of 5 both round up to 1: one step
    assert [s.count for s in S.parse_steps("10%,20%,100%", 5)] == [1, 5]
    assert [s.count for s in S.parse_steps("1,33%,100%", 10)] == [1, 4, 10]


def test_counts_are_capped_and_monotonic():
    assert [s.count for s in S.parse_steps("2,9", 5)] == [2, 5]
    with pytest.raises(S.PlanError, match="must not go down"):
        S.parse_steps("3,1", 5)
    for bad in ("0", "abc", "150%", "0%", "1,,2", ""):
        with pytest.raises(S.PlanError):
            S.parse_steps(bad, 5)


def test_pause_step():
    steps = S.parse_steps("1,pause,100%", 4)
    assert [(s.count, s.pause_after) for s in steps] == [(1, True), (4, False)]
    with pytest.raises(S.PlanError, match="pause step needs"):
        S.parse_steps("pause,1", 4)


def test_partition_and_ordinals_from_start():
    assert S.partition_for(1, 5) == 4
    assert S.partition_for(5, 5) == 0
    assert S.step_ordinals(2, 5) == [4, 3]
    assert S.step_ordinals(2, 5, start=10) == [14, 13]


def test_durations():
    assert S.parse_duration("90") == 90
    assert S.parse_duration("10m") == 600
    assert S.parse_duration("1m30s") == 90
    assert S.parse_duration("1h") == 3600
    with pytest.raises(S.PlanError):
        S.parse_duration("soon")
    assert S.format_duration(600) == "10m"


# ---- new plans

def test_new_plan_with_image_holds_at_replicas():
    rec, hold = S.new_plan(sts(partition=0, upd="web-old"), pods(), S.parse_steps("1,50%,100%", 5), NOW, "me",
                           image="app=img:2")
    assert hold == 5
    assert rec.steps == [1, 3, 5] and rec.step == 0 and rec.phase == S.PH_LOWER
    assert rec.origin_partition == 0 and rec.from_revision == "web-old"


def test_new_plan_from_pending_update():
    rec, hold = S.new_plan(sts(partition=5), pods(), S.parse_steps("1,100%", 5), NOW, "me")
    assert hold == 5 and rec.step == 0 and rec.to_revision == "web-new"
    with pytest.raises(S.PlanError, match="no pending update"):
        S.new_plan(sts(upd="web-old"), pods(), S.parse_steps("1", 5), NOW, "me")
    with pytest.raises(S.PlanError, match="partition .* is 0"):
        S.new_plan(sts(partition=0), pods(), S.parse_steps("1", 5), NOW, "me")


def test_new_plan_from_partition_already_lowered():
    # web-4 and web-3 already updated (partition 3): steps 1 and 2 are taken; verify step 2 first.
    s = sts(partition=3)
    rec, hold = S.new_plan(s, pods(updated=(3, 4)), S.parse_steps("1,2,100%", 5), NOW, "me")
    assert hold == 3 and rec.step == 1 and rec.phase == S.PH_ROLLING
    # partition between steps: the next step is the first above it, lowered from there
    rec, _ = S.new_plan(sts(partition=4), pods(updated=(4,)), S.parse_steps("2,100%", 5), NOW, "me")
    assert rec.step == 0 and rec.phase == S.PH_LOWER
    d = S.decide(rec, sts(partition=4), pods(updated=(4,)), NOW)
    assert d.kind == S.DECIDE_LOWER and d.partition == 3 and d.pods == ("web-3",)
    with pytest.raises(S.PlanError, match="already taken"):
        S.new_plan(sts(partition=1), pods(updated=(1, 2, 3, 4)), S.parse_steps("1,50%", 5), NOW, "me")


def test_new_plan_refuses_ondelete():
    with pytest.raises(S.PlanError, match="OnDelete"):
        S.new_plan(replace(sts(), strategy="OnDelete"), pods(), S.parse_steps("1", 5), NOW, "me")


# ---- decisions

def plan(**kw):
    rec, _ = S.new_plan(sts(), pods(), S.parse_steps("1,50%,100%", 5), NOW, "me", soak=60, **kw)
    return rec


def test_decide_lowers_first_step():
    d = S.decide(plan(), sts(), pods(), NOW)
    assert (d.kind, d.partition, d.pods) == (S.DECIDE_LOWER, 4, ("web-4",))


def test_decide_waits_for_ready_then_soaks_then_passes():
    rec = replace(plan(), phase=S.PH_ROLLING, step_started=NOW)
    s = sts(partition=4)
    assert S.decide(rec, s, pods(), NOW + 1).kind == S.DECIDE_WAIT        # web-4 still old
    assert S.decide(rec, s, pods(updated=(4,), ready=False), NOW + 1).kind == S.DECIDE_WAIT
    assert S.decide(rec, s, pods(updated=(4,)), NOW + 1).kind == S.DECIDE_SOAK_START
    soaking = replace(rec, phase=S.PH_SOAK, soak_started=NOW + 1)
    d = S.decide(soaking, s, pods(updated=(4,)), NOW + 31)
    assert d.kind == S.DECIDE_SOAKING and "30s left" in d.message
    assert S.decide(soaking, s, pods(updated=(4,)), NOW + 61).kind == S.DECIDE_SOAK_PASSED
    assert S.decide(replace(soaking, promote=True), s, pods(updated=(4,)), NOW + 2).kind == S.DECIDE_SOAK_PASSED


def test_min_ready_seconds_respected():
    rec = replace(plan(), phase=S.PH_ROLLING, step_started=NOW)
    s = sts(partition=4, min_ready=30)
    fresh = pods(updated=(4,), since=NOW - 10)
    d = S.decide(rec, s, fresh, NOW)
    assert d.kind == S.DECIDE_WAIT and "minReadySeconds" in d.message
    assert S.decide(rec, s, fresh, NOW + 21).kind == S.DECIDE_SOAK_START


def test_step_timeout_aborts():
    rec = replace(plan(), phase=S.PH_ROLLING, step_started=NOW)
    d = S.decide(rec, sts(partition=4), pods(updated=(4,), ready=False), NOW + 601)
    assert d.kind == S.DECIDE_ABORT and "web-4" in d.message and "10m" in d.message


def test_overall_timeout_aborts_and_pause_time_does_not_count():
    rec = replace(plan(timeout=120), phase=S.PH_ROLLING, step_started=NOW)
    assert S.decide(rec, sts(partition=4), pods(), NOW + 121).kind == S.DECIDE_ABORT
    assert S.decide(replace(rec, paused_seconds=100), sts(partition=4), pods(), NOW + 121).kind == S.DECIDE_WAIT


def test_soak_problems_abort():
    rec = replace(plan(), phase=S.PH_SOAK, soak_started=NOW, step=1)  # step to 3 pods: web-4, web-3, web-2
    s = sts(partition=2)
    now_pods = pods(updated=(2, 3, 4), restarts=0)
    now_pods[3] = replace(now_pods[3], restarts=1)
    now_pods[2] = replace(now_pods[2], ready=False)
    warnings = [S.WarningEvent("web-4", "Unhealthy", "probe failed", "u1/1"),
                S.WarningEvent("web-4", "Old", "seen before", "u0/1"),
                S.WarningEvent("web-1", "Unhealthy", "not ours", "u2/1")]
    problems = S.soak_problems(rec, s, now_pods, {"web-2": 0, "web-3": 0, "web-4": 0}, warnings, {"u0/1"})
    assert problems == ["web-3 restarted during the soak (restarts 0 → 1)", "web-2 left Ready during the soak",
                        "Warning event Unhealthy on web-4: probe failed"]
    d = S.decide(rec, s, now_pods, NOW + 5, problems)
    assert d.kind == S.DECIDE_ABORT and "failed its soak" in d.message


def test_replicas_changed_mid_plan_pauses():
    rec = replace(plan(), phase=S.PH_ROLLING, step_started=NOW)
    d = S.decide(rec, sts(replicas=6, partition=4), pods(6), NOW)
    assert d.kind == S.DECIDE_PAUSE and "replicas changed from 5 to 6" in d.message


def test_partition_changed_outside_pauses():
    rec = replace(plan(), phase=S.PH_ROLLING, step_started=NOW)
    assert S.decide(rec, sts(partition=2), pods(), NOW).kind == S.DECIDE_PAUSE
    assert S.decide(rec, sts(partition=5), pods(), NOW).kind == S.DECIDE_PAUSE


def test_template_changed_mid_plan_aborts():
    rec = replace(plan(), phase=S.PH_ROLLING, step_started=NOW)
    d = S.decide(rec, sts(partition=4, upd="web-other"), pods(), NOW)
    assert d.kind == S.DECIDE_ABORT and "template changed" in d.message and not d.rollback_ok


def test_finish_step_pause_each_and_complete():
    rec = replace(plan(pause_each=True), phase=S.PH_SOAK, soak_started=NOW)
    after = S.finish_step(rec, NOW + 60)
    assert after.state == S.PAUSED and after.step == 1 and "after step 1/3" in after.reason
    resumed = S.resume_record(after, NOW + 160, "you")
    assert resumed.state == S.RUNNING and resumed.paused_seconds == 100
    last = replace(plan(), step=2, phase=S.PH_SOAK)
    assert S.finish_step(last, NOW).state == S.COMPLETE


def test_pause_step_in_plan():
    rec, _ = S.new_plan(sts(), pods(), S.parse_steps("1,pause,100%", 5), NOW, "me")
    assert S.finish_step(rec, NOW).state == S.PAUSED
    assert S.finish_step(replace(rec, step=1), NOW).state == S.COMPLETE


def test_record_round_trip_and_garbage():
    rec = plan()
    assert S.PlanRecord.from_json(rec.to_json()) == rec
    for bad in ("{", "[]", '{"version": 1}', '{"version": 1, "steps": [1], "state": "odd"}'):
        with pytest.raises(S.PlanError):
            S.PlanRecord.from_json(bad)


def test_lease():
    rec = replace(plan(), holder="a", heartbeat=NOW)
    assert rec.lease_fresh(NOW + 5)
    assert not rec.lease_fresh(NOW + S.LEASE_SECONDS + 1)


def test_abort_effect_hold_and_rollback():
    rec = plan()
    s = sts(partition=2)
    # web-4 and web-3 updated, web-2 being recreated: hold at 3 so web-2 stays old
    ps = pods(updated=(3, 4))
    eff = S.abort_effect(rec, s, ps, rollback=False)
    assert eff.partition == 3 and not eff.rollback
    eff = S.abort_effect(replace(rec, origin_partition=0), s, ps, rollback=True)
    assert eff.partition == 0 and eff.rolled_back == ("web-4", "web-3") and eff.stuck == ()
    ps[4] = replace(ps[4], ready=False)
    eff = S.abort_effect(replace(rec, origin_partition=5), s, ps, rollback=True)
    assert eff.partition == 3 and eff.stuck == ("web-4",) and "delete it by hand" in eff.sentence


def test_describe_plan_for_five_replicas():
    lines = S.describe_plan("web", "db", 5, 0, S.parse_steps("1,50%,100%", 5), soak=60, check="", check_timeout=30,
                            step_timeout=600, timeout=3600, pause_each=False, rollback_on_failure=False)
    assert lines[0] == "Step 1: partition 4, web-4 updates (1/5 pods on the new revision); soak 1m."
    assert lines[1] == "Step 2: partition 2, web-3, web-2 update (3/5 pods on the new revision); soak 1m."
    assert lines[2].startswith("Step 3: partition 0, web-1, web-0 update")


def test_progress_lines():
    rec = replace(plan(), step=1, phase=S.PH_SOAK, soak_started=NOW, holder="bob/1", heartbeat=NOW + 15, reason="x")
    lines = S.progress_lines(rec, "web", NOW + 20)
    assert lines[0] == "Plan RUNNING [1,50%,100%]: 1 of 3 step(s) done, 2 left"
    assert lines[1] == "step 2/3: web-3, web-2 soaking, 40s left"
    assert lines[-1] == "runner: bob/1"
    stale = S.progress_lines(rec, "web", NOW + 100)
    assert stale[-1].startswith("runner: none (lease stale)")
    done = S.progress_lines(replace(rec, state=S.COMPLETE, step=3, reason="every step passed"), "web", NOW)
    assert done == ["Plan COMPLETE [1,50%,100%]: 3 of 3 step(s) done, 0 left", "reason: every step passed"]


def test_describe_plan_from_a_lowered_partition_and_pause_each():
    lines = S.describe_plan("web", "db", 5, 0, S.parse_steps("1,100%", 5), soak=30, check="", check_timeout=30,
                            step_timeout=600, timeout=3600, pause_each=True, rollback_on_failure=True, taken=1)
    assert lines[0] == ("First: web-4 (already updated, partition 4) must be Ready and pass a 30s soak. "
                        "Then it waits for you to resume.")
    assert lines[1] == ("Step 2: partition 0, web-3, web-2, web-1, web-0 update (5/5 pods on the new revision); "
                        "soak 30s.")
    assert "previous template goes back" in " ".join(lines)


def test_ordinals_start_through_the_decisions():
    s = sts(replicas=3, partition=3, start=1)
    ps = pods(replicas=3, start=1)
    rec, hold = S.new_plan(s, ps, S.parse_steps("1,100%", 3), NOW, "me")
    assert hold == 3 and rec.start == 1
    d = S.decide(rec, s, ps, NOW)
    assert (d.partition, d.pods) == (2, ("web-3",))          # ordinals 1..3: web-3 is the highest
    rolling = replace(rec, phase=S.PH_ROLLING, step_started=NOW)
    s2 = sts(replicas=3, partition=2, start=1)
    assert S.decide(rolling, s2, pods(replicas=3, start=1, updated=(3,)), NOW).kind == S.DECIDE_SOAK_START
    assert S.decide(rolling, s2, pods(replicas=3, start=1, updated=(1,)), NOW).kind == S.DECIDE_WAIT
    changed = S.decide(rolling, replace(s2, start=0), pods(replicas=3), NOW)
    assert changed.kind == S.DECIDE_PAUSE and "ordinals.start changed" in changed.message
