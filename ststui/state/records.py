"""Slotted records for the kinds that come one per pod: pods, claims, volumes.

Place in the flow: `state.slim` builds these instead of dicts for `pods`,
`persistentvolumeclaims` and `persistentvolumes`; `state.store.Store` keeps them; the
hot readers (`store` indexes, `topology` view building) read their attributes. Every
other reader reads them like the API's JSON: a record is a read-only `Mapping` whose
`record["metadata"]["name"]`, `record.get("spec") or {}` and `record["status"]["phase"]`
give what the slim dict gave (the parts are built on access; shared sub-objects such as
label sets, container lists and a claim's status are handed out as they are, so
callers must not mutate them). `to_dict()` gives plain nested dicts (YAML, JSON).

Why: at 50,000 pods (and as many claims and volumes) three or four small dicts per object
were most of the store. A record holds its own strings and references to shared parts in
slots: about a fifth of the bytes.

Equality: two records are equal when every slot is; a record equals a dict with the
same API-shaped content. `same_content()` ignores metadata.resourceVersion (the store
uses it to tell a real change from a resourceVersion-only write).

Pure Python, no I/O.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Obj = dict[str, Any]

# The metadata every record keeps, as slots named like the API's fields.
_META = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
         "deletionGracePeriodSeconds", "generation", "labels", "ownerReferences")


class Record(Mapping):
    """Common part: metadata slots and the read-only mapping protocol."""

    __slots__ = _META
    _PARTS: tuple[str, ...] = ("metadata", "spec", "status")

    def __init__(self, md: Obj) -> None:
        # `md`: a slim metadata dict (state.slim._metadata)
        self.name = md.get("name")
        self.namespace = md.get("namespace")
        self.uid = md.get("uid")
        self.resourceVersion = md.get("resourceVersion")
        self.creationTimestamp = md.get("creationTimestamp")
        self.deletionTimestamp = md.get("deletionTimestamp")
        self.deletionGracePeriodSeconds = md.get("deletionGracePeriodSeconds")
        self.generation = md.get("generation")
        self.labels = md.get("labels")
        self.ownerReferences = md.get("ownerReferences")

    # --- API-shaped parts ---------------------------------------------------------------

    def metadata(self) -> Obj:
        out: Obj = {"name": self.name}
        for key in _META[1:]:
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def spec(self) -> Obj | None:
        return None

    def status(self) -> Obj | None:
        return None

    def _part(self, key: str) -> Any:
        if key == "metadata":
            return self.metadata()
        if key == "spec":
            return self.spec()
        if key == "status":
            return self.status()
        return None

    # --- Mapping ------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        value = self._part(key) if key in self._PARTS else None
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._part(key) if key in self._PARTS else None
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return key in self._PARTS and self._part(key) is not None

    def __iter__(self):
        return (key for key in self._PARTS if self._part(key) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def to_dict(self) -> Obj:
        """Plain nested dicts (copies of the top levels; shared leaves as they are)."""
        return {key: self._part(key) for key in self}

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return all(getattr(self, s) == getattr(other, s) for s in _all_slots(type(self)))
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def same_content(self, other: object) -> bool:
        """Equal apart from metadata.resourceVersion."""
        if type(other) is not type(self):
            return False
        return all(s == "resourceVersion" or getattr(self, s) == getattr(other, s)
                   for s in _all_slots(type(self)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"


_SLOTS: dict[type, tuple[str, ...]] = {}


def _all_slots(cls: type) -> tuple[str, ...]:
    found = _SLOTS.get(cls)
    if found is None:
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            names.extend(klass.__dict__.get("__slots__", ()))
        found = _SLOTS[cls] = tuple(names)
    return found


class PodRecord(Record):
    """A slim pod. `podSpec`: the shared {"nodeName", "containers"} dict."""

    __slots__ = ("podSpec", "phase", "reason", "podIP", "conditions", "containerStatuses")

    def __init__(self, md: Obj, spec: Obj, status: Obj) -> None:
        super().__init__(md)
        self.podSpec = spec
        self.phase = status.get("phase")
        self.reason = status.get("reason")
        self.podIP = status.get("podIP")
        self.conditions = status.get("conditions")
        self.containerStatuses = status.get("containerStatuses")

    @property
    def nodeName(self) -> str | None:
        return self.podSpec.get("nodeName")

    def spec(self) -> Obj:
        return self.podSpec

    def status(self) -> Obj:
        out: Obj = {}
        for key in ("phase", "reason", "podIP", "conditions", "containerStatuses"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class ClaimRecord(Record):
    """A slim PersistentVolumeClaim. `specRest`: the shared rest of its spec (class,
    access modes, requested size); `claimStatus`: the shared status dict."""

    __slots__ = ("volumeName", "specRest", "claimStatus")

    def __init__(self, md: Obj, volume_name: str | None, spec_rest: Obj, status: Obj) -> None:
        super().__init__(md)
        self.volumeName = volume_name
        self.specRest = spec_rest
        self.claimStatus = status

    def spec(self) -> Obj:
        if not self.volumeName:
            return self.specRest
        out: Obj = {"volumeName": self.volumeName}
        out.update(self.specRest)
        return out

    def status(self) -> Obj:
        return self.claimStatus


class VolumeRecord(Record):
    """A slim PersistentVolume: its claimRef in three slots (`claimNamespace`, `claimName`,
    `claimUid`; all None without a claimRef), the shared rest of its spec and status."""

    __slots__ = ("claimNamespace", "claimName", "claimUid", "specRest", "volumeStatus")

    def __init__(self, md: Obj, claim_ref: Obj | None, spec_rest: Obj, status: Obj) -> None:
        super().__init__(md)
        if claim_ref:
            self.claimNamespace = claim_ref.get("namespace")
            self.claimName = claim_ref.get("name")
            self.claimUid = claim_ref.get("uid")
        else:
            self.claimNamespace = self.claimName = self.claimUid = None
        self.specRest = spec_rest
        self.volumeStatus = status

    def claim_ref(self) -> Obj | None:
        if self.claimNamespace is None and self.claimName is None and self.claimUid is None:
            return None
        out: Obj = {"namespace": self.claimNamespace, "name": self.claimName}
        if self.claimUid:
            out["uid"] = self.claimUid
        return out

    def spec(self) -> Obj:
        ref = self.claim_ref()
        if ref is None:
            return self.specRest
        out: Obj = {"claimRef": ref}
        out.update(self.specRest)
        return out

    def status(self) -> Obj:
        return self.volumeStatus


def plain(obj: Any) -> Any:
    """`obj` as plain dicts (a record's `to_dict()`; dicts pass through)."""
    return obj.to_dict() if isinstance(obj, Record) else obj
