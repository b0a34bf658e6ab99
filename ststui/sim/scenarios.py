"""Scenarios: the clusters `ststui sim --scenario NAME` and `ststui --demo` start with.

Place in the flow: `main.build_cluster` creates a `Cluster` on a manual clock and calls
`build(name, cluster)`; afterwards it may swap to a real clock (`cluster.set_clock`).
Scenarios write through `cluster.store` like API clients (admission included) and let
the controllers do the rest, so what they leave behind is what a real cluster would show.

- `empty`: namespaces `default` and `kube-system`, three Ready nodes `node-1..3`, and two
  StorageClasses: `standard` (default class, provisioner rancher.io/local-path, reclaim
  Delete, WaitForFirstConsumer) and `retained` (rancher.io/local-path, Retain, Immediate).
  Nothing else.

- `demo`: `empty` plus kafka nodes `node-4`, `node-5` (label pool=kafka, taint
  dedicated=kafka:NoSchedule), built by scripted API calls on the manual clock over about
  three simulated hours that end at the time the clock showed when `build` was called (the
  clock is moved back first, so ages, events and revisions have a real history):
    shop/web          nginx, 5 replicas, canary mid-way: partition 3, web-4 and web-3 on the
                      new revision (nginx:1.27), web-0..2 on the old one; 2 revisions.
                      PodDisruptionBudget `web` (maxUnavailable 1). Users `viewer` (view
                      everywhere) and `shop-operator` (edit in shop): see rbac_defaults.
    db/postgres       OnDelete; template moved to postgres:16.3, only postgres-2 deleted
                      and recreated, postgres-0/1 left on the old revision. Static storage:
                      pre-created PVs pv-db-01..05 of class `retained` (+ an unused 8Gi
                      pv-spare-8g, too small for any claim). Scaled 5 -> 3 and the claims data-postgres-3/4 deleted:
                      pv-db-04 and pv-db-05 are Released (Retain): one to free (claimRef
                      removed), one to give back to data-postgres-3 on a scale-up
                      (claimRef.uid removed).
    cache/redis       halted rollout: the template moved to redis:7.4-oom, which is killed for
                      memory (OOMKilled, exit code 137) and waits in CrashLoopBackOff;
                      redis-2 runs it, redis-0/1 on redis:7.2.
                      PodDisruptionBudget `redis` (minAvailable 2): no disruption allowed.
    kafka/kafka       pods on the dedicated nodes; node-5 is NotReady and kafka-1 (on it) was
                      evicted and hangs Terminating until force-deleted.
    search/elasticsearch  Parallel; its headless Service `elasticsearch-headless` is missing.
    search/zookeeper  its Service `zookeeper` exists but is not headless; once restarted
                      (`kubectl.kubernetes.io/restartedAt`), so 2 revisions.
    analytics/clickhouse  12 replicas (ordinals past 9), Parallel, minReadySeconds 10,
                      scaled down to 10: claims data-clickhouse-10/11 are orphans (Retain).
    logs/loki         `.spec.ordinals.start: 1`, retention whenScaled/whenDeleted Delete,
                      scaled 3 -> 2: loki-3 and its claim (and volume) are gone; then a
                      rollout to grafana/loki:3.0.0-nopull, which cannot be pulled: loki-2
                      stays Pending in ImagePullBackOff.
    stage/api         ready for a staged rollout: 5 replicas on nginx:1.26, partition 5 held
                      and the template already moved to nginx:1.27 (no pod updated yet).

- `scale:<S>x<R>`: `empty` plus S StatefulSets of R replicas (`app-0000`...) spread over up
  to 10 namespaces (`scale-00`...) and ceil(S*R/100) nodes, each with a headless Service,
  every pod Running and Ready, every claim Bound to a provisioned volume. Objects are
  written in bulk, already consistent, so the controllers find nothing to do but record
  each set's ControllerRevision and status: namespaces, nodes, Services and StatefulSets
  through the store's API path, each set's claims, volumes and pods through
  `scale_bulk.build_set_members` (a `bulk.BulkWriter`: the same objects, uids and
  resourceVersions as the API path, without admission, copies or watch history;
  `build_scale(..., bulk=False)` is that API path). Everything is two days old (ages
  change hourly). The build's history is dropped (watches start from a LIST).

`build` raises `ValueError` for an unknown name.
"""
from __future__ import annotations

