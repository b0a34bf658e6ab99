"""Server-side apply over HTTP through the official client: create, managers, conflict, force, removal."""
from __future__ import annotations

import json

import yaml
from kubernetes import client

from ststui.sim.scenarios import statefulset

PATH = "/apis/apps/v1/namespaces/default/statefulsets/web"


def apply(api, obj: dict, manager: str, force: bool = False) -> tuple[int, dict]:
    from urllib.parse import urlencode
    query = {"fieldManager": manager, **({"force": "true"} if force else {})}
    m, url, hdrs, _data, _post = api.param_serialize(method="PATCH", resource_path=PATH, query_params=[],
                                                     header_params={"Accept": "application/json",
                                                                    "Content-Type": "application/apply-patch+yaml"},
                                                     auth_settings=["BearerToken"])
    resp = api.rest_client.pool_manager.request(m, f"{url}?{urlencode(query)}", body=yaml.safe_dump(obj).encode(),
                                                headers=hdrs, preload_content=True, timeout=30)
    return resp.status, json.loads(resp.data)


def config(replicas: int, image: str = "nginx:1.25") -> dict:
    sts = statefulset("web", image, replicas, service="web", container="nginx")
    sts["apiVersion"], sts["kind"] = "apps/v1", "StatefulSet"
    return sts


def managers(obj: dict) -> dict[str, str]:
    return {e["manager"]: e["operation"] for e in obj["metadata"].get("managedFields") or []}


def test_apply_creates_then_a_second_manager_coowns(sim):
    api = sim.api()
    code, obj = apply(api, config(2), "alice")
    assert code == 201 and obj["spec"]["replicas"] == 2 and managers(obj) == {"alice": "Apply"}
    fields = obj["metadata"]["managedFields"][0]["fieldsV1"]
    assert "f:replicas" in fields["f:spec"]
    assert 'k:{"name":"nginx"}' in fields["f:spec"]["f:template"]["f:spec"]["f:containers"]
    sim.settle()
    before = client.AppsV1Api(api).read_namespaced_stateful_set("web", "default").metadata.resource_version
    code, again = apply(api, config(2), "alice")
    assert code == 200 and again["metadata"]["resourceVersion"] == before     # the same apply writes nothing
    code, both = apply(api, config(2), "bob")          # same values: no conflict, both own them
    assert code == 200 and managers(both) == {"alice": "Apply", "bob": "Apply"}


def test_conflict_names_the_field_and_its_manager_and_force_takes_it(sim):
    api = sim.api()
    apply(api, config(2), "alice")
    code, status = apply(api, config(5), "bob")
    assert code == 409 and status["reason"] == "Conflict"
    assert status["message"] == 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "alice"',
                                            "field": ".spec.replicas"}]
    assert client.AppsV1Api(api).read_namespaced_stateful_set("web", "default").spec.replicas == 2
    code, obj = apply(api, config(5), "bob", force=True)
    assert code == 200 and obj["spec"]["replicas"] == 5
    alice = next(e for e in obj["metadata"]["managedFields"] if e["manager"] == "alice")
    assert "f:replicas" not in alice["fieldsV1"]["f:spec"]       # ownership moved to bob
    code, status = apply(api, config(2), "alice")
    assert code == 409 and 'conflict with "bob": .spec.replicas' in status["message"]


def test_two_conflicts_are_listed_by_manager(sim):
    api = sim.api()
    apply(api, config(2), "alice")
    code, status = apply(api, config(3, "nginx:1.27"), "bob")
    assert code == 409
    assert status["message"] == ('Apply failed with 2 conflicts: conflicts with "alice":\n'
                                 '- .spec.replicas\n'
                                 '- .spec.template.spec.containers[name="nginx"].image')


def test_a_field_dropped_from_the_config_is_removed(sim):
    api = sim.api()
    with_label = config(2)
    with_label["metadata"]["labels"] = {"app": "web", "team": "web"}
    apply(api, with_label, "alice")
    assert client.AppsV1Api(api).read_namespaced_stateful_set("web", "default").metadata.labels["team"] == "web"
    code, obj = apply(api, config(2), "alice")       # labels: app only
    assert code == 200 and obj["metadata"]["labels"] == {"app": "web"}


def test_apply_needs_a_field_manager(sim):
    code, status = apply(sim.api(), config(2), "")
    assert code == 400 and "fieldManager" in status["message"]
