"""Store: slim projections, replace() after a LIST, watch events, indexes, change sets."""
from __future__ import annotations

import copy
import threading

import factories as f
from ststui.state import slim
from ststui.state.store import Store, is_newer, object_key, split_key, split_ordinal
from ststui.state.topology import build_view


def rvs(items):
    return {((o["metadata"].get("namespace") or ""), o["metadata"]["name"]): o["metadata"]["resourceVersion"]
            for o in items}


# --- slim ---------------------------------------------------------------------------------

def test_slim_pod_keeps_what_the_model_needs_and_drops_the_rest():
    raw = f.pod("web", 3, deleted_at=f.T0 + 100, grace=30, waiting_reason="CrashLoopBackOff", restarts=4)
    s = slim.slim("pods", raw)
    md = s["metadata"]
    assert md["name"] == "web-3" and md["namespace"] == "default"
    assert md["uid"] == raw["metadata"]["uid"] and md["resourceVersion"] == "200"
    assert md["deletionTimestamp"] == raw["metadata"]["deletionTimestamp"]
    assert md["deletionGracePeriodSeconds"] == 30
    assert md["ownerReferences"] == [{"kind": "StatefulSet", "name": "web",
                                      "uid": raw["metadata"]["ownerReferences"][0]["uid"], "controller": True}]
    assert md["labels"]["controller-revision-hash"] == raw["metadata"]["labels"]["controller-revision-hash"]
    assert "managedFields" not in md and "generateName" not in md
    # container ports stay: the port-forward dialog proposes the first one
    assert s["spec"] == {"nodeName": "node-1", "containers": [
        {"name": "nginx", "image": "nginx:1.25", "ports": [{"name": "web", "containerPort": 80, "protocol": "TCP"}]}]}
    assert s["status"]["phase"] == "Running"
    assert s["status"]["podIP"] == raw["status"]["podIP"]
    assert s["status"]["conditions"] == [{"type": "Ready", "status": "True",
                                          "lastTransitionTime": f.ts(f.T0 + 5)}]
    cs = s["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 4 and cs["state"] == {"waiting": {"reason": "CrashLoopBackOff"}}


def test_slim_pods_share_identical_parts():
    a = slim.slim("pods", f.pod("web", 0))
    b = slim.slim("pods", f.pod("web", 1))
    assert a["metadata"]["ownerReferences"] is b["metadata"]["ownerReferences"]
    assert a["metadata"]["labels"] is b["metadata"]["labels"]
    assert a["spec"] is b["spec"]


def test_slim_pod_drops_only_labels_that_repeat_its_name():
    labels = slim.slim("pods", f.pod("web", 2))["metadata"]["labels"]
    assert "apps.kubernetes.io/pod-index" not in labels
    assert "statefulset.kubernetes.io/pod-name" not in labels
    labels = slim.slim("pods", f.pod("web", 2, name="odd-name"))["metadata"]["labels"]
    assert labels["apps.kubernetes.io/pod-index"] == "2"        # not derivable from "odd-name"
    assert "statefulset.kubernetes.io/pod-name" not in labels   # equal to the name


def test_slim_volume_claim_and_node_shapes():
    pv = slim.slim("persistentvolumes", f.volume("pv-1", claim_name="data-web-1", claim_uid=None, phase="Available"))
    assert pv["spec"]["claimRef"] == {"namespace": "default", "name": "data-web-1"}
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["capacity"] == {"storage": "1Gi"} and pv["status"] == {"phase": "Available"}
    pvc = slim.slim("persistentvolumeclaims", f.claim("data", "web", 1, volume="pv-1"))
    assert pvc["spec"]["volumeName"] == "pv-1" and pvc["status"]["capacity"] == {"storage": "1Gi"}
    node = slim.slim("nodes", f.node("node-1", ready=False))
    assert node["status"]["conditions"][0]["status"] == "False"
    assert "lastHeartbeatTime" not in node["status"]["conditions"][0]
    rev = slim.slim("controllerrevisions", f.controller_revision("web", image="nginx:1.27", number=3))
    assert rev["revision"] == 3
    assert rev["data"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    ev = slim.slim("events", f.event("web-0.1", reason="Killing"))
    assert ev["involvedObject"]["name"] == "web-0" and ev["reason"] == "Killing"
    assert ev["source"] == {"component": "kubelet", "host": "node-1"}
    assert set(slim.SLIMMERS) >= {"statefulsets", "pods", "persistentvolumeclaims", "persistentvolumes", "nodes",
                                  "services", "controllerrevisions", "storageclasses", "events"}


def test_slim_records_read_like_the_api_dicts_and_compare_by_content():
    import yaml
    from ststui.state.records import Record, plain
    raw = f.pod("web", 1)
    pod = slim.slim("pods", raw)
    assert isinstance(pod, Record) and set(pod) == {"metadata", "spec", "status"}
    assert pod["metadata"]["name"] == pod.name == "web-1" and pod.get("kind") is None and "kind" not in pod
    as_dict = plain(pod)
    assert type(as_dict) is dict and as_dict == pod and pod == as_dict      # a dict of the same shape
    assert yaml.safe_load(yaml.safe_dump(as_dict)) == as_dict
    assert slim.slim("pods", copy.deepcopy(raw)) == pod                     # equal content, equal records
    moved = copy.deepcopy(raw)
    moved["metadata"]["resourceVersion"] = "999"
    other = slim.slim("pods", moved)
    assert other != pod and other.same_content(pod)                         # only the resourceVersion moved
    pv = slim.slim("persistentvolumes", f.volume("pv-1", claim_name="data-web-1"))
    assert pv["spec"]["claimRef"]["name"] == "data-web-1" and pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"


def test_a_volume_holds_its_claims_strings():
    # memory: the claim's name and uid and the volume's name exist once for both objects
    store = Store()
    claim = f.claim("data", "web", 1, volume="pv-1")
    store.replace("persistentvolumeclaims", [claim], "10")
    store.replace("persistentvolumes", [f.volume("pv-1", claim_name="data-web-1",
                                                 claim_uid=claim["metadata"]["uid"])], "11")
    held_claim = store.get("persistentvolumeclaims", "default", "data-web-1")
    pv = store.get("persistentvolumes", None, "pv-1")
    assert pv.claimName is held_claim.name and pv.claimUid is held_claim.uid and pv.name is held_claim.volumeName


# --- keys and resource versions -----------------------------------------------------------

def test_keys_and_ordinals():
    assert object_key("pods", "default", "web-0") == "pods/default/web-0"
    assert object_key("persistentvolumes", "", "pv-1") == "persistentvolumes/pv-1"
    assert split_key("pods/default/web-0") == ("pods", "default", "web-0")
    assert split_key("nodes/node-1") == ("nodes", "", "node-1")
    assert split_ordinal("web-10") == ("web", 10)
    assert split_ordinal("data-my-db-0") == ("data-my-db", 0)
    assert split_ordinal("web") is None and split_ordinal("web-01") is None and split_ordinal("web-x") is None


def test_resource_versions_compare_as_integers():
    assert is_newer("10", "9") and not is_newer("9", "10") and not is_newer("10", "10")
    assert is_newer("b", "a") and not is_newer("a", "a")


# --- replace ------------------------------------------------------------------------------

def test_replace_holds_exactly_the_list_and_matches_its_resource_versions():
    fam = f.family("web", replicas=3)
    store = Store()
    for plural, items in fam.items():
        store.replace(plural, items, "2000")
    for plural, items in fam.items():
        assert store.resource_versions(plural) == rvs(items)
    assert store.list_resource_version("pods") == "2000"
    # A later LIST without web-2 and with web-1 changed: web-2 is gone, web-1 updated.
    pods = [f.pod("web", 0, rv="1001"), f.pod("web", 1, rv="3000", ready=False)]
    store.take_changes()
    changed = store.replace("pods", pods, "3001")
    assert changed == 2
    assert store.resource_versions("pods") == {("default", "web-0"): "1001", ("default", "web-1"): "3000"}
    assert store.get("pods", "default", "web-2") is None
    assert store.take_changes() == {"pods/default/web-1", "pods/default/web-2"}


def test_replace_within_a_namespace_leaves_other_namespaces_alone():
    store = Store()
    store.replace("pods", [f.pod("web", 0, "a"), f.pod("web", 0, "b")], "10")
    store.replace("pods", [], "11", namespace="a")
    assert store.resource_versions("pods") == {("b", "web-0"): "200"}
    # cluster-scoped plurals ignore the namespace
    store.replace("nodes", [f.node("node-1")], "12")
    store.replace("nodes", [f.node("node-2")], "13", namespace="a")
    assert set(store.resource_versions("nodes")) == {("", "node-2")}


def test_replace_with_unchanged_objects_records_no_change():
    fam = f.family("web", replicas=2)
    store = f.store_with(fam)
    version = store.version
    store.replace("pods", copy.deepcopy(fam["pods"]), "5000")
    assert store.take_changes() == set()
    assert store.version == version


# --- events -------------------------------------------------------------------------------

def test_apply_event_added_modified_deleted():
    store = Store()
    assert store.apply_event("pods", "ADDED", f.pod("web", 0, rv="10"))
    assert store.apply_event("pods", "MODIFIED", f.pod("web", 0, rv="11", ready=False))
    assert store.get("pods", "default", "web-0")["status"]["conditions"][0]["status"] == "False"
    assert store.apply_event("pods", "DELETED", f.pod("web", 0, rv="12", ready=False))
    assert store.get("pods", "default", "web-0") is None
    assert store.take_changes() == {"pods/default/web-0"}


def test_stale_events_are_ignored():
    store = Store()
    store.apply_event("pods", "ADDED", f.pod("web", 0, rv="10", phase="Running"))
    # "9" < "10" as integers (as strings it would look newer)
    assert not store.apply_event("pods", "MODIFIED", f.pod("web", 0, rv="9", phase="Pending"))
    assert not store.apply_event("pods", "MODIFIED", f.pod("web", 0, rv="10", phase="Pending"))
    assert store.get("pods", "default", "web-0")["status"]["phase"] == "Running"
    assert not store.apply_event("pods", "DELETED", f.pod("web", 0, rv="8"))
    assert store.get("pods", "default", "web-0") is not None
    assert not store.apply_event("pods", "BOOKMARK", {"metadata": {"resourceVersion": "99"}})
    assert not store.apply_event("pods", "DELETED", f.pod("web", 5, rv="99"))   # unknown object


def test_a_resource_version_only_change_is_stored_but_not_reported():
    store = f.store_with(f.node("node-1", rv="10"))
    heartbeat = f.node("node-1", rv="11", heartbeat=f.T0 + 40)   # only heartbeat and rv differ
    assert store.apply_event("nodes", "MODIFIED", heartbeat)
    assert store.resource_versions("nodes") == {("", "node-1"): "11"}
    assert store.take_changes() == set()


def test_take_changes_empties_the_set_and_version_increases():
    store = Store()
    v0 = store.version
    store.apply_event("pods", "ADDED", f.pod("web", 0, rv="10"))
    store.apply_event("pods", "ADDED", f.pod("web", 1, rv="11"))
    assert store.version == v0 + 2
    assert store.take_changes() == {"pods/default/web-0", "pods/default/web-1"}
    assert store.take_changes() == set()


# --- indexes ------------------------------------------------------------------------------

def test_pods_index_by_owner_and_by_name_for_orphans():
    store = f.store_with(
        f.statefulset("web", replicas=12),
        [f.pod("web", i) for i in range(12)],
        f.pod("web", 12, owner=False),                      # orphaned pod, same naming
        f.pod("web", 13, owner="ReplicaSet"),                # controlled by something else
        f.pod("other", 0, name="renamed", rv="1"),           # owned by "other", odd name, pod-index label
    )
    pods = store.pods_of("default", "web")
    assert sorted(pods) == list(range(13))
    assert pods[10]["metadata"]["name"] == "web-10"
    assert store.pods_of("default", "other")[0]["metadata"]["name"] == "renamed"


def test_claims_and_volumes_index_by_template_prefix():
    store = f.store_with(
        f.statefulset("my-db", templates=("data", "wal-log")),
        f.claim("data", "my-db", 0), f.claim("wal-log", "my-db", 0), f.claim("data", "my-db", 7),
        f.volume("pv-released", claim_name="data-my-db-9", phase="Released"),
        f.volume("pv-other-ns", claim_ns="other", claim_name="data-my-db-1", phase="Released"),
    )
    assert sorted(store.claims_of("default", "my-db", "data")) == [0, 7]
    assert sorted(store.claims_of("default", "my-db", "wal-log")) == [0]
    named = store.volumes_named_for("default", "my-db", "data")
    assert [(o, pv["metadata"]["name"]) for o, pv in named if pv["metadata"]["name"].startswith("pv-")] == [
        (9, "pv-released")]
    assert [pv["metadata"]["name"] for pv in store.volumes_for_claim("other", "data-my-db-1")] == ["pv-other-ns"]


def test_revisions_and_events_lookups():
    store = f.store_with(
        f.controller_revision("web", image="nginx:1.27", number=2),
        f.controller_revision("web", image="nginx:1.25", number=1),
        f.event("e2", obj_name="web-0", when=f.T0 + 20, reason="Started"),
        f.event("e1", obj_name="web-0", when=f.T0 + 10, reason="Pulled"),
        f.event("e3", obj_name="web-1", when=f.T0 + 10),
    )
    assert [r["revision"] for r in store.revisions_of("default", "web")] == [1, 2]
    assert [e["reason"] for e in store.events_for("Pod", "default", "web-0")] == ["Pulled", "Started"]


# --- change sets -> StatefulSets ----------------------------------------------------------

def _world():
    return f.store_with(
        f.family("web", replicas=2, node_name="node-1"),
        f.family("db", replicas=2, node_name="node-2", service="db"),
        f.family("web", "other", replicas=1, node_name="node-2"),
        f.node("node-1"), f.node("node-2"), f.node("node-3"),
        f.service("nginx"), f.service("db", app="db"),
        f.volume("pv-released", claim_name="data-web-5", phase="Released"),
    )


def test_each_kind_of_change_maps_to_the_statefulsets_it_affects():
    cases = [
        ("pods", "MODIFIED", f.pod("web", 1, rv="9000", ready=False), {("default", "web")}),
        ("persistentvolumeclaims", "MODIFIED", f.claim("data", "db", 0, rv="9000", phase="Lost"), {("default", "db")}),
        ("persistentvolumes", "MODIFIED",
         f.volume("pv-released", claim_name="data-web-5", phase="Failed", rv="9000"), {("default", "web")}),
        ("nodes", "MODIFIED", f.node("node-2", ready=False, rv="9000"), {("default", "db"), ("other", "web")}),
        ("nodes", "MODIFIED", f.node("node-3", ready=False, rv="9000"), set()),
        ("services", "DELETED", f.service("db", app="db", rv="9000"), {("default", "db")}),
        ("controllerrevisions", "ADDED", f.controller_revision("web", image="nginx:2", rv="9000"), {("default", "web")}),
        ("events", "ADDED", f.event("web-1.abc", obj_name="web-1", rv="9000"), {("default", "web")}),
        ("events", "ADDED", f.event("pvc.abc", kind="PersistentVolumeClaim", obj_name="data-db-1", rv="9000"),
         {("default", "db")}),
        ("statefulsets", "MODIFIED", f.statefulset("db", replicas=3, rv="9000", service="db"), {("default", "db")}),
    ]
    for plural, etype, obj, expected in cases:
        store = _world()
        assert store.apply_event(plural, etype, obj), (plural, etype)
        keys = store.take_changes()
        assert len(keys) == 1
        assert store.changed_statefulsets(keys) == expected, (plural, obj["metadata"]["name"])


def test_a_deleted_pod_still_maps_to_its_statefulset():
    store = _world()
    store.apply_event("pods", "DELETED", f.pod("web", 1, rv="9000"))
    keys, sts = store.take_changed_statefulsets()
    assert keys == {"pods/default/web-1"} and sts == {("default", "web")}


def test_a_reclaimed_volume_maps_to_the_set_it_used_to_belong_to():
    store = _world()
    freed = f.volume("pv-released", claim_name=None, phase="Available", rv="9000")   # claimRef removed
    store.apply_event("persistentvolumes", "MODIFIED", freed)
    keys = store.take_changes()
    assert store.changed_statefulsets(keys) == {("default", "web")}


def test_a_replace_after_410_reports_gone_objects_and_their_sets():
    store = _world()
    pods_now = [p for p in f.by_plural(f.family("db", replicas=2, node_name="node-2"))["pods"]]
    store.replace("pods", pods_now, "9999", namespace="default")
    keys, sts = store.take_changed_statefulsets()
    assert keys == {"pods/default/web-0", "pods/default/web-1"}
    assert sts == {("default", "web")}
    assert ("other", "web-0") in store.resource_versions("pods")


# --- concurrency --------------------------------------------------------------------------

def test_views_can_be_built_while_another_thread_writes():
    store = f.store_with(f.family("web", replicas=5), f.node("node-1"), f.service("nginx"))
    errors = []

    def writer():
        try:
            for i in range(300):
                store.apply_event("pods", "MODIFIED", f.pod("web", i % 5, rv=str(10_000 + i), ready=bool(i % 2)))
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    views = [build_view(store, "default", "web", f.NOW) for _ in range(100)]
    thread.join()
    assert not errors
    assert all(len(v.slots) == 5 for v in views)
    assert store.resource_versions("pods")[("default", "web-4")] == str(10_000 + 299)
