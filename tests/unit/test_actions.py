"""Pure planning of user actions (ststui.state.actions): effects, kubectl, requests, refusals."""
import json
import shlex

import pytest

from ststui.state.actions import (PARTITION_POINTER, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, PlanError, plan_delete_claim,
                                  plan_delete_pod, plan_force_delete_pod, plan_hold, plan_reclaim_volume,
                                  plan_release, plan_restart, plan_scale, plan_set_image, plan_set_partition,
                                  plan_step, plan_undo)
from view_builders import T0, make_view, released, volume_of


def text(plan):
    return " ".join(plan.effect + plan.warnings)


def replaced(body, pointer):
    """The value a JSON patch body puts at `pointer` (its replace op)."""
    (op,) = [op for op in body if op["op"] == "replace" and op["path"] == pointer]
    return op["value"]


def preconditions_of(body):
    return {op["path"]: op["value"] for op in body if op["op"] == "test"}


def kubectl_patch_body(plan):
    """The JSON after -p in the kubectl command, parsed as a shell would."""
    words = shlex.split(plan.kubectl)
    return json.loads(words[words.index("-p") + 1])


def canary(**kw):
    """web with 5 replicas half way through a staged rollout: partition 3, web-3/web-4 updated."""
    args = dict(replicas=5, partition=3, current="web-old", update="web-new", updated={3, 4})
    args.update(kw)
    return make_view(**args)


# --------------------------------------------------------------------------- step

def test_step_lowers_partition_by_one_and_names_next_pod():
    plan = plan_step(canary())
    assert plan.refused is None and plan.action == "step"
    (req,) = plan.requests
    assert req.method == "PATCH"
    assert req.path == "/apis/apps/v1/namespaces/shop/statefulsets/web"
    assert req.content_type == JSON_PATCH
    assert replaced(req.body, PARTITION_POINTER) == 2
    # Optimistic concurrency: only if the strategy and the partition are still those shown.
    assert preconditions_of(req.body) == {"/spec/updateStrategy/type": "RollingUpdate", PARTITION_POINTER: 3,
                                          "/spec/replicas": 5}
    assert kubectl_patch_body(plan) == req.body
    assert plan.kubectl.startswith("kubectl patch sts web -n shop --type=json -p ")
    assert ("partition", "3") in plan.based_on
    assert "goes from 3 to 2" in plan.effect[0]
    assert "deletes web-2 and recreates it at the update revision web-new" in text(plan)
    assert "data-web-2" in text(plan)
    assert "web-0 and web-1 stay at the current revision" in text(plan)
    assert not plan.destructive


def test_step_refused_while_last_updated_pod_not_ready_and_override_allowed():
    view = canary(pods={3: {"ready": False, "ready_containers": "0/1"}})
    plan = plan_step(view)
    assert plan.refused == "Not stepping yet: web-3 is updated but not Ready yet; wait for it, or override."
    assert plan.overridable and plan.requests == ()
    forced = plan_step(view, override=True)
    assert forced.refused is None
    assert replaced(forced.requests[0].body, PARTITION_POINTER) == 2
    assert any("Overriding: web-3 is updated but not Ready yet" in w for w in forced.warnings)


def test_step_refused_while_released_pod_still_on_old_revision():
    plan = plan_step(canary(updated={4}))
    assert "web-3 is not at the update revision yet" in plan.refused
    plan = plan_step(canary(pods={3: {"exists": False}}))
    assert "web-3 does not exist yet" in plan.refused


def test_step_refused_under_ondelete_and_at_partition_zero():
    assert "OnDelete" in plan_step(make_view(strategy="OnDelete")).refused
    assert not plan_step(make_view(strategy="OnDelete")).overridable
    plan = plan_step(make_view(partition=0))
    assert plan.refused == "The partition of shop/web is already 0: every ordinal is released to the update revision."