import math
import re

from .clock import ManualClock, RealClock, rfc3339
from .controllers import podutil as pu
from .controllers.kubelet import running_ready_status
from .controllers.revisions import new_revision
from . import rbac_defaults
from .bulk import BulkWriter
from .scale_bulk import build_set_members
from .controllers.statefulset import new_claim, new_pod, read_spec
from .controllers.volumes import PV_PROTECTION, PVC_PROTECTION, provisioned_volume

DEMO_HISTORY_SECONDS = 3 * 3600
# Scale objects are two days old, as in a cluster that has been running: ages read "2d"
# and change once an hour, not every second (what an idle TUI then has to repaint).
SCALE_HISTORY_SECONDS = 2 * 86400
SCENARIOS = ("empty", "demo", "scale:<statefulsets>x<replicas>")


def build(name: str, cluster) -> None:
    """Load scenario `name` into `cluster` (see the module docstring)."""
    m = re.fullmatch(r"scale:(\d+)x(\d+)", name or "")
    if name == "empty":
        with _manual_clock(cluster, 0):
            build_empty(cluster)
    elif name == "demo":
        with _manual_clock(cluster, DEMO_HISTORY_SECONDS):
            build_demo(cluster)
    elif m:
        with _manual_clock(cluster, SCALE_HISTORY_SECONDS):
            build_scale(cluster, int(m.group(1)), int(m.group(2)))
    else:
        raise ValueError(f"unknown scenario {name!r}: use empty, demo or scale:<statefulsets>x<replicas>")


class _manual_clock:
    """Build on a manual clock started `history` seconds before the cluster's current time.

    On exit the manual clock shows at least the original time. A cluster that was on a real
    clock goes back to real time at the same speed."""

    def __init__(self, cluster, history: float) -> None:
        self.cluster = cluster
        self.history = history

    def __enter__(self):
        c = self.cluster
        self.original = c.now()
        self.real_speed = None if c.clock.manual else getattr(c.clock, "speed", 1.0)
        if self.history or self.real_speed is not None:
            c.set_clock(ManualClock(self.original - self.history))
        return c.clock

    def __exit__(self, exc_type, exc, tb):
        c = self.cluster
        if exc_type is None:
            if c.now() < self.original:
                c.advance(self.original - c.now())
            c.run_pending()
        if self.real_speed is not None:
            c.set_clock(RealClock(self.real_speed))
        return False


# --------------------------------------------------------------------------- building blocks

def node_object(name: str, index: int, now: str, labels: dict | None = None,
                taints: list | None = None) -> dict:
    octet3, octet4 = 244 + (index - 1) // 254, (index - 1) % 254 + 1
    cond = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    spec: dict = {"podCIDR": f"10.{octet3}.{octet4}.0/24", "podCIDRs": [f"10.{octet3}.{octet4}.0/24"]}
    if taints:
        spec["taints"] = taints
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                              "kubernetes.io/arch": "amd64", **(labels or {})}},
        "spec": spec,
        "status": {
            "conditions": [{"type": t, "status": s, "reason": r, "message": msg,
                            "lastHeartbeatTime": now, "lastTransitionTime": now} for t, s, r, msg in cond],
            "addresses": [{"type": "InternalIP", "address": f"172.18.{(index - 1) // 250}.{(index - 1) % 250 + 2}"},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.32.2", "kubeProxyVersion": "v1.32.2",
                         "osImage": "Debian GNU/Linux 12 (bookworm)", "kernelVersion": "6.8.0-45-generic",
                         "containerRuntimeVersion": "containerd://1.7.24", "architecture": "amd64",
                         "operatingSystem": "linux", "machineID": f"sim{index:029d}",
                         "systemUUID": f"00000000-0000-4000-8000-{index:012d}",
                         "bootID": f"00000000-0000-4000-9000-{index:012d}"},
            "capacity": {"cpu": "8", "memory": "32859412Ki", "pods": "110", "ephemeral-storage": "102626232Ki"},
            "allocatable": {"cpu": "8", "memory": "32757012Ki", "pods": "110", "ephemeral-storage": "102626232Ki"},
        },
    }


