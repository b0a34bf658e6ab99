"""The scenarios: empty, demo (every story it promises) and scale:<S>x<R>."""
import pytest

from ststui.sim import scenarios
from ststui.sim.clock import ManualClock, RealClock, parse_rfc3339
from ststui.sim.cluster import Cluster
from ststui.sim.controllers import podutil as pu

from controller_kit import kubectl_rollout_status, names, pods_of, ready, revision

START = 1_800_000_000.0


@pytest.fixture(scope="module")
def demo_template():
    c = Cluster(ManualClock(START))
    scenarios.build("demo", c)
    return c


@pytest.fixture
def demo():
    c = Cluster(ManualClock(START))
    scenarios.build("demo", c)
    return c


def sts(c, ns, name):
    return c.store.get("statefulsets", ns, name)


def test_empty_has_nodes_classes_and_nothing_else(cluster):
    store = cluster.store
    assert names(store.items("namespaces")) == ["default", "kube-system"]
    assert names(store.items("nodes")) == ["node-1", "node-2", "node-3"]
    assert all(pu.node_ready(n) for n in store.items("nodes"))
    classes = {sc["metadata"]["name"]: sc for sc in store.items("storageclasses")}
    assert sorted(classes) == ["retained", "standard"]
    assert (classes["standard"]["provisioner"], classes["standard"]["reclaimPolicy"],
            classes["standard"]["volumeBindingMode"]) == ("rancher.io/local-path", "Delete", "WaitForFirstConsumer")
    assert classes["standard"]["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert (classes["retained"]["reclaimPolicy"], classes["retained"]["volumeBindingMode"]) == ("Retain", "Immediate")
    for plural in ("pods", "statefulsets", "persistentvolumeclaims", "persistentvolumes", "services", "events"):
        assert store.items(plural) == [], plural


def test_unknown_scenario_is_a_value_error():
    with pytest.raises(ValueError, match="unknown scenario"):
        scenarios.build("nope", Cluster(ManualClock()))


def test_demo_history_ends_where_the_clock_was(demo_template):
    c = demo_template
    assert c.now() == pytest.approx(START, abs=1)
    created = [parse_rfc3339(o["metadata"]["creationTimestamp"]) for p in ("namespaces", "pods", "statefulsets")
               for o in c.store.items(p)]
    assert min(created) == pytest.approx(START - scenarios.DEMO_HISTORY_SECONDS, abs=5)
    assert max(created) <= START
    assert len(c.store.items("events")) > 100


def test_demo_canary_mid_way(demo_template):
    c = demo_template
    web = sts(c, "shop", "web")
    assert web["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 3
    status = web["status"]
    pods = pods_of(c, "web", "shop")
    assert {o: revision(p) == status["updateRevision"] for o, p in pods.items()} == \
        {0: False, 1: False, 2: False, 3: True, 4: True}
    assert all(ready(p) for p in pods.values())
    assert kubectl_rollout_status(web) == ("partitioned roll out complete: 2 new pods have been updated...", True)
    assert len(c.store.items("controllerrevisions", "shop")) == 2


def test_demo_on_delete_database_and_released_volumes(demo_template):
    c = demo_template
    pg = sts(c, "db", "postgres")
    assert pg["spec"]["updateStrategy"]["type"] == "OnDelete" and pg["spec"]["replicas"] == 3
    pods = pods_of(c, "postgres", "db")
    status = pg["status"]
    assert [revision(p) == status["updateRevision"] for p in pods.values()] == [False, False, True]
    volumes = {v["metadata"]["name"]: v for v in c.store.items("persistentvolumes")}
    for name, claim in (("pv-db-04", "data-postgres-3"), ("pv-db-05", "data-postgres-4")):
        assert volumes[name]["status"]["phase"] == "Released"
        assert volumes[name]["spec"]["claimRef"]["name"] == claim
        assert volumes[name]["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert volumes["pv-spare-8g"]["status"]["phase"] == "Available"
    bound = {c_["metadata"]["name"]: c_["spec"]["volumeName"] for c_ in c.store.items("persistentvolumeclaims", "db")}
    assert bound == {"data-postgres-0": "pv-db-01", "data-postgres-1": "pv-db-02", "data-postgres-2": "pv-db-03"}


def test_demo_halted_rollout(demo_template):
    c = demo_template
    redis = sts(c, "cache", "redis")
    pods = pods_of(c, "redis", "cache")
    assert "oom" in pods[2]["spec"]["containers"][0]["image"]
    assert pods[2]["status"]["phase"] == "Running" and not ready(pods[2])
    cs = pods[2]["status"]["containerStatuses"][0]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" and cs["restartCount"] >= 1
    assert cs["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    assert ready(pods[0]) and ready(pods[1])
    assert revision(pods[2]) == redis["status"]["updateRevision"] != redis["status"]["currentRevision"]
    assert kubectl_rollout_status(redis) == ("Waiting for 1 pods to be ready...", False)


def test_demo_image_that_cannot_be_pulled(demo_template):
    c = demo_template
    loki = sts(c, "logs", "loki")
    pods = pods_of(c, "loki", "logs")
    assert "nopull" in pods[2]["spec"]["containers"][0]["image"]
    assert pods[2]["status"]["phase"] == "Pending" and not ready(pods[2])
    assert pods[2]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ImagePullBackOff"
    assert revision(pods[2]) == loki["status"]["updateRevision"] != loki["status"]["currentRevision"]
    assert ready(pods[1]) and revision(pods[1]) == loki["status"]["currentRevision"]


def test_demo_pod_stuck_terminating_on_a_not_ready_node(demo_template):
    c = demo_template
    kafka1 = pods_of(c, "kafka", "kafka")[1]
    node = c.store.get("nodes", None, kafka1["spec"]["nodeName"])
    assert pu.is_terminating(kafka1) and not pu.node_ready(node)
    others = [p for p in c.store.items("pods") if p["spec"].get("nodeName") == node["metadata"]["name"]]
    assert names(others) == ["kafka-1"]
    stuck = [p["metadata"]["name"] for p in c.store.items("pods") if pu.is_terminating(p)]
    assert stuck == ["kafka-1"]


def test_demo_services_orphans_ordinals_and_retention(demo_template):
    c = demo_template
    assert sts(c, "search", "elasticsearch")["spec"]["serviceName"] == "elasticsearch-headless"
    assert c.store.find("services", "search", "elasticsearch-headless") is None
    zk_service = c.store.get("services", "search", "zookeeper")
    assert zk_service["spec"]["clusterIP"] != "None"
    assert ordinals_of(c, "clickhouse", "analytics") == list(range(10))
    claims = names(c.store.items("persistentvolumeclaims", "analytics"))
    assert "data-clickhouse-10" in claims and "data-clickhouse-11" in claims
    assert ordinals_of(c, "loki", "logs") == [1, 2]
    assert names(c.store.items("persistentvolumeclaims", "logs")) == ["data-loki-1", "data-loki-2"]
    assert len(c.store.items("controllerrevisions", "search")) == 3      # zookeeper restarted once


def ordinals_of(c, name, ns):
    return list(pods_of(c, name, ns))


def test_demo_stories_can_be_played_on(demo):
    c = demo
    # force-delete the stuck pod: it comes back on the other kafka node
    c.store.delete("pods", "kafka", "kafka-1", grace_period_seconds=0)
    # give pv-db-04 back to data-postgres-3 and scale up
    c.store.patch("persistentvolumes", None, "pv-db-04", "json", [
        {"op": "remove", "path": "/spec/claimRef/uid"}, {"op": "remove", "path": "/spec/claimRef/resourceVersion"}])
    c.store.patch("persistentvolumes", None, "pv-db-05", "merge", {"spec": {"claimRef": None}})
    c.store.patch("statefulsets", "db", "postgres", "merge", {"spec": {"replicas": 4}})
    # step the canary
    c.store.patch("statefulsets", "shop", "web", "merge", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}}})
    c.advance(300)
    kafka1 = pods_of(c, "kafka", "kafka")[1]
    assert not pu.is_terminating(kafka1) and ready(kafka1) and kafka1["spec"]["nodeName"] == "node-4"
    assert c.store.get("persistentvolumeclaims", "db", "data-postgres-3")["spec"]["volumeName"] == "pv-db-04"
    assert c.store.get("persistentvolumes", None, "pv-db-05")["status"]["phase"] == "Available"
    web = sts(c, "shop", "web")
    assert web["status"]["updatedReplicas"] == 3


def test_demo_on_a_real_clock_goes_back_to_real_time():
    c = Cluster(RealClock(2.0))
    scenarios.build("empty", c)
    assert isinstance(c.clock, RealClock) and c.clock.speed == 2.0


@pytest.mark.parametrize("sets,replicas", [(20, 3), (3, 0)])
def test_scale_scenario_is_consistent_and_idle(sets, replicas):
    c = Cluster(ManualClock(START))
    scenarios.build(f"scale:{sets}x{replicas}", c)
    store = c.store
    assert len(store.items("statefulsets")) == sets
    assert len(store.items("pods")) == sets * replicas
    assert len(store.items("persistentvolumeclaims")) == sets * replicas
    assert len(store.items("persistentvolumes")) == sets * replicas
    assert len(store.items("services")) == sets
    assert 1 <= len({s["metadata"]["namespace"] for s in store.items("statefulsets")}) <= 10
    assert all(ready(p) for p in store.items("pods"))
    assert all(v["status"]["phase"] == "Bound" for v in store.items("persistentvolumes"))
    assert all(cl["status"]["phase"] == "Bound" for cl in store.items("persistentvolumeclaims"))
    for s in store.items("statefulsets"):
        st = s["status"]
        assert st["replicas"] == replicas and st["availableReplicas"] == replicas
        assert st["currentRevision"] == st["updateRevision"]
    rv = store.rv
    assert c.run_pending() == 0 and store.rv == rv
    assert c.next_wakeup() is None
    assert store.items("events") == []
    ips = [p["status"]["podIP"] for p in store.items("pods")]
    assert len(set(ips)) == len(ips)


def test_demo_stage_api_ready_for_a_staged_rollout(demo_template):
    c = demo_template
    api = sts(c, "stage", "api")
    assert api["spec"]["replicas"] == 5
    assert api["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 5
    status = api["status"]
    assert status["updateRevision"] != status["currentRevision"]
    pods = [p for p in c.store.items("pods", "stage")]
    assert len(pods) == 5
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in pods} == {status["currentRevision"]}
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.26"}
    assert api["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