def test_step_from_partition_above_replicas_releases_highest_ordinal():
    plan = plan_step(make_view(replicas=3, partition=7, current="web-old", update="web-new", updated=set()))
    assert plan.refused is None
    assert replaced(plan.requests[0].body, PARTITION_POINTER) == 2
    assert "deletes web-2" in text(plan)


def test_step_counts_partition_from_ordinals_start():
    # ordinals 10..14; partition 3 means indexes 3,4 (web-13, web-14) are released
    view = canary(start=10, updated={13, 14})
    plan = plan_step(view)
    assert plan.refused is None
    assert "deletes web-12 and recreates it" in text(plan)
    assert "web-10 and web-11 stay" in text(plan)


def test_step_skips_pods_below_the_partition_already_updated():
    # partition 4 of 5 after `P` 4 with web-3 already updated: one step updates web-2
    view = canary(partition=4, updated={3, 4})
    plan = plan_step(view)
    assert plan.refused is None
    assert replaced(plan.requests[0].body, PARTITION_POINTER) == 2
    assert plan.effect[0] == "The partition of shop/web goes from 4 to 2: web-2 updates."
    assert "web-3 already runs the update revision and is skipped." in plan.effect
    assert "deletes web-2 and recreates it" in text(plan)


def test_step_when_every_pod_below_the_partition_is_updated_says_why():
    view = canary(partition=2, updated={0, 1, 2, 3, 4})
    plan = plan_step(view)
    assert plan.refused.startswith("No step: every pod below partition 2 already runs the update revision")


def test_step_last_step_says_so():
    view = canary(partition=1, updated={1, 2, 3, 4})
    plan = plan_step(view)
    assert "This is the last step" in text(plan)
    assert "deletes web-0" in text(plan)


# --------------------------------------------------------------------------- set partition / hold / release

@pytest.mark.parametrize("typed", ["abc", "-1", "6", "", "2.5", "1e3", None])
def test_set_partition_rejects_bad_input(typed):
    with pytest.raises(PlanError) as err:
        plan_set_partition(canary(), typed)
    shown = "" if typed is None else typed
    assert str(err.value) == f"Partition must be a whole number from 0 to 5; got '{shown}'."


def test_set_partition_lists_pods_that_update_highest_first():
    plan = plan_set_partition(canary(), " 1 ")
    assert replaced(plan.requests[0].body, PARTITION_POINTER) == 1
    assert "goes from 3 to 1" in plan.effect[0]
    assert "replaces web-2 and web-1 at the update revision web-new, highest ordinal first" in text(plan)
    assert "web-0 stays at the current revision web-old" in text(plan)


def test_set_partition_raising_keeps_updated_pods_and_says_so():
    plan = plan_set_partition(canary(), "5")
    assert "web-3 and web-4 already run the update revision and keep it" in text(plan)
    assert "web-0, web-1 and web-2 stay at the current revision web-old" in text(plan)
    assert "This holds the rollout" in text(plan)


def test_set_partition_same_value_or_ondelete_refused():
    assert plan_set_partition(canary(), "3").refused == "The partition of shop/web is already 3."
    assert "OnDelete" in plan_set_partition(make_view(strategy="OnDelete"), "1").refused


def test_hold_sets_partition_to_replicas():
    plan = plan_hold(make_view(replicas=4))
    assert replaced(plan.requests[0].body, PARTITION_POINTER) == 4
    assert plan.kubectl == ('kubectl patch sts web -n shop --type=json -p '
                            '\'[{"op":"test","path":"/spec/updateStrategy/type","value":"RollingUpdate"},'
                            '{"op":"test","path":"/spec/updateStrategy/rollingUpdate/partition","value":0},'
                            '{"op":"test","path":"/spec/replicas","value":4},'
                            '{"op":"replace","path":"/spec/updateStrategy/rollingUpdate/partition","value":4}]\'')
    assert "no pod is updated until the partition is lowered" in text(plan)
    assert "already held" in plan_hold(make_view(replicas=4, partition=4)).refused