def storage_class(name: str, reclaim: str, mode: str, default: bool = False,
                  provisioner: str = "rancher.io/local-path") -> dict:
    meta: dict = {"name": name}
    if default:
        meta["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta,
            "provisioner": provisioner, "reclaimPolicy": reclaim, "volumeBindingMode": mode}


def headless_service(name: str, labels: dict, port: int, port_name: str = "web", headless: bool = True) -> dict:
    spec: dict = {"selector": dict(labels), "ports": [{"name": port_name, "port": port}]}
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": dict(labels)}, "spec": spec}


def statefulset(name: str, image: str, replicas: int, *, service: str, port: int = 80,
                container: str | None = None, storage: str | None = "1Gi", storage_class: str | None = None,
                policy: str = "OrderedReady", strategy: dict | None = None, labels: dict | None = None,
                extra_spec: dict | None = None, template_spec: dict | None = None,
                mount_path: str = "/data") -> dict:
    """A StatefulSet manifest as a user would write it (admission fills in the defaults)."""
    labels = labels or {"app": name}
    container = container or name
    c: dict = {"name": container, "image": image, "ports": [{"name": "web" if port == 80 else container,
                                                            "containerPort": port}]}
    if storage:
        c["volumeMounts"] = [{"name": "data", "mountPath": mount_path}]
    pod_spec = {"containers": [c], **(template_spec or {})}
    spec: dict = {
        "replicas": replicas,
        "serviceName": service,
        "selector": {"matchLabels": dict(labels)},
        "podManagementPolicy": policy,
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
    }
    if strategy:
        spec["updateStrategy"] = strategy
    if storage:
        claim_spec: dict = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}
        if storage_class:
            claim_spec["storageClassName"] = storage_class
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": claim_spec}]
    spec.update(extra_spec or {})
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "labels": dict(labels)},
            "spec": spec}


def pod_disruption_budget(name: str, labels: dict, *, min_available=None, max_unavailable=None) -> dict:
    spec: dict = {"selector": {"matchLabels": dict(labels)}}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}


def static_volume(name: str, size: str, storage_class_name: str, path: str) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "labels": {"type": "local"}},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": "Retain", "storageClassName": storage_class_name,
                     "hostPath": {"path": path}}}


def _set_image(store, ns: str, name: str, container: str, image: str, cause: str | None = None) -> None:
    """What `kubectl set image sts/NAME CONTAINER=IMAGE` sends (plus an optional change-cause)."""
    patch: dict = {"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}}
    if cause:
        patch["metadata"] = {"annotations": {"kubernetes.io/change-cause": cause}}
    store.patch("statefulsets", ns, name, "strategic", patch)


def _scale(store, ns: str, name: str, replicas: int) -> None:
    store.patch("statefulsets", ns, name, "merge", {"spec": {"replicas": replicas}})


def _partition(store, ns: str, name: str, partition: int) -> None:
    store.patch("statefulsets", ns, name, "strategic",
                {"spec": {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}}})


# --------------------------------------------------------------------------- empty

def build_empty(cluster, nodes: int = 3) -> None:
    store = cluster.store
    now = rfc3339(cluster.now())
    for ns in ("default", "kube-system"):
        if store.find("namespaces", None, ns) is None:
            store.create("namespaces", {"metadata": {"name": ns}})
    if not store.items("nodes"):
        for i in range(1, nodes + 1):
            store.create("nodes", node_object(f"node-{i}", i, now))
    if store.find("storageclasses", None, "standard") is None:
        store.create("storageclasses", storage_class("standard", "Delete", "WaitForFirstConsumer", default=True))
    if store.find("storageclasses", None, "retained") is None:
        store.create("storageclasses", storage_class("retained", "Retain", "Immediate"))
    rbac_defaults.install_defaults(store)   # kube-apiserver's bootstrap roles (view, edit, admin, ...)
    cluster.run_pending()


# --------------------------------------------------------------------------- demo

