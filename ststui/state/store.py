"""The live object cache: slim objects by kind/namespace/name, indexes, change sets.

Place in the flow: the watch worker (`ststui/kube/watch.py`) calls `replace()` after each
LIST and `apply_event()` for each watch event, from its own thread. The UI (about ten
times a second) calls `take_changes()` and `changed_statefulsets()` to learn which
StatefulSet views to rebuild, and `topology.build_view(store, ...)` reads the store
through the indexes below, holding `reading()` so one view sees one consistent state.

Keys: every object is stored under (namespace, name); cluster-scoped objects (nodes,
persistentvolumes, storageclasses, namespaces) use "" as namespace. Change keys are
strings "plural/namespace/name", or "plural/name" for cluster-scoped objects
(`object_key`, `split_key`).

Indexes (kept up to date on every write, never rebuilt by scanning):
- pods by StatefulSet and ordinal: a pod belongs to the StatefulSet named by its
  controller ownerReference (kind StatefulSet); a pod without any controller reference
  falls back to its name `<sts>-<ordinal>` (so an orphaned pod still occupies its slot);
  pods controlled by something else are not indexed;
- claims and volumes by "claim prefix" `<template>-<sts>` and ordinal: the claim name
  `data-web-3` is prefix `data-web`, ordinal 3; volumes by the claim name their claimRef
  names, the same way (so a Released volume whose claim is long gone is still found);
  StatefulSets by their claim prefixes and by their serviceName, to map changes back;
- nodes by name (the primary map), pods by node, services by name, revisions by owning
  StatefulSet, events by involved object.

Change tracking: a write that changes anything besides metadata.resourceVersion records
its key and, computed at that moment from the old and the new object, the StatefulSets
whose views it affects (so a volume whose claimRef was just removed still maps to the
StatefulSet it used to belong to). A write that only moves the resourceVersion (a node
heartbeat, a managedFields update) updates the stored object silently.

Stored objects are never mutated: a write replaces the dict, so readers may keep
references. Callers must not mutate what they get.
"""
from __future__ import annotations

import gc
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from .slim import slim as slim_object

_intern = sys.intern

Obj = dict[str, Any]
NsName = tuple[str, str]

CLUSTER_SCOPED = frozenset({"nodes", "persistentvolumes", "storageclasses", "namespaces"})
WATCHED_PLURALS = ("statefulsets", "pods", "persistentvolumeclaims", "persistentvolumes",
                   "nodes", "services", "controllerrevisions", "storageclasses", "events",
                   "poddisruptionbudgets")

# Kinds named by events' involvedObject, mapped to the plural the store keeps them under.
_KIND_TO_PLURAL = {"StatefulSet": "statefulsets", "Pod": "pods",
                   "PersistentVolumeClaim": "persistentvolumeclaims",
                   "PersistentVolume": "persistentvolumes", "Node": "nodes",
                   "Service": "services", "ControllerRevision": "controllerrevisions"}


def object_key(plural: str, namespace: str | None, name: str) -> str:
    """The change key of one object: "pods/default/web-0", "persistentvolumes/pv-1"."""
    return f"{plural}/{namespace}/{name}" if namespace else f"{plural}/{name}"


def split_key(key: str) -> tuple[str, str, str]:
    """(plural, namespace, name) of a change key; namespace "" for cluster-scoped."""
    parts = key.split("/")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], "", parts[1]
    raise ValueError(f"not an object key: {key!r}")


MAX_ORDINAL = 2**31 - 1   # ordinals and replicas are int32 in the API


def split_ordinal(name: str) -> tuple[str, int] | None:
    """("web", 10) for "web-10"; None when the name does not end in "-<ordinal>".
    The ordinal must be written canonically ("web-01" is not ordinal 1's pod)."""
    prefix, sep, suffix = name.rpartition("-")
    if not sep or not prefix or not suffix.isdigit() or not suffix.isascii():
        return None
    if len(suffix) > 1 and suffix[0] == "0":
        return None
    if len(suffix) > 10 or int(suffix) > MAX_ORDINAL:
        return None     # no StatefulSet has such an ordinal (int32); never parse 5,000 digits
    return prefix, int(suffix)


def is_newer(new_rv: str | None, old_rv: str | None) -> bool:
    """Whether resourceVersion `new_rv` is newer than `old_rv`: as integers when both
    parse, otherwise any different value counts as newer (the API says rvs are opaque)."""
    if new_rv is None or old_rv is None:
        return True
    try:
        return int(new_rv) > int(old_rv)
    except ValueError:
        return new_rv != old_rv


