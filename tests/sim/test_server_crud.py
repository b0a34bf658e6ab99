"""Create, get, list, update, scale and status over HTTP with the official client; defaults,
validation (422) and the other Status errors."""
import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from rawhttp import Raw

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def sts_body(name="web", replicas=2, labels=None, **spec):
    labels = labels or {"app": name}
    body = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": name, "replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}}
    body["spec"].update(spec)
    return body


def pod_body(name, labels=None, node=None, image="nginx:1.27"):
    spec = {"containers": [{"name": "app", "image": image}]}
    if node:
        spec["nodeName"] = node
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": spec}


def error_of(call, *args, **kw) -> tuple[int, dict]:
    with pytest.raises(ApiException) as err:
        call(*args, **kw)
    body = json.loads(err.value.body)
    assert body["kind"] == "Status" and body["code"] == err.value.status
    return err.value.status, body


# --------------------------------------------------------------------------- create / get / list

def test_create_get_and_list_a_statefulset(sim):
    apps = client.AppsV1Api(sim.api())
    created = apps.create_namespaced_stateful_set("default", sts_body())
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.metadata.generation == 1
    got = apps.read_namespaced_stateful_set("web", "default")
    assert got.metadata.uid == created.metadata.uid
    listed = apps.list_namespaced_stateful_set("default")
    assert [s.metadata.name for s in listed.items] == ["web"]
    assert int(listed.metadata.resource_version) >= int(created.metadata.resource_version)
    everywhere = apps.list_stateful_set_for_all_namespaces()
    assert [s.metadata.name for s in everywhere.items] == ["web"]


