"""Discovery, OpenAPI and unknown paths of the simulated API server, over HTTP."""
import pytest
from kubernetes import client

from rawhttp import Raw

AGGREGATED_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                     "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")


def test_version_reports_a_kubernetes_version(sim):
    info = client.VersionApi(sim.api()).get_code()
    assert info.major == "1" and info.minor.isdigit()
    assert info.git_version.startswith("v1.")


def test_core_and_group_lists(sim):
    raw = Raw(sim.api())
    status, core, _ = raw.get("/api")
    assert status == 200 and core["kind"] == "APIVersions" and core["versions"] == ["v1"]
    status, groups, _ = raw.get("/apis")
    assert status == 200 and groups["kind"] == "APIGroupList"
    names = {g["name"]: g["preferredVersion"]["groupVersion"] for g in groups["groups"]}
    assert names == {"apps": "apps/v1", "storage.k8s.io": "storage.k8s.io/v1",
                     "rbac.authorization.k8s.io": "rbac.authorization.k8s.io/v1",
                     "authorization.k8s.io": "authorization.k8s.io/v1", "policy": "policy/v1",
                     "authentication.k8s.io": "authentication.k8s.io/v1"}


@pytest.mark.parametrize("path", ["/api", "/apis"])
def test_aggregated_discovery_request_gets_the_legacy_format(sim, path):
    status, body, headers = Raw(sim.api()).get(path, accept=AGGREGATED_ACCEPT)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body["kind"] in ("APIVersions", "APIGroupList")


def resources(sim, path):
    status, body, _ = Raw(sim.api()).get(path)
    assert status == 200 and body["kind"] == "APIResourceList"
    return {r["name"]: r for r in body["resources"]}


def test_core_v1_resources_have_kinds_short_names_and_verbs(sim):
    found = resources(sim, "/api/v1")
    expected = {"pods": ("Pod", "po", True), "persistentvolumeclaims": ("PersistentVolumeClaim", "pvc", True),
                "persistentvolumes": ("PersistentVolume", "pv", False), "nodes": ("Node", "no", False),
                "events": ("Event", "ev", True), "services": ("Service", "svc", True),
                "namespaces": ("Namespace", "ns", False)}
    for plural, (kind, short, namespaced) in expected.items():
        entry = found[plural]
        assert entry["kind"] == kind
        assert short in entry["shortNames"]
        assert entry["namespaced"] is namespaced
        assert entry["singularName"] == kind.lower()
        assert {"get", "list", "watch", "create", "update", "patch", "delete"} <= set(entry["verbs"])
    assert found["pods"]["categories"] == ["all"]
    assert found["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert found["persistentvolumeclaims/status"]["kind"] == "PersistentVolumeClaim"


def test_apps_v1_has_statefulsets_with_scale_subresource(sim):
    found = resources(sim, "/apis/apps/v1")
    assert found["statefulsets"]["shortNames"] == ["sts"]
    assert found["statefulsets"]["kind"] == "StatefulSet"
    scale = found["statefulsets/scale"]
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    assert "statefulsets/status" in found
    assert found["controllerrevisions"]["kind"] == "ControllerRevision"


def test_storage_v1_has_storageclasses(sim):
    found = resources(sim, "/apis/storage.k8s.io/v1")
    assert found["storageclasses"]["shortNames"] == ["sc"]
    assert found["storageclasses"]["namespaced"] is False


def test_openapi_v2_protobuf_stays_empty_and_v3_lists_the_group_versions(sim):
    raw = Raw(sim.api())
    status, body, headers = raw.get("/openapi/v2", accept="application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    assert status == 200 and "protobuf" in headers["Content-Type"] and not body
    status, body, _ = raw.get("/openapi/v3")
    assert status == 200 and "apis/apps/v1" in body["paths"]      # documents: tests/sim/test_openapi.py


@pytest.mark.parametrize("path", ["/apis/batch/v1", "/api/v2", "/apis/apps/v1/deployments", "/nothing/here",
                                  "/api/v1/namespaces/default/pods/web-0/log"])
def test_unknown_paths_are_404_status(sim, path):
    status, body, _ = Raw(sim.api()).get(path)
    assert status == 404
    assert body["kind"] == "Status" and body["code"] == 404 and body["reason"] == "NotFound"


def test_discovery_refuses_writes(sim):
    status, body, _ = Raw(sim.api()).request("POST", "/api/v1", body={})
    assert status == 405 and body["reason"] == "MethodNotAllowed"
