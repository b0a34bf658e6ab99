"""The one rollout state (state, label, reason, remedy, next pod) for each case the column,
the strip and `ststui get` must tell apart, from real-shaped objects through topology."""
from __future__ import annotations

import factories as f
from ststui.state.topology import build_view

OLD = f.revision_name("web", "nginx:1.25")
NEW = f.revision_name("web", "nginx:1.27")


def rollout_of(*objs, loading=None, name="web"):
    view = build_view(f.store_with(*objs, f.node("node-1")), "default", name, f.NOW, loading=loading)
    return view, view.rollout


def canary(partition: int, updated: set[int], replicas: int = 5, start: int = 0, pods_kw: dict | None = None):
    objs = [f.statefulset("web", replicas=replicas, partition=partition, current=OLD, update=NEW,
                          templates=(), start=start or None)]
    for o in range(start, start + replicas):
        kw = dict((pods_kw or {}).get(o, {}))
        objs.append(f.pod("web", o, revision=NEW if o in updated else OLD, templates=(), **kw))
    return objs


def test_complete():
    view, r = rollout_of(f.family("web", replicas=3))
    assert (r.state, r.label, r.next_pod, r.remedy) == ("complete", "complete", None, None)
    assert r.reason.startswith("every pod runs web-")


def test_paused_names_the_pod_a_step_updates():
    view, r = rollout_of(*canary(3, {3, 4}))
    assert (r.state, r.label) == ("paused", "paused p=3 2/5")
    assert r.reason == "partition 3 keeps web-0, web-1 and web-2 on the current revision (2 of 5 updated)"
    assert r.next_pod == "web-2" and r.step_partition == 2
    assert r.remedy == "step (a) updates web-2"


def test_pods_above_the_partition_already_updated_are_skipped():
    # partition raised to 4 after web-3 was updated: a step goes to web-2
    view, r = rollout_of(*canary(4, {3, 4}))
    assert (r.state, r.label) == ("paused", "paused p=4 2/5")
    assert r.next_pod == "web-2" and r.step_partition == 2


def test_held_at_partition_equal_to_replicas_with_an_update_pending():
    view, r = rollout_of(*canary(5, set()))
    assert (r.state, r.label) == ("held", "held p=5 0/5")
    assert r.reason.startswith("partition 5 equals the replicas: no pod is updated until it is lowered")
    assert r.next_pod == "web-4" and r.step_partition == 4


def test_partition_above_replicas():
    view, r = rollout_of(*canary(8, set()))
    assert (r.state, r.label) == ("held", "held p=8 0/5")
    assert r.reason.startswith("partition 8 is above the 5 replicas")
    assert r.next_pod == "web-4" and r.step_partition == 4
    # with nothing pending it is complete and says the partition holds the next change
    view, r = rollout_of(f.family("web", replicas=3, partition=8))
    assert r.state == "complete" and "partition 8 is above the 3 replicas" in r.reason


def test_ordinals_start_above_zero():
    view, r = rollout_of(*canary(3, {8, 9}, start=5))
    assert (r.state, r.label) == ("paused", "paused p=3 2/5")
    assert r.next_pod == "web-7" and r.step_partition == 2


def test_rolling_while_the_controller_replaces_pods():
    view, r = rollout_of(*canary(0, {4}))
    assert r.state == "rolling" and r.label == "rolling 1/5"
    assert r.reason.startswith("replacing web-3")
    assert r.next_pod is None and r.step_none_reason.startswith("the partition is 0")


def test_ondelete_counts_the_pods_left_on_an_old_revision():
    objs = [f.statefulset("web", replicas=3, strategy="OnDelete", current=OLD, update=NEW, templates=())]
    objs += [f.pod("web", o, revision=NEW if o == 2 else OLD, templates=()) for o in range(3)]
    view, r = rollout_of(*objs)
    assert (r.state, r.label) == ("ondelete", "ondelete 2 old")
    assert r.reason.startswith("web-0 and web-1 still run an old revision")
    assert r.remedy == "delete web-1 (ctrl+d) to update it, one pod at a time"
    assert r.next_pod is None


def test_halted_names_the_pod_its_reason_and_the_remedy():
    objs = canary(0, {4}, pods_kw={4: dict(ready=False, waiting_reason="CrashLoopBackOff", restarts=6,
                                      ready_since=f.NOW - 1800)})
    view, r = rollout_of(*objs)
    assert (r.state, r.label) == ("halted", "halted")
    assert r.reason == "updated pod web-4 is not Ready (CrashLoopBackOff, 6 restarts)"
    assert r.remedy == "undo (u), then delete web-4 (ctrl+d)"


