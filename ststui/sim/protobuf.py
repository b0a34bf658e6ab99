"""Reading the few Kubernetes protobuf request bodies that kubectl sends, as JSON-shaped dicts.

Place in the flow: `server` reads a request body through `decode(content_type, body)`
when the Content-Type is `application/vnd.kubernetes.protobuf`. kubectl 1.32/1.33 send
DeleteOptions (delete, drain), Eviction (drain) and the authorization reviews
(`auth can-i`) that way. The body is the `k8s\\0` magic, then a `runtime.Unknown`
(typeMeta, raw bytes); the raw bytes are the object's message, read with the field
numbers of upstream's generated.proto for just these kinds. Unknown fields are skipped;
a kind not listed here is 415, as before.
"""
from __future__ import annotations

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(data):
            raise ProtobufError("truncated varint")
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7
        if shift > 63:
            raise ProtobufError("varint too long")


def fields(data: bytes) -> list[tuple[int, int, object]]:
    """(field number, wire type, value) in order; length-delimited values are bytes."""
    out = []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise ProtobufError("truncated field")
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


# Schemas: field number -> (json name, type); type is "string", "int", "bool", "strings", a nested schema dict.
PRECONDITIONS = {1: ("uid", "string"), 2: ("resourceVersion", "string")}
DELETE_OPTIONS = {1: ("gracePeriodSeconds", "int"), 2: ("preconditions", PRECONDITIONS),
                  3: ("orphanDependents", "bool"), 4: ("propagationPolicy", "string"), 5: ("dryRun", "strings"),
                  6: ("ignoreStoreReadErrorWithClusterBreakingPotential", "bool")}
OBJECT_META = {1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"),
               5: ("uid", "string"), 6: ("resourceVersion", "string")}
RESOURCE_ATTRIBUTES = {1: ("namespace", "string"), 2: ("verb", "string"), 3: ("group", "string"),
                       4: ("version", "string"), 5: ("resource", "string"), 6: ("subresource", "string"),
                       7: ("name", "string")}
NON_RESOURCE_ATTRIBUTES = {1: ("path", "string"), 2: ("verb", "string")}
SSAR = {1: ("metadata", OBJECT_META),
        2: ("spec", {1: ("resourceAttributes", RESOURCE_ATTRIBUTES),
                     2: ("nonResourceAttributes", NON_RESOURCE_ATTRIBUTES)})}
SSRR = {1: ("metadata", OBJECT_META), 2: ("spec", {1: ("namespace", "string")})}
EVICTION = {1: ("metadata", OBJECT_META), 2: ("deleteOptions", DELETE_OPTIONS)}
KINDS = {"DeleteOptions": DELETE_OPTIONS, "SelfSubjectReview": {1: ("metadata", OBJECT_META)}, "SelfSubjectAccessReview": SSAR, "SelfSubjectRulesReview": SSRR,
         "Eviction": EVICTION}
TYPE_META = {1: ("apiVersion", "string"), 2: ("kind", "string")}
UNKNOWN = {1: ("typeMeta", TYPE_META), 2: ("raw", "bytes")}


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def message(data: bytes, schema: dict) -> dict:
    out: dict = {}
    for number, wire, value in fields(data):
        entry = schema.get(number)
        if entry is None:
            continue
        name, kind = entry
        if isinstance(kind, dict):
            if wire != 2:
                raise ProtobufError(f"field {name} is not a message")
            out[name] = message(value, kind)
        elif kind == "int":
            out[name] = _signed(value) if wire == 0 else 0
        elif kind == "bool":
            out[name] = bool(value)
        elif kind == "bytes":
            out[name] = value
        elif kind in ("string", "strings"):
            if wire != 2:
                raise ProtobufError(f"field {name} is not a string")
            text = value.decode("utf-8")
            if kind == "strings":
                out.setdefault(name, []).append(text)
            else:
                out[name] = text
    return out


def decode(body: bytes) -> dict:
    """The JSON-shaped object of a `k8s\\0`-framed protobuf body (ProtobufError if not one of KINDS)."""
    if not body.startswith(MAGIC):
        raise ProtobufError("the body does not start with the Kubernetes protobuf magic number")
    unknown = message(body[len(MAGIC):], UNKNOWN)
    tm = unknown.get("typeMeta") or {}
    kind = tm.get("kind") or ""
    schema = KINDS.get(kind)
    if schema is None:
        raise ProtobufError(f"the protobuf kind {kind or '(none)'} is not served by the sim")
    obj = message(unknown.get("raw") or b"", schema)
    obj["kind"] = kind
    if tm.get("apiVersion"):
        obj["apiVersion"] = tm["apiVersion"]
    return obj
