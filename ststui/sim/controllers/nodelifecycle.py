"""Node health in the simulated cluster: NotReady nodes, their pods, taint-based eviction.

Place in the flow: `set_node_ready(cluster, name, ready)` (also `cluster.set_node_ready`,
reachable over HTTP through `controls`) plays a node that stops or resumes reporting: its
conditions become Unknown (reason NodeStatusUnknown) and it gets the
`node.kubernetes.io/unreachable` NoSchedule and NoExecute taints, or it recovers.
`NodeLifecycleController` then does what Kubernetes' node lifecycle controller does:
- Events NodeNotReady / NodeReady on the node;
- pods on a NotReady node get Ready=False (Event NodeNotReady);
- after the pod's toleration of the unreachable NoExecute taint runs out
  (`tolerationSeconds`, 300 s when the pod has no such toleration, as the
  DefaultTolerationSeconds admission plugin would give it) the pod is deleted gracefully
  (Event TaintManagerEviction). No kubelet confirms that deletion, so the pod stays
  Terminating until it is force-deleted or the node comes back (see `kubelet`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import parse_rfc3339, rfc3339
from ..objects import ApiError, Change
from . import podutil as pu
from .events import NORMAL, WARNING, EventRecorder
from .scheduler import set_condition

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

UNREACHABLE = "node.kubernetes.io/unreachable"
DEFAULT_TOLERATION_SECONDS = 300
COMPONENT = "node-controller"

_HEALTHY = {  # condition -> (status, reason, message) while the kubelet reports
    "MemoryPressure": ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    "DiskPressure": ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    "PIDPressure": ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    "Ready": ("True", "KubeletReady", "kubelet is posting ready status"),
}


def set_node_ready(cluster: "Cluster", name: str, ready: bool) -> dict:
    """Make node `name` report Ready again, or stop reporting (conditions Unknown + taints)."""
    store = cluster.store
    with store.lock:
        stamp = rfc3339(cluster.now())

        def edit(node: dict) -> None:
            status = node.setdefault("status", {})
            for ctype, (value, reason, message) in _HEALTHY.items():
                if ready:
                    set_condition(status, ctype, value, stamp, reason, message)
                else:
                    set_condition(status, ctype, "Unknown", stamp, "NodeStatusUnknown",
                                  "Kubelet stopped posting node status.")
            for c in status["conditions"]:
                if ready:
                    c["lastHeartbeatTime"] = stamp
                c.pop("lastProbeTime", None)
            spec = node.setdefault("spec", {})
            taints = [t for t in spec.get("taints") or [] if t.get("key") != UNREACHABLE]
            if not ready:
                taints += [{"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": stamp},
                           {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": stamp}]
            if taints:
                spec["taints"] = taints
            else:
                spec.pop("taints", None)
        node = store.mutate("nodes", None, name, edit)
        if node is None:
            raise LookupError(f'nodes "{name}" not found')
        return node


def eviction_time(pod: dict, node: dict, scaled=lambda s: s) -> float | None:
    """When the unreachable NoExecute taint evicts `pod` (None: tolerated forever / no taint)."""
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("key") != UNREACHABLE or taint.get("effect") != "NoExecute":
            continue
        added = parse_rfc3339(taint.get("timeAdded")) or 0.0
        toleration = pu.taint_tolerated(taint, (pod.get("spec") or {}).get("tolerations") or [])
        if toleration is None:
            if any(t.get("key") == UNREACHABLE for t in (pod.get("spec") or {}).get("tolerations") or []):
                return added
            return added + scaled(DEFAULT_TOLERATION_SECONDS)
        seconds = toleration.get("tolerationSeconds")
        return None if seconds is None else added + scaled(max(0, int(seconds)))
    return None


class NodeLifecycleController:
    def __init__(self, cluster: "Cluster", recorder: EventRecorder) -> None:
        self.cluster = cluster
        self.recorder = recorder
        self._ready: dict[str, bool] = {}
        self._by_node: dict[str, set[tuple[str, str]]] = {}
        self._dirty_nodes: set[str] = set()
        self._dirty_pods: set[tuple[str, str]] = set()
        self._timers: dict[tuple[str, str], float] = {}

    def observe(self, change: Change) -> None:
        if change.plural == "nodes":
            self._dirty_nodes.add(pu.meta(change.obj).get("name", ""))
        elif change.plural == "pods":
            m = pu.meta(change.obj)
            key = (m.get("namespace", ""), m.get("name", ""))
            old_node = ((change.old or {}).get("spec") or {}).get("nodeName")
            if old_node:
                self._by_node.get(old_node, set()).discard(key)
            if change.type == "DELETED":
                self._timers.pop(key, None)
                return
            node = (change.obj.get("spec") or {}).get("nodeName")
            if node:
                self._by_node.setdefault(node, set()).add(key)
                if self._ready.get(node) is False:
                    self._dirty_pods.add(key)

    def next_wakeup(self) -> float | None:
        return min(self._timers.values()) if self._timers else None

    def reconcile(self) -> bool:
        store = self.cluster.store
        rv = store.rv
        now = self.cluster.now()
        for key, t in list(self._timers.items()):
            if t <= now:
                del self._timers[key]
                self._dirty_pods.add(key)
        while self._dirty_nodes:
            name = self._dirty_nodes.pop()
            node = store.find("nodes", None, name)
            if node is None:
                self._ready.pop(name, None)
                continue
            ready = pu.node_ready(node)
            was = self._ready.get(name)
            self._ready[name] = ready
            if was is not None and was != ready:
                if ready:
                    self.recorder.record(node, NORMAL, "NodeReady", f"Node {name} status is now: NodeReady",
                                         COMPONENT)
                else:
                    self.recorder.record(node, NORMAL, "NodeNotReady",
                                         f"Node {name} status is now: NodeNotReady", COMPONENT)
            if not ready:
                self._dirty_pods.update(self._by_node.get(name, ()))
        while self._dirty_pods:
            self._sync_pod(self._dirty_pods.pop(), now)
        return store.rv != rv

    def _sync_pod(self, key: tuple[str, str], now: float) -> None:
        store = self.cluster.store
        pod = store.find("pods", key[0], key[1])
        if pod is None:
            return
        node = store.find("nodes", None, (pod.get("spec") or {}).get("nodeName") or "")
        if node is None or pu.node_ready(node):
            return
        if pu.is_ready(pod):
            stamp = rfc3339(now)
            store.mutate("pods", key[0], key[1], lambda o: set_condition(
                o.setdefault("status", {}), "Ready", "False", stamp))
            self.recorder.record(pod, WARNING, "NodeNotReady", "Node is not ready", COMPONENT)
        if pu.is_terminating(pod):
            return
        at = eviction_time(pod, node, self.cluster.scaled)
        if at is None:
            return
        if at > now:
            self._timers[key] = at
            return
        try:
            store.delete("pods", key[0], key[1])
        except ApiError:
            return
        self.recorder.record(pod, NORMAL, "TaintManagerEviction", f"Marking for deletion Pod {key[0]}/{key[1]}",
                             "taint-eviction-controller")
