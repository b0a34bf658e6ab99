"""The StatefulSet controller, in-process: ordering, identity, revisions, updates, status.

Each test builds on the `cluster` fixture (the `empty` scenario on a manual clock) and moves
time with settle()/advance(); the HTTP versions of the key stories are in
test_controller_api.py.
"""
import re

import pytest

from ststui.sim.controllers import podutil as pu
from ststui.sim.controllers.revisions import SAFE_ALPHABET, template_of

from controller_kit import (Recorder, kubectl_rollout_status, make_sts, names, ordinals, patch, pods_of,
                            ready, revision, set_image)


def sts(cluster, name="web", ns="default"):
    return cluster.store.get("statefulsets", ns, name)


def revisions(cluster, ns="default"):
    return sorted(cluster.store.items("controllerrevisions", ns), key=lambda r: r["revision"])


# --------------------------------------------------------------------------- creation and identity

def test_ordered_creation_waits_for_running_and_ready(cluster):
    rec = Recorder(cluster)
    make_sts(cluster, replicas=4)
    cluster.run_pending()
    assert ordinals(cluster) == [0]          # nothing else until web-0 is Ready
    cluster.settle()
    assert ordinals(cluster) == [0, 1, 2, 3]
    assert all(ready(p) for p in pods_of(cluster).values())
    for n in range(1, 4):
        assert rec.added(f"web-{n}") >= rec.became_ready(f"web-{n - 1}")
        assert rec.added(f"web-{n}") > rec.added(f"web-{n - 1}")


def test_min_ready_seconds_delays_the_next_ordinal(cluster):
    rec = Recorder(cluster)
    make_sts(cluster, replicas=2, extra_spec={"minReadySeconds": 30})
    cluster.settle()
    assert ordinals(cluster) == [0, 1]
    assert rec.added("web-1") >= rec.became_ready("web-0") + 29
    s = sts(cluster)
    assert s["status"]["availableReplicas"] == 2


def test_available_replicas_lag_ready_by_min_ready_seconds(cluster):
    make_sts(cluster, replicas=1, extra_spec={"minReadySeconds": 60})
    cluster.settle(max_seconds=15)
    status = sts(cluster)["status"]
    assert status["readyReplicas"] == 1 and status["availableReplicas"] == 0
    cluster.advance(60)
    assert sts(cluster)["status"]["availableReplicas"] == 1


def test_pod_identity_labels_owner_and_dns_fields(cluster):
    s = make_sts(cluster, replicas=2, service="nginx")
    cluster.settle()
    pod = pods_of(cluster)[1]
    labels = pod["metadata"]["labels"]
    assert labels["app"] == "web"
    assert labels[pu.POD_NAME_LABEL] == "web-1"
    assert labels[pu.POD_INDEX_LABEL] == "1"
    assert labels[pu.REVISION_LABEL] == sts(cluster)["status"]["updateRevision"]
    assert pod["spec"]["hostname"] == "web-1" and pod["spec"]["subdomain"] == "nginx"
    [ref] = pod["metadata"]["ownerReferences"]
    assert ref == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                   "uid": s["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-1"}} in pod["spec"]["volumes"]


def test_claims_are_created_before_their_pods_and_labelled_with_the_selector(cluster):
    rec = Recorder(cluster, ("pods", "persistentvolumeclaims"))
    make_sts(cluster, replicas=3, labels={"app": "nginx", "tier": "web"})
    cluster.settle()
    for n in range(3):
        claim_at = rec.index(lambda e: e[1] == "persistentvolumeclaims" and e[2] == "ADDED" and e[3] == f"data-web-{n}")
        pod_at = rec.index(lambda e: e[1] == "pods" and e[2] == "ADDED" and e[3] == f"web-{n}")
        assert 0 <= claim_at < pod_at
    claims = {c["metadata"]["name"]: c for c in cluster.store.items("persistentvolumeclaims", "default")}
    assert sorted(claims) == ["data-web-0", "data-web-1", "data-web-2"]
    assert claims["data-web-2"]["metadata"]["labels"] == {"app": "nginx", "tier": "web"}
    assert all(c["status"]["phase"] == "Bound" for c in claims.values())


def test_ordinals_start(cluster):
    make_sts(cluster, replicas=3, extra_spec={"ordinals": {"start": 5}})
    cluster.settle()
    assert ordinals(cluster) == [5, 6, 7]
    assert names(cluster.store.items("persistentvolumeclaims")) == ["data-web-5", "data-web-6", "data-web-7"]
    patch(cluster, {"spec": {"replicas": 2}})
    cluster.settle()
    assert ordinals(cluster) == [5, 6]


