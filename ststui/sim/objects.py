"""The simulated cluster's object storage: resourceVersions, watches and API semantics.

Place in the flow: `server` turns HTTP requests into calls on `ObjectStore` (create, get,
list, replace, patch, delete, watch); controllers read and write through the same
store (`mutate`, `create`, `remove`) and hear about every change through listeners.

Rules kept here:
- One cluster-wide, increasing resourceVersion; every write bumps it and appends a
  `Change` to a bounded history that watches resume from (older -> 410 Expired).
- Stored objects are never mutated in place: a write stores a new dict, so readers may
  hold references without copying (LIST of 10,000 pods serialises without deep copies).
- `generation` is bumped when `spec` changes (for kinds that carry it), `status` only
  changes through the status subresource for kinds that have one.
- Deletion: finalizers and graceful pod deletion set `deletionTimestamp` and leave the
  object to its controller; propagationPolicy Orphan strips owner references at once,
  Background/Foreground leave dependents to the garbage collector.
"""
from __future__ import annotations

import copy
import json
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .clock import Clock, rfc3339
from .patching import PatchError, json_patch, merge_patch, strategic_merge_patch
from .resources import BY_PLURAL, ResourceType
from .selectors import SelectorError, parse_field_selector, parse_label_selector

Key = tuple[str, str]  # (namespace or "", name)

# Kinds with more objects than this are not kept serialised (ObjectStore.item_json).
JSON_CACHE_MAX_OBJECTS = 20_000

# Kinds whose metadata.generation tracks spec changes.
GENERATION_KINDS = {"statefulsets", "poddisruptionbudgets"}


# --------------------------------------------------------------------------- errors

class ApiError(Exception):
    """An API error, carried to the client as a `Status` object."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            body["details"] = self.details
        return body


def _details(rt: ResourceType, name: str, causes: list[dict] | None = None) -> dict:
    d: dict[str, Any] = {"name": name, "kind": rt.plural}
    if rt.group:
        d["group"] = rt.group
    if causes:
        d["causes"] = causes
    return d


def _resource_label(rt: ResourceType) -> str:
    return f"{rt.plural}.{rt.group}" if rt.group else rt.plural


def not_found(rt: ResourceType, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{_resource_label(rt)} "{name}" not found', _details(rt, name))


def already_exists(rt: ResourceType, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{_resource_label(rt)} "{name}" already exists',
                    _details(rt, name))


def conflict(rt: ResourceType, name: str, why: str) -> ApiError:
    return ApiError(409, "Conflict",
                    f'Operation cannot be fulfilled on {_resource_label(rt)} "{name}": {why}',
                    _details(rt, name))


def invalid(rt: ResourceType, name: str, causes: list[tuple[str, str]]) -> ApiError:
    """422 Invalid; causes are (field, message) pairs."""
    text = "; ".join(f"{f}: {m}" for f, m in causes)
    if len(causes) > 1:
        text = f"[{', '.join(f'{f}: {m}' for f, m in causes)}]"
    kind = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
    details = _details(rt, name, [{"reason": _cause_reason(m), "message": m, "field": f} for f, m in causes])
    details["kind"] = rt.kind  # Invalid names the kind; NotFound/Conflict name the resource
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {text}', details)


def _cause_reason(message: str) -> str:
    for prefix, reason in (("Required value", "FieldValueRequired"), ("Forbidden", "FieldValueForbidden"),
                           ("Unsupported value", "FieldValueNotSupported"),
                           ("Duplicate value", "FieldValueDuplicate")):
        if message.startswith(prefix):
            return reason
    return "FieldValueInvalid"


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


# --------------------------------------------------------------------------- changes and watches

@dataclass
class Change:
    """One write, as a watch event."""
    rv: int
    plural: str
    type: str                 # ADDED / MODIFIED / DELETED
    obj: dict
    old: dict | None
    _line: bytes | None = field(default=None, repr=False)

    def line(self, event_type: str | None = None) -> bytes:
        """The watch-stream line for this change (cached for the common case)."""
        if event_type is None or event_type == self.type:
            if self._line is None:
                self._line = encode_event(self.type, self.obj)
            return self._line
        return encode_event(event_type, self.obj)


def json_copy(value: Any) -> Any:
    """A deep copy of a tree of plain JSON values (dicts, lists, scalars): ~4x copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if kind is list:
        return [json_copy(v) for v in value]
    if kind is tuple:
        return tuple(json_copy(v) for v in value)
    return value