def _not_older(new_rv: str | None, old_rv: str | None) -> bool:
    if new_rv is None or old_rv is None:
        return True
    try:
        return int(new_rv) >= int(old_rv)
    except ValueError:
        return True


def rv_of(obj: Obj) -> str | None:
    """metadata.resourceVersion of a stored object (a dict or a `records.Record`)."""
    if type(obj) is dict:
        return obj["metadata"].get("resourceVersion")
    return obj.resourceVersion


def owner_references(obj: Obj) -> list | None:
    if type(obj) is dict:
        return (obj.get("metadata") or {}).get("ownerReferences")
    return obj.ownerReferences


def _same_content(a: Obj, b: Obj) -> bool:
    """Equal apart from metadata.resourceVersion."""
    if type(a) is not dict or type(b) is not dict:
        return type(a) is type(b) and a.same_content(b)
    if a.keys() != b.keys():
        return False
    for k, va in a.items():
        vb = b[k]
        if k == "metadata":
            if va.keys() != vb.keys():
                return False
            for mk, mv in va.items():
                if mk != "resourceVersion" and mv != vb[mk]:
                    return False
        elif va != vb:
            return False
    return True


MAX_SKIPPED_NOTES = 20   # malformed objects named per kind (the rest are counted)


def _checked(plural: str, raw: Any) -> tuple[NsName, Obj] | str:
    """(key, slim object) of one raw object from the server, or a sentence naming why it
    is skipped: one malformed object must not fail a whole LIST or the watch."""
    kind = plural[:-1]
    md = raw.get("metadata") if isinstance(raw, dict) else None
    name = md.get("name") if isinstance(md, dict) else None
    ns = md.get("namespace") if isinstance(md, dict) else None

    def label() -> str:
        return f"{ns}/{name}" if isinstance(ns, str) and ns and isinstance(name, str) else repr(name)[:80]

    if not isinstance(name, str) or not name or (ns is not None and not isinstance(ns, str)):
        return f"{kind} {label()}: no usable metadata.name/namespace"
    # the key's namespace is the interned string the slim object holds (one per namespace)
    scope = "" if plural in CLUSTER_SCOPED or not ns else _intern(ns)
    try:
        slimmed = slim_object(plural, raw)
        if plural in ("pods", "controllerrevisions"):
            refs = owner_references(slimmed) or ()
            if not isinstance(refs, (list, tuple)) or not all(isinstance(r, dict) for r in refs):
                raise ValueError("ownerReferences is not a list of objects")
        _entries(plural, scope, name, slimmed)
    except Exception as exc:   # a field of the wrong type anywhere the slimmer or indexes look
        return f"{kind} {label()}: malformed ({type(exc).__name__}: {str(exc)[:120]})"
    return (scope, name), slimmed


def controller_ref(obj: Obj) -> Obj | None:
    """The ownerReference with controller: true, if any."""
    for ref in owner_references(obj) or ():
        if ref.get("controller"):
            return ref
    return None


def pod_statefulset_slot(pod: Obj) -> tuple[str, int] | None:
    """(statefulset name, ordinal) a pod occupies, by the rules in the module docstring."""
    name = pod.name
    ref = controller_ref(pod)
    if ref is not None:
        if ref.get("kind") != "StatefulSet":
            return None
        owner = ref.get("name") or ""
        parsed = split_ordinal(name)
        if parsed is not None and parsed[0] == owner:
            return owner, parsed[1]
        index = (pod.labels or {}).get("apps.kubernetes.io/pod-index")
        if isinstance(index, str) and index.isdigit() and len(index) <= 10 and int(index) <= MAX_ORDINAL:
            return owner, int(index)
        return None
    return split_ordinal(name)


# Index names. Members are kept as dict keys (a small dict is half the bytes of a small
# set); the ordinal indexes map a member's name to its ordinal (no tuple per member).
PODS_BY_STS = "pods_by_sts"                 # (ns, sts) -> {pod name: ordinal}
PODS_BY_NODE = "pods_by_node"               # node -> {(ns, pod name): None}   (StatefulSet pods only)
CLAIMS_BY_PREFIX = "claims_by_prefix"       # (ns, "<tpl>-<sts>") -> {claim name: ordinal}
VOLUMES_BY_PREFIX = "volumes_by_prefix"     # (ns, "<tpl>-<sts>") -> {pv name: ordinal}
STS_BY_SERVICE = "sts_by_service"           # (ns, service) -> {sts: None}
STS_BY_PREFIX = "sts_by_prefix"             # (ns, "<tpl>-<sts>") -> {sts: None}
REVISIONS_BY_STS = "revisions_by_sts"       # (ns, sts) -> {revision name: None}
EVENTS_BY_OBJECT = "events_by_object"       # (ns, kind, name) -> {(ns, event name): None}

