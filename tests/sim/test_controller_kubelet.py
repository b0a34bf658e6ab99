"""Scheduler, kubelet and node lifecycle, in-process on a manual clock."""
import re

from ststui.sim.clock import parse_rfc3339
from ststui.sim.controllers import podutil as pu
from ststui.sim.controllers.kubelet import create_delay, image_id, ready_delay, stop_delay

from controller_kit import Recorder, make_sts, pods_of, ready


def bare_pod(name, image="nginx:1.27", **spec):
    return {"metadata": {"name": name, "labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": image}], **spec}}


def pod(cluster, name, ns="default"):
    return cluster.store.find("pods", ns, name)


def condition(p, ctype):
    return next(c for c in p["status"]["conditions"] if c["type"] == ctype)


def test_pod_lifecycle_pending_container_creating_running_ready(cluster):
    t0 = cluster.now()
    cluster.store.create("pods", bare_pod("solo"), "default")
    cluster.run_pending()
    p = pod(cluster, "solo")
    assert p["spec"]["nodeName"] == "node-1"
    assert p["status"]["phase"] == "Pending"
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert p["status"]["hostIP"].startswith("172.18.")
    assert condition(p, "PodScheduled")["status"] == "True"
    assert condition(p, "Ready")["status"] == "False"
    cluster.advance(create_delay("default", "solo") + 0.01)
    p = pod(cluster, "solo")
    assert p["status"]["phase"] == "Running" and not ready(p)
    assert re.fullmatch(r"10\.244\.1\.\d+", p["status"]["podIP"])
    status = p["status"]["containerStatuses"][0]
    assert status["started"] is True and status["ready"] is False and status["restartCount"] == 0
    assert status["imageID"] == image_id("nginx:1.27") and status["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert status["containerID"].startswith("containerd://")
    cluster.settle()
    p = pod(cluster, "solo")
    assert ready(p)
    became_ready = parse_rfc3339(condition(p, "Ready")["lastTransitionTime"])
    assert 1 <= became_ready - t0 <= create_delay("default", "solo") + ready_delay("default", "solo") + 1
    reasons = [e["reason"] for e in cluster.store.items("events", "default") if e["involvedObject"]["name"] == "solo"]
    assert reasons[:1] == ["Scheduled"] and {"Pulled", "Created", "Started"} <= set(reasons)


def test_delays_are_reproducible_per_pod_name():
    assert create_delay("ns", "web-0") == create_delay("ns", "web-0")
    assert create_delay("ns", "web-0") != create_delay("ns", "web-1")
    for f in (create_delay, ready_delay, stop_delay):
        assert 1 <= f("a", "b") <= 4


def test_scheduler_spreads_pods_and_honours_taints_and_node_selectors(cluster):
    cluster.store.mutate("nodes", None, "node-3", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]))
    for i in range(4):
        cluster.store.create("pods", bare_pod(f"p{i}"), "default")
    cluster.store.create("pods", bare_pod("tolerant", tolerations=[{"key": "dedicated", "operator": "Exists"}],
                                          nodeSelector={"kubernetes.io/hostname": "node-3"}), "default")
    cluster.store.create("pods", bare_pod("nowhere", nodeSelector={"kubernetes.io/hostname": "node-9"}), "default")
    cluster.settle()
    placed = {p["metadata"]["name"]: p["spec"].get("nodeName") for p in cluster.store.items("pods")}
    assert sorted(placed[f"p{i}"] for i in range(4)) == ["node-1", "node-1", "node-2", "node-2"]
    assert placed["tolerant"] == "node-3"
    assert placed["nowhere"] is None
    cond = condition(pod(cluster, "nowhere"), "PodScheduled")
    assert cond["status"] == "False" and cond["reason"] == "Unschedulable"
    assert cond["message"].startswith("0/3 nodes are available")


