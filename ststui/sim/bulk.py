"""Bulk writes: a scenario's many objects put straight into a store that no one watches yet.

Place in the flow: `scenarios.build_scale` writes its pods, claims and volumes through a
`BulkWriter` instead of `ObjectStore.create` / `mutate`. Each object arrives fully formed
(already in the shape admission would give it) and is stored as a create would store it:
a fresh uid, creationTimestamp, the next resourceVersion, and every store listener (the
controllers' indexes) hears an ADDED change. What is skipped is what nobody can observe
during a build: admission, the private copy of the object, the watch history (a build's
history is dropped by `store.compact()` anyway) and the fan-out to watchers (there are
none: the writer refuses a watched store).

Objects written here may share sub-trees that never change (one containers list for
thousands of pods, one labels dict for a set's claims): the store never mutates a stored
object in place (objects.py), every write stores a new tree, so sharing is only memory.
"""
from __future__ import annotations

from .clock import rfc3339
from .objects import GENERATION_KINDS, Change, already_exists
from .resources import BY_PLURAL


class BulkWriter:
    """Writes for one build, under the store's lock (held by the caller)."""

    def __init__(self, store) -> None:
        if store.watchers():
            raise RuntimeError("bulk writes are only for a store that no one watches")
        self.store = store
        self._listeners = list(store._listeners)
        self._now = None
        self._stamp = ""

    def stamp(self, plural: str, obj: dict) -> dict:
        """Give `obj` what a create gives it before storing: uid, creationTimestamp, generation."""
        store = self.store
        meta = obj["metadata"]
        meta["uid"] = store.new_uid()
        now = store.clock.now()
        if now != self._now:
            self._now, self._stamp = now, rfc3339(now)
        meta["creationTimestamp"] = self._stamp
        if plural in GENERATION_KINDS:
            meta["generation"] = 1
        return obj

    def skip(self) -> int:
        """Use up one resourceVersion: a write the API path makes and the bulk path folds
        into the next one (a claim created, then bound). Returns that version."""
        return self.store._bump()

    def put(self, plural: str, obj: dict) -> dict:
        """Store a stamped object (handed over, not copied) at the next resourceVersion."""
        store = self.store
        rt = BY_PLURAL[plural]
        meta = obj["metadata"]
        key = (meta.get("namespace", "") if rt.namespaced else "", meta["name"])
        objects = store._objects[plural]
        if key in objects:
            raise already_exists(rt, meta["name"])
        rv = store._bump()
        meta["resourceVersion"] = str(rv)
        objects[key] = obj
        change = Change(rv, plural, "ADDED", obj, None)
        for fn in self._listeners:
            fn(change)
        return obj
