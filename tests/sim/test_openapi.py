"""OpenAPI documents over HTTP: the v3 root lists every served group-version; each document
holds the kinds' schemas (with their GVK, field descriptions, IntOrString and list keys)."""
from __future__ import annotations

import json

from rawhttp import Raw


def test_v3_root_and_apps_document(sim):
    raw = Raw(sim.api())
    status, root, _ = raw.get("/openapi/v3")
    assert status == 200
    assert set(root["paths"]) >= {"api/v1", "apis/apps/v1", "apis/policy/v1", "apis/rbac.authorization.k8s.io/v1"}
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    status, doc, _ = raw.get(url.split("?")[0])
    assert status == 200 and doc["openapi"].startswith("3.")
    schemas = doc["components"]["schemas"]
    sts = schemas["io.k8s.api.apps.v1.StatefulSet"]
    assert sts["x-kubernetes-group-version-kind"] == [{"group": "apps", "version": "v1", "kind": "StatefulSet"}]
    spec = schemas["io.k8s.api.apps.v1.StatefulSetSpec"]
    assert "replicas" in spec["properties"] and spec["properties"]["replicas"]["type"] == "integer"
    assert "selector" in spec["required"] and "template" in spec["required"]
    rolling = schemas["io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy"]["properties"]["maxUnavailable"]
    assert rolling["allOf"][0]["$ref"].endswith("intstr.IntOrString")
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"]
    assert {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}, "uniqueItems": True} \
        in patch["parameters"]


def test_v2_json_has_definitions_and_unknown_group_is_404(sim):
    raw = Raw(sim.api())
    status, doc, _ = raw.get("/openapi/v2")
    assert status == 200 and doc["swagger"] == "2.0"
    assert "io.k8s.api.policy.v1.PodDisruptionBudgetSpec" in doc["definitions"]
    assert "#/components/" not in json.dumps(doc)
    status, _body, _ = raw.get("/openapi/v3/apis/batch/v1")
    assert status == 404
