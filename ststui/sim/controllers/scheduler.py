"""The scheduler of the simulated cluster: puts each unscheduled pod on a node.

Place in the flow: `observe()` tracks unscheduled pods and how many pods each node runs;
`reconcile()` binds pending pods (sets `spec.nodeName` and the PodScheduled condition, Event
Scheduled) to the eligible node running the fewest pods (ties by node name), so pods
spread and placement is reproducible. A node is eligible when it is Ready, not cordoned,
its NoSchedule/NoExecute taints are tolerated and the pod's nodeSelector matches.

Volumes, as the VolumeBinding plugin does: a missing or deleting claim, or an unbound claim
of an Immediate class, keeps the pod Pending (PodScheduled=False, FailedScheduling); an
unbound claim of a WaitForFirstConsumer class is annotated with
`volume.kubernetes.io/selected-node` and the pod is bound once the claim is Bound. A pod
whose claims carry that annotation goes to that node whenever it is eligible.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import rfc3339
from ..objects import Change
from . import podutil as pu
from .events import NORMAL, WARNING, EventRecorder

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

Key = tuple[str, str]
COMPONENT = "default-scheduler"


def set_condition(status: dict, ctype: str, value: str, now: str, reason: str | None = None,
                  message: str | None = None) -> None:
    """Set a pod/node condition, moving lastTransitionTime only when the status changes."""
    conds = status.setdefault("conditions", [])
    for c in conds:
        if c.get("type") == ctype:
            if c.get("status") != value:
                c["lastTransitionTime"] = now
            c["status"] = value
            if reason:
                c["reason"] = reason
            else:
                c.pop("reason", None)
            if message:
                c["message"] = message
            else:
                c.pop("message", None)
            return
    c = {"type": ctype, "status": value, "lastProbeTime": None, "lastTransitionTime": now}
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    conds.append(c)


class Scheduler:
    def __init__(self, cluster: "Cluster", recorder: EventRecorder) -> None:
        self.cluster = cluster
        self.recorder = recorder
        self._pending: set[Key] = set()
        self._dirty: set[Key] = set()
        self._node_of: dict[Key, str] = {}
        self._load: dict[str, int] = {}

    def observe(self, change: Change) -> None:
        p = change.plural
        if p == "pods":
            m = pu.meta(change.obj)
            key = (m.get("namespace", ""), m.get("name", ""))
            old_node = self._node_of.pop(key, None)
            if old_node:
                self._load[old_node] = self._load.get(old_node, 1) - 1
            if change.type == "DELETED":
                self._pending.discard(key)
                self._dirty.discard(key)
                return
            node = (change.obj.get("spec") or {}).get("nodeName")
            if node:
                self._pending.discard(key)
                if not pu.is_finished(change.obj):
                    self._node_of[key] = node
                    self._load[node] = self._load.get(node, 0) + 1
            elif pu.is_terminating(change.obj):
                self._pending.discard(key)
            else:
                self._pending.add(key)
                self._dirty.add(key)
        elif p in ("nodes", "persistentvolumeclaims", "storageclasses"):
            self._dirty.update(self._pending)

    def next_wakeup(self) -> float | None:
        return None

    def reconcile(self) -> bool:
        store = self.cluster.store
        rv = store.rv
        while self._dirty:
            self._schedule(self._dirty.pop())
        return store.rv != rv

    def _schedule(self, key: Key) -> None:
        store = self.cluster.store
        pod = store.find("pods", key[0], key[1])
        if pod is None or (pod.get("spec") or {}).get("nodeName") or pu.is_terminating(pod):
            return
        nodes = sorted(store.items("nodes"), key=lambda n: pu.natural_key(pu.meta(n)["name"]))
        eligible = {pu.meta(n)["name"]: n for n in nodes if pu.schedulable_on(pod, n)}
        problems: list[str] = []
        unbound_wffc: list[dict] = []
        selected: set[str] = set()
        for cname in pu.claim_names(pod):
            claim = store.find("persistentvolumeclaims", key[0], cname)
            if claim is None:
                problems.append(f'persistentvolumeclaim "{cname}" not found')
                continue
            if pu.is_terminating(claim):
                problems.append(f'persistentvolumeclaim "{cname}" is being deleted')
                continue
            node = (pu.meta(claim).get("annotations") or {}).get(pu.SELECTED_NODE)
            if node in eligible:
                selected.add(node)    # where its volume was (or is being) provisioned
            if (claim.get("status") or {}).get("phase") == "Bound":
                continue
            class_name = (claim.get("spec") or {}).get("storageClassName") or ""
            sc = store.find("storageclasses", None, class_name) if class_name else None
            if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
                unbound_wffc.append(claim)
            else:
                problems.append("pod has unbound immediate PersistentVolumeClaims")
        if not problems and not eligible:
            problems.append(self._why_no_node(pod, nodes))
        if problems:
            self._unschedulable(pod, f"0/{len(nodes)} nodes are available: {problems[0]}.")
            return
        if len(selected) == 1:
            node_name = selected.pop()
        else:
            node_name = min(eligible, key=lambda n: (self._load.get(n, 0), pu.natural_key(n)))
        waiting = False
        for claim in unbound_wffc:
            waiting = True
            cm = pu.meta(claim)
            if (cm.get("annotations") or {}).get(pu.SELECTED_NODE) != node_name:
                store.mutate("persistentvolumeclaims", key[0], cm["name"], lambda o: o["metadata"].setdefault(
                    "annotations", {}).__setitem__(pu.SELECTED_NODE, node_name))
        if waiting:
            return
        now = rfc3339(self.cluster.now())

        def bind(o: dict) -> None:
            o["spec"]["nodeName"] = node_name
            set_condition(o.setdefault("status", {}), "PodScheduled", "True", now)
        store.mutate("pods", key[0], key[1], bind)
        self.recorder.record(pod, NORMAL, "Scheduled",
                             f"Successfully assigned {key[0]}/{key[1]} to {node_name}", COMPONENT)

    @staticmethod
    def _why_no_node(pod: dict, nodes: list[dict]) -> str:
        if not nodes:
            return "no nodes available to schedule pods"
        reasons: dict[str, int] = {}
        for n in nodes:
            if not pu.node_ready(n):
                taints = (n.get("spec") or {}).get("taints") or []
                r = "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }" \
                    if any(t.get("key") == "node.kubernetes.io/unreachable" for t in taints) \
                    else "1 node(s) were not ready"
            elif (n.get("spec") or {}).get("unschedulable"):
                r = "1 node(s) were unschedulable"
            else:
                r = "1 node(s) didn't match Pod's node affinity/selector or had untolerated taints"
            reasons[r] = reasons.get(r, 0) + 1
        parts = [r.replace("1 node(s)", f"{c} node(s)", 1) for r, c in sorted(reasons.items())]
        return ", ".join(parts)

    def _unschedulable(self, pod: dict, message: str) -> None:
        m = pu.meta(pod)
        current = pu.condition(pod, "PodScheduled")
        if current and current.get("status") == "False" and current.get("message") == message:
            return
        now = rfc3339(self.cluster.now())
        self.cluster.store.mutate("pods", m.get("namespace"), m["name"], lambda o: set_condition(
            o.setdefault("status", {}), "PodScheduled", "False", now, "Unschedulable", message))
        self.recorder.record(pod, WARNING, "FailedScheduling", message, COMPONENT)
