"""Rollout arithmetic on hand-made slots: next ordinal, halts, steps, OnDelete leftovers."""
from __future__ import annotations

from ststui.state.model import PodSlot
from ststui.state.rollout import (HALT_AFTER_SECONDS, RolloutSpec, StatusCounters, blocker_verdict,
                                  find_blocker, max_unavailable_value, next_update_ordinals, step_blocked_reason,
                                  step_ordinal, summarize)

NOW = 10_000.0
OLD, NEW = "web-old", "web-new"


def slot(ordinal: int, revision: str | None = OLD, *, ready: bool = True, phase: str = "Running",
         exists: bool = True, terminating: bool = False, stuck: bool = False, node_ready: bool | None = True,
         reason: str | None = None, ready_changed: float | None = NOW - 3600, in_spec: bool = True,
         name: str = "web", restarts: int = 0) -> PodSlot:
    return PodSlot(
        ordinal=ordinal, name=f"{name}-{ordinal}", exists=exists, phase=phase if exists else "NotCreated",
        ready=ready and exists, ready_containers="1/1", restarts=restarts, revision=revision if exists else None,
        revision_kind=None, node="node-1" if exists else None, node_ready=node_ready if exists else None,
        terminating=terminating, terminating_since=NOW - 600 if terminating else None,
        deletion_grace_seconds=30 if terminating else None, ip=None, dns_name=None, created=NOW - 7200,
        in_spec=in_spec, reason=reason, ready_changed=ready_changed, stuck=stuck,
    )


def spec(**kw) -> RolloutSpec:
    base = dict(name="web", replicas=5, current_revision=OLD, update_revision=NEW)
    base.update(kw)
    return RolloutSpec(**base)


def test_next_ordinal_is_the_highest_at_or_above_the_partition_not_updated():
    slots = [slot(0), slot(1), slot(2), slot(3, NEW), slot(4, NEW)]
    assert next_update_ordinals(slots, spec(partition=0)) == (2,)
    assert next_update_ordinals(slots, spec(partition=3)) == ()
    assert next_update_ordinals(slots, spec(partition=2)) == (2,)
    assert next_update_ordinals(slots, spec(strategy="OnDelete")) == ()


def test_partition_counts_from_the_ordinals_start():
    # ordinals 5..9, partition 3: ordinals 8 and 9 are updated, as the controller does
    slots = [slot(o) for o in range(5, 10)]
    s = spec(start=5, partition=3)
    assert next_update_ordinals(slots, s) == (9,)
    assert step_ordinal(s) == 7
    view = summarize([slot(o) for o in range(5, 8)] + [slot(8, NEW), slot(9, NEW)], s, StatusCounters(), NOW)
    assert not view.in_progress and view.old_revision_ordinals == (5, 6, 7)


def test_max_unavailable_releases_several_ordinals():
    slots = [slot(o) for o in range(5)]
    assert next_update_ordinals(slots, spec(max_unavailable=2)) == (4, 3)
    assert max_unavailable_value("25%", 10) == 3
    assert max_unavailable_value(None, 10) == 1 and max_unavailable_value("0", 3) == 1
    assert max_unavailable_value(2, 5) == 2


def test_step_ordinal():
    assert step_ordinal(spec(partition=3)) == 2
    assert step_ordinal(spec(partition=5)) == 4          # partition == replicas: the canary
    assert step_ordinal(spec(partition=0)) is None
    assert step_ordinal(spec(partition=7)) is None       # > replicas: one step releases nothing
    assert step_ordinal(spec(strategy="OnDelete", partition=2)) is None


def test_the_controller_waits_for_an_updated_pod_that_is_not_ready():
    slots = [slot(0), slot(1), slot(2), slot(3), slot(4, NEW, ready=False, ready_changed=NOW - 10)]
    s = spec()
    assert find_blocker(slots, s, NOW).ordinal == 4
    view = summarize(slots, s, StatusCounters(), NOW)
    assert view.in_progress and not view.halted
    assert view.waiting_for == "waiting for updated pod web-4 to become Ready"
    assert view.next_ordinal == 3
    # the same pod, not Ready for longer than the halt threshold: halted
    late = slots[:4] + [slot(4, NEW, ready=False, ready_changed=NOW - HALT_AFTER_SECONDS - 120)]
    view = summarize(late, s, StatusCounters(), NOW)
    assert view.halted and view.halted_reason == "updated pod web-4 has not been Ready for 3m"
    crashing = slots[:4] + [slot(4, NEW, ready=False, restarts=5, ready_changed=NOW - 19 * 60)]
    assert summarize(crashing, s, StatusCounters(), NOW).halted_reason == (
        "updated pod web-4 has not been Ready for 19m (5 restarts)")