def test_ordinals_past_nine_sort_as_numbers(cluster):
    make_sts(cluster, replicas=12, policy="Parallel", storage=None)
    cluster.settle()
    assert ordinals(cluster) == list(range(12))
    rec = Recorder(cluster)
    patch(cluster, {"spec": {"replicas": 9, "podManagementPolicy": "Parallel"}})
    cluster.settle()
    assert ordinals(cluster) == list(range(9))
    assert sorted(rec.order("DELETED")) == ["web-10", "web-11", "web-9"]


def test_events_for_created_pods_and_claims(cluster):
    make_sts(cluster, replicas=1)
    cluster.settle()
    messages = {(e["reason"], e["message"]) for e in cluster.store.items("events", "default")
                if e["involvedObject"]["kind"] == "StatefulSet"}
    assert ("SuccessfulCreate", "create Pod web-0 in StatefulSet web successful") in messages
    assert ("SuccessfulCreate", "create Claim data-web-0 Pod web-0 in StatefulSet web success") in messages


# --------------------------------------------------------------------------- scaling

def test_scale_down_is_ordered_one_at_a_time_each_gone_before_the_next(cluster):
    make_sts(cluster, replicas=4)
    cluster.settle()
    rec = Recorder(cluster)
    patch(cluster, {"spec": {"replicas": 1}})
    cluster.settle()
    assert ordinals(cluster) == [0]
    assert rec.order("DELETED") == ["web-3", "web-2", "web-1"]
    assert rec.removed("web-3") < rec.deleting("web-2")
    assert rec.removed("web-2") < rec.deleting("web-1")
    messages = [e["message"] for e in cluster.store.items("events") if e["reason"] == "SuccessfulDelete"]
    assert "delete Pod web-3 in StatefulSet web successful" in messages


def test_no_scaling_while_a_pod_is_unhealthy(cluster):
    make_sts(cluster, replicas=3)
    cluster.settle()
    node = pods_of(cluster)[0]["spec"]["nodeName"]
    cluster.set_node_ready(node, False)
    cluster.run_pending()
    assert not ready(pods_of(cluster)[0])
    patch(cluster, {"spec": {"replicas": 1}})
    cluster.advance(120)                       # before eviction
    assert ordinals(cluster) == [0, 1, 2]
    assert not any(pu.is_terminating(p) for o, p in pods_of(cluster).items() if o)
    patch(cluster, {"spec": {"replicas": 5}})
    cluster.advance(60)
    assert ordinals(cluster) == [0, 1, 2]      # nor up
    cluster.set_node_ready(node, True)
    cluster.settle()
    assert ordinals(cluster) == [0, 1, 2, 3, 4]


def test_scale_up_stops_behind_a_pod_that_never_becomes_ready(cluster):
    make_sts(cluster, replicas=3, image="nginx:1.25-broken")
    cluster.advance(600)
    assert ordinals(cluster) == [0]
    assert not ready(pods_of(cluster)[0])


def test_parallel_creates_and_deletes_without_waiting(cluster):
    rec = Recorder(cluster)
    make_sts(cluster, replicas=4, policy="Parallel")
    cluster.run_pending()
    assert ordinals(cluster) == [0, 1, 2, 3]   # all at once, none Ready yet
    assert not any(ready(p) for p in pods_of(cluster).values())
    cluster.settle()
    patch(cluster, {"spec": {"replicas": 1}})
    cluster.run_pending()
    assert all(pu.is_terminating(p) for o, p in pods_of(cluster).items() if o > 0)
    cluster.settle()
    assert ordinals(cluster) == [0]
    assert rec.added("web-3") == rec.added("web-0")