def test_release_sets_partition_zero_and_lists_all_old_pods():
    plan = plan_release(canary())
    assert replaced(plan.requests[0].body, PARTITION_POINTER) == 0
    assert "replaces web-2, web-1 and web-0" in text(plan)
    assert plan_release(make_view()).refused == "The partition of shop/web is already 0."


# --------------------------------------------------------------------------- scale

def test_scale_down_retain_leaves_orphan_claims():
    plan = plan_scale(make_view(replicas=5), "3")
    (req,) = plan.requests
    assert req.method == "PATCH"
    assert req.path == "/apis/apps/v1/namespaces/shop/statefulsets/web"
    assert req.content_type == JSON_PATCH
    assert req.body == [{"op": "test", "path": "/spec/replicas", "value": 5},
                        {"op": "replace", "path": "/spec/replicas", "value": 3}]
    assert plan.kubectl == "kubectl scale sts web -n shop --current-replicas=5 --replicas=3"
    assert "web-4 and web-3 are removed, highest ordinal first, one at a time" in text(plan)
    assert "Their claims data-web-3 and data-web-4 stay behind as orphans" in text(plan)
    assert "whenScaled: Retain" in text(plan)
    assert plan.destructive


def test_scale_down_delete_policy_deletes_claims_and_tells_volume_fate():
    view = make_view(replicas=4, retention_when_scaled="Delete",
                     volumes={"pv-data-web-3": {"reclaim_policy": "Delete"}})
    plan = plan_scale(view, "2")
    assert "Their claims data-web-2 and data-web-3 are deleted (whenScaled: Delete)" in text(plan)
    assert "pv-data-web-3 (reclaim policy Delete) is deleted with the data" in text(plan)
    assert "pv-data-web-2 (reclaim policy Retain) becomes Released" in text(plan)
    assert "The data on pv-data-web-3 is lost for good." in plan.warnings


def test_scale_up_reuses_orphans_and_flags_released_volume():
    view = make_view(replicas=9, orphan_ordinals=(9,), templates=("data",),
                     extra_volumes=(released(volume_of(make_view(replicas=11), "pv-data-web-10")),))
    plan = plan_scale(view, "12")
    assert "web-9, web-10 and web-11 are created, in ordinal order" in text(plan)
    assert "The retained claims data-web-9 are used again" in text(plan)
    assert "New claims data-web-10 and data-web-11 are created" in text(plan)
    assert any("pv-data-web-10 (Released) still holds the old data of data-web-10" in w for w in plan.warnings)
    assert not plan.destructive


def test_scale_up_with_reserved_volume_binds_it():
    reserved = released(volume_of(make_view(replicas=4), "pv-data-web-3"), phase="Available",
                        reserved=True, claim_uid=None)
    plan = plan_scale(make_view(replicas=3, extra_volumes=(reserved,)), "4")
    assert "pv-data-web-3 is reserved for data-web-3 and binds to it with its old data" in text(plan)


def test_scale_up_new_pods_revision_follows_partition():
    view = make_view(replicas=3, partition=4, current="web-old", update="web-new", updated=set())
    plan = plan_scale(view, "6")
    assert "web-3 start at the current revision web-old" in text(plan)
    assert "web-4 and web-5 start at the update revision web-new" in text(plan)


@pytest.mark.parametrize("typed", ["-1", "x", "", "3.0"])
def test_scale_rejects_bad_input(typed):
    with pytest.raises(PlanError, match=r"^Replicas must be a whole number of 0 or more; got '.*'\.$"):
        plan_scale(make_view(), typed)


def test_scale_same_refused_and_zero_warns():
    assert plan_scale(make_view(), "3").refused == "shop/web already has 3 replicas."
    assert "Scaling to 0 stops every pod of shop/web." in plan_scale(make_view(), "0").warnings


def test_scale_warns_when_orderedready_blocked_by_unready_pod():
    plan = plan_scale(make_view(pods={1: {"ready": False}}), "4")
    assert any("web-1 is not Ready" in w and "OrderedReady" in w for w in plan.warnings)
    assert not plan_scale(make_view(policy="Parallel", pods={1: {"ready": False}}), "4").warnings