def test_blocked_by_a_pod_stuck_terminating_on_a_not_ready_node():
    fam = f.family("web", replicas=3, node_name="node-5")
    fam["pods"][1] = f.pod("web", 1, node="node-5", deleted_at=f.NOW - 900, templates=("data",))
    view = build_view(f.store_with(fam, f.node("node-5", ready=False)), "default", "web", f.NOW)
    r = view.rollout
    assert (r.state, r.label) == ("blocked", "blocked")
    assert r.reason.startswith("web-1 has been Terminating for 15m on NotReady node node-5")
    assert r.remedy == ("node node-5 is NotReady: force delete web-1 (ctrl+k) only if the node is gone or "
                        "powered off")


def test_observed_generation_behind_means_updating_with_counts_pending():
    sts = f.statefulset("web", replicas=2, generation=3, templates=())
    sts["status"]["observedGeneration"] = 2
    sts["status"]["readyReplicas"] = 5         # a status from the previous spec (5 replicas)
    view, r = rollout_of(sts, *[f.pod("web", o, templates=()) for o in range(5)])
    assert (r.state, r.label) == ("updating", "updating")
    assert r.counts_pending and "generation 3 (observed 2)" in r.reason


def test_scaling_down_and_up():
    objs = [f.statefulset("web", replicas=2, templates=())] + [f.pod("web", o, templates=()) for o in range(4)]
    view, r = rollout_of(*objs)
    assert (r.state, r.label) == ("scaling", "scaling 4→2")
    assert r.reason == "scaling down to 2: removing web-3 and web-2"
    objs = [f.statefulset("web", replicas=4, templates=())] + [f.pod("web", o, templates=()) for o in range(2)]
    view, r = rollout_of(*objs)
    assert (r.state, r.label) == ("scaling", "scaling 2→4")


def test_scaled_to_zero():
    view, r = rollout_of(f.statefulset("web", replicas=0, templates=()))
    assert r.state == "complete" and r.reason == "web is scaled to 0: no pods"
    objs = [f.statefulset("web", replicas=0, templates=()), f.pod("web", 0, templates=())]
    view, r = rollout_of(*objs)
    assert r.state == "scaling" and r.reason == "scaling down to 0: removing web-0"


def test_unknown_while_pods_are_loading_and_no_false_alarms():
    sts = f.statefulset("web", replicas=3)
    view, r = rollout_of(sts, loading=("pods", "persistentvolumeclaims", "services"))
    assert (r.state, r.label) == ("unknown", "unknown") and r.reason == "pods not listed yet"
    assert view.warnings == ()
    assert {s.phase for s in view.slots} == {"Loading"}
    assert {c.phase for c in view.claims} == {"Loading"}
    assert not view.service.known
    # once everything is listed the same store gives real facts
    view, r = rollout_of(sts)
    assert {s.phase for s in view.slots} == {"NotCreated"} and view.warnings


def test_predicted_replacements_follow_the_controller():
    from ststui.state.rollout import RolloutSpec, predict_replacements

    view, _ = rollout_of(*canary(2, {2, 3, 4}))
    spec = RolloutSpec(name="web", partition=2, replicas=5, current_revision=OLD, update_revision=NEW)
    # undo to OLD with partition 2: web-4, web-3, web-2 are replaced, highest first; web-0/1 stay
    walk = predict_replacements(view.slots, spec, OLD, f.NOW)
    assert walk.replaced == (4, 3, 2) and walk.by_hand == () and walk.stay == (0, 1)
    # a never-Ready pod of the undone revision blocks OrderedReady: it goes by hand, the rest follow
    view, _ = rollout_of(*canary(2, {2, 3, 4}, pods_kw={4: dict(ready=False, waiting_reason="CrashLoopBackOff")}))
    walk = predict_replacements(view.slots, spec, OLD, f.NOW)
    assert walk.by_hand == (4,) and walk.replaced == (3, 2)
    parallel = RolloutSpec(name="web", partition=2, replicas=5, current_revision=OLD, update_revision=NEW,
                           pod_management_policy="Parallel")
    walk = predict_replacements(view.slots, parallel, OLD, f.NOW)
    assert walk.by_hand == () and walk.replaced == (4, 3, 2)