def share_unchanged(new: dict, old: dict) -> None:
    """Make `new` (a private tree about to be stored) reuse every sub-tree of `old` it
    equals. A write copies the whole object and changes a corner of it (an annotation, a
    status); with this, the new version and the old one in the watch history share
    everything else, so churn costs memory for what changed, not for whole objects.
    Safe because stored objects are never mutated in place (see the module docstring)."""
    for k, v in new.items():
        o = old.get(k, _ABSENT)
        if o is v or type(o) is not type(v):
            continue
        if type(v) is dict:
            if v == o:
                new[k] = o
            else:
                share_unchanged(v, o)
        elif type(v) is list and v == o:
            new[k] = o


_ABSENT = object()

# Stored objects are trees of plain JSON values (never cyclic): skip the cycle check (~30% faster).
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def encode_event(event_type: str, obj: dict) -> bytes:
    return (_ENCODER.encode({"type": event_type, "object": obj}) + "\n").encode()


class Watcher:
    """A queue of watch-stream lines for one client, filled under the store's lock.

    A watch from "now" (no resourceVersion) starts with every matching object as ADDED:
    those are kept as references (`start_with`) and encoded as they are taken, a batch at
    a time outside the store's lock, not all at once under it (50,000 pods: 117 MB)."""

    MAX_QUEUED = 1_000_000
    INITIAL_BATCH = 500

    def __init__(self, store: "ObjectStore", plural: str, namespace: str | None,
                 label_selector: str | None, field_selector: str | None) -> None:
        self.store = store
        self.plural = plural
        self.namespace = namespace or None
        self.labels = parse_label_selector(label_selector or "")
        self.fields = parse_field_selector(field_selector or "")
        self._queue: deque[bytes] = deque()
        self._initial: list[dict] = []      # ADDED objects still to send, before the queue
        self._initial_at = 0
        self._cond = threading.Condition(threading.Lock())
        self.closed = False
        self.close_reason: str | None = None

    def matches(self, obj: dict | None) -> bool:
        if obj is None:
            return False
        meta = obj.get("metadata") or {}
        if self.namespace and meta.get("namespace") != self.namespace:
            return False
        return self.labels.matches(meta.get("labels")) and self.fields.matches(obj)

    def offer(self, change: Change) -> None:
        """Called under the store lock for every change of this watcher's plural."""
        now_in = self.matches(change.obj) if change.type != "DELETED" else False
        was_in = self.matches(change.old) if change.old is not None else False
        if change.type == "DELETED":
            line = change.line() if self.matches(change.obj) else None
        elif now_in and was_in:
            line = change.line("MODIFIED")
        elif now_in:
            line = change.line("ADDED")
        elif was_in:
            line = change.line("DELETED")
        else:
            line = None
        if line is not None:
            self._push(line)

    def _push(self, line: bytes) -> None:
        with self._cond:
            if self.closed:
                return
            if len(self._queue) >= self.MAX_QUEUED:
                self.closed = True
                self.close_reason = "watcher fell too far behind"
            else:
                self._queue.append(line)
            self._cond.notify()

    def start_with(self, objs: list[dict]) -> None:
        """Send these stored objects as ADDED first (called under the store lock)."""
        with self._cond:
            self._initial, self._initial_at = objs, 0

    def take(self, timeout: float) -> list[bytes] | None:
        """Wait up to `timeout` for lines; [] on timeout, None once closed and drained."""
        with self._cond:
            if self._initial_at < len(self._initial):
                start = self._initial_at
                batch = self._initial[start:start + self.INITIAL_BATCH]
                self._initial_at = start + len(batch)
                if self._initial_at >= len(self._initial):
                    self._initial, self._initial_at = [], 0
            else:
                batch = None
        if batch:
            return [encode_event("ADDED", o) for o in batch]
        with self._cond:
            if not self._queue and not self.closed:
                self._cond.wait(timeout)
            if self._queue:
                lines = list(self._queue)
                self._queue.clear()
                return lines
            return None if self.closed else []

    def bookmark_rv(self) -> int | None:
        """A resourceVersion safe to bookmark: everything up to it has been taken already."""
        with self.store.lock:
            with self._cond:
                if self._queue or self._initial:
                    return None
                return self.store.rv

    def close(self, reason: str = "closed") -> None:
        with self._cond:
            if not self.closed:
                self.closed = True
                self.close_reason = reason
            self._cond.notify_all()
        self.store._unregister(self)