def test_a_failing_updated_pod_halts_at_once():
    slots = [slot(0), slot(1), slot(2), slot(3), slot(4, NEW, ready=False, reason="CrashLoopBackOff",
                                                      ready_changed=NOW - 5)]
    view = summarize(slots, spec(partition=4), StatusCounters(), NOW)     # a broken canary
    assert view.halted and view.halted_reason == "updated pod web-4 is not Ready (CrashLoopBackOff)"
    assert view.step_blocked_reason == view.halted_reason


def test_stuck_terminating_and_notready_node_halt():
    stuck = [slot(0), slot(1), slot(2), slot(3), slot(4, OLD, terminating=True, stuck=True, node_ready=False)]
    halted, why = blocker_verdict(stuck[4], spec(), NOW)
    assert halted and why == "pod web-4 has been Terminating for 10m on NotReady node node-1"
    assert summarize(stuck, spec(), StatusCounters(), NOW).halted
    graceful = stuck[:4] + [slot(4, OLD, terminating=True, stuck=False)]
    view = summarize(graceful, spec(), StatusCounters(), NOW)
    assert not view.halted and view.waiting_for == "waiting for pod web-4 to terminate"
    on_dead_node = [slot(0), slot(1), slot(2), slot(3), slot(4, NEW, ready=False, node_ready=False)]
    view = summarize(on_dead_node, spec(), StatusCounters(), NOW)
    assert view.halted and view.halted_reason == "updated pod web-4 is on NotReady node node-1"


def test_ordered_ready_waits_for_any_unhealthy_pod_but_parallel_does_not():
    slots = [slot(0, ready=False, ready_changed=NOW - 5), slot(1), slot(2), slot(3), slot(4)]
    assert find_blocker(slots, spec(), NOW).ordinal == 0
    assert find_blocker(slots, spec(pod_management_policy="Parallel"), NOW) is None
    # a pod left over from a scale-down blocks OrderedReady updates too
    condemned = [slot(o) for o in range(5)] + [slot(5, in_spec=False)]
    assert find_blocker(condemned, spec(), NOW).ordinal == 5


def test_paused_at_partition_is_neither_in_progress_nor_complete():
    slots = [slot(0), slot(1), slot(2), slot(3, NEW), slot(4, NEW)]
    view = summarize(slots, spec(partition=3), StatusCounters(), NOW)
    assert not view.in_progress and not view.complete and not view.halted
    assert view.old_revision_ordinals == (0, 1, 2)
    assert view.next_step_ordinal == 2 and view.step_blocked_reason is None


def test_step_is_blocked_until_the_last_updated_pod_is_ready():
    slots = [slot(0), slot(1), slot(2), slot(3, NEW, ready=False, ready_changed=NOW - 5), slot(4, NEW)]
    reason = step_blocked_reason(slots, spec(partition=3), NOW, None)
    assert reason == "updated pod web-3 is not Ready yet"
    not_yet = [slot(0), slot(1), slot(2), slot(3), slot(4, NEW)]
    assert step_blocked_reason(not_yet, spec(partition=3), NOW, None) == "pod web-3 is not at the update revision yet"
    assert step_blocked_reason(not_yet, spec(partition=0), NOW, None).startswith("the partition is already 0")
    assert "OnDelete" in step_blocked_reason(not_yet, spec(strategy="OnDelete"), NOW, None)


def test_complete_when_every_pod_runs_the_update_revision_and_is_ready():
    slots = [slot(o, NEW) for o in range(5)]
    view = summarize(slots, spec(current_revision=NEW), StatusCounters(replicas=5), NOW)
    assert view.complete and not view.in_progress and view.next_ordinal is None
    assert view.old_revision_ordinals == ()


def test_on_delete_lists_pods_left_on_the_old_revision():
    slots = [slot(0), slot(1, NEW), slot(2)]
    view = summarize(slots, spec(strategy="OnDelete", replicas=3), StatusCounters(), NOW)
    assert view.old_revision_ordinals == (0, 2)
    assert view.in_progress and not view.halted and view.next_ordinal is None and view.next_step_ordinal is None


def test_partition_above_replicas_updates_nothing():
    slots = [slot(o) for o in range(3)]
    view = summarize(slots, spec(replicas=3, partition=5), StatusCounters(), NOW)
    assert not view.in_progress and view.next_ordinal is None
    # a step goes straight to the highest pod not updated: partition 2, web-2
    assert view.next_step_ordinal == 2 and view.step_partition == 2 and view.next_pod == "web-2"
    assert view.state == "held" and view.label == "held p=5 0/3"
    assert view.reason.startswith("partition 5 is above the 3 replicas")


def test_min_ready_seconds_counts_as_not_available_yet():
    slots = [slot(0), slot(1), slot(2), slot(3), slot(4, NEW, ready_changed=NOW - 5)]
    view = summarize(slots, spec(min_ready_seconds=30), StatusCounters(), NOW)
    assert view.waiting_for == "waiting for updated pod web-4 to be Ready for 30s"
    assert not view.halted
