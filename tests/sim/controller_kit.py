"""Helpers for the controller tests: manifests, a change recorder and small readers.

The controller tests drive a `Cluster` on a manual clock (the `cluster` fixture builds the
`empty` scenario) through its store, the way an API client would, and move time with
`settle()` / `advance()`.
"""
from __future__ import annotations

from ststui.sim.clock import parse_rfc3339
from ststui.sim.controllers import podutil as pu
from ststui.sim.scenarios import statefulset

__all__ = ["statefulset", "Recorder", "pods_of", "ordinals", "revision", "ready", "kubectl_rollout_status",
           "make_sts", "set_image", "names"]


def make_sts(cluster, name="web", replicas=3, image="nginx:1.25", ns="default", **kw):
    """Create a StatefulSet through the store (admission included) and return it."""
    kw.setdefault("service", name)
    kw.setdefault("container", "app")
    return cluster.store.create("statefulsets", statefulset(name, image, replicas, **kw), ns)


def set_image(cluster, image, name="web", ns="default", container="app"):
    cluster.store.patch("statefulsets", ns, name, "strategic",
                        {"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}})


def patch(cluster, spec, name="web", ns="default", plural="statefulsets", kind="merge"):
    return cluster.store.patch(plural, ns, name, kind, spec)


def pods_of(cluster, name="web", ns="default") -> dict[int, dict]:
    """Pods named <name>-<ordinal>, by ordinal."""
    out = {}
    for p in cluster.store.items("pods", ns):
        o = pu.ordinal_in(name, p["metadata"]["name"])
        if o >= 0:
            out[o] = p
    return dict(sorted(out.items()))


def ordinals(cluster, name="web", ns="default") -> list[int]:
    return list(pods_of(cluster, name, ns))


def revision(pod: dict) -> str:
    return pod["metadata"]["labels"].get(pu.REVISION_LABEL, "")


def ready(pod: dict) -> bool:
    return pu.is_running_and_ready(pod) and not pu.is_terminating(pod)


def names(objs) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


class Recorder:
    """Records every change of the given plurals: (time, type, name, terminating)."""

    def __init__(self, cluster, plurals=("pods",)):
        self.cluster = cluster
        self.plurals = set(plurals)
        self.log: list[tuple[float, str, str, str, bool, bool]] = []
        cluster.store.add_listener(self._on)

    def _on(self, change):
        if change.plural in self.plurals:
            obj = change.obj
            self.log.append((self.cluster.now(), change.plural, change.type, obj["metadata"]["name"],
                             bool(obj["metadata"].get("deletionTimestamp")),
                             change.type != "DELETED" and ready(obj)))

    def first(self, predicate) -> float | None:
        for entry in self.log:
            if predicate(entry):
                return entry[0]
        return None

    def index(self, predicate) -> int:
        for i, entry in enumerate(self.log):
            if predicate(entry):
                return i
        return -1

    def added(self, name, plural="pods"):
        return self.first(lambda e: e[1] == plural and e[2] == "ADDED" and e[3] == name)

    def became_ready(self, name):
        return self.first(lambda e: e[1] == "pods" and e[3] == name and e[5])

    def deleting(self, name):
        return self.index(lambda e: e[1] == "pods" and e[3] == name and e[4])

    def removed(self, name, plural="pods"):
        return self.index(lambda e: e[1] == plural and e[2] == "DELETED" and e[3] == name)

    def order(self, change_type, plural="pods") -> list[str]:
        seen = []
        for e in self.log:
            if e[1] == plural and e[2] == change_type and e[3] not in seen:
                seen.append(e[3])
        return seen


def kubectl_rollout_status(sts: dict) -> tuple[str, bool]:
    """What `kubectl rollout status sts/NAME` prints for this object, and whether it is done.

    Mirrors the decision order of kubectl's StatefulSetStatusViewer (written from its
    documented behaviour; see polymorphichelpers/rollout_status.go)."""
    spec, status, meta = sts.get("spec") or {}, sts.get("status") or {}, sts["metadata"]
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return "rollout status is only available for RollingUpdate strategy type", True
    observed = status.get("observedGeneration") or 0
    if observed == 0 or meta.get("generation", 0) > observed:
        return "Waiting for statefulset spec update to be observed...", False
    replicas = spec.get("replicas")
    ready_replicas = status.get("readyReplicas") or 0
    if replicas is not None and ready_replicas < replicas:
        return f"Waiting for {replicas - ready_replicas} pods to be ready...", False
    rolling = strategy.get("rollingUpdate")
    updated = status.get("updatedReplicas") or 0
    if rolling is not None:
        partition = rolling.get("partition")
        if replicas is not None and partition is not None and updated < replicas - partition:
            return (f"Waiting for partitioned roll out to finish: {updated} out of {replicas - partition} "
                    f"new pods have been updated..."), False
        return f"partitioned roll out complete: {updated} new pods have been updated...", True
    if status.get("updateRevision") != status.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {updated} pods at revision "
                f"{status.get('updateRevision')}..."), False
    return (f"statefulset rolling update complete {status.get('currentReplicas') or 0} pods at revision "
            f"{status.get('currentRevision')}..."), True


def ts(text) -> float:
    return parse_rfc3339(text) or 0.0
