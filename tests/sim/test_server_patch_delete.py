"""PATCH by Content-Type (strategic, merge, JSON, unsupported) and DELETE with its options,
over HTTP with the official client."""
import json

import pytest
from kubernetes import client

from rawhttp import Raw
from test_server_crud import error_of, pod_body, sts_body

STS = "/apis/apps/v1/namespaces/default/statefulsets/web"


def two_container_sts(sim):
    body = sts_body()
    body["spec"]["template"]["spec"]["containers"] = [
        {"name": "app", "image": "nginx:1.27", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        {"name": "side", "image": "busybox:1.36"}]
    client.AppsV1Api(sim.api()).create_namespaced_stateful_set("default", body)


def containers(sim):
    return client.AppsV1Api(sim.api()).read_namespaced_stateful_set("web", "default").spec.template.spec.containers


# --------------------------------------------------------------------------- patch

def test_strategic_merge_patch_merges_containers_by_name(sim):
    two_container_sts(sim)
    status, body, _ = Raw(sim.api()).request(
        "PATCH", STS, content_type="application/strategic-merge-patch+json",
        body={"spec": {"template": {"spec": {"containers": [
            {"name": "side", "image": "busybox:1.37"},
            {"name": "app", "env": [{"name": "B", "value": "3"}]}]}}}})
    assert status == 200
    got = containers(sim)
    # Items named in the patch come in the patch's order (apimachinery's normalizeElementOrder).
    assert [(c.name, c.image) for c in got] == [("side", "busybox:1.37"), ("app", "nginx:1.27")]
    assert {e.name: e.value for e in got[1].env} == {"A": "1", "B": "3"}
    assert body["metadata"]["generation"] == 2


def test_strategic_directives_delete_and_set_element_order(sim):
    two_container_sts(sim)
    Raw(sim.api()).request("PATCH", STS, content_type="application/strategic-merge-patch+json", body={
        "spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "side"}, {"name": "app"}],
            "containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]}}}})
    got = containers(sim)
    assert [c.name for c in got] == ["side", "app"]
    assert [e.name for e in got[1].env] == ["B"]


def test_typed_client_patch_is_strategic(sim):
    two_container_sts(sim)
    client.AppsV1Api(sim.api()).patch_namespaced_stateful_set("web", "default", {
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}})
    assert [c.image for c in containers(sim)] == ["nginx:1.28", "busybox:1.36"]


def test_merge_patch_replaces_lists_and_null_deletes(sim):
    two_container_sts(sim)
    raw = Raw(sim.api())
    raw.request("PATCH", STS, content_type="application/merge-patch+json",
                body={"metadata": {"labels": {"a": "1", "b": "2"}}})
    status, body, _ = raw.request("PATCH", STS, content_type="application/merge-patch+json", body={
        "metadata": {"labels": {"a": None}},
        "spec": {"template": {"spec": {"containers": [{"name": "only", "image": "nginx:2"}]}}}})
    assert status == 200
    assert body["metadata"]["labels"] == {"b": "2"}
    assert [c.name for c in containers(sim)] == ["only"]


def test_json_patch_and_failed_test_op(sim):
    two_container_sts(sim)
    raw = Raw(sim.api())
    status, body, _ = raw.request("PATCH", STS, content_type="application/json-patch+json", body=[
        {"op": "test", "path": "/spec/replicas", "value": 2},
        {"op": "replace", "path": "/spec/replicas", "value": 4},
        {"op": "add", "path": "/metadata/annotations", "value": {"x": "y"}}])
    assert status == 200 and body["spec"]["replicas"] == 4 and body["metadata"]["annotations"] == {"x": "y"}
    status, body, _ = raw.request("PATCH", STS, content_type="application/json-patch+json", body=[
        {"op": "test", "path": "/spec/replicas", "value": 99},
        {"op": "replace", "path": "/spec/replicas", "value": 1}])
    assert status == 422 and body["kind"] == "Status"
    status, body, _ = raw.request("PATCH", STS, content_type="application/json-patch+json",
                                  raw_body=b'{"not": "a list"}')
    assert status == 400
    assert client.AppsV1Api(sim.api()).read_namespaced_stateful_set("web", "default").spec.replicas == 4


def test_patch_with_stale_resource_version_is_409(sim):
    two_container_sts(sim)
    status, body, _ = Raw(sim.api()).request("PATCH", STS, content_type="application/merge-patch+json",
                                             body={"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 5}})
    assert status == 409 and body["reason"] == "Conflict"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])   # apply: tests/sim/test_ssa.py
def test_unsupported_patch_types_are_415(sim, content_type):
    two_container_sts(sim)
    status, body, _ = Raw(sim.api()).request("PATCH", STS, content_type=content_type,
                                             raw_body=b'{"spec":{"replicas":3}}')
    assert status == 415 and body["kind"] == "Status" and body["reason"] == "UnsupportedMediaType"


def test_patch_of_missing_object_is_404(sim):
    status, body, _ = Raw(sim.api()).request("PATCH", STS, content_type="application/merge-patch+json",
                                             body={"spec": {"replicas": 3}})
    assert status == 404


def test_malformed_patch_is_400(sim):
    two_container_sts(sim)
    status, body, _ = Raw(sim.api()).request("PATCH", STS, content_type="application/merge-patch+json",
                                             raw_body=b"{oops")
    assert status == 400 and body["reason"] == "BadRequest"


# --------------------------------------------------------------------------- delete

def running_pod(sim, name="p", grace=30):
    body = pod_body(name, {"app": "x"}, node="node-1")
    body["spec"]["terminationGracePeriodSeconds"] = grace
    client.CoreV1Api(sim.api()).create_namespaced_pod("default", body)
    sim.settle()


def pod_or_none(sim, name="p"):
    return sim.store.find("pods", "default", name)


def test_graceful_pod_delete_then_gone_after_grace(sim):
    running_pod(sim)
    answer = client.CoreV1Api(sim.api()).delete_namespaced_pod("p", "default")
    assert answer.metadata.deletion_timestamp is not None
    pod = pod_or_none(sim)
    assert pod is not None and pod["metadata"]["deletionGracePeriodSeconds"] == 30
    sim.advance(31)
    assert pod_or_none(sim) is None


def test_grace_period_zero_in_query_removes_at_once(sim):
    running_pod(sim)
    client.CoreV1Api(sim.api()).delete_namespaced_pod("p", "default", grace_period_seconds=0)
    assert pod_or_none(sim) is None


def test_delete_options_in_body_without_content_type(sim):
    running_pod(sim)
    raw = Raw(sim.api())
    status, body, _ = raw.request("DELETE", "/api/v1/namespaces/default/pods/p",
                                  raw_body=b'{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0}')
    assert status == 200
    assert pod_or_none(sim) is None


def test_delete_options_body_through_typed_client(sim):
    running_pod(sim)
    client.CoreV1Api(sim.api()).delete_namespaced_pod(
        "p", "default", body=client.V1DeleteOptions(grace_period_seconds=0))
    assert pod_or_none(sim) is None


def test_preconditions_mismatch_is_409(sim):
    running_pod(sim)
    core = client.CoreV1Api(sim.api())
    status, body = error_of(core.delete_namespaced_pod, "p", "default", body=client.V1DeleteOptions(
        grace_period_seconds=0, preconditions=client.V1Preconditions(uid="not-the-uid")))
    assert status == 409 and "Precondition failed" in body["message"]
    uid = pod_or_none(sim)["metadata"]["uid"]
    core.delete_namespaced_pod("p", "default", body=client.V1DeleteOptions(
        grace_period_seconds=0, preconditions=client.V1Preconditions(uid=uid)))
    assert pod_or_none(sim) is None


def test_dry_run_delete_keeps_the_object(sim):
    running_pod(sim)
    client.CoreV1Api(sim.api()).delete_namespaced_pod("p", "default", dry_run="All", grace_period_seconds=0)
    assert pod_or_none(sim) is not None and not pod_or_none(sim)["metadata"].get("deletionTimestamp")


def test_orphan_propagation_strips_owner_references(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body(replicas=1))
    sim.settle()
    assert sim.store.find("pods", "default", "web-0")["metadata"]["ownerReferences"]
    answer = apps.delete_namespaced_stateful_set("web", "default", propagation_policy="Orphan")
    assert answer["kind"] == "Status" and answer["status"] == "Success"
    sim.settle()
    pod = sim.store.find("pods", "default", "web-0")
    assert pod is not None and not pod["metadata"].get("ownerReferences")


@pytest.mark.parametrize("flag", ["True", "true", "1", "t"])
def test_orphan_dependents_boolean_like_go(sim, flag):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body(replicas=1))
    sim.settle()
    status, _, _ = Raw(sim.api()).request("DELETE", STS, query={"orphanDependents": flag})
    assert status == 200
    sim.settle()
    assert sim.store.find("pods", "default", "web-0") is not None


def test_bad_boolean_is_400(sim):
    status, body, _ = Raw(sim.api()).get("/api/v1/pods", query={"watch": "yes"})
    assert status == 400 and body["reason"] == "BadRequest"


def test_delete_missing_is_404_and_bad_policy_400(sim):
    core = client.CoreV1Api(sim.api())
    status, _ = error_of(core.delete_namespaced_pod, "nope", "default")
    assert status == 404
    running_pod(sim)
    status, body = error_of(core.delete_namespaced_pod, "p", "default", propagation_policy="Sideways")
    assert status == 400


def test_delete_collection_by_label(sim):
    core = client.CoreV1Api(sim.api())
    for name, app in [("a", "x"), ("b", "x"), ("c", "y")]:
        core.create_namespaced_pod("default", pod_body(name, {"app": app}))
    core.delete_collection_namespaced_pod("default", label_selector="app=x", grace_period_seconds=0)
    assert sorted(p.metadata.name for p in core.list_namespaced_pod("default").items) == ["c"]
