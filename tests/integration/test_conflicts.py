"""Optimistic concurrency from the plan layer, over HTTP to the sim: a plan computed from
one state, a kubectl-style change by someone else, then `ops.execute(plan)`: refused as
a conflict, nothing changed on the server; a plan from the new state says what moved
and goes through. Two instances stepping from the same state: one wins, one loses."""
from __future__ import annotations

from ststui.kube.ops import execute
from ststui.kube.rest import request_json
from ststui.kube.watch import list_once
from ststui.state import actions
from ststui.state.store import Store
from ststui.state.topology import _volume_view, build_view

from tests.integration.helpers import make_statefulset

STS = "/apis/apps/v1/namespaces/default/statefulsets/web"


def view_now(api):
    store = Store()
    list_once(api, store, None)
    return store, build_view(store, "default", "web", 0.0)


def kubectl_patch(api, path, body):
    """What `kubectl patch` sends by default: a strategic merge patch."""
    request_json(api, "PATCH", path, body=body, content_type="application/strategic-merge-patch+json")


def partition(api) -> int:
    return request_json(api, "GET", STS)["spec"]["updateStrategy"]["rollingUpdate"]["partition"]


def set_partition(api, value: int) -> None:
    kubectl_patch(api, STS, {"spec": {"updateStrategy": {"rollingUpdate": {"partition": value}}}})


def test_partition_conflict_then_replan(sim):
    api = sim.api()
    make_statefulset(api, "default", "web", replicas=3)
    sim.settle()
    set_partition(api, 3)
    _, view = view_now(api)
    plan = actions.plan_set_partition(view, "2")
    set_partition(api, 0)                                  # a colleague releases the rollout
    result = execute(api, plan, read_only=False)
    assert not result.ok and result.conflict and "nothing was changed" in result.message
    assert partition(api) == 0
    _, fresh_view = view_now(api)
    again = actions.plan_set_partition(fresh_view, "2")
    assert actions.conflict_sentence(plan, again) == "the partition is now 0 (it was 3 when the dialog opened)"
    assert execute(api, again, read_only=False).ok
    assert partition(api) == 2


def test_two_instances_step_at_once_one_wins(sim):
    api = sim.api()
    make_statefulset(api, "default", "web", replicas=3)
    sim.settle()
    set_partition(api, 3)
    kubectl_patch(api, STS, {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:1.28"}]}}}})
    sim.settle()                                           # an update is pending, held at partition 3
    _, view = view_now(api)
    mine, theirs = actions.plan_step(view, override=True), actions.plan_step(view, override=True)
    first = execute(api, theirs, read_only=False)
    second = execute(api, mine, read_only=False)
    assert first.ok and not second.ok and second.conflict
    assert partition(api) == 2                             # stepped once, not twice


def test_scale_and_set_image_conflicts(sim):
    api = sim.api()
    make_statefulset(api, "default", "web", replicas=3)
    sim.settle()
    _, view = view_now(api)
    scale = actions.plan_scale(view, "5")
    image = actions.plan_set_image(view, "main", "nginx:1.99")
    kubectl_patch(api, STS, {"spec": {"replicas": 4, "template": {"spec": {"containers": [
        {"name": "main", "image": "nginx:1.28"}]}}}})
    for plan in (scale, image):
        result = execute(api, plan, read_only=False)
        assert result.conflict and not result.ok, plan.action
    sts = request_json(api, "GET", STS)
    assert sts["spec"]["replicas"] == 4
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    _, fresh = view_now(api)
    assert "the number of replicas is now 4 (it was 3" in actions.conflict_sentence(
        scale, actions.plan_scale(fresh, "5"))
    assert "is now nginx:1.28 (it was nginx:1.27" in actions.conflict_sentence(
        image, actions.plan_set_image(fresh, "main", "nginx:1.99"))


def test_restart_free_reclaim_conflict(sim):
    api = sim.api()
    # A Released volume, kept by the Retain policy after its claim was deleted.
    with sim.cluster.store.lock:
        sim.cluster.store.create("persistentvolumes", {
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-old"},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "retained",
                     "hostPath": {"path": "/mnt/old"},
                     "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data-web-7",
                                  "uid": "uid-of-a-deleted-claim"}}})
    sim.settle()
    sim.cluster.stop()      # controllers off from here: the phase stays as set (the server still serves)
    sim.cluster.store.mutate("persistentvolumes", None, "pv-old",
                             lambda o: o.setdefault("status", {}).__setitem__("phase", "Released"))
    store, _ = view_now(api)
    pv = store.get("persistentvolumes", None, "pv-old")
    volume = _volume_view(pv, None, None)
    assert volume.phase == "Released", volume
    plan = actions.plan_reclaim_volume(volume, "keep")
    kubectl_patch(api, "/api/v1/persistentvolumes/pv-old", {"spec": {"claimRef": None}})    # freed meanwhile
    result = execute(api, plan, read_only=False)
    assert result.conflict and not result.ok
    assert request_json(api, "GET", "/api/v1/persistentvolumes/pv-old")["spec"].get("claimRef") is None
