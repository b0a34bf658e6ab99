"""ControllerRevisions of a StatefulSet, as pure functions: data, hash, name, ordering.

Place in the flow: `statefulset.StatefulSetController` builds the revision for the set's
current pod template with `new_revision()`, looks for an equal one among the set's
revisions, and reads the template of the current revision back with `template_of()`.
`kubectl rollout history` lists these objects; `kubectl rollout undo` re-applies their
`data` as a strategic merge patch.

As Kubernetes stores them: `data` is `{"spec": {"template": {..., "$patch": "replace"}}}`;
the name is `<set>-<hash>` where the hash is FNV-1a (32 bit) of the data (and the
collision count, when non-zero), printed in decimal and spelled in the alphabet
"bcdfghjklmnpqrstvwxz2456789" (rand.SafeEncodeString), so it is stable for a template.
"""
from __future__ import annotations

import copy
import hashlib
import json

from .podutil import HASH_LABEL, owner_reference
from ..objects import json_copy

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def fnv32a(data: bytes, h: int = _FNV_OFFSET) -> int:
    for b in data:
        h ^= b
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    return "".join(SAFE_ALPHABET[ord(c) % len(SAFE_ALPHABET)] for c in text)


def revision_data(template: dict) -> dict:
    """The revision payload for a pod template: a patch that replaces the whole template."""
    t = json_copy(template or {})
    t["$patch"] = "replace"
    return {"spec": {"template": t}}


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


# FNV over a template's canonical JSON is a Python loop over every byte (~35 µs a template);
# the controller asks again on every sync of an unchanged set: remember recent answers,
# keyed by a digest of the bytes (not the bytes: that would hold a copy of every template).
_HASHES: dict[bytes, int] = {}
_HASHES_MAX = 20_000


def _template_fnv(data: bytes) -> int:
    key = hashlib.blake2b(data, digest_size=16).digest()
    h = _HASHES.get(key)
    if h is None:
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        h = _HASHES[key] = fnv32a(data)
    return h


def revision_hash(data: dict, collision_count: int = 0) -> str:
    h = _template_fnv(canonical(data))
    if collision_count:
        h = fnv32a(collision_count.to_bytes(4, "little"), h)
    return safe_encode(str(h))


def revision_name(set_name: str, hash_: str) -> str:
    prefix = set_name if len(set_name) <= 223 else set_name[:223]
    return f"{prefix}-{hash_}"


def template_of(revision: dict) -> dict:
    """The pod template a revision records."""
    t = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    t.pop("$patch", None)
    return t


def revision_number(revision: dict) -> int:
    try:
        return int(revision.get("revision") or 0)
    except (TypeError, ValueError):
        return 0


def sort_revisions(revisions: list[dict]) -> list[dict]:
    """Oldest first, by revision number then creation time then name (history.SortControllerRevisions)."""
    return sorted(revisions, key=lambda r: (revision_number(r),
                                            r["metadata"].get("creationTimestamp", ""),
                                            r["metadata"]["name"]))


def new_revision(sts: dict, number: int, collision_count: int) -> dict:
    """A ControllerRevision object (not yet stored) for the set's current template."""
    meta = sts["metadata"]
    template = (sts.get("spec") or {}).get("template") or {}
    data = revision_data(template)
    hash_ = revision_hash(data, collision_count)
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels[HASH_LABEL] = hash_
    annotations = dict(meta.get("annotations") or {})
    rev_meta: dict = {
        "name": revision_name(meta["name"], hash_),
        "namespace": meta.get("namespace"),
        "labels": labels,
        "ownerReferences": [owner_reference(sts)],
    }
    if annotations:
        rev_meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": rev_meta,
        "data": data,
        "revision": number,
    }


def equal_revision(a: dict, b: dict) -> bool:
    """Same recorded template (Kubernetes compares the hash label and the raw data)."""
    return (a.get("data") or {}) == (b.get("data") or {})
