"""A hand-filled Store for TUI tests: raw API objects, a frozen clock, no threads.

What it holds (namespaces shop and data):
- shop/web: RollingUpdate, 4 replicas, partition 3: a canary mid-way (web-3 updated and
  Ready, web-0..2 on the current revision); headless service `nginx`; claims www-web-0..3,
  an orphan claim www-web-4 (left by a scale-down) and a Released volume whose claimRef
  names www-web-5.
- shop/broken: RollingUpdate, partition 0, broken-2 updated to an image that never
  becomes Ready (ImagePullBackOff): the rollout is halted.
- data/db: OnDelete, 3 replicas; db-0 updated, db-1 and db-2 on the old revision; db-2
  is Terminating on node-3, which is NotReady; its service `db` is missing.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ststui.state.store import Store
from ststui.tui.session import Session

NOW = 1_767_225_600.0          # 2026-01-01T00:00:00Z


def ts(seconds_ago: float) -> str:
    return datetime.fromtimestamp(NOW - seconds_ago, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_rv = [100]


def _meta(name: str, namespace: str | None = None, *, age: float = 3600, **extra: Any) -> dict:
    _rv[0] += 1
    md = {"name": name, "uid": f"uid-{namespace or ''}-{name}", "resourceVersion": str(_rv[0]),
          "creationTimestamp": ts(age)}
    if namespace:
        md["namespace"] = namespace
    md.update(extra)
    return md


def node(name: str, ready: bool = True) -> dict:
    return {"kind": "Node", "metadata": _meta(name, age=86400 * 3),
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "Unknown",
                                       "lastTransitionTime": ts(900 if not ready else 86400)}]}}


def service(namespace: str, name: str, headless: bool = True) -> dict:
    return {"kind": "Service", "metadata": _meta(name, namespace),
            "spec": {"clusterIP": "None" if headless else "10.0.0.12", "selector": {"app": name},
                     "ports": [{"name": "web", "port": 80}]}}


def statefulset(namespace: str, name: str, *, replicas: int, image: str, current: str, update: str,
                strategy: str = "RollingUpdate", partition: int = 0, service_name: str = "",
                templates: tuple[str, ...] = ("www",), status: dict | None = None, age: float = 86400) -> dict:
    strat: dict = {"type": strategy}
    if strategy == "RollingUpdate":
        strat["rollingUpdate"] = {"partition": partition}
    st = {"replicas": replicas, "readyReplicas": replicas, "currentReplicas": replicas,
          "updatedReplicas": 0, "currentRevision": current, "updateRevision": update,
          "observedGeneration": 2, "availableReplicas": replicas}
    st.update(status or {})
    return {
        "kind": "StatefulSet",
        "metadata": _meta(name, namespace, age=age, generation=2),
        "spec": {
            "replicas": replicas, "serviceName": service_name, "selector": {"matchLabels": {"app": name}},
            "podManagementPolicy": "OrderedReady", "updateStrategy": strat,
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "main", "image": image}]}},
            "volumeClaimTemplates": [
                {"metadata": {"name": t}, "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                                                   "resources": {"requests": {"storage": "1Gi"}}}}
                for t in templates],
        },
        "status": st,
    }


def revision(namespace: str, sts: str, name: str, number: int, image: str) -> dict:
    return {"kind": "ControllerRevision",
            "metadata": _meta(name, namespace, labels={"app": sts},
                              ownerReferences=[{"kind": "StatefulSet", "name": sts, "uid": f"uid-{namespace}-{sts}",
                                                "controller": True}]),
            "revision": number,
            "data": {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": sts}},
                                           "spec": {"containers": [{"name": "main", "image": image}]}}}}}


def pod(namespace: str, sts: str, ordinal: int, *, rev: str, node_name: str = "node-1", ready: bool = True,
        phase: str = "Running", waiting: str | None = None, deleting_since: float | None = None,
        age: float = 3000, restarts: int = 0, image: str = "nginx:1.25") -> dict:
    name = f"{sts}-{ordinal}"
    extra: dict = {"labels": {"app": sts, "controller-revision-hash": rev,
                              "statefulset.kubernetes.io/pod-name": name,
                              "apps.kubernetes.io/pod-index": str(ordinal)},
                   "ownerReferences": [{"kind": "StatefulSet", "name": sts, "uid": f"uid-{namespace}-{sts}",
                                        "controller": True}]}
    if deleting_since is not None:
        extra["deletionTimestamp"] = ts(deleting_since - 30)
        extra["deletionGracePeriodSeconds"] = 30
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": ts(age)}}
    return {
        "kind": "Pod",
        "metadata": _meta(name, namespace, age=age, **extra),
        "spec": {"nodeName": node_name, "hostname": name, "containers": [{"name": "main", "image": image}]},
        "status": {"phase": phase, "podIP": f"10.1.{ordinal}.{len(sts)}",
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                   "lastTransitionTime": ts(age - 5)}],
                   "containerStatuses": [{"name": "main", "ready": ready, "restartCount": restarts,
                                          "state": state}]},
    }


def claim(namespace: str, name: str, volume: str | None, *, phase: str = "Bound", age: float = 3000) -> dict:
    spec: dict = {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                  "resources": {"requests": {"storage": "1Gi"}}}
    if volume:
        spec["volumeName"] = volume
    return {"kind": "PersistentVolumeClaim", "metadata": _meta(name, namespace, age=age, labels={}),
            "spec": spec, "status": {"phase": phase, "capacity": {"storage": "1Gi"}}}


def volume(name: str, claim_ns: str | None, claim_name: str | None, *, phase: str = "Bound",
           policy: str = "Delete", uid: str | None = "auto", age: float = 3000) -> dict:
    spec: dict = {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                  "persistentVolumeReclaimPolicy": policy, "storageClassName": "standard"}
    if claim_name:
        ref = {"kind": "PersistentVolumeClaim", "namespace": claim_ns, "name": claim_name}
        if uid == "auto":
            ref["uid"] = f"uid-{claim_ns}-{claim_name}"
        elif uid:
            ref["uid"] = uid
        spec["claimRef"] = ref
    return {"kind": "PersistentVolume", "metadata": _meta(name, age=age), "spec": spec,
            "status": {"phase": phase}}


def event(namespace: str, kind: str, name: str, reason: str, message: str, *, ago: float,
          etype: str = "Normal", count: int = 1) -> dict:
    return {"kind": "Event", "metadata": _meta(f"{name}.{reason.lower()}.{int(ago)}", namespace, age=ago),
            "involvedObject": {"kind": kind, "namespace": namespace, "name": name},
            "reason": reason, "message": message, "type": etype, "count": count,
            "firstTimestamp": ts(ago), "lastTimestamp": ts(ago),
            "source": {"component": "statefulset-controller"}}


def scene_objects() -> dict[str, list[dict]]:
    _rv[0] = 100   # every scene numbers its objects alike, whatever ran before (snapshots show them)
    web_cur, web_upd = "web-5d8f9c6b7", "web-7c4b2d9f1"
    br_cur, br_upd = "broken-6f7d8c9a1", "broken-9a8b7c6d5"
    db_cur, db_upd = "db-4b5c6d7e8", "db-8e7d6c5b4"
    objects: dict[str, list[dict]] = {
        "nodes": [node("node-1"), node("node-2"), node("node-3", ready=False)],
        "services": [service("shop", "nginx"), service("shop", "broken")],
        "statefulsets": [
            statefulset("shop", "web", replicas=4, image="nginx:1.27", current=web_cur, update=web_upd,
                        partition=3, service_name="nginx",
                        status={"currentReplicas": 3, "updatedReplicas": 1}),
            statefulset("shop", "broken", replicas=3, image="nginx:does-not-exist", current=br_cur,
                        update=br_upd, partition=0, service_name="broken",
                        status={"readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 1}),
            statefulset("data", "db", replicas=3, image="postgres:16.2", current=db_cur, update=db_upd,
                        strategy="OnDelete", service_name="db", templates=("data",),
                        status={"readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 1}),
        ],
        "controllerrevisions": [
            revision("shop", "web", web_cur, 1, "nginx:1.25"),
            revision("shop", "web", web_upd, 2, "nginx:1.27"),
            revision("shop", "broken", br_cur, 1, "nginx:1.25"),
            revision("shop", "broken", br_upd, 2, "nginx:does-not-exist"),
            revision("data", "db", db_cur, 1, "postgres:16.1"),
            revision("data", "db", db_upd, 2, "postgres:16.2"),
        ],
        "pods": [
            pod("shop", "web", 0, rev=web_cur, node_name="node-1"),
            pod("shop", "web", 1, rev=web_cur, node_name="node-2"),
            pod("shop", "web", 2, rev=web_cur, node_name="node-1"),
            pod("shop", "web", 3, rev=web_upd, node_name="node-2", age=240, image="nginx:1.27"),
            pod("shop", "broken", 0, rev=br_cur, node_name="node-1"),
            pod("shop", "broken", 1, rev=br_cur, node_name="node-2"),
            pod("shop", "broken", 2, rev=br_upd, node_name="node-1", ready=False, phase="Pending",
                waiting="ImagePullBackOff", age=600, image="nginx:does-not-exist"),
            pod("data", "db", 0, rev=db_upd, node_name="node-1", age=1200, image="postgres:16.2"),
            pod("data", "db", 1, rev=db_cur, node_name="node-2", restarts=2),
            pod("data", "db", 2, rev=db_cur, node_name="node-3", ready=False, deleting_since=600),
        ],
        "persistentvolumeclaims": [
            *[claim("shop", f"www-web-{i}", f"pvc-web-{i}") for i in range(4)],
            claim("shop", "www-web-4", "pv-static-4"),
            *[claim("shop", f"www-broken-{i}", f"pvc-broken-{i}") for i in range(3)],
            *[claim("data", f"data-db-{i}", f"pvc-db-{i}") for i in range(3)],
        ],
        "persistentvolumes": [
            *[volume(f"pvc-web-{i}", "shop", f"www-web-{i}") for i in range(4)],
            volume("pv-static-4", "shop", "www-web-4", policy="Retain"),
            volume("pv-old-5", "shop", "www-web-5", phase="Released", policy="Retain", uid="uid-gone"),
            *[volume(f"pvc-broken-{i}", "shop", f"www-broken-{i}") for i in range(3)],
            *[volume(f"pvc-db-{i}", "data", f"data-db-{i}", policy="Retain") for i in range(3)],
        ],
        "events": [
            event("shop", "StatefulSet", "web", "SuccessfulCreate", "create Pod web-3 in StatefulSet web successful",
                  ago=240),
            event("shop", "StatefulSet", "web", "SuccessfulDelete", "delete Pod web-3 in StatefulSet web successful",
                  ago=250),
            event("shop", "Pod", "broken-2", "Failed", 'Failed to pull image "nginx:does-not-exist"',
                  ago=60, etype="Warning", count=9),
            event("data", "Pod", "db-2", "NodeNotReady", "Node node-3 is not ready", ago=900, etype="Warning"),
        ],
        "storageclasses": [],
    }
    return objects


def fill_store(store: Store | None = None) -> Store:
    store = store or Store()
    for plural, items in scene_objects().items():
        store.replace(plural, items, "1000")
    store.take_changes()
    return store


class RecordingSession(Session):
    """A session over a hand-filled store whose `execute` records plans instead of sending them."""

    def __init__(self, store: Store | None = None, **kwargs: Any) -> None:
        super().__init__(api_client=None, context="test-cluster", namespace=kwargs.pop("namespace", None),
                         store=store or fill_store(), clock=lambda: NOW, **kwargs)
        self.executed: list[tuple[Any, bool]] = []
        self.result_ok = True

    def execute(self, plan: Any, read_only: bool):
        from ststui.kube.ops import OpResult
        self.executed.append((plan, read_only))
        if read_only:
            return OpResult(False, "Read-only mode: nothing was changed.", plan.kubectl)
        if not self.result_ok:
            return OpResult(False, "The server refused the change: conflict.", plan.kubectl)
        return OpResult(True, f"Done: {plan.title}.", plan.kubectl)


def make_app(**kwargs: Any):
    from ststui.tui.app import StsTuiApp
    session = kwargs.pop("session", None) or RecordingSession()
    return StsTuiApp(session, **kwargs)