# --------------------------------------------------------------------------- delete pods

def test_delete_pod_graceful_with_uid_precondition():
    plan = plan_delete_pod(make_view(), 1)
    (req,) = plan.requests
    assert (req.method, req.path) == ("DELETE", "/api/v1/namespaces/shop/pods/web-1")
    assert req.body["preconditions"] == {"uid": "uid-web-1"}
    assert "gracePeriodSeconds" not in req.body
    assert plan.kubectl == "kubectl delete pod web-1 -n shop"
    assert "recreates web-1" in text(plan) and "data-web-1" in text(plan)
    assert plan.destructive and plan.confirm_text is None


def test_delete_pod_under_ondelete_lists_pods_left_on_old_revision():
    view = make_view(strategy="OnDelete", replicas=4, current="web-old", update="web-new", updated={3})
    plan = plan_delete_pod(view, 2)
    assert "recreates web-2 at revision web-new (the update revision)" in text(plan)
    assert "Still on an old revision after this: web-0 and web-1." in plan.effect
    last = make_view(strategy="OnDelete", replicas=2, current="web-old", update="web-new", updated={1})
    assert "After this every pod runs the update revision." in plan_delete_pod(last, 0).effect


def test_delete_pod_below_partition_comes_back_at_current_revision():
    plan = plan_delete_pod(canary(), 1)
    assert "recreates web-1 at revision web-old (the current revision: it is below the partition)" in text(plan)


def test_delete_pod_refusals():
    assert plan_delete_pod(make_view(pods={2: {"exists": False}}), 2).refused == "Pod web-2 does not exist."
    stuck = make_view(pods={1: {"terminating": True, "phase": "Terminating"}})
    assert "already Terminating" in plan_delete_pod(stuck, 1).refused


def test_force_delete_on_notready_node_shows_node_and_time_terminating():
    view = make_view(pods={1: {"terminating": True, "phase": "Terminating", "node": "node-2",
                               "node_ready": False, "terminating_since": T0 - 725}})
    plan = plan_force_delete_pod(view, 1, now=T0)
    (req,) = plan.requests
    assert req.method == "DELETE" and req.path == "/api/v1/namespaces/shop/pods/web-1"
    assert req.body["gracePeriodSeconds"] == 0
    assert req.body["preconditions"] == {"uid": "uid-web-1"}
    assert plan.kubectl == "kubectl delete pod web-1 -n shop --grace-period=0 --force"
    assert "node node-2, which is NotReady" in text(plan)
    assert "It has been Terminating for 12m." in plan.effect
    assert any("two pods may run as web-1" in w and "data-web-1" in w for w in plan.warnings)
    assert plan.confirm_text is None
    assert plan.destructive


def test_force_delete_on_ready_or_unknown_node_requires_typing_pod_name():
    plan = plan_force_delete_pod(make_view(), 2, now=T0)
    assert plan.confirm_text == "web-2"
    assert any(w.startswith("Node node-1 is Ready") for w in plan.warnings)
    assert any("not Terminating" in w for w in plan.warnings)
    unknown = plan_force_delete_pod(make_view(pods={2: {"node_ready": None}}), 2, now=T0)
    assert unknown.confirm_text == "web-2"
    assert any("unknown" in w for w in unknown.warnings)


# --------------------------------------------------------------------------- volumes and claims

def orphaned(view_replicas=3):
    """web scaled from 4 to 3, then data-web-3 deleted: pv-data-web-3 Released."""
    view = make_view(replicas=view_replicas, orphan_ordinals=(3,),
                     claims={3: {"exists": False, "phase": "Missing", "volume": None}},
                     extra_volumes=(released(volume_of(make_view(replicas=4), "pv-data-web-3")),))
    return view