def build_demo(cluster) -> None:
    store = cluster.store
    build_empty(cluster)
    now = rfc3339(cluster.now())
    kafka_taint = [{"key": "dedicated", "value": "kafka", "effect": "NoSchedule"}]
    for i in (4, 5):
        store.create("nodes", node_object(f"node-{i}", i, now, {"pool": "kafka"}, kafka_taint))
    for ns in ("shop", "db", "cache", "kafka", "search", "analytics", "logs", "stage"):
        store.create("namespaces", {"metadata": {"name": ns}})
    rbac_defaults.bind_demo_users(store)     # viewer: view everywhere; shop-operator: edit in shop
    cluster.advance(120)

    # db: static volumes, an OnDelete postgres
    for i, size in enumerate(("10Gi", "10Gi", "10Gi", "20Gi", "20Gi"), start=1):
        store.create("persistentvolumes", static_volume(f"pv-db-{i:02d}", size, "retained", f"/mnt/disks/db-{i:02d}"))
    store.create("persistentvolumes", static_volume("pv-spare-8g", "8Gi", "retained", "/mnt/disks/spare"))
    cluster.advance(180)
    store.create("services", headless_service("postgres", {"app": "postgres"}, 5432, "postgres"), "db")
    store.create("statefulsets", statefulset(
        "postgres", "postgres:16.2", 5, service="postgres", port=5432, storage="10Gi", storage_class="retained",
        strategy={"type": "OnDelete"}, mount_path="/var/lib/postgresql/data"), "db")
    cluster.settle()
    cluster.advance(20 * 60)

    # shop: the web tier that will get a canary
    store.create("services", headless_service("web", {"app": "nginx"}, 80), "shop")
    store.create("statefulsets", statefulset("web", "nginx:1.25", 5, service="web", container="nginx",
                                             labels={"app": "nginx"}, mount_path="/usr/share/nginx/html"), "shop")
    store.create("poddisruptionbudgets", pod_disruption_budget("web", {"app": "nginx"}, max_unavailable=1), "shop")
    cluster.settle()
    cluster.advance(10 * 60)

    # cache: redis, healthy for now
    store.create("services", headless_service("redis", {"app": "redis"}, 6379, "redis"), "cache")
    store.create("poddisruptionbudgets", pod_disruption_budget("redis", {"app": "redis"}, min_available=2), "cache")
    store.create("statefulsets", statefulset("redis", "redis:7.2", 3, service="redis", port=6379,
                                             storage="2Gi"), "cache")
    cluster.settle()
    cluster.advance(10 * 60)

    # kafka on its dedicated nodes
    store.create("services", headless_service("kafka-headless", {"app": "kafka"}, 9092, "broker"), "kafka")
    store.create("statefulsets", statefulset(
        "kafka", "apache/kafka:3.7.0", 3, service="kafka-headless", port=9092, storage="20Gi",
        storage_class="retained", mount_path="/var/lib/kafka/data",
        template_spec={"nodeSelector": {"pool": "kafka"},
                       "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "kafka",
                                        "effect": "NoSchedule"}]}), "kafka")
    cluster.settle()
    cluster.advance(10 * 60)

    # search: elasticsearch without its headless service, zookeeper behind a ClusterIP service
    store.create("statefulsets", statefulset("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.13.4",
                                             3, service="elasticsearch-headless", port=9200, storage="10Gi",
                                             policy="Parallel", mount_path="/usr/share/elasticsearch/data"),
                 "search")
    store.create("services", headless_service("zookeeper", {"app": "zookeeper"}, 2181, "client",
                                              headless=False), "search")
    store.create("statefulsets", statefulset("zookeeper", "zookeeper:3.9.2", 3, service="zookeeper",
                                             port=2181, storage="1Gi"), "search")
    cluster.settle()
    cluster.advance(10 * 60)

    # analytics: ordinals past 9
    store.create("services", headless_service("clickhouse", {"app": "clickhouse"}, 9000, "native"), "analytics")
    store.create("statefulsets", statefulset("clickhouse", "clickhouse/clickhouse-server:24.3", 12,
                                             service="clickhouse", port=9000, storage="5Gi", policy="Parallel",
                                             extra_spec={"minReadySeconds": 10},
                                             mount_path="/var/lib/clickhouse"), "analytics")
    cluster.settle()
    cluster.advance(10 * 60)

    # logs: a non-zero ordinals start and claims that follow their pods
    store.create("services", headless_service("loki", {"app": "loki"}, 3100, "http"), "logs")
    store.create("statefulsets", statefulset(
        "loki", "grafana/loki:2.9.6", 3, service="loki", port=3100, storage="2Gi",
        extra_spec={"ordinals": {"start": 1},
                    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Delete"}},
        mount_path="/loki"), "logs")
    cluster.settle()
    cluster.advance(15 * 60)

    # db: scale down, then the operator deletes the two orphaned claims -> Released volumes
    _scale(store, "db", "postgres", 3)
    cluster.settle()
    cluster.advance(10 * 60)
    for claim in ("data-postgres-3", "data-postgres-4"):
        store.delete("persistentvolumeclaims", "db", claim)
    cluster.settle()
    cluster.advance(5 * 60)

    # logs: scale down with whenScaled=Delete; analytics: scale down leaving orphans
    _scale(store, "logs", "loki", 2)
    cluster.settle()
    cluster.advance(5 * 60)
    _scale(store, "analytics", "clickhouse", 10)
    cluster.settle()
    cluster.advance(5 * 60)

    # search: a rollout restart of zookeeper
    store.patch("statefulsets", "search", "zookeeper", "strategic", {"spec": {"template": {"metadata": {
        "annotations": {pu.RESTARTED_AT: rfc3339(cluster.now())}}}}})
    cluster.settle()
    cluster.advance(5 * 60)

    # db: OnDelete update, only postgres-2 replaced by hand
    _set_image(store, "db", "postgres", "postgres", "postgres:16.3", "kubectl set image sts/postgres postgres=postgres:16.3")
    cluster.settle()
    cluster.advance(60)
    store.delete("pods", "db", "postgres-2")
    cluster.settle()
    cluster.advance(10 * 60)

    # shop: canary — hold, change the image, step the partition down twice
    _partition(store, "shop", "web", 5)
    _set_image(store, "shop", "web", "nginx", "nginx:1.27", "kubectl set image sts/web nginx=nginx:1.27")
    cluster.settle()
    cluster.advance(60)
    _partition(store, "shop", "web", 4)
    cluster.settle()
    cluster.advance(5 * 60)
    _partition(store, "shop", "web", 3)
    cluster.settle()
    cluster.advance(10 * 60)

    # stage: an update held for a staged rollout (`ststui rollout run stage/api`, or `o` in the TUI)
    store.create("services", headless_service("api", {"app": "api"}, 8080, "http"), "stage")
    store.create("statefulsets", statefulset("api", "nginx:1.26", 5, service="api", port=8080, container="api",
                                             labels={"app": "api"}, storage="1Gi"), "stage")
    cluster.settle()
    cluster.advance(5 * 60)
    _partition(store, "stage", "api", 5)
    _set_image(store, "stage", "api", "api", "nginx:1.27", "kubectl set image sts/api api=nginx:1.27")
    cluster.settle()
    cluster.advance(5 * 60)

    # kafka: node-5 stops reporting; kafka-1 gets evicted and hangs Terminating
    cluster.set_node_ready("node-5", False)
    cluster.run_pending()
    cluster.advance(6 * 60)
    cluster.settle()
    cluster.advance(5 * 60)

    # cache: a bad image starts a rollout that halts at redis-2, killed for memory and then in
    # CrashLoopBackOff; logs: an image that cannot be pulled halts loki at loki-2
    # (keep these last: they never settle)
    _set_image(store, "cache", "redis", "redis", "redis:7.4-oom", "kubectl set image sts/redis redis=redis:7.4-oom")
    cluster.advance(60)
    _set_image(store, "logs", "loki", "loki", "grafana/loki:3.0.0-nopull",
               "kubectl set image sts/loki loki=grafana/loki:3.0.0-nopull")
    cluster.advance(4 * 60)


# --------------------------------------------------------------------------- scale

def build_scale(cluster, sets: int, replicas: int, *, bulk: bool = True) -> None:
    """The scale scenario; bulk=False writes every claim, volume and pod through the API
    path (create, then bind), as a client would: slower, and what the bulk path must equal."""
    if sets < 0 or replicas < 0:
        raise ValueError("scale scenario sizes must not be negative")
    store = cluster.store
    total = sets * replicas
    node_count = max(3, math.ceil(total / 100))
    build_empty(cluster, nodes=node_count)
    now = rfc3339(cluster.now())
    existing = len(store.items("nodes"))
    for i in range(existing + 1, node_count + 1):
        store.create("nodes", node_object(f"node-{i}", i, now))
    nodes = sorted(store.items("nodes"), key=lambda n: pu.natural_key(n["metadata"]["name"]))
    namespaces = [f"scale-{i:02d}" for i in range(min(10, max(1, sets)))]
    for ns in namespaces:
        if store.find("namespaces", None, ns) is None:
            store.create("namespaces", {"metadata": {"name": ns}})
    sc = store.get("storageclasses", None, "standard")
    kubelet = cluster.kubelet
    slot = 0
    with store.lock:
        writer = BulkWriter(store) if bulk else None
        for i in range(sets):
            ns = namespaces[i % len(namespaces)]
            name = f"app-{i:04d}"
            labels = {"app": name}
            store.create("services", headless_service(name, labels, 80), ns)
            sts = store.create("statefulsets", statefulset(name, "nginx:1.27", replicas, service=name,
                                                           container="nginx", labels=labels), ns)
            s = read_spec(sts)
            template = sts["spec"]["template"]
            revision = new_revision(sts, 1, 0)["metadata"]["name"]
            if writer is not None:
                placements = []
                for _ in range(replicas):
                    node = nodes[slot % len(nodes)]
                    slot += 1
                    placements.append((node, kubelet.allocate_ip(node)))
                build_set_members(writer, sts, s, revision, sc, placements)
                continue
            for ordinal in range(s.start, s.start + replicas):
                node = nodes[slot % len(nodes)]
                slot += 1
                node_name = node["metadata"]["name"]
                for t in s.claim_templates:
                    _bound_claim(store, sts, t, ordinal, sc, node_name)
                pod = new_pod(sts, template, ordinal, revision)
                pod["spec"]["nodeName"] = node_name
                pod["status"] = running_ready_status(pod, node, kubelet.allocate_ip(node), now)
                store.create("pods", pod, ns, owned=True)
    cluster.run_pending()
    # Nobody watched the build: drop its history (each change holds the old version too),
    # which halves the memory of a large scenario. Watches start from a fresh LIST.
    store.compact()


def _bound_claim(store, sts: dict, template: dict, ordinal: int, sc: dict, node_name: str) -> None:
    ns = sts["metadata"]["namespace"]
    claim = new_claim(sts, template, ordinal)
    claim["spec"].setdefault("storageClassName", sc["metadata"]["name"])
    claim["metadata"]["finalizers"] = [PVC_PROTECTION]
    claim["metadata"]["annotations"] = {pu.SELECTED_NODE: node_name,
                                        "volume.kubernetes.io/storage-provisioner": sc["provisioner"],
                                        "volume.beta.kubernetes.io/storage-provisioner": sc["provisioner"]}
    claim = store.create("persistentvolumeclaims", claim, ns, owned=True)
    pv = provisioned_volume(claim, sc, node_name)
    pv["metadata"]["finalizers"] = [PV_PROTECTION]
    pv["status"] = {"phase": "Bound"}
    pv = store.create("persistentvolumes", pv, owned=True)

    def bind(o: dict) -> None:
        o["spec"]["volumeName"] = pv["metadata"]["name"]
        o["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = "yes"
        o["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = "yes"
        o["status"] = {"phase": "Bound", "accessModes": list(pv["spec"]["accessModes"]),
                       "capacity": dict(pv["spec"]["capacity"])}
    store.mutate("persistentvolumeclaims", ns, claim["metadata"]["name"], bind)


__all__ = ["build", "build_empty", "build_demo", "build_scale", "SCENARIOS", "DEMO_HISTORY_SECONDS"]