def test_failed_pod_is_deleted_and_recreated(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    old_uid = pods_of(cluster)[1]["metadata"]["uid"]
    cluster.store.mutate("pods", "default", "web-1", lambda p: p["status"].__setitem__("phase", "Failed"))
    cluster.settle()
    pod = pods_of(cluster)[1]
    assert pod["metadata"]["uid"] != old_uid and ready(pod)


# --------------------------------------------------------------------------- revisions

def test_controller_revision_shape(cluster):
    s = make_sts(cluster, replicas=1, labels={"app": "web"})
    cluster.settle()
    [rev] = revisions(cluster)
    name = rev["metadata"]["name"]
    hash_ = rev["metadata"]["labels"]["controller.kubernetes.io/hash"]
    assert name == f"web-{hash_}"
    assert re.fullmatch(f"[{SAFE_ALPHABET}]{{1,10}}", hash_)
    assert rev["revision"] == 1
    assert rev["metadata"]["labels"]["app"] == "web"
    assert rev["metadata"]["ownerReferences"][0]["uid"] == s["metadata"]["uid"]
    assert rev["metadata"]["ownerReferences"][0]["controller"] is True
    assert rev["data"]["spec"]["template"]["$patch"] == "replace"
    assert template_of(rev) == sts(cluster)["spec"]["template"]
    status = sts(cluster)["status"]
    assert status["currentRevision"] == status["updateRevision"] == name


def test_revision_names_are_stable_for_a_template(cluster):
    make_sts(cluster, name="a", replicas=0)
    make_sts(cluster, name="b", replicas=0, ns="kube-system", labels={"app": "a"}, service="a")
    cluster.settle()
    a = cluster.store.items("controllerrevisions", "default")[0]["metadata"]["labels"]["controller.kubernetes.io/hash"]
    b = cluster.store.items("controllerrevisions", "kube-system")[0]["metadata"]["labels"]["controller.kubernetes.io/hash"]
    assert a == b


def test_undo_reuses_the_old_revision_and_bumps_its_number(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    first = revisions(cluster)[0]
    set_image(cluster, "nginx:1.27")
    cluster.settle()
    assert [r["revision"] for r in revisions(cluster)] == [1, 2]
    # kubectl rollout undo re-applies revision 1's data as a strategic merge patch
    cluster.store.patch("statefulsets", "default", "web", "strategic", first["data"])
    cluster.settle()
    revs = revisions(cluster)
    assert len(revs) == 2
    assert revs[-1]["metadata"]["name"] == first["metadata"]["name"] and revs[-1]["revision"] == 3
    status = sts(cluster)["status"]
    assert status["updateRevision"] == status["currentRevision"] == first["metadata"]["name"]
    assert {revision(p) for p in pods_of(cluster).values()} == {first["metadata"]["name"]}


def test_revision_history_limit_prunes_unused_revisions(cluster):
    make_sts(cluster, replicas=1, extra_spec={"revisionHistoryLimit": 1})
    cluster.settle()
    for tag in ("1.26", "1.27", "1.28"):
        set_image(cluster, f"nginx:{tag}")
        cluster.settle()
    revs = revisions(cluster)
    assert [r["revision"] for r in revs] == [3, 4]   # the live one and one of history
    assert template_of(revs[-1])["spec"]["containers"][0]["image"] == "nginx:1.28"


def test_rollout_restart_annotation_is_a_template_change(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    before = {o: p["metadata"]["uid"] for o, p in pods_of(cluster).items()}
    patch(cluster, {"spec": {"template": {"metadata": {"annotations": {
        pu.RESTARTED_AT: "2026-01-01T01:00:00Z"}}}}}, kind="strategic")
    cluster.settle()
    after = pods_of(cluster)
    assert all(after[o]["metadata"]["uid"] != uid for o, uid in before.items())
    assert after[0]["metadata"]["annotations"][pu.RESTARTED_AT] == "2026-01-01T01:00:00Z"
    assert len(revisions(cluster)) == 2


# --------------------------------------------------------------------------- rolling updates

def test_rolling_update_goes_from_the_highest_ordinal_waiting_for_ready(cluster):
    make_sts(cluster, replicas=3)
    cluster.settle()
    rec = Recorder(cluster)
    set_image(cluster, "nginx:1.27")
    cluster.run_pending()
    assert kubectl_rollout_status(sts(cluster))[1] is False
    cluster.settle()
    assert rec.order("DELETED") == ["web-2", "web-1", "web-0"]
    assert rec.deleting("web-1") > rec.index(lambda e: e[3] == "web-2" and e[5])   # new web-2 Ready first
    status = sts(cluster)["status"]
    assert status["currentRevision"] == status["updateRevision"]
    assert status["updatedReplicas"] == status["currentReplicas"] == status["readyReplicas"] == 3
    assert {p["spec"]["containers"][0]["image"] for p in pods_of(cluster).values()} == {"nginx:1.27"}
    assert kubectl_rollout_status(sts(cluster)) == ("partitioned roll out complete: 3 new pods have been updated...", True)


def test_partition_stops_the_update_and_pods_below_keep_the_current_revision(cluster):
    make_sts(cluster, replicas=4)
    cluster.settle()
    old = sts(cluster)["status"]["currentRevision"]
    patch(cluster, {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}}})
    set_image(cluster, "nginx:1.27")
    cluster.settle()
    status = sts(cluster)["status"]
    new = status["updateRevision"]
    assert new != old and status["currentRevision"] == old
    assert {o: revision(p) for o, p in pods_of(cluster).items()} == {0: old, 1: old, 2: new, 3: new}
    assert status["updatedReplicas"] == 2 and status["currentReplicas"] == 2
    assert kubectl_rollout_status(sts(cluster)) == ("partitioned roll out complete: 2 new pods have been updated...", True)
    # a deleted pod below the partition comes back at the current (old) revision
    cluster.store.delete("pods", "default", "web-0")
    cluster.settle()
    assert revision(pods_of(cluster)[0]) == old
    assert pods_of(cluster)[0]["spec"]["containers"][0]["image"] == "nginx:1.25"
    # stepping the partition down updates the next ordinal only
    patch(cluster, {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 1}}}})
    cluster.settle()
    assert {o: revision(p) for o, p in pods_of(cluster).items()} == {0: old, 1: new, 2: new, 3: new}
    patch(cluster, {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}})
    cluster.settle()
    status = sts(cluster)["status"]
    assert status["currentRevision"] == new and status["currentReplicas"] == 4