def test_statefulset_defaults_like_the_apiserver(sim):
    body = Raw(sim.api()).request("POST", "/apis/apps/v1/namespaces/default/statefulsets",
                                  body=sts_body(replicas=None, volumeClaimTemplates=[
                                      {"metadata": {"name": "data"}, "spec": {
                                          "accessModes": ["ReadWriteOnce"],
                                          "resources": {"requests": {"storage": "1Gi"}}}}]))[1]
    spec = body["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    pod_spec = spec["template"]["spec"]
    assert (pod_spec["restartPolicy"], pod_spec["terminationGracePeriodSeconds"], pod_spec["dnsPolicy"],
            pod_spec["schedulerName"]) == ("Always", 30, "ClusterFirst", "default-scheduler")
    container = pod_spec["containers"][0]
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["imagePullPolicy"] == "IfNotPresent"
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["status"] == {"phase": "Pending"}


@pytest.mark.parametrize("image,policy", [("nginx", "Always"), ("nginx:latest", "Always"),
                                          ("registry:5000/nginx", "Always"), ("nginx:1.27", "IfNotPresent"),
                                          ("nginx@sha256:abc", "IfNotPresent")])
def test_image_pull_policy_default(sim, image, policy):
    pod = client.CoreV1Api(sim.api()).create_namespaced_pod("default", pod_body("p", image=image))
    assert pod.spec.containers[0].image_pull_policy == policy


def test_service_claim_and_volume_defaults(sim):
    core = client.CoreV1Api(sim.api())
    svc = core.create_namespaced_service("default", {"metadata": {"name": "web"},
                                                     "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert svc.spec.type == "ClusterIP"
    assert svc.spec.cluster_ip.startswith("10.")
    assert svc.spec.ports[0].protocol == "TCP" and svc.spec.ports[0].target_port == 80
    headless = core.create_namespaced_service("default", {"metadata": {"name": "nginx"},
                                                          "spec": {"clusterIP": "None", "ports": [{"port": 80}]}})
    assert headless.spec.cluster_ip == "None"
    # The clusterIP survives an update that does not mention it.
    replaced = core.replace_namespaced_service("web", "default", {
        "metadata": {"name": "web"}, "spec": {"selector": {"app": "other"}, "ports": [{"port": 80}]}})
    assert replaced.spec.cluster_ip == svc.spec.cluster_ip
    pvc = core.create_namespaced_persistent_volume_claim("default", {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": "none-such"}})
    assert pvc.spec.volume_mode == "Filesystem"
    pv = core.create_persistent_volume({"metadata": {"name": "pv-1"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/tmp/pv-1"},
        "storageClassName": "manual"}})
    assert pv.spec.persistent_volume_reclaim_policy == "Retain"
    assert pv.status.phase in ("Available", "Pending")


def test_list_label_selectors(sim):
    core = client.CoreV1Api(sim.api())
    for name, labels in [("a", {"app": "web", "tier": "front"}), ("b", {"app": "web", "tier": "back"}),
                         ("c", {"app": "db"}), ("d", {})]:
        core.create_namespaced_pod("default", pod_body(name, labels))

    def names(selector):
        return sorted(p.metadata.name for p in core.list_namespaced_pod("default", label_selector=selector).items)

    assert names("app=web") == ["a", "b"]
    assert names("app==web") == ["a", "b"]
    assert names("app!=web") == ["c", "d"]
    assert names("tier in (front,back)") == ["a", "b"]
    assert names("app notin (web)") == ["c", "d"]
    assert names("tier") == ["a", "b"]
    assert names("!tier") == ["c", "d"]
    assert names("app=web,tier=back") == ["b"]


def test_list_field_selectors_and_all_namespaces(sim):
    core = client.CoreV1Api(sim.api())
    core.create_namespace({"metadata": {"name": "other"}})
    core.create_namespaced_pod("default", pod_body("a"))
    core.create_namespaced_pod("other", pod_body("a"))
    core.create_namespaced_pod("other", pod_body("b"))
    by_name = core.list_pod_for_all_namespaces(field_selector="metadata.name=a")
    assert sorted(p.metadata.namespace for p in by_name.items) == ["default", "other"]
    by_ns = core.list_pod_for_all_namespaces(field_selector="metadata.namespace=other")
    assert sorted(p.metadata.name for p in by_ns.items) == ["a", "b"]
    not_a = core.list_namespaced_pod("other", field_selector="metadata.name!=a")
    assert [p.metadata.name for p in not_a.items] == ["b"]


def test_list_pages_with_limit_and_continue(sim):
    core = client.CoreV1Api(sim.api())
    for i in range(5):
        core.create_namespaced_pod("default", pod_body(f"p{i}"))
    listed = core.list_namespaced_pod("default", limit=2)
    assert [p.metadata.name for p in listed.items] == ["p0", "p1"]
    assert listed.metadata._continue and listed.metadata.remaining_item_count == 3
    rest = core.list_namespaced_pod("default", limit=10, _continue=listed.metadata._continue)
    assert [p.metadata.name for p in rest.items] == ["p2", "p3", "p4"]
    assert not rest.metadata._continue


def test_bad_selector_is_400(sim):
    status, body = error_of(client.CoreV1Api(sim.api()).list_namespaced_pod, "default", label_selector="a in (")
    assert status == 400 and body["reason"] == "BadRequest"


def test_dry_run_create_stores_nothing(sim):
    core = client.CoreV1Api(sim.api())
    pod = core.create_namespaced_pod("default", pod_body("ghost"), dry_run="All")
    assert pod.metadata.name == "ghost" and pod.spec.restart_policy == "Always"
    assert core.list_namespaced_pod("default").items == []


# --------------------------------------------------------------------------- update

def test_update_bumps_generation_only_on_spec_changes_and_409_on_stale(sim):
    apps = client.AppsV1Api(sim.api())
    created = apps.create_namespaced_stateful_set("default", sts_body())
    sim.settle()   # the controller's status writes would otherwise race the PUTs below
    body = apps.read_namespaced_stateful_set("web", "default")
    body.metadata.labels = {"team": "a"}
    labelled = apps.replace_namespaced_stateful_set("web", "default", body)
    assert labelled.metadata.generation == 1
    assert int(labelled.metadata.resource_version) > int(created.metadata.resource_version)
    sim.settle()
    labelled = apps.read_namespaced_stateful_set("web", "default")
    labelled.spec.replicas = 5
    scaled = apps.replace_namespaced_stateful_set("web", "default", labelled)
    assert scaled.metadata.generation == 2
    labelled.spec.replicas = 7  # still carries the older resourceVersion
    status, err = error_of(apps.replace_namespaced_stateful_set, "web", "default", labelled)
    assert status == 409 and err["reason"] == "Conflict"
    assert "the object has been modified" in err["message"]
    assert apps.read_namespaced_stateful_set("web", "default").spec.replicas == 5


def test_update_that_only_omits_defaults_changes_nothing(sim):
    raw = Raw(sim.api())
    raw.request("POST", "/apis/apps/v1/namespaces/default/statefulsets", body=sts_body())
    sim.settle()
    _, before, _ = raw.get("/apis/apps/v1/namespaces/default/statefulsets/web")
    _, replaced, _ = raw.request("PUT", "/apis/apps/v1/namespaces/default/statefulsets/web", body=sts_body())
    assert replaced["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert replaced["metadata"]["generation"] == 1


def test_selector_is_immutable(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body())
    status, err = error_of(apps.patch_namespaced_stateful_set, "web", "default", {
        "spec": {"selector": {"matchLabels": {"app": "web", "x": "y"}},
                 "template": {"metadata": {"labels": {"app": "web", "x": "y"}}}}})
    assert status == 422 and err["reason"] == "Invalid"
    assert err["message"] == ('StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for '
                              "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                              "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
    status, err = error_of(apps.patch_namespaced_stateful_set, "web", "default", {"spec": {"serviceName": "other"}})
    assert status == 422 and "Forbidden" in err["message"]


@pytest.mark.parametrize("spec,field,text", [
    ({"replicas": -1}, "spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
    ({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": -2}}},
     "spec.updateStrategy.rollingUpdate.partition", "must be greater than or equal to 0"),
    ({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}}},
     "spec.updateStrategy.rollingUpdate.maxUnavailable", "cannot be 0"),
    ({"updateStrategy": {"type": "Sometimes"}}, "spec.updateStrategy.type", "Unsupported value"),
    ({"podManagementPolicy": "Random"}, "spec.podManagementPolicy", "Unsupported value"),
    ({"ordinals": {"start": -1}}, "spec.ordinals.start", "must be greater than or equal to 0"),
    ({"selector": None}, "spec.selector", "Required value"),
    ({"selector": {"matchLabels": {"app": "other"}}}, "spec.template.metadata.labels",
     "`selector` does not match template `labels`"),
])
def test_invalid_statefulsets_are_422(sim, spec, field, text):
    if "maxUnavailable" in str(spec):
        sim.cluster.feature_gates["MaxUnavailableStatefulSet"] = True   # v1.32: alpha, else the field is dropped
    body = sts_body()
    body["spec"].update(spec)
    if spec.get("selector", "") is None:
        del body["spec"]["selector"]  # the typed client refuses this one itself: send it raw
    status, err, _ = Raw(sim.api()).request("POST", "/apis/apps/v1/namespaces/default/statefulsets", body=body)
    assert status == 422 and err["kind"] == "Status" and err["reason"] == "Invalid"
    assert err["message"].startswith('StatefulSet.apps "web" is invalid: ')
    causes = {c["field"]: c["message"] for c in err["details"]["causes"]}
    assert text in causes[field]
    assert client.AppsV1Api(sim.api()).list_namespaced_stateful_set("default").items == []


def test_negative_replicas_by_patch_is_422_and_changes_nothing(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body())
    status, err = error_of(apps.patch_namespaced_stateful_set, "web", "default", {"spec": {"replicas": -3}})
    assert status == 422 and "spec.replicas: Invalid value: -3" in err["message"]
    assert apps.read_namespaced_stateful_set("web", "default").spec.replicas == 2


@pytest.mark.parametrize("name", ["Web", "web_1", "-web", "a" * 254])
def test_invalid_names_are_422(sim, name):
    status, err = error_of(client.CoreV1Api(sim.api()).create_namespaced_pod, "default", pod_body(name))
    assert status == 422
    assert err["details"]["causes"][0]["field"] == "metadata.name"


def test_pod_without_containers_is_422(sim):
    status, err = error_of(client.CoreV1Api(sim.api()).create_namespaced_pod, "default",
                           {"metadata": {"name": "p"}, "spec": {"containers": []}})
    assert status == 422 and "spec.containers" in err["message"]


# --------------------------------------------------------------------------- errors as Status

def test_get_missing_is_404(sim):
    status, err = error_of(client.AppsV1Api(sim.api()).read_namespaced_stateful_set, "nope", "default")
    assert status == 404 and err["message"] == 'statefulsets.apps "nope" not found'
    assert err["details"] == {"name": "nope", "kind": "statefulsets", "group": "apps"}


def test_create_twice_is_409_already_exists(sim):
    core = client.CoreV1Api(sim.api())
    core.create_namespaced_pod("default", pod_body("p"))
    status, err = error_of(core.create_namespaced_pod, "default", pod_body("p"))
    assert status == 409 and err["reason"] == "AlreadyExists"


def test_create_in_missing_namespace_is_404(sim):
    status, err = error_of(client.CoreV1Api(sim.api()).create_namespaced_pod, "nowhere", pod_body("p"))
    assert status == 404 and "nowhere" in err["message"]


def test_method_not_allowed_is_405(sim):
    raw = Raw(sim.api())
    status, body, _ = raw.request("PUT", "/api/v1/namespaces/default/pods", body={})
    assert status == 405 and body["kind"] == "Status" and body["reason"] == "MethodNotAllowed"
    status, body, _ = raw.request("POST", "/api/v1/pods", body=pod_body("p"))
    assert status == 405


def test_malformed_bodies_are_400(sim):
    raw = Raw(sim.api())
    status, body, _ = raw.request("POST", "/api/v1/namespaces/default/pods", raw_body=b"{not json",
                                  content_type="application/json")
    assert status == 400 and body["reason"] == "BadRequest"
    status, body, _ = raw.request("POST", "/api/v1/namespaces/default/pods", body=["a list"])
    assert status == 400
    status, body, _ = raw.request("POST", "/api/v1/namespaces/default/pods",
                                  body={"kind": "Service", "metadata": {"name": "x"}})
    assert status == 400 and "kind" in body["message"]


def test_yaml_body_is_accepted(sim):
    raw = Raw(sim.api())
    text = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: a\n    image: busybox:1\n"
    status, body, _ = raw.request("POST", "/api/v1/namespaces/default/pods", raw_body=text,
                                  content_type="application/yaml")
    assert status == 201 and body["metadata"]["name"] == "from-yaml"


# --------------------------------------------------------------------------- subresources

def test_scale_subresource_get_put_patch(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body(replicas=2))
    sim.settle()  # controllers done: the Scale read below is not stale when put back
    scale = apps.read_namespaced_stateful_set_scale("web", "default")
    assert scale.spec.replicas == 2 and scale.status.selector == "app=web" and scale.status.replicas == 2
    assert scale.kind == "Scale" and scale.api_version == "autoscaling/v1"
    scale.spec.replicas = 4
    put = apps.replace_namespaced_stateful_set_scale("web", "default", scale)
    assert put.spec.replicas == 4
    assert apps.read_namespaced_stateful_set("web", "default").spec.replicas == 4
    merged = apps.patch_namespaced_stateful_set_scale("web", "default", {"spec": {"replicas": 1}})
    assert merged.spec.replicas == 1
    raw = Raw(sim.api())
    status, body, _ = raw.request("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/web/scale",
                                  body=[{"op": "replace", "path": "/spec/replicas", "value": 3}],
                                  content_type="application/json-patch+json")
    assert status == 200 and body["spec"]["replicas"] == 3
    status, body, _ = raw.request("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/web/scale",
                                  body={"spec": {"replicas": 6}}, content_type="application/merge-patch+json")
    assert status == 200 and apps.read_namespaced_stateful_set("web", "default").spec.replicas == 6


def test_scale_errors(sim):
    apps = client.AppsV1Api(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body(replicas=2))
    status, err = error_of(apps.patch_namespaced_stateful_set_scale, "web", "default", {"spec": {"replicas": -1}})
    assert status == 422 and err["message"].startswith('Scale.autoscaling "web" is invalid: spec.replicas')
    stale = apps.read_namespaced_stateful_set_scale("web", "default")
    apps.patch_namespaced_stateful_set("web", "default", {"metadata": {"labels": {"x": "1"}}})
    stale.spec.replicas = 9
    status, err = error_of(apps.replace_namespaced_stateful_set_scale, "web", "default", stale)
    assert status == 409
    status, _ = error_of(apps.read_namespaced_stateful_set_scale, "nope", "default")
    assert status == 404


def test_status_subresource_changes_only_status(sim):
    core = client.CoreV1Api(sim.api())
    core.create_namespaced_service("default", {"metadata": {"name": "lb"}, "spec": {"ports": [{"port": 80}]}})
    raw = Raw(sim.api())
    ingress = {"loadBalancer": {"ingress": [{"ip": "192.0.2.7"}]}}
    status, body, _ = raw.request("PATCH", "/api/v1/namespaces/default/services/lb/status",
                                  body={"spec": {"type": "NodePort"}, "status": ingress},
                                  content_type="application/merge-patch+json")
    assert status == 200 and body["status"] == ingress and body["spec"]["type"] == "ClusterIP"
    # A write to the main resource cannot change status.
    patched = core.patch_namespaced_service("lb", "default", {"status": {"loadBalancer": {}}})
    assert patched.status.load_balancer.ingress[0].ip == "192.0.2.7"
    got = core.read_namespaced_service_status("lb", "default")
    assert got.status.load_balancer.ingress[0].ip == "192.0.2.7"
    got.status.load_balancer.ingress[0].ip = "192.0.2.8"
    put = core.replace_namespaced_service_status("lb", "default", got)
    assert put.status.load_balancer.ingress[0].ip == "192.0.2.8"


# --------------------------------------------------------------------------- tables

def cells(table, name):
    names = [c["name"] for c in table["columnDefinitions"]]
    row = next(r for r in table["rows"] if r["cells"][names.index("Name")] == name)
    return dict(zip(names, row["cells"])), row


def test_table_for_pods_statefulsets_claims_and_volumes(sim):
    core, apps = client.CoreV1Api(sim.api()), client.AppsV1Api(sim.api())
    raw = Raw(sim.api())
    apps.create_namespaced_stateful_set("default", sts_body(replicas=3))
    core.create_namespaced_pod("default", pod_body("p", node="node-1"))
    core.create_persistent_volume({"metadata": {"name": "pv-a"}, "spec": {
        "capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/a"},
        "storageClassName": "manual", "claimRef": {"namespace": "default", "name": "claim"}}})
    core.create_namespaced_persistent_volume_claim("default", {"metadata": {"name": "claim"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
        "storageClassName": "manual"}})

    _, table, headers = raw.get("/apis/apps/v1/namespaces/default/statefulsets", accept=TABLE)
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    row, full = cells(table, "web")
    assert row["Ready"].endswith("/3") and row["Images"] == "nginx:1.27" and row["Containers"] == "app"
    assert full["object"]["kind"] == "PartialObjectMetadata"
    assert [c["priority"] for c in table["columnDefinitions"]] == [0, 0, 0, 1, 1]

    _, table, _ = raw.get("/api/v1/namespaces/default/pods/p", accept=TABLE)
    row, _ = cells(table, "p")
    assert row["Ready"] == "0/1" and row["Node"] == "node-1" and row["Restarts"] == "0"
    assert {"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
            "Readiness Gates"} == set(c["name"] for c in table["columnDefinitions"])

    _, table, _ = raw.get("/api/v1/persistentvolumes", accept=TABLE)
    row, _ = cells(table, "pv-a")
    assert (row["Capacity"], row["Access Modes"], row["Reclaim Policy"], row["Claim"], row["StorageClass"]) == \
        ("2Gi", "RWO", "Retain", "default/claim", "manual")

    _, table, _ = raw.get("/api/v1/namespaces/default/persistentvolumeclaims", accept=TABLE,
                          query={"includeObject": "Object"})
    row, full = cells(table, "claim")
    assert row["StorageClass"] == "manual" and row["Status"] in ("Pending", "Bound")
    assert full["object"]["kind"] == "PersistentVolumeClaim" and full["object"]["spec"]["storageClassName"] == "manual"

    _, table, _ = raw.get("/api/v1/nodes", accept=TABLE)
    row, _ = cells(table, sorted(n["metadata"]["name"] for n in sim.store.items("nodes"))[0])
    assert row["Status"] == "Ready"


def test_plain_json_when_table_not_asked(sim):
    status, body, _ = Raw(sim.api()).get("/api/v1/nodes")
    assert status == 200 and body["kind"] == "NodeList" and body["apiVersion"] == "v1"