def test_reclaim_free_removes_claimref_only_if_still_released():
    vol = volume_of(orphaned(), "pv-data-web-3")
    plan = plan_reclaim_volume(vol, "free")
    (req,) = plan.requests
    assert (req.method, req.path, req.content_type) == ("PATCH", "/api/v1/persistentvolumes/pv-data-web-3", JSON_PATCH)
    assert req.body[-1] == {"op": "remove", "path": "/spec/claimRef"}
    assert preconditions_of(req.body)["/status/phase"] == "Released"
    if vol.claim_uid:
        assert preconditions_of(req.body)["/spec/claimRef/uid"] == vol.claim_uid
    assert plan.kubectl.startswith("kubectl patch pv pv-data-web-3 --type=json -p ")
    assert kubectl_patch_body(plan) == req.body
    assert "becomes Available to any claim" in text(plan)
    assert "no longer kept for shop/data-web-3" in text(plan)


def test_reclaim_keep_names_claim_and_how_it_comes_back():
    plan = plan_reclaim_volume(orphaned(), "keep", "pv-data-web-3")
    (req,) = plan.requests
    assert [op for op in req.body if op["op"] == "remove"] == [
        {"op": "remove", "path": "/spec/claimRef/uid"}, {"op": "remove", "path": "/spec/claimRef/resourceVersion"}]
    assert preconditions_of(req.body)["/status/phase"] == "Released"
    assert req.content_type == JSON_PATCH
    assert kubectl_patch_body(plan) == req.body
    assert "reserved for shop/data-web-3" in text(plan)
    assert "Scaling web to 4 or more recreates data-web-3, which then binds pv-data-web-3" in text(plan)
    assert plan.title == "Keep volume pv-data-web-3 for shop/data-web-3"


def test_reclaim_refused_unless_released_and_bad_mode():
    bound = volume_of(make_view(), "pv-data-web-0")
    assert plan_reclaim_volume(bound, "free").refused == (
        "pv-data-web-0 is Bound, not Released: only a Released volume can be reclaimed.")
    with pytest.raises(PlanError, match="Reclaim mode must be 'free' or 'keep'; got 'all'."):
        plan_reclaim_volume(bound, "all")
    with pytest.raises(PlanError):
        plan_reclaim_volume(make_view(), "free", "pv-nope")


def test_reclaim_keep_warns_when_claim_already_bound_elsewhere():
    view = make_view(replicas=4, claims={3: {"volume": "pv-new"}},
                     extra_volumes=(released(volume_of(make_view(replicas=4), "pv-data-web-3")),))
    plan = plan_reclaim_volume(view, "keep", "pv-data-web-3")
    assert any("bound to pv-new" in w for w in plan.warnings)


def test_delete_orphan_claim_under_retain_and_delete():
    view = make_view(replicas=3, orphan_ordinals=(3, 4), volumes={"pv-data-web-4": {"reclaim_policy": "Delete"}})
    plan = plan_delete_claim(view, "data-web-3")
    (req,) = plan.requests
    assert (req.method, req.path) == ("DELETE", "/api/v1/namespaces/shop/persistentvolumeclaims/data-web-3")
    assert req.body["preconditions"] == {"uid": "uid-data-web-3"}
    assert plan.kubectl == "kubectl delete pvc data-web-3 -n shop"
    assert "pv-data-web-3 (reclaim policy Retain) becomes Released and keeps its data" in text(plan)
    assert "Scaling web to 4 or more later creates a new, empty data-web-3 unless pv-data-web-3 is kept for it." in plan.effect
    deleting = plan_delete_claim(view, "data-web-4")
    assert "pv-data-web-4 (reclaim policy Delete) is deleted with its data" in text(deleting)
    assert "The data on pv-data-web-4 is lost for good." in deleting.warnings


def test_delete_claim_refuses_claims_in_use_or_missing():
    view = make_view(replicas=3)
    plan = plan_delete_claim(view, "data-web-1")
    assert plan.refused.startswith("data-web-1 belongs to web-1")
    assert plan.requests == ()
    assert plan_delete_claim(view, "data-web-9").refused == "Claim data-web-9 does not exist."


