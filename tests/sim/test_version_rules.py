"""v1.32 told truly, over HTTP with the official client: the MaxUnavailableStatefulSet gate (off by
default: the field is dropped and the legacy update loop runs), DNS-label names, forbidden
activeDeadlineSeconds, the mutable-fields message, status validation."""
from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from ststui.sim.scenarios import statefulset
from ststui.sim.version_rules import parse_gates


def _err(call) -> tuple[int, dict]:
    try:
        call()
    except ApiException as e:
        return e.status, json.loads(e.body)
    raise AssertionError("the call succeeded")


def _revisions(api) -> dict[str, str]:
    pods = client.CoreV1Api(api).list_namespaced_pod("default").items
    return {p.metadata.name: p.metadata.labels.get("controller-revision-hash") for p in pods}


def test_the_gate_is_off_by_default_and_drops_max_unavailable(sim):
    apps = client.AppsV1Api(sim.api())
    body = statefulset("web", "nginx:1.25", 3, service="web")
    body["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}
    created = apps.create_namespaced_stateful_set("default", body)
    assert created.spec.update_strategy.rolling_update.max_unavailable is None
    assert sim.cluster.feature_gates == {"MaxUnavailableStatefulSet": False}


def test_gate_on_keeps_the_field(sim):
    sim.cluster.feature_gates["MaxUnavailableStatefulSet"] = True
    body = statefulset("web", "nginx:1.25", 3, service="web")
    body["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}
    created = client.AppsV1Api(sim.api()).create_namespaced_stateful_set("default", body)
    assert created.spec.update_strategy.rolling_update.max_unavailable == 2


@pytest.mark.parametrize("gate, finishes", [(False, True), (True, False)])
def test_legacy_loop_replaces_an_unhealthy_lower_pod(sim, gate, finishes):
    """Parallel set, web-0 never Ready: the legacy loop (gate off) still rolls web-2, web-1 and then
    replaces web-0; the maxUnavailable loop (gate on, maxUnavailable 1) counts web-0 as unavailable
    and replaces nothing."""
    sim.cluster.feature_gates["MaxUnavailableStatefulSet"] = gate
    api = sim.api()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    body = statefulset("web", "nginx:1.25", 3, service="web", container="app")
    body["spec"]["podManagementPolicy"] = "Parallel"
    body["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
    apps.create_namespaced_stateful_set("default", body)
    sim.settle()
    sim.cluster.kubelet.never_ready_images.add("nginx:1.25")
    core.delete_namespaced_pod("web-0", "default")
    sim.settle()
    assert not core.read_namespaced_pod("web-0", "default").status.container_statuses[0].ready
    apps.patch_namespaced_stateful_set("web", "default", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.27"}]}}}})
    sim.settle()
    update = apps.read_namespaced_stateful_set("web", "default").status.update_revision
    revisions = _revisions(api)
    if finishes:
        assert revisions == {"web-0": update, "web-1": update, "web-2": update}
    else:
        assert update not in revisions.values()


def test_statefulset_names_must_be_dns_labels(sim):
    body = statefulset("web.v1", "nginx:1.25", 1, service="web")
    code, err = _err(lambda: client.AppsV1Api(sim.api()).create_namespaced_stateful_set("default", body))
    assert code == 422
    assert err["details"]["causes"][0]["field"] == "metadata.name"
    assert "a lowercase RFC 1123 label must consist of" in err["message"]


def test_active_deadline_seconds_is_forbidden(sim):
    body = statefulset("web", "nginx:1.25", 1, service="web")
    body["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 30
    code, err = _err(lambda: client.AppsV1Api(sim.api()).create_namespaced_stateful_set("default", body))
    assert code == 422
    assert err["message"] == ('StatefulSet.apps "web" is invalid: spec.template.spec.activeDeadlineSeconds: '
                              'Invalid value: 30: must not be specified')


def test_revision_history_limit_is_not_mutable_in_1_32(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", statefulset("web", "nginx:1.25", 1, service="web"))
    code, err = _err(lambda: apps.patch_namespaced_stateful_set("web", "default", {"spec": {"revisionHistoryLimit": 3}}))
    assert code == 422
    assert err["message"].endswith("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                                   "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                                   "and 'minReadySeconds' are forbidden")
    apps.patch_namespaced_stateful_set("web", "default", {"spec": {"minReadySeconds": 5}})   # mutable


def test_status_writes_are_validated(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", statefulset("web", "nginx:1.25", 2, service="web"))
    sim.settle()
    code, err = _err(lambda: apps.patch_namespaced_stateful_set_status(
        "web", "default", {"status": {"replicas": 2, "readyReplicas": 5}}))
    assert code == 422
    assert "status.readyReplicas: Invalid value: 5: cannot be greater than status.replicas" in err["message"]
    code, err = _err(lambda: apps.patch_namespaced_stateful_set_status(
        "web", "default", {"status": {"replicas": -1}}))
    assert code == 422 and "status.replicas: Invalid value: -1: must be greater than or equal to 0" in err["message"]
    assert apps.read_namespaced_stateful_set("web", "default").status.replicas == 2


def test_feature_gate_flags():
    assert parse_gates("MaxUnavailableStatefulSet=true") == {"MaxUnavailableStatefulSet": True}
    with pytest.raises(ValueError, match="unknown feature gate"):
        parse_gates("Nope=true")
    with pytest.raises(ValueError, match="use Name=true"):
        parse_gates("MaxUnavailableStatefulSet")