# (index name, index key, member, value): value is the ordinal in the ordinal indexes
Entry = tuple[str, Any, Any, Any]

_BATCH = 512   # objects written per lock hold during replace()


def _entries(plural: str, ns: str, name: str, obj: Obj, key: NsName | None = None) -> tuple[Entry, ...]:
    """The index memberships of one stored object; `key`: its (ns, name) key in the store
    (members that are keys then share that tuple)."""
    if plural == "pods":
        slot = pod_statefulset_slot(obj)
        if slot is None:
            return ()
        out: list[Entry] = [(PODS_BY_STS, (ns, slot[0]), name, slot[1])]
        node = obj.nodeName
        if node:
            out.append((PODS_BY_NODE, node, key or (ns, name), None))
        return tuple(out)
    if plural == "persistentvolumeclaims":
        parsed = split_ordinal(name)
        if parsed is None:
            return ()
        return ((CLAIMS_BY_PREFIX, (ns, parsed[0]), name, parsed[1]),)
    if plural == "persistentvolumes":
        if not obj.claimName:
            return ()
        parsed = split_ordinal(obj.claimName)
        if parsed is None:
            return ()
        return ((VOLUMES_BY_PREFIX, (obj.claimNamespace or "", parsed[0]), name, parsed[1]),)
    if plural == "statefulsets":
        spec = obj.get("spec") or {}
        out = []
        service = spec.get("serviceName")
        if service:
            out.append((STS_BY_SERVICE, (ns, service), name, None))
        for tpl in spec.get("volumeClaimTemplates") or ():
            tname = (tpl.get("metadata") or {}).get("name")
            if tname:
                out.append((STS_BY_PREFIX, (ns, f"{tname}-{name}"), name, None))
        return tuple(out)
    if plural == "controllerrevisions":
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != "StatefulSet":
            return ()
        return ((REVISIONS_BY_STS, (ns, ref.get("name")), name, None),)
    if plural == "events":
        inv = obj.get("involvedObject") or {}
        if not inv.get("name"):
            return ()
        return ((EVENTS_BY_OBJECT, (inv.get("namespace") or "", inv.get("kind") or "", inv["name"]),
                 key or (ns, name), None),)
    return ()