# --------------------------------------------------------------------------- template changes

def test_restart_stamps_injected_time():
    plan = plan_restart(canary(), now=T0)
    (req,) = plan.requests
    assert req.content_type == STRATEGIC_PATCH
    assert req.body == {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2023-11-14T22:13:20Z"}}}}}
    assert plan.kubectl == "kubectl rollout restart sts/web -n shop"
    assert "web-4 and web-3 are replaced, highest ordinal first" in text(plan)
    assert "web-0, web-1 and web-2 keep the current revision (below the partition 3)" in text(plan)
    assert any("not finished" in w for w in plan.warnings)


def test_restart_under_ondelete_says_nothing_changes_by_itself():
    plan = plan_restart(make_view(strategy="OnDelete"), now=T0)
    assert "no pod changes by itself" in text(plan)


def revision(number, name, image, owner="uid-sts-web"):
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": name, "namespace": "shop",
                         "ownerReferences": [{"kind": "StatefulSet", "name": "web", "uid": owner, "controller": True}]},
            "revision": number,
            "data": {"spec": {"template": {"$patch": "replace",
                                           "metadata": {"labels": {"app": "web"}},
                                           "spec": {"containers": [{"name": "nginx", "image": image}]}}}}}


HISTORY = [revision(1, "web-r1", "nginx:1.24"), revision(2, "web-r2", "nginx:1.25"),
           revision(3, "web-r3", "nginx:broken"), revision(9, "other-r9", "x", owner="someone-else")]