def test_partition_above_replicas_updates_nothing(cluster):
    make_sts(cluster, replicas=2, strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 5}})
    cluster.settle()
    set_image(cluster, "nginx:1.27")
    cluster.settle()
    old = sts(cluster)["status"]["currentRevision"]
    assert {revision(p) for p in pods_of(cluster).values()} == {old}
    assert kubectl_rollout_status(sts(cluster)) == ("partitioned roll out complete: 0 new pods have been updated...", True)
    patch(cluster, {"spec": {"replicas": 3}})
    cluster.settle()
    assert revision(pods_of(cluster)[2]) == old      # new pods below the partition: current revision


def test_partitioned_rollout_status_while_waiting(cluster):
    make_sts(cluster, replicas=3, strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})
    cluster.settle()
    set_image(cluster, "nginx:1.27")
    cluster.run_pending()
    msg, done = kubectl_rollout_status(sts(cluster))
    assert not done and msg in ("Waiting for 1 pods to be ready...",
                                "Waiting for partitioned roll out to finish: 0 out of 2 new pods have been updated...")
    cluster.settle()
    assert kubectl_rollout_status(sts(cluster)) == ("partitioned roll out complete: 2 new pods have been updated...", True)


def test_max_unavailable_replaces_several_at_once(cluster):
    cluster.feature_gates["MaxUnavailableStatefulSet"] = True      # alpha in v1.32 (sim/version_rules.py)
    make_sts(cluster, replicas=4, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}})
    cluster.settle()
    set_image(cluster, "nginx:1.27")
    cluster.run_pending()
    terminating = sorted(o for o, p in pods_of(cluster).items() if pu.is_terminating(p))
    assert terminating == [2, 3]
    cluster.settle()
    assert sts(cluster)["status"]["currentReplicas"] == 4


def test_on_delete_replaces_only_deleted_pods_at_the_update_revision(cluster):
    make_sts(cluster, replicas=3, strategy={"type": "OnDelete"})
    cluster.settle()
    old = sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "nginx:1.27")
    cluster.advance(600)
    status = sts(cluster)["status"]
    new = status["updateRevision"]
    assert new != old
    assert {revision(p) for p in pods_of(cluster).values()} == {old}
    cluster.store.delete("pods", "default", "web-1")
    cluster.settle()
    assert {o: revision(p) for o, p in pods_of(cluster).items()} == {0: old, 1: new, 2: old}
    status = sts(cluster)["status"]
    assert status["updatedReplicas"] == 1 and status["currentReplicas"] == 2
    assert kubectl_rollout_status(sts(cluster))[0].startswith("rollout status is only available")


