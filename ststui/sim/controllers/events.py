"""Events for the simulated cluster: what `kubectl get events` and `kubectl describe` show.

Place in the flow: every controller holds the cluster's one `EventRecorder` and calls
`record(obj, type, reason, message)` when it acts (SuccessfulCreate, Scheduled, Started,
ProvisioningSucceeded, NodeNotReady, ...). The recorder writes core/v1 Event objects into
`cluster.store`, so they reach clients through LIST and WATCH like any other object.

As in Kubernetes' client-go recorder:
- an event lives in its object's namespace (cluster-scoped objects such as PVs and Nodes:
  "default"), named `<object name>.<hex nanoseconds>`;
- a repeat of the same (object, type, reason, message, source) bumps `count` and
  `lastTimestamp` of the existing Event instead of writing a new one;
- only the newest `max_events` are kept: the oldest are deleted (the real apiserver expires
  events after an hour instead).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from ..clock import rfc3339
from ..objects import ApiError

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

NORMAL = "Normal"
WARNING = "Warning"


class EventRecorder:
    """Writes and aggregates Events; call only with the store lock held (controllers do)."""

    def __init__(self, cluster: "Cluster", *, max_events: int = 2000, host: str = "") -> None:
        self.cluster = cluster
        self.max_events = max_events
        self.host = host
        self.enabled = True
        # aggregation key -> (namespace, event name); insertion order = age order
        self._by_key: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
        self._last_stamp = 0

    def record(self, obj: dict, etype: str, reason: str, message: str,
               component: str = "statefulset-controller", host: str | None = None) -> dict | None:
        """Record an event about `obj`; returns the stored Event (None when disabled)."""
        if not self.enabled or not obj:
            return None
        store = self.cluster.store
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or "default"
        involved = {
            "kind": obj.get("kind", ""),
            "namespace": meta.get("namespace", "") or None,
            "name": meta.get("name", ""),
            "uid": meta.get("uid", ""),
            "apiVersion": obj.get("apiVersion", "v1"),
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if involved["namespace"] is None:
            del involved["namespace"]
        key = (involved["uid"], involved["kind"], involved["name"], etype, reason, message, component)
        now = self.cluster.now()
        stamp = rfc3339(now)
        with store.lock:
            found = self._by_key.get(key)
            if found is not None:
                ns, name = found
                if store.find("events", ns, name) is not None:
                    def bump(ev: dict) -> None:
                        ev["count"] = int(ev.get("count") or 1) + 1
                        ev["lastTimestamp"] = stamp
                        ev["involvedObject"]["resourceVersion"] = involved["resourceVersion"]
                    self._by_key.move_to_end(key)
                    return store.mutate("events", ns, name, bump)
                del self._by_key[key]
            if store.find("namespaces", None, namespace) is None:
                return None
            nanos = max(int(now * 1e9), self._last_stamp + 1)
            self._last_stamp = nanos
            event = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": f"{involved['name']}.{nanos:x}", "namespace": namespace},
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "source": {"component": component, **({"host": host} if host else {})},
                "firstTimestamp": stamp,
                "lastTimestamp": stamp,
                "count": 1,
                "type": etype,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": host or "",
            }
            try:
                stored = store.create("events", event, namespace, admit=False)
            except ApiError:
                return None
            self._by_key[key] = (namespace, stored["metadata"]["name"])
            self._expire()
            return stored

    def _expire(self) -> None:
        store = self.cluster.store
        while len(self._by_key) > self.max_events:
            _, (ns, name) = self._by_key.popitem(last=False)
            store.remove("events", ns, name)
