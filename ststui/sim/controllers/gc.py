"""The garbage collector of the simulated cluster: dependents follow their owners.

Place in the flow: `observe()` keeps an index of live uids and of dependents by owner uid;
`reconcile()` deletes (Background) every object all of whose owners are gone — the pods
and ControllerRevisions of a deleted StatefulSet, the claims a retention policy handed to a
pod or a set (see `statefulset`) — drops owner references to owners that no longer exist
when other owners remain, and finishes Foreground deletions: an owner carrying the
`foregroundDeletion` finalizer loses it once none of its dependents exist any more.
`propagationPolicy=Orphan` is handled by the store itself (it strips the references).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..objects import ApiError, Change
from . import podutil as pu

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

Ident = tuple[str, str, str]   # (plural, namespace, name)
FOREGROUND = "foregroundDeletion"


class GarbageCollector:
    def __init__(self, cluster: "Cluster") -> None:
        self.cluster = cluster
        self._live: dict[str, Ident] = {}
        self._dependents: dict[str, set[Ident]] = {}
        self._dirty: set[Ident] = set()
        self._foreground: set[Ident] = set()

    def observe(self, change: Change) -> None:
        if change.plural == "events":
            return
        m = pu.meta(change.obj)
        ident = (change.plural, m.get("namespace", "") or "", m.get("name", ""))
        uid = m.get("uid")
        if change.old is not None:
            for ref in pu.meta(change.old).get("ownerReferences") or []:
                deps = self._dependents.get(ref.get("uid"))
                if deps is not None:
                    deps.discard(ident)
                    if not deps:
                        del self._dependents[ref.get("uid")]
        if change.type == "DELETED":
            if self._live.get(uid) == ident:
                del self._live[uid]
            self._dirty.update(self._dependents.get(uid, ()))
            for ref in m.get("ownerReferences") or []:
                owner = self._live.get(ref.get("uid"))
                if owner in self._foreground:
                    self._dirty.add(owner)
            return
        if uid:
            self._live[uid] = ident
        for ref in m.get("ownerReferences") or []:
            self._dependents.setdefault(ref.get("uid"), set()).add(ident)
            if ref.get("uid") not in self._live:
                self._dirty.add(ident)
        if m.get("deletionTimestamp") and FOREGROUND in (m.get("finalizers") or []):
            self._foreground.add(ident)
            self._dirty.add(ident)

    def next_wakeup(self) -> float | None:
        return None

    def reconcile(self) -> bool:
        store = self.cluster.store
        rv = store.rv
        while self._dirty:
            ident = self._dirty.pop()
            if ident in self._foreground:
                self._finish_foreground(ident)
            else:
                self._collect(ident)
        return store.rv != rv

    def _collect(self, ident: Ident) -> None:
        store = self.cluster.store
        plural, ns, name = ident
        obj = store.find(plural, ns or None, name)
        if obj is None:
            return
        refs = pu.meta(obj).get("ownerReferences") or []
        if not refs:
            return
        alive = [r for r in refs if r.get("uid") in self._live]
        if not alive:
            if pu.is_terminating(obj):
                return
            try:
                store.delete(plural, ns or None, name, propagation_policy="Background")
            except ApiError:
                pass
        elif len(alive) < len(refs):
            store.mutate(plural, ns or None, name,
                         lambda o: o["metadata"].__setitem__("ownerReferences", alive))

    def _finish_foreground(self, ident: Ident) -> None:
        store = self.cluster.store
        plural, ns, name = ident
        owner = store.find(plural, ns or None, name)
        if owner is None or FOREGROUND not in (pu.meta(owner).get("finalizers") or []):
            self._foreground.discard(ident)
            return
        remaining = False
        for dep in list(self._dependents.get(pu.uid_of(owner), ())):
            d_plural, d_ns, d_name = dep
            obj = store.find(d_plural, d_ns or None, d_name)
            if obj is None:
                continue
            remaining = True
            if not pu.is_terminating(obj):
                try:
                    store.delete(d_plural, d_ns or None, d_name, propagation_policy="Background")
                except ApiError:
                    pass
        if not remaining:
            self._foreground.discard(ident)
            done = store.mutate(plural, ns or None, name, lambda o: o["metadata"].__setitem__(
                "finalizers", [f for f in o["metadata"].get("finalizers") or [] if f != FOREGROUND]))
            # A pod no kubelet will finish (never scheduled, or grace 0) goes once unblocked.
            if plural == "pods" and done is not None and not pu.meta(done).get("finalizers") \
                    and (not (done.get("spec") or {}).get("nodeName")
                         or not pu.meta(done).get("deletionGracePeriodSeconds")):
                store.remove(plural, ns or None, name)