def test_halted_rollout_and_its_recovery(cluster):
    make_sts(cluster, replicas=3)
    cluster.settle()
    first = revisions(cluster)[0]
    set_image(cluster, "nginx:1.27-broken")
    cluster.advance(900)
    pods = pods_of(cluster)
    assert not ready(pods[2]) and pods[2]["status"]["phase"] == "Running"
    assert pods[2]["status"]["containerStatuses"][0]["restartCount"] >= 1
    assert ready(pods[0]) and ready(pods[1])
    status = sts(cluster)["status"]
    assert status["updatedReplicas"] == 1 and status["readyReplicas"] == 2
    assert status["currentRevision"] != status["updateRevision"]
    assert kubectl_rollout_status(sts(cluster)) == ("Waiting for 1 pods to be ready...", False)
    # revert the template (what rollout undo does): the stuck pod is not replaced by itself
    stuck_uid = pods[2]["metadata"]["uid"]
    cluster.store.patch("statefulsets", "default", "web", "strategic", first["data"])
    cluster.advance(900)
    assert pods_of(cluster)[2]["metadata"]["uid"] == stuck_uid
    # ... until it is deleted by hand
    cluster.store.delete("pods", "default", "web-2")
    cluster.settle(max_seconds=120)
    pods = pods_of(cluster)
    assert all(ready(p) for p in pods.values())
    status = sts(cluster)["status"]
    assert status["currentRevision"] == status["updateRevision"] == first["metadata"]["name"]
    assert kubectl_rollout_status(sts(cluster))[1] is True


# --------------------------------------------------------------------------- at most one

def test_at_most_one_pod_per_identity_and_force_delete(cluster):
    make_sts(cluster, replicas=3)
    cluster.settle()
    pod1 = pods_of(cluster)[1]
    node = pod1["spec"]["nodeName"]
    cluster.set_node_ready(node, False)
    cluster.store.delete("pods", "default", "web-1")          # graceful: hangs, no kubelet
    cluster.advance(3600)
    pods = pods_of(cluster)
    assert pods[1]["metadata"]["uid"] == pod1["metadata"]["uid"] and pu.is_terminating(pods[1])
    assert len([p for p in cluster.store.items("pods") if p["metadata"]["name"] == "web-1"]) == 1
    cluster.store.delete("pods", "default", "web-1", grace_period_seconds=0)   # --force --grace-period=0
    cluster.settle()
    replacement = pods_of(cluster)[1]
    assert replacement["metadata"]["uid"] != pod1["metadata"]["uid"]
    assert replacement["spec"]["nodeName"] != node and ready(replacement)


def test_status_counts_terminating_pods_as_replicas_but_not_current(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    cluster.set_node_ready(pods_of(cluster)[1]["spec"]["nodeName"], False)
    cluster.store.delete("pods", "default", "web-1")
    cluster.run_pending()
    status = sts(cluster)["status"]
    assert status["replicas"] == 2 and status["currentReplicas"] == 1
    assert status["observedGeneration"] == sts(cluster)["metadata"]["generation"]


@pytest.mark.parametrize("policy", ["OrderedReady", "Parallel"])
def test_deleted_statefulset_takes_pods_and_revisions_with_it(cluster, policy):
    make_sts(cluster, replicas=2, policy=policy)
    cluster.settle()
    cluster.store.delete("statefulsets", "default", "web")
    cluster.settle()
    assert cluster.store.items("pods") == [] and cluster.store.items("controllerrevisions") == []
    assert names(cluster.store.items("persistentvolumeclaims")) == ["data-web-0", "data-web-1"]


def test_orphaned_pods_are_adopted_by_a_new_set(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    uids = {o: p["metadata"]["uid"] for o, p in pods_of(cluster).items()}
    cluster.store.delete("statefulsets", "default", "web", propagation_policy="Orphan")
    cluster.settle()
    assert all(not p["metadata"].get("ownerReferences") for p in pods_of(cluster).values())
    s = make_sts(cluster, replicas=2)
    cluster.settle()
    pods = pods_of(cluster)
    assert {o: p["metadata"]["uid"] for o, p in pods.items()} == uids
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == s["metadata"]["uid"] for p in pods.values())
    assert len(revisions(cluster)) == 1


def test_a_foreign_pod_with_the_name_blocks_the_ordinal(cluster):
    cluster.store.create("pods", {"metadata": {"name": "web-1", "labels": {"app": "other"}},
                                  "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}, "default")
    make_sts(cluster, replicas=3)
    cluster.settle()
    assert ordinals(cluster) == [0, 1]
    assert pods_of(cluster)[1]["metadata"]["labels"] == {"app": "other"}
    failed = [e for e in cluster.store.items("events") if e["reason"] == "FailedCreate"]
    assert failed and failed[0]["message"] == \
        'create Pod web-1 in StatefulSet web failed error: pods "web-1" already exists'
    cluster.store.delete("pods", "default", "web-1", grace_period_seconds=0)
    cluster.settle()
    assert ordinals(cluster) == [0, 1, 2]
