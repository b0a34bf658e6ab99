"""Garbage collection and the event recorder, in-process."""
from ststui.sim.controllers.events import EventRecorder

from controller_kit import make_sts, names, pods_of


def test_dependents_of_a_deleted_owner_are_deleted_in_the_background(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    cluster.store.delete("statefulsets", "default", "web", propagation_policy="Background")
    cluster.run_pending()
    assert all(p["metadata"].get("deletionTimestamp") for p in cluster.store.items("pods"))
    assert cluster.store.items("controllerrevisions") == []
    cluster.settle()
    assert cluster.store.items("pods") == []


def test_foreground_deletion_waits_for_dependents(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    cluster.store.delete("statefulsets", "default", "web", propagation_policy="Foreground")
    cluster.run_pending()
    owner = cluster.store.find("statefulsets", "default", "web")
    assert owner is not None and "foregroundDeletion" in owner["metadata"]["finalizers"]
    cluster.settle()
    assert cluster.store.find("statefulsets", "default", "web") is None
    assert cluster.store.items("pods") == [] and cluster.store.items("controllerrevisions") == []


def test_orphan_deletion_keeps_dependents(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    cluster.store.delete("statefulsets", "default", "web", propagation_policy="Orphan")
    cluster.settle()
    assert sorted(pods_of(cluster)) == [0, 1]
    assert len(cluster.store.items("controllerrevisions")) == 1


def test_dangling_owner_references_are_dropped_when_another_owner_remains(cluster):
    a = cluster.store.create("namespaces", {"metadata": {"name": "a"}})
    cm = {"metadata": {"name": "dep", "ownerReferences": [
        {"apiVersion": "v1", "kind": "Namespace", "name": "a", "uid": a["metadata"]["uid"]},
        {"apiVersion": "v1", "kind": "Namespace", "name": "ghost", "uid": "no-such-uid"}]},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    cluster.store.create("pods", cm, "default")
    cluster.run_pending()
    refs = cluster.store.get("pods", "default", "dep")["metadata"]["ownerReferences"]
    assert [r["name"] for r in refs] == ["a"]


def test_event_fields_and_aggregation(cluster):
    rec = cluster.recorder
    node = cluster.store.get("nodes", None, "node-1")
    first = rec.record(node, "Normal", "Testing", "hello", "tester")
    assert first["metadata"]["namespace"] == "default"              # cluster-scoped: default
    assert first["metadata"]["name"].startswith("node-1.")
    assert first["involvedObject"] == {"kind": "Node", "name": "node-1", "uid": node["metadata"]["uid"],
                                       "apiVersion": "v1", "resourceVersion": node["metadata"]["resourceVersion"]}
    assert first["source"] == {"component": "tester"} and first["count"] == 1 and first["type"] == "Normal"
    cluster.advance(10)
    again = rec.record(node, "Normal", "Testing", "hello", "tester")
    assert again["metadata"]["name"] == first["metadata"]["name"] and again["count"] == 2
    assert again["firstTimestamp"] == first["firstTimestamp"] and again["lastTimestamp"] > first["lastTimestamp"]
    other = rec.record(node, "Warning", "Testing", "something else", "tester")
    assert other["metadata"]["name"] != first["metadata"]["name"]


def test_events_of_namespaced_objects_and_the_cap(cluster):
    recorder = EventRecorder(cluster, max_events=5)
    make_sts(cluster, replicas=0)
    s = cluster.store.get("statefulsets", "default", "web")
    for i in range(8):
        ev = recorder.record(s, "Normal", "Step", f"step {i}")
        assert ev["metadata"]["namespace"] == "default"
        assert ev["involvedObject"]["namespace"] == "default"
    kept = [e["message"] for e in cluster.store.items("events", "default") if e["reason"] == "Step"]
    assert sorted(kept) == [f"step {i}" for i in range(3, 8)]


def test_events_accompany_the_life_of_a_statefulset(cluster):
    make_sts(cluster, replicas=1)
    cluster.settle()
    kinds = {(e["involvedObject"]["kind"], e["reason"]) for e in cluster.store.items("events")}
    assert {("StatefulSet", "SuccessfulCreate"), ("Pod", "Scheduled"), ("Pod", "Started"),
            ("PersistentVolumeClaim", "ProvisioningSucceeded")} <= kinds
    assert names(cluster.store.items("pods")) == ["web-0"]