class Store:
    """Thread-safe cache of slim objects with indexes and change tracking."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._objects: dict[str, dict[NsName, Obj]] = {p: {} for p in WATCHED_PLURALS}
        self._idx: dict[str, dict[Any, dict]] = {name: {} for name in (
            PODS_BY_STS, PODS_BY_NODE, CLAIMS_BY_PREFIX, VOLUMES_BY_PREFIX,
            STS_BY_SERVICE, STS_BY_PREFIX, REVISIONS_BY_STS, EVENTS_BY_OBJECT)}
        # change key -> StatefulSets it affects, as recorded at change time
        self._pending: dict[str, tuple[NsName, ...]] = {}
        self._last_taken: dict[str, tuple[NsName, ...]] = {}
        self._list_rv: dict[tuple[str, str | None], str] = {}
        self._skipped: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self._skipped_events: list[str] = []
        self._version = 0

    def release(self) -> None:
        """The session this store served is gone (the app switched context or namespace):
        drop every object, index and change. Whatever still holds the store (a watch
        worker finishing, a frozen reference cycle) then holds an empty one."""
        with self._lock:
            self._objects = {p: {} for p in WATCHED_PLURALS}
            self._idx = {name: {} for name in self._idx}
            self._pending, self._last_taken = {}, {}
            self._list_rv, self._skipped, self._skipped_events = {}, {}, []

    # --- writing --------------------------------------------------------------------

    def replace(self, plural: str, items: Iterable[Obj], resource_version: str,
                namespace: str | None = None) -> int:
        """After a LIST: hold exactly `items` (raw dicts) for `plural`, within `namespace`
        if given (ignored for cluster-scoped plurals). Objects absent from `items` are
        removed. Returns how many stored objects changed."""
        scope = None if plural in CLUSTER_SCOPED else namespace
        changed = 0
        # A LIST creates tens of thousands of small objects at once: the cyclic GC would
        # rescan the whole heap several times meanwhile (measured: a third of the time).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            changed = self._replace(plural, items, resource_version, scope)
        finally:
            if gc_was_enabled:
                gc.enable()
        return changed

    def _replace(self, plural: str, items: Iterable[Obj], resource_version: str,
                 scope: str | None) -> int:
        # Slimming happens outside the lock, and writes go in batches, so readers (the UI
        # building views) wait at most one batch; `items` may be a generator over pages.
        changed = 0
        with self._lock:
            bucket = self._bucket(plural)
        seen: set[NsName] = set()
        batch: list[tuple[NsName, Obj]] = []
        skipped: list[str] = []
        more = 0
        for raw in items:
            parsed = _checked(plural, raw)
            if isinstance(parsed, str):
                if len(skipped) < MAX_SKIPPED_NOTES:
                    skipped.append(parsed)
                else:
                    more += 1
                continue
            key, new = parsed
            if plural == "persistentvolumes":
                key = self._share_claim_strings(key, new)
            seen.add(key)
            old = bucket.get(key)
            # By content, never by resourceVersion alone: after a server restore or
            # replacement an equal resourceVersion string may name different content.
            if old is not None and rv_of(old) == rv_of(new) and _same_content(old, new):
                continue
            batch.append((key, new))
            if len(batch) >= _BATCH:
                changed += self._upsert_batch(plural, bucket, batch)
                batch = []
        changed += self._upsert_batch(plural, bucket, batch)
        with self._lock:
            gone = [key for key in bucket if key not in seen and (scope is None or key[0] == scope)]
            for key in gone:
                self._remove(plural, bucket, key)
                changed += 1
            self._list_rv[(plural, scope)] = resource_version
            if more:
                skipped.append(f"{plural[:-1]} … and {more} more malformed objects")
            self._skipped[(plural, scope)] = tuple(skipped)
        return changed

    def _upsert_batch(self, plural: str, bucket: dict[NsName, Obj], batch: list[tuple[NsName, Obj]]) -> int:
        changed = 0
        with self._lock:
            for key, obj in batch:
                if self._upsert(plural, bucket, key, obj):
                    changed += 1
        return changed

    def apply_event(self, plural: str, event_type: str, obj: Obj) -> bool:
        """Apply one watch event (ADDED / MODIFIED / DELETED; others are ignored).
        An ADDED or MODIFIED whose resourceVersion is not newer than the stored one is
        stale and ignored; a DELETED older than the stored object is ignored too.
        Returns whether the store applied it."""
        if event_type not in ("ADDED", "MODIFIED", "DELETED"):
            return False
        parsed = _checked(plural, obj)
        if isinstance(parsed, str):
            with self._lock:
                self._skipped_events.append(parsed)
                del self._skipped_events[:-MAX_SKIPPED_NOTES]
            return False
        key, slimmed = parsed
        if plural == "persistentvolumes":
            key = self._share_claim_strings(key, slimmed)
        rv = rv_of(slimmed)
        with self._lock:
            bucket = self._bucket(plural)
            old = bucket.get(key)
            old_rv = rv_of(old) if old is not None else None
            if event_type == "DELETED":
                if old is None or not _not_older(rv, old_rv):
                    return False
                self._remove(plural, bucket, key)
                return True
            if old is not None and not is_newer(rv, old_rv):
                return False
            self._upsert(plural, bucket, key, slimmed)
            return True

    def skipped(self, plural: str, namespace: str | None = None) -> tuple[str, ...]:
        """Sentences naming the malformed objects the last `replace()` of `plural` skipped,
        and those skipped in watch events since (most recent last, bounded)."""
        scope = None if plural in CLUSTER_SCOPED else namespace
        with self._lock:
            events = tuple(n for n in self._skipped_events if n.startswith(f"{plural[:-1]} "))
            return self._skipped.get((plural, scope), ()) + events

    def _share_claim_strings(self, key: NsName, pv: Any) -> NsName:
        """A volume and its claim name each other (spec.volumeName, spec.claimRef): let a
        new volume record hold the claim's string objects for the names and the uid they
        share (three strings per volume fewer). Called before the record is stored;
        returns the key to store it under (with the shared name)."""
        if not pv.claimName:
            return key
        claim = self._objects["persistentvolumeclaims"].get((pv.claimNamespace or "", pv.claimName))
        if claim is None:
            return key
        pv.claimName = claim.name
        if pv.claimUid is not None and pv.claimUid == claim.uid:
            pv.claimUid = claim.uid
        if claim.volumeName == pv.name:
            pv.name = claim.volumeName
            key = ("", claim.volumeName)
        return key

    def _bucket(self, plural: str) -> dict[NsName, Obj]:
        bucket = self._objects.get(plural)
        if bucket is None:
            bucket = self._objects[plural] = {}
        return bucket

    def _upsert(self, plural: str, bucket: dict[NsName, Obj], key: NsName, new: Obj) -> bool:
        old = bucket.get(key)
        bucket[key] = new
        # Index memberships are a pure function of the object: recomputed, not stored.
        old_entries = _entries(plural, key[0], key[1], old) if old is not None else ()
        new_entries = _entries(plural, key[0], key[1], new, key)
        if old_entries != new_entries:
            self._unindex(old_entries)
            self._index(new_entries)
        if old is not None and _same_content(old, new):
            return False
        affected = self._affected(plural, key, (old_entries, new_entries), (old, new))
        self._record(plural, key, affected)
        return True

    def _remove(self, plural: str, bucket: dict[NsName, Obj], key: NsName) -> None:
        old = bucket.pop(key)
        old_entries = _entries(plural, key[0], key[1], old)
        affected = self._affected(plural, key, (old_entries,), (old,))
        self._unindex(old_entries)
        self._record(plural, key, affected)

    def _index(self, entries: tuple[Entry, ...]) -> None:
        for index_name, ikey, member, value in entries:
            index = self._idx[index_name]
            members = index.get(ikey)
            if members is None:
                index[ikey] = {member: value}
            else:
                members[member] = value

    def _unindex(self, entries: tuple[Entry, ...]) -> None:
        for index_name, ikey, member, value in entries:
            index = self._idx[index_name]
            members = index.get(ikey)
            if members is not None and member in members and members[member] == value:
                del members[member]
                if not members:
                    del index[ikey]

    def _record(self, plural: str, key: NsName, affected: set[NsName]) -> None:
        okey = object_key(plural, key[0], key[1])
        pending = self._pending.get(okey)
        if pending is None:
            self._pending[okey] = tuple(affected)
        elif affected - set(pending):
            self._pending[okey] = tuple(affected.union(pending))
        self._version += 1

    # --- mapping changes to StatefulSets ----------------------------------------------

    def _affected(self, plural: str, key: NsName, entry_sets: tuple[tuple[Entry, ...], ...],
                  objs: tuple[Obj | None, ...]) -> set[NsName]:
        ns, name = key
        out: set[NsName] = set()
        if plural == "statefulsets":
            out.add(key)
        elif plural == "pods":
            for entries in entry_sets:
                for index_name, ikey, _, _ in entries:
                    if index_name == PODS_BY_STS:
                        out.add(ikey)
        elif plural in ("persistentvolumeclaims", "persistentvolumes"):
            wanted = CLAIMS_BY_PREFIX if plural == "persistentvolumeclaims" else VOLUMES_BY_PREFIX
            by_prefix = self._idx[STS_BY_PREFIX]
            for entries in entry_sets:
                for index_name, ikey, _, _ in entries:
                    if index_name == wanted:
                        for sts in by_prefix.get(ikey, ()):
                            out.add((ikey[0], sts))
        elif plural == "nodes":
            for pod_ns, pod_name in self._idx[PODS_BY_NODE].get(name, ()):
                sts = self._pod_owner(pod_ns, pod_name)
                if sts is not None:
                    out.add(sts)
        elif plural == "services":
            for sts in self._idx[STS_BY_SERVICE].get(key, ()):
                out.add((ns, sts))
        elif plural == "controllerrevisions":
            for entries in entry_sets:
                for index_name, ikey, _, _ in entries:
                    if index_name == REVISIONS_BY_STS:
                        out.add(ikey)
        elif plural == "poddisruptionbudgets":     # a budget may cover any set of its namespace
            out |= {k for k in self._objects["statefulsets"] if k[0] == ns}
        elif plural == "events":
            for obj in objs:
                if obj is not None:
                    inv = obj.get("involvedObject") or {}
                    out |= self._statefulsets_of_object(inv.get("kind") or "",
                                                        inv.get("namespace") or "", inv.get("name") or "")
        return out

    def _pod_owner(self, ns: str, pod_name: str) -> NsName | None:
        pod = self._objects["pods"].get((ns, pod_name))
        slot = pod_statefulset_slot(pod) if pod is not None else None
        return (ns, slot[0]) if slot is not None else None

    def _statefulsets_of_object(self, kind: str, ns: str, name: str) -> set[NsName]:
        """StatefulSets (that exist) whose views show the object an event is about.
        Events about nodes are not mapped: they would touch every set on the node."""
        plural = _KIND_TO_PLURAL.get(kind)
        if plural is None or plural == "nodes":
            return set()
        if plural == "statefulsets":
            candidates = {(ns, name)}
        else:
            key = ("" if plural in CLUSTER_SCOPED else ns, name)
            obj = self._objects.get(plural, {}).get(key)
            entries = _entries(plural, key[0], key[1], obj) if obj is not None else ()
            candidates = self._affected(plural, key, (entries,), (obj,))
            if not candidates and plural == "pods":
                parsed = split_ordinal(name)
                if parsed is not None:
                    candidates = {(ns, parsed[0])}
        sts_bucket = self._objects["statefulsets"]
        return {c for c in candidates if c in sts_bucket}

    def take_changes(self) -> set[str]:
        """The keys changed since the last call (and forget them)."""
        with self._lock:
            keys = set(self._pending)
            self._last_taken = self._pending
            self._pending = {}
            return keys

    def changed_statefulsets(self, keys: Iterable[str]) -> set[NsName]:
        """(namespace, name) of every StatefulSet whose view the changes `keys` affect:
        as recorded when each change happened (before and after it), or, when nothing
        was recorded (a claim written before its StatefulSet was known), what the object
        maps to now. Includes StatefulSets that were just deleted.

        A recorded mapping is not looked up again: it can only go out of date through a
        change to a StatefulSet, a Service or a pod, which is itself a change and
        rebuilds its own views (this lookup was a third of the UI's work in a sync)."""
        out: set[NsName] = set()
        with self._lock:
            for key in keys:
                recorded = self._pending.get(key)
                if recorded is None:
                    recorded = self._last_taken.get(key)
                if recorded:
                    out.update(recorded)
                    continue
                plural, ns, name = split_key(key)
                obj = self._objects.get(plural, {}).get((ns, name))
                entries = _entries(plural, ns, name, obj) if obj is not None else ()
                out |= self._affected(plural, (ns, name), (entries,), (obj,))
        return out

    def take_changed_statefulsets(self) -> tuple[set[str], set[NsName]]:
        """`take_changes()` and `changed_statefulsets()` of those keys, atomically."""
        with self._lock:
            keys = self.take_changes()
            return keys, self.changed_statefulsets(keys)

    # --- reading ----------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Increases by one with every recorded change."""
        return self._version

    @contextmanager
    def reading(self) -> Iterator["Store"]:
        """Hold the store still while building views: `with store.reading() as s: ...`."""
        with self._lock:
            yield self

    def get(self, plural: str, namespace: str | None, name: str) -> Obj | None:
        ns = "" if plural in CLUSTER_SCOPED else namespace or ""
        with self._lock:
            return self._objects.get(plural, {}).get((ns, name))

    def items(self, plural: str, namespace: str | None = None) -> list[Obj]:
        """Stored objects of `plural` (all, or those in `namespace`)."""
        with self._lock:
            bucket = self._objects.get(plural, {})
            if namespace is None or plural in CLUSTER_SCOPED:
                return list(bucket.values())
            return [obj for (ns, _), obj in bucket.items() if ns == namespace]

    def resource_versions(self, plural: str) -> dict[NsName, str | None]:
        """{(namespace, name): resourceVersion}; namespace "" for cluster-scoped."""
        with self._lock:
            return {key: rv_of(obj) for key, obj in self._objects.get(plural, {}).items()}

    def list_resource_version(self, plural: str, namespace: str | None = None) -> str | None:
        """The resourceVersion of the last `replace()` for `plural` (and scope)."""
        scope = None if plural in CLUSTER_SCOPED else namespace
        with self._lock:
            return self._list_rv.get((plural, scope))

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {plural: len(bucket) for plural, bucket in self._objects.items()}

    def statefulset_keys(self, namespaces: Iterable[str] | None = None) -> list[NsName]:
        """(namespace, name) of the stored StatefulSets, sorted, optionally filtered."""
        wanted = None if namespaces is None else set(namespaces)
        with self._lock:
            keys = list(self._objects["statefulsets"])
        if wanted is not None:
            keys = [k for k in keys if k[0] in wanted]
        keys.sort()
        return keys

    def pods_of(self, namespace: str, statefulset: str) -> dict[int, Obj]:
        """{ordinal: pod} of one StatefulSet (owned pods, and unowned pods named like its
        pods). Should two pods claim one ordinal, the one named `<sts>-<ordinal>` wins."""
        with self._lock:
            members = self._idx[PODS_BY_STS].get((namespace, statefulset))
            if not members:
                return {}
            bucket = self._objects["pods"]
            out: dict[int, Obj] = {}
            for ordinal, pod_name in sorted((o, n) for n, o in members.items()):
                pod = bucket.get((namespace, pod_name))
                if pod is None:
                    continue
                if ordinal in out and out[ordinal].name == f"{statefulset}-{ordinal}":
                    continue
                out[ordinal] = pod
            return out

    def claims_of(self, namespace: str, statefulset: str, template: str) -> dict[int, Obj]:
        """{ordinal: claim} of the claims named `<template>-<statefulset>-<ordinal>`."""
        with self._lock:
            members = self._idx[CLAIMS_BY_PREFIX].get((namespace, f"{template}-{statefulset}"))
            if not members:
                return {}
            bucket = self._objects["persistentvolumeclaims"]
            return {ordinal: bucket[(namespace, claim)] for claim, ordinal in members.items()
                    if (namespace, claim) in bucket}

    def volumes_named_for(self, namespace: str, statefulset: str, template: str) -> list[tuple[int, Obj]]:
        """(ordinal, volume) of every volume whose claimRef names a claim
        `<template>-<statefulset>-<ordinal>` in `namespace`, whether that claim exists or not."""
        with self._lock:
            members = self._idx[VOLUMES_BY_PREFIX].get((namespace, f"{template}-{statefulset}"))
            if not members:
                return []
            bucket = self._objects["persistentvolumes"]
            return [(ordinal, bucket[("", pv)]) for ordinal, pv in sorted((o, n) for n, o in members.items())
                    if ("", pv) in bucket]

    def volumes_for_claim(self, namespace: str, claim: str) -> list[Obj]:
        """Volumes whose claimRef names `namespace/claim` (claims named `<prefix>-<ordinal>`,
        which is every StatefulSet claim)."""
        parsed = split_ordinal(claim)
        if parsed is None:
            return []
        with self._lock:
            bucket = self._objects["persistentvolumes"]
            found = []
            members = self._idx[VOLUMES_BY_PREFIX].get((namespace, parsed[0])) or {}
            for ordinal, pv in sorted((o, n) for n, o in members.items()):
                if ordinal == parsed[1] and ("", pv) in bucket:
                    found.append(bucket[("", pv)])
            return found

    def node(self, name: str) -> Obj | None:
        with self._lock:
            return self._objects["nodes"].get(("", name))

    def service(self, namespace: str, name: str) -> Obj | None:
        with self._lock:
            return self._objects["services"].get((namespace, name))

    def revisions_of(self, namespace: str, statefulset: str) -> list[Obj]:
        """ControllerRevisions controlled by the StatefulSet, oldest revision first."""
        with self._lock:
            bucket = self._objects["controllerrevisions"]
            found = [bucket[(namespace, r)] for r in self._idx[REVISIONS_BY_STS].get((namespace, statefulset), ())
                     if (namespace, r) in bucket]
        found.sort(key=lambda r: (r.get("revision") or 0, r["metadata"]["name"]))
        return found

    def events_for(self, kind: str, namespace: str | None, name: str) -> list[Obj]:
        """Events whose involvedObject is kind/namespace/name, oldest first."""
        with self._lock:
            bucket = self._objects["events"]
            found = [bucket[k] for k in self._idx[EVENTS_BY_OBJECT].get((namespace or "", kind, name), ())
                     if k in bucket]
        found.sort(key=_event_sort_key)
        return found


def _event_sort_key(event: Obj) -> tuple[str, str]:
    when = (event.get("lastTimestamp") or event.get("eventTime") or event.get("firstTimestamp")
            or event["metadata"].get("creationTimestamp") or "")
    return when, event["metadata"]["name"]