# --------------------------------------------------------------------------- the store

Admission = Callable[[str, dict, "dict | None"], dict]


class ObjectStore:
    def __init__(self, clock: Clock, *, history_limit: int = 200_000, seed: int = 7,
                 admission: Admission | None = None) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.rv = 1
        self._objects: dict[str, dict[Key, dict]] = {p: {} for p in BY_PLURAL}
        self._json: dict[str, dict[Key, tuple[dict, bytes]]] = {p: {} for p in BY_PLURAL}
        self._history: deque[Change] = deque(maxlen=history_limit)
        self._compacted_rv = 0          # watches from below this get 410
        self._watchers: dict[str, list[Watcher]] = {p: [] for p in BY_PLURAL}
        self._listeners: list[Callable[[Change], None]] = []
        self._rng = random.Random(seed)
        self.seed = seed
        self.admission = admission

    # ---- identity helpers

    def new_uid(self) -> str:
        """A version-4 UUID from the store's seeded generator: str(uuid.UUID(int=bits, version=4)),
        formatted by hand (a scale build makes 150,000 of them)."""
        with self.lock:
            bits = self._rng.getrandbits(128)
        bits = (bits & ~(0xc000 << 48) | (0x8000 << 48)) & ~(0xf000 << 64) | (4 << 76)
        h = "%032x" % bits
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def random_suffix(self, n: int = 5) -> str:
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        with self.lock:
            return "".join(self._rng.choice(alphabet) for _ in range(n))

    def add_listener(self, fn: Callable[[Change], None]) -> None:
        self._listeners.append(fn)

    @staticmethod
    def rtype(plural: str) -> ResourceType:
        rt = BY_PLURAL.get(plural)
        if rt is None:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({plural})")
        return rt

    @staticmethod
    def key_of(rt: ResourceType, namespace: str | None, name: str) -> Key:
        return ((namespace or "") if rt.namespaced else "", name)

    # ---- reads

    def get(self, plural: str, namespace: str | None, name: str) -> dict:
        rt = self.rtype(plural)
        obj = self._objects[plural].get(self.key_of(rt, namespace, name))
        if obj is None:
            raise not_found(rt, name)
        return obj

    def find(self, plural: str, namespace: str | None, name: str) -> dict | None:
        rt = self.rtype(plural)
        return self._objects[plural].get(self.key_of(rt, namespace, name))

    def items(self, plural: str, namespace: str | None = None) -> list[dict]:
        """A consistent snapshot of stored objects (references: do not mutate)."""
        with self.lock:
            objs = self._objects[plural]
            if namespace:
                return [o for (ns, _), o in objs.items() if ns == namespace]
            return list(objs.values())

    def list(self, plural: str, namespace: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None) -> tuple[list[dict], int]:
        try:
            labels = parse_label_selector(label_selector or "")
            fields = parse_field_selector(field_selector or "")
        except SelectorError as e:
            raise bad_request(f"unable to parse requested selector: {e}")
        with self.lock:
            rv = self.rv
            objs = self.items(plural, namespace)
        out = [o for o in objs
               if labels.matches((o.get("metadata") or {}).get("labels")) and fields.matches(o)]
        out.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return out, rv

    def list_json(self, plural: str, namespace: str | None = None, label_selector: str | None = None,
                  field_selector: str | None = None) -> tuple[list[bytes], int]:
        """Like list(), but each item already serialised (see `item_json`)."""
        items, rv = self.list(plural, namespace, label_selector, field_selector)
        return [self.item_json(plural, o) for o in items], rv

    def item_json(self, plural: str, obj: dict) -> bytes:
        """`obj` (a stored version, as list() gives it) serialised, from a per-version cache.

        The cache holds (object, bytes) and is trusted only for that very object: a write
        racing with this (unlocked) encoding can never make a LIST serve another version.
        Kinds with more than JSON_CACHE_MAX_OBJECTS objects are encoded on every LIST and
        not cached: the bytes would add half again to the memory of their objects (117 MB
        for 50,000 pods), for a LIST that then takes 1 s instead of 0.4 s."""
        meta = obj["metadata"]
        k = (meta.get("namespace", "") if BY_PLURAL[plural].namespaced else "", meta["name"])
        cache = self._json[plural]
        entry = cache.get(k)
        if entry is not None and entry[0] is obj:
            return entry[1]
        b = _ENCODER.encode(obj).encode()
        if len(self._objects[plural]) <= JSON_CACHE_MAX_OBJECTS:
            cache[k] = (obj, b)
        return b

    # ---- writes (all under the lock)

    def _bump(self) -> int:
        self.rv += 1
        return self.rv

    def _store(self, plural: str, key: Key, obj: dict | None, change_type: str, old: dict | None) -> Change:
        rv = self._bump()
        if obj is not None:
            obj["metadata"]["resourceVersion"] = str(rv)
            if old is not None:     # after the new resourceVersion: metadata itself is never shared
                share_unchanged(obj, old)
            self._objects[plural][key] = obj
            self._json[plural].pop(key, None)
            event_obj = obj
        else:
            self._objects[plural].pop(key, None)
            self._json[plural].pop(key, None)
            event_obj = copy.copy(old)  # shallow: metadata replaced below
            event_obj["metadata"] = dict(old["metadata"], resourceVersion=str(rv))
        change = Change(rv, plural, change_type, event_obj, old)
        self._history.append(change)
        for w in list(self._watchers[plural]):
            w.offer(change)
        # The watchers' queues hold the encoded line now; history keeps only the object (a
        # resumed watch encodes it again): under churn the lines were a third of its memory.
        change._line = None
        for fn in self._listeners:
            fn(change)
        return change

    def _admit(self, plural: str, obj: dict, old: dict | None) -> dict:
        if self.admission is not None:
            return self.admission(plural, obj, old)
        return obj

    def create(self, plural: str, obj: dict, namespace: str | None = None, *, admit: bool = True,
               dry_run: bool = False, owned: bool = False) -> dict:
        """owned=True: the caller hands `obj` over (a fresh tree no one else holds): not copied."""
        rt = self.rtype(plural)
        if not isinstance(obj, dict):
            raise bad_request("the request body must be a JSON object")
        if not owned:
            obj = json_copy(obj)
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if namespace and body_ns and body_ns != namespace:
                raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
            ns = namespace or body_ns
            if not ns:
                raise bad_request("a namespace must be specified")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
            ns = ""
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        with self.lock:
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + self.random_suffix()
            name = meta.get("name")
            if not name or not isinstance(name, str):
                raise invalid(rt, "", [("metadata.name", "Required value: name or generateName is required")])
            if rt.namespaced and plural != "namespaces" and ns not in ("",) \
                    and ("", ns) not in self._objects["namespaces"]:
                raise ApiError(404, "NotFound", f'namespaces "{ns}" not found',
                               {"name": ns, "kind": "namespaces"})
            key = self.key_of(rt, ns, name)
            if key in self._objects[plural]:
                raise already_exists(rt, name)
            meta["uid"] = self.new_uid()
            meta["creationTimestamp"] = rfc3339(self.clock.now())
            meta.pop("resourceVersion", None)
            meta.pop("deletionTimestamp", None)
            if plural in GENERATION_KINDS:
                meta["generation"] = 1
            if admit:
                obj = self._admit(plural, obj, None)
            if dry_run:
                return obj
            self._store(plural, key, obj, "ADDED", None)
            return obj

    def replace(self, plural: str, namespace: str | None, name: str, obj: dict,
                subresource: str | None = None, *, dry_run: bool = False) -> dict:
        """PUT: 409 on a stale resourceVersion; status only via the status subresource."""
        rt = self.rtype(plural)
        if not isinstance(obj, dict):
            raise bad_request("the request body must be a JSON object")
        body_name = (obj.get("metadata") or {}).get("name")
        if body_name and body_name != name:
            raise bad_request("the name of the object does not match the name on the URL")
        with self.lock:
            old = self.get(plural, namespace, name)
            want_rv = (obj.get("metadata") or {}).get("resourceVersion")
            if want_rv and str(want_rv) != old["metadata"]["resourceVersion"]:
                raise conflict(rt, name, "the object has been modified; please apply your changes to the latest version and try again")
            return self._write(rt, old, copy.deepcopy(obj), subresource, dry_run)

    def patch(self, plural: str, namespace: str | None, name: str, patch_type: str, body: Any,
              subresource: str | None = None, *, dry_run: bool = False) -> dict:
        rt = self.rtype(plural)
        with self.lock:
            old = self.get(plural, namespace, name)
            try:
                if patch_type == "merge":
                    new = merge_patch(old, body)
                elif patch_type == "json":
                    new = json_patch(old, body)
                elif patch_type == "strategic":
                    new = strategic_merge_patch(old, body, rt.kind)
                else:
                    raise ApiError(415, "UnsupportedMediaType", f"unsupported patch type {patch_type!r}")
            except PatchError as e:
                code = getattr(e, "code", 422)
                raise ApiError(code, "Invalid" if code == 422 else "BadRequest", str(e))
            if not isinstance(new, dict):
                raise bad_request("the patch did not produce an object")
            want_rv = (new.get("metadata") or {}).get("resourceVersion")
            if want_rv and str(want_rv) != old["metadata"]["resourceVersion"]:
                raise conflict(rt, name, "the object has been modified; please apply your changes to the latest version and try again")
            return self._write(rt, old, new, subresource, dry_run)

    def _write(self, rt: ResourceType, old: dict, new: dict, subresource: str | None,
               dry_run: bool = False) -> dict:
        """Store `new` (a private copy) as the next version of `old`, keeping immutable fields."""
        meta = new.setdefault("metadata", {})
        ometa = old["metadata"]
        for f in ("uid", "creationTimestamp", "namespace", "name", "deletionTimestamp",
                  "deletionGracePeriodSeconds", "generation"):
            if f in ometa:
                meta[f] = ometa[f]
            else:
                meta.pop(f, None)
        meta["resourceVersion"] = ometa["resourceVersion"]  # a PUT without one is unconditional
        if "managedFields" not in meta and "managedFields" in ometa:   # omitted: kept (sim/ssa.py)
            meta["managedFields"] = ometa["managedFields"]
        new["apiVersion"] = rt.api_version
        new["kind"] = rt.kind
        if "status" in rt.subresources:
            if subresource == "status":
                # Only status may change; metadata and spec stay as they were.
                status = new.get("status")
                new = dict(old, status=status) if status is not None else {k: v for k, v in old.items() if k != "status"}
                new["metadata"] = dict(ometa)
            else:
                if "status" in old:
                    new["status"] = old["status"]
                else:
                    new.pop("status", None)
        if subresource != "status":
            new = self._admit(rt.plural, new, old)
        elif getattr(self, "check_status", None) is not None:
            self.check_status(rt.plural, new, old)      # the version's status rules (sim/version_rules.py)
        # After defaulting: a PUT that only omits defaulted fields changes nothing.
        if rt.plural in GENERATION_KINDS and new.get("spec") != old.get("spec"):
            new["metadata"]["generation"] = int(ometa.get("generation", 1)) + 1
        if new == old:
            return old  # a no-op write does not bump the resourceVersion
        if dry_run:
            return new
        # An object being deleted whose last finalizer was removed goes away now.
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers") \
                and rt.plural != "pods":
            self._store(rt.plural, self.key_of(rt, ometa.get("namespace"), ometa["name"]), None, "DELETED", new)
            return new
        self._store(rt.plural, self.key_of(rt, ometa.get("namespace"), ometa["name"]), new, "MODIFIED", old)
        return new

    def mutate(self, plural: str, namespace: str | None, name: str, fn: Callable[[dict], Any],
               subresource: str | None = "any") -> dict | None:
        """Controllers' write: `fn` edits a private deep copy; nothing is stored if it made no change.

        subresource="any" lets the caller change spec, metadata and status at once (controllers
        are trusted); returns the stored object, or None if it does not exist.
        """
        rt = self.rtype(plural)
        with self.lock:
            old = self.find(plural, namespace, name)
            if old is None:
                return None
            new = json_copy(old)
            fn(new)
            if new == old:
                return old
            if rt.plural in GENERATION_KINDS and new.get("spec") != old.get("spec"):
                new["metadata"]["generation"] = int(old["metadata"].get("generation", 1)) + 1
            key = self.key_of(rt, namespace, name)
            if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers") \
                    and plural != "pods":
                self._store(plural, key, None, "DELETED", new)
                return new
            self._store(plural, key, new, "MODIFIED", old)
            return new

    def remove(self, plural: str, namespace: str | None, name: str) -> dict | None:
        """Make an object disappear now (the end of a deletion), emitting DELETED."""
        rt = self.rtype(plural)
        with self.lock:
            key = self.key_of(rt, namespace, name)
            old = self._objects[plural].get(key)
            if old is None:
                return None
            self._store(plural, key, None, "DELETED", old)
            return old

    def delete(self, plural: str, namespace: str | None, name: str, *,
               grace_period_seconds: int | None = None, propagation_policy: str | None = None,
               preconditions: dict | None = None, dry_run: bool = False) -> tuple[dict, bool]:
        """Returns (object, gone_now). gone_now False means it is terminating."""
        rt = self.rtype(plural)
        if grace_period_seconds is not None and grace_period_seconds < 0:
            grace_period_seconds = 0
        with self.lock:
            old = self.get(plural, namespace, name)
            meta = old["metadata"]
            if preconditions:
                if preconditions.get("uid") and preconditions["uid"] != meta.get("uid"):
                    raise conflict(rt, name, f"Precondition failed: UID in precondition: {preconditions['uid']}, UID in object meta: {meta.get('uid')}")
                if preconditions.get("resourceVersion") and str(preconditions["resourceVersion"]) != meta.get("resourceVersion"):
                    raise conflict(rt, name, f"Precondition failed: ResourceVersion in precondition: {preconditions['resourceVersion']}, ResourceVersion in object meta: {meta.get('resourceVersion')}")
            if propagation_policy not in (None, "Orphan", "Background", "Foreground"):
                raise bad_request(f"unsupported propagation policy {propagation_policy!r}")
            if dry_run:
                return old, False
            if propagation_policy == "Orphan":
                self._orphan_dependents(meta.get("uid"))
            key = self.key_of(rt, namespace, name)
            now = self.clock.now()
            graceful = False
            grace = 0
            if plural == "pods":
                spec = old.get("spec") or {}
                default_grace = int(spec.get("terminationGracePeriodSeconds", 30))
                grace = default_grace if grace_period_seconds is None else int(grace_period_seconds)
                graceful = grace > 0 and bool(spec.get("nodeName")) \
                    and (old.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
                if meta.get("deletionTimestamp") and grace > 0:
                    # Already terminating: a shorter grace period may bring the end forward.
                    current_end = meta["deletionTimestamp"]
                    new_end = rfc3339(now + grace)
                    if new_end >= current_end:
                        return old, False
            if graceful or meta.get("finalizers") or propagation_policy == "Foreground":
                if meta.get("deletionTimestamp") and not graceful:
                    return old, False
                new = copy.deepcopy(old)
                new["metadata"]["deletionTimestamp"] = rfc3339(now + grace)
                new["metadata"]["deletionGracePeriodSeconds"] = grace
                if propagation_policy == "Foreground":
                    fins = new["metadata"].setdefault("finalizers", [])
                    if "foregroundDeletion" not in fins:
                        fins.append("foregroundDeletion")
                self._store(plural, key, new, "MODIFIED", old)
                return new, False
            self._store(plural, key, None, "DELETED", old)
            return old, True

    def _orphan_dependents(self, owner_uid: str | None) -> None:
        if not owner_uid:
            return
        for plural, objs in self._objects.items():
            for (ns, name), o in list(objs.items()):
                refs = (o.get("metadata") or {}).get("ownerReferences") or []
                if any(r.get("uid") == owner_uid for r in refs):
                    self.mutate(plural, ns, name, lambda x: x["metadata"].__setitem__(
                        "ownerReferences", [r for r in refs if r.get("uid") != owner_uid]))

    # ---- watches

    def watch(self, plural: str, namespace: str | None, resource_version: str | None,
              label_selector: str | None = None, field_selector: str | None = None) -> Watcher:
        """Register a watcher; replay history after `resource_version` (or the current
        objects as ADDED when none is given). Raises 410 when that version is compacted."""
        self.rtype(plural)
        try:
            w = Watcher(self, plural, namespace, label_selector, field_selector)
        except SelectorError as e:
            raise bad_request(f"unable to parse requested selector: {e}")
        with self.lock:
            if resource_version in (None, "", "0"):
                w.start_with([o for o in sorted(self.items(plural, namespace),
                                                key=lambda o: int(o["metadata"]["resourceVersion"]))
                              if w.matches(o)])
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise bad_request(f"invalid resource version: {resource_version}")
                if since > self.rv:
                    # A watch resumed from a version this server never reached (it was
                    # restored or replaced): what the API server answers after waiting.
                    raise ApiError(504, "Timeout", f"Too large resource version: {since}, current: {self.rv}",
                                   {"causes": [{"reason": "ResourceVersionTooLarge",
                                                "message": "Too large resource version"}],
                                    "retryAfterSeconds": 1})
                oldest = self._history[0].rv if self._history else self.rv + 1
                if since < self.rv and (since < self._compacted_rv or since + 1 < oldest):
                    raise gone(f"too old resource version: {since} ({self.rv})")
                for ch in self._history:
                    if ch.rv > since and ch.plural == plural:
                        w.offer(ch)
            self._watchers[plural].append(w)
            return w

    def _unregister(self, w: Watcher) -> None:
        with self.lock:
            lst = self._watchers.get(w.plural, [])
            if w in lst:
                lst.remove(w)

    def watchers(self) -> list[Watcher]:
        with self.lock:
            return [w for ws in self._watchers.values() for w in ws]

    def close_all_watches(self, reason: str = "dropped by fault injection") -> int:
        ws = self.watchers()
        for w in ws:
            w.close(reason)
        return len(ws)

    def compact(self) -> None:
        """Forget all history: the next watch from any older resourceVersion gets 410."""
        with self.lock:
            self._history.clear()
            self._compacted_rv = self.rv + 1
            self._bump()