def test_never_ready_images(cluster):
    cluster.store.create("pods", bare_pod("bad", image="nginx:1.27-broken"), "default")
    cluster.kubelet.never_ready_images.add("example/app:v2")
    cluster.store.create("pods", bare_pod("listed", image="example/app:v2"), "default")
    cluster.advance(60 * 7)
    for name in ("bad", "listed"):
        p = pod(cluster, name)
        assert p["status"]["phase"] == "Running" and not ready(p)
        restarts = p["status"]["containerStatuses"][0]["restartCount"]
        assert 1 <= restarts <= 4                      # slowly: 1, 2, 3... minutes apart
        assert p["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 1
    unhealthy = [e for e in cluster.store.items("events", "default") if e["reason"] == "Unhealthy"]
    assert unhealthy and unhealthy[0]["type"] == "Warning" and unhealthy[0]["count"] >= 1
    cluster.kubelet.broken_marker = None
    cluster.store.create("pods", bare_pod("fine", image="nginx:1.27-broken"), "default")
    cluster.advance(30)
    assert ready(pod(cluster, "fine"))


def test_failure_images_crash_loop_get_oom_killed_or_cannot_be_pulled(cluster):
    for name, image in (("crash", "app:2-crashloop"), ("oom", "app:2-oom"), ("pull", "app:2-nopull")):
        cluster.store.create("pods", bare_pod(name, image=image), "default")
    cluster.advance(60 * 5)
    for name, reason, code in (("crash", "Error", 1), ("oom", "OOMKilled", 137)):
        p = pod(cluster, name)
        cs = p["status"]["containerStatuses"][0]
        assert p["status"]["phase"] == "Running" and not ready(p)
        assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        assert 1 <= cs["restartCount"] <= 4
        assert cs["lastState"]["terminated"]["reason"] == reason
        assert cs["lastState"]["terminated"]["exitCode"] == code
    p = pod(cluster, "pull")
    assert p["status"]["phase"] == "Pending" and not ready(p)
    assert p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ImagePullBackOff"
    reasons = {(e["involvedObject"]["name"], e["reason"]) for e in cluster.store.items("events", "default")}
    assert ("pull", "Failed") in reasons and ("crash", "BackOff") in reasons


def test_graceful_deletion_waits_for_the_containers_at_most_the_grace_period(cluster):
    cluster.store.create("pods", bare_pod("a"), "default")
    cluster.store.create("pods", bare_pod("b", terminationGracePeriodSeconds=1), "default")
    cluster.settle()
    rec = Recorder(cluster)
    t0 = cluster.now()
    cluster.store.delete("pods", "default", "a")
    cluster.store.delete("pods", "default", "b")
    cluster.run_pending()
    assert pu.is_terminating(pod(cluster, "a"))
    cluster.settle()
    assert pod(cluster, "a") is None and pod(cluster, "b") is None
    gone_a = rec.log[rec.removed("a")][0]
    gone_b = rec.log[rec.removed("b")][0]
    assert t0 < gone_a <= t0 + stop_delay("default", "a") + 1
    assert gone_b <= t0 + 1.01
    assert any(e["reason"] == "Killing" for e in cluster.store.items("events", "default"))


def test_node_not_ready_pods_turn_unready_are_evicted_and_hang_until_forced(cluster):
    make_sts(cluster, replicas=3)
    cluster.settle()
    victim = pods_of(cluster)[1]
    node = victim["spec"]["nodeName"]
    cluster.set_node_ready(node, False)
    cluster.run_pending()
    n = cluster.store.get("nodes", None, node)
    assert condition(n, "Ready")["status"] == "Unknown" and condition(n, "Ready")["reason"] == "NodeStatusUnknown"
    assert {(t["key"], t["effect"]) for t in n["spec"]["taints"]} == {
        ("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}
    p = pods_of(cluster)[1]
    assert p["status"]["phase"] == "Running" and condition(p, "Ready")["status"] == "False"
    cluster.advance(299)
    assert not pu.is_terminating(pods_of(cluster)[1])
    cluster.advance(2)                                   # tolerationSeconds 300 ran out: evicted
    assert pu.is_terminating(pods_of(cluster)[1])
    cluster.advance(3600)                               # nobody confirms the deletion
    p = pods_of(cluster)[1]
    assert p["metadata"]["uid"] == victim["metadata"]["uid"] and pu.is_terminating(p)
    reasons = {e["reason"] for e in cluster.store.items("events")}
    assert {"NodeNotReady", "TaintManagerEviction"} <= reasons
    cluster.store.delete("pods", "default", "web-1", grace_period_seconds=0)
    cluster.settle()
    p = pods_of(cluster)[1]
    assert p["metadata"]["uid"] != victim["metadata"]["uid"] and p["spec"]["nodeName"] != node and ready(p)


def test_node_recovery_finishes_pending_deletions_and_restores_readiness(cluster):
    cluster.store.create("pods", bare_pod("stays"), "default")
    cluster.store.create("pods", bare_pod("goes"), "default")
    cluster.settle()
    node = pod(cluster, "stays")["spec"]["nodeName"]
    assert pod(cluster, "goes")["spec"]["nodeName"] != node
    cluster.set_node_ready(node, False)
    cluster.store.create("pods", bare_pod("later"), "default")
    cluster.advance(30)
    assert pod(cluster, "later")["spec"]["nodeName"] != node          # unreachable nodes get nothing new
    assert not ready(pod(cluster, "stays"))
    cluster.store.mutate("pods", "default", "stays", lambda p: p["spec"].__setitem__(
        "tolerations", [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]))
    cluster.store.delete("pods", "default", "stays")
    cluster.advance(600)
    assert pu.is_terminating(pod(cluster, "stays"))
    cluster.set_node_ready(node, True)
    cluster.settle()
    assert pod(cluster, "stays") is None
    assert not cluster.store.get("nodes", None, node)["spec"].get("taints")


def test_node_recovery_makes_its_pods_ready_again(cluster):
    cluster.store.create("pods", bare_pod("p", tolerations=[
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]), "default")
    cluster.settle()
    node = pod(cluster, "p")["spec"]["nodeName"]
    cluster.set_node_ready(node, False)
    cluster.advance(900)
    assert not ready(pod(cluster, "p")) and not pu.is_terminating(pod(cluster, "p"))
    cluster.set_node_ready(node, True)
    cluster.settle()
    assert ready(pod(cluster, "p"))


def test_pods_of_a_deleted_node_are_removed(cluster):
    cluster.store.create("pods", bare_pod("p"), "default")
    cluster.settle()
    cluster.store.delete("nodes", None, pod(cluster, "p")["spec"]["nodeName"])
    cluster.settle()
    assert pod(cluster, "p") is None


def test_no_ready_node_leaves_pods_pending(cluster):
    for n in ("node-1", "node-2", "node-3"):
        cluster.set_node_ready(n, False)
    cluster.store.create("pods", bare_pod("p"), "default")
    cluster.advance(30)
    p = pod(cluster, "p")
    assert not p["spec"].get("nodeName") and p["status"]["phase"] == "Pending"
    assert "untolerated taint" in condition(p, "PodScheduled")["message"]
    cluster.set_node_ready("node-2", True)
    cluster.settle()
    assert pod(cluster, "p")["spec"]["nodeName"] == "node-2"


def test_containers_wait_for_their_claims_to_be_bound(cluster):
    cluster.store.create("persistentvolumeclaims", {"metadata": {"name": "data"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
        "storageClassName": "manual"}}, "default")
    cluster.store.create("pods", bare_pod("p", nodeName="node-2", volumes=[
        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]), "default")
    cluster.advance(120)
    p = pod(cluster, "p")
    assert p["status"]["phase"] == "Pending"
    assert p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating"
    cluster.store.create("persistentvolumes", {"metadata": {"name": "pv-manual"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
        "hostPath": {"path": "/mnt/manual"}}})
    cluster.settle()
    assert ready(pod(cluster, "p"))