def test_undo_to_previous_replaces_template_with_revision_data():
    view = make_view(current="web-r2", update="web-r3", updated={2}, pods={2: {"ready": False}},
                     images=(("nginx", "nginx:broken"),))
    plan = plan_undo(view, HISTORY, None)
    (req,) = plan.requests
    assert req.content_type == JSON_PATCH
    assert preconditions_of(req.body) == {"/spec/template/spec/containers/0/name": "nginx",
                                  "/spec/template/spec/containers/0/image": "nginx:broken"}
    assert req.body[-1:] == [{"op": "replace", "path": "/spec/template", "value": {
        "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}]
    assert plan.kubectl == "kubectl rollout undo sts/web -n shop --to-revision=2"
    assert "goes back to revision 2 (web-r2)" in text(plan)
    assert "Images: nginx nginx:broken → nginx:1.25." in plan.effect
    assert any(w.startswith("web-2 is not Ready on the revision being undone: the controller waits on it")
               and "delete it after the undo (ctrl+d)" in w for w in plan.warnings)
    # the old revision is reused, not a new one made; exactly who is replaced and who stays
    assert "No new revision is made: the controller reuses revision 2 (web-r2) and renumbers it 4." in plan.effect
    assert "The controller replaces no pod by itself." in plan.effect
    assert "web-0 and web-1 already run revision 2 and stay." in plan.effect
    assert not any("makes a new revision" in e for e in plan.effect)
    assert "$patch" in HISTORY[1]["data"]["spec"]["template"]   # input not mutated


def test_undo_lists_the_pods_the_controller_replaces_in_order():
    # r3 on web-2 and web-1 (Ready); undo to r2: the controller replaces web-2 then web-1
    view = make_view(current="web-r2", update="web-r3", updated={1, 2}, images=(("nginx", "nginx:broken"),))
    plan = plan_undo(view, HISTORY, 2)
    assert ("The controller then replaces web-2 and web-1 at revision 2, in this order, one at a time, each "
            "after the previous one is Running and Ready.") in plan.effect
    assert "web-0 already runs revision 2 and stays." in plan.effect
    assert plan.warnings == ()
    # Parallel: the never-Ready pod is replaced by the controller itself
    par = make_view(current="web-r2", update="web-r3", updated={2}, pods={2: {"ready": False}}, policy="Parallel")
    plan = plan_undo(par, HISTORY, 2)
    assert "The controller then replaces web-2 at revision 2" in text(plan) and plan.warnings == ()


def test_undo_to_chosen_revision_and_refusals():
    view = make_view(current="web-r3", update="web-r3")
    assert plan_undo(view, HISTORY, 1).requests[0].body[-1]["value"]["spec"]["containers"][0]["image"] == "nginx:1.24"
    assert "already the template" in plan_undo(view, HISTORY, 3).refused
    with pytest.raises(PlanError, match=r"Revision 9 is not in the history of shop/web \(revisions: 1, 2, 3\)\."):
        plan_undo(view, HISTORY, 9)
    assert "no previous revision" in plan_undo(view, HISTORY[:1], None).refused


def test_set_image_patches_one_container():
    plan = plan_set_image(make_view(partition=3), "nginx", "nginx:1.27")
    (req,) = plan.requests
    assert req.content_type == JSON_PATCH
    assert req.body == [{"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "nginx"},
                        {"op": "test", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.25"},
                        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.27"}]
    assert plan.kubectl == "kubectl set image sts/web nginx=nginx:1.27 -n shop"
    assert "changes image from nginx:1.25 to nginx:1.27" in text(plan)
    assert "The partition is 3 (held): no pod is replaced until you lower it" in text(plan)
    assert any("hold the rollout" in w for w in plan_set_image(make_view(), "nginx", "nginx:1.27").warnings)


def test_set_image_back_to_a_recorded_image_reuses_that_revision():
    view = make_view(current="web-r2", update="web-r3", updated={1, 2}, images=(("nginx", "nginx:broken"),))
    plan = plan_set_image(view, "nginx", "nginx:1.25", HISTORY)
    assert "No new revision is made: the controller reuses revision 2 (web-r2) and renumbers it 4." in plan.effect
    assert ("The controller then replaces web-2 and web-1 at revision 2, in this order, one at a time, each "
            "after the previous one is Running and Ready.") in plan.effect
    assert "web-0 already runs revision 2 and stays." in plan.effect
    # an image no revision ran makes a new revision
    plan = plan_set_image(view, "nginx", "nginx:1.28", HISTORY)
    assert "This makes a new revision of the pod template." in plan.effect


def test_set_image_validation():
    with pytest.raises(PlanError, match="shop/web has no container 'app'; its containers: nginx."):
        plan_set_image(make_view(), "app", "x:1")
    with pytest.raises(PlanError, match="Image must not be empty."):
        plan_set_image(make_view(), "nginx", "  ")
    with pytest.raises(PlanError, match="is not a valid image reference"):
        plan_set_image(make_view(), "nginx", "nginx 1.27")
    assert plan_set_image(make_view(), "nginx", "nginx:1.25").refused == "Container nginx already runs nginx:1.25."


def test_settled_set_is_recognised_by_revision_name_not_kind():
    # current == update: the model calls every settled pod "current"; nothing is pending.
    view = make_view(replicas=3, partition=3)
    assert all(s.revision_kind == "current" for s in view.slots)
    plan = plan_step(view)
    # no step would update a pod: say why instead of offering it
    assert plan.refused == ("No step: no update is pending: every pod runs web-rev1; change the template "
                            "(i, r) first.")
    ondelete = make_view(strategy="OnDelete", current="web-old", update="web-new", updated={0, 1})
    assert "web-1 already runs the update revision; it comes back unchanged." in plan_delete_pod(ondelete, 1).effect
    assert "Still on an old revision after this: web-2." in plan_delete_pod(ondelete, 1).effect


def test_scale_down_warns_only_about_pods_the_controller_waits_on():
    # the controller removes an unhealthy pod that is going anyway (the first unhealthy one)
    view = make_view(replicas=3, pods={2: {"ready": False}})
    assert plan_scale(view, "1").warnings == ()
    # but waits on an unhealthy pod that stays
    view = make_view(replicas=3, pods={0: {"ready": False}})
    assert any(w.startswith("web-0 is not Ready: under OrderedReady the controller waits")
               for w in plan_scale(view, "1").warnings)
