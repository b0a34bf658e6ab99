"""The three PATCH types of the simulated API server, as pure functions.

Place in the flow: the server reads a PATCH request's Content-Type and calls
one of these on the stored object, then validates and stores the result:

* `application/merge-patch+json`          -> `merge_patch` (RFC 7386)
* `application/json-patch+json`           -> `json_patch` (RFC 6902)
* `application/strategic-merge-patch+json` -> `strategic_merge_patch`
  (what `kubectl patch`, `kubectl apply` and `kubectl set image` send)

None of them mutates its inputs: each returns a new object sharing nothing
with the target or the patch. A patch that cannot be applied raises
`PatchError` (a ValueError) with one readable sentence and an HTTP `code`:
400 when the patch document itself is malformed, 422 when it is well formed
but does not apply to this object (a failed JSON-patch `test`, a path that is
not there).

Strategic merge patch follows the semantics of Kubernetes'
apimachinery strategicpatch package: maps merge key by key, null deletes a
key, lists named in the schema below merge by their merge key (or as sets
of strings), every other list is replaced whole, and the directives
`$patch` (replace / delete / merge), `$retainKeys`,
`$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are honoured
and never stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["PatchError", "merge_patch", "json_patch", "strategic_merge_patch"]


class PatchError(ValueError):
    """A patch that cannot be applied. `code` is the HTTP status the server should answer."""

    def __init__(self, message: str, code: int = 400):
        super().__init__(message)
        self.code = code


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists and scalars)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _json_equal(left: Any, right: Any) -> bool:
    """Equality of JSON values: like ==, but true and 1 differ, as in JSON."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and left.keys() == right.keys()
            and all(_json_equal(item, right[key]) for key, item in left.items())
        )
    if isinstance(left, list):
        return (
            isinstance(right, list)
            and len(left) == len(right)
            and all(_json_equal(a, b) for a, b in zip(left, right))
        )
    if isinstance(right, (dict, list)):
        return False
    return left == right


# ---------------------------------------------------------------------------
# RFC 7386 JSON merge patch
# ---------------------------------------------------------------------------


def merge_patch(target: dict, patch: Any) -> dict:
    """Apply a JSON merge patch (RFC 7386): objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        raise PatchError("a merge patch must be a JSON object", 400)
    return _merge_value(target if isinstance(target, dict) else {}, patch)


def _merge_value(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return _copy(patch)
    if not isinstance(target, dict):
        target = {}
    result: dict = {}
    for key, value in target.items():
        if key in patch:
            change = patch[key]
            if change is not None:
                result[key] = _merge_value(value, change)
        else:
            result[key] = _copy(value)
    for key, change in patch.items():
        if key not in target and change is not None:
            result[key] = _merge_value(None, change)
    return result


# ---------------------------------------------------------------------------
# RFC 6902 JSON patch
# ---------------------------------------------------------------------------

_ARRAY_INDEX_RE = re.compile(r"^(0|[1-9][0-9]*)$")
_MISSING = object()


def _parse_pointer(pointer: Any, what: str, number: int) -> list[str]:
    """Split a JSON pointer (RFC 6901) into unescaped reference tokens."""
    if not isinstance(pointer, str):
        raise PatchError(f"JSON patch operation {number}: '{what}' must be a string", 400)
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(
            f"JSON patch operation {number}: '{what}' {pointer!r} must be empty or start with '/'", 400
        )
    tokens = []
    for raw in pointer[1:].split("/"):
        if re.search(r"~(?![01])", raw):
            raise PatchError(
                f"JSON patch operation {number}: {pointer!r} has a '~' not followed by 0 or 1", 400
            )
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def _array_index(container: list, token: str, pointer: str, number: int, *, allow_end: bool) -> int:
    if allow_end and token == "-":
        return len(container)
    if not _ARRAY_INDEX_RE.match(token):
        raise PatchError(
            f"JSON patch operation {number}: {token!r} in {pointer!r} is not an array index", 422
        )
    index = int(token)
    limit = len(container) if allow_end else len(container) - 1
    if index > limit:
        raise PatchError(
            f"JSON patch operation {number}: index {index} in {pointer!r} is out of range "
            f"(the array has {len(container)} elements)",
            422,
        )
    return index


def _resolve(document: Any, tokens: list[str], pointer: str, number: int) -> Any:
    current = document
    for token in tokens:
        if isinstance(current, dict):
            if token not in current:
                raise PatchError(f"JSON patch operation {number}: path {pointer!r} does not exist", 422)
            current = current[token]
        elif isinstance(current, list):
            current = current[_array_index(current, token, pointer, number, allow_end=False)]
        else:
            raise PatchError(f"JSON patch operation {number}: path {pointer!r} does not exist", 422)
    return current


def _add(document: Any, tokens: list[str], value: Any, pointer: str, number: int) -> Any:
    if not tokens:
        return value
    parent = _resolve(document, tokens[:-1], pointer, number)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_array_index(parent, last, pointer, number, allow_end=True), value)
    else:
        raise PatchError(
            f"JSON patch operation {number}: cannot add {pointer!r}: its parent is not an object or array",
            422,
        )
    return document


def _remove(document: Any, tokens: list[str], pointer: str, number: int) -> tuple[Any, Any]:
    """Remove the value at `tokens`; returns (document, removed value)."""
    if not tokens:
        raise PatchError(f"JSON patch operation {number}: cannot remove the whole object", 422)
    parent = _resolve(document, tokens[:-1], pointer, number)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"JSON patch operation {number}: path {pointer!r} does not exist", 422)
        return document, parent.pop(last)
    if isinstance(parent, list):
        return document, parent.pop(_array_index(parent, last, pointer, number, allow_end=False))
    raise PatchError(f"JSON patch operation {number}: path {pointer!r} does not exist", 422)


def _replace(document: Any, tokens: list[str], value: Any, pointer: str, number: int) -> Any:
    if not tokens:
        return value
    parent = _resolve(document, tokens[:-1], pointer, number)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"JSON patch operation {number}: path {pointer!r} does not exist", 422)
        parent[last] = value
    elif isinstance(parent, list):
        parent[_array_index(parent, last, pointer, number, allow_end=False)] = value
    else:
        raise PatchError(f"JSON patch operation {number}: path {pointer!r} does not exist", 422)
    return document


_JSON_PATCH_OPS = ("add", "remove", "replace", "move", "copy", "test")


def json_patch(target: dict, ops: list) -> dict:
    """Apply a JSON patch (RFC 6902): add, remove, replace, move, copy and test.

    Operations apply in order to a copy of `target`; if any fails, nothing is applied.
    Operations are numbered from 0 in error messages.
    """
    if not isinstance(ops, list):
        raise PatchError("a JSON patch must be a JSON array of operations", 400)
    document: Any = _copy(target)
    for number, operation in enumerate(ops):
        if not isinstance(operation, dict):
            raise PatchError(f"JSON patch operation {number} must be an object", 400)
        op = operation.get("op")
        if op not in _JSON_PATCH_OPS:
            raise PatchError(
                f"JSON patch operation {number}: 'op' must be one of {', '.join(_JSON_PATCH_OPS)}, "
                f"not {op!r}",
                400,
            )
        if "path" not in operation:
            raise PatchError(f"JSON patch operation {number} ({op}) has no 'path'", 400)
        pointer = operation["path"]
        tokens = _parse_pointer(pointer, "path", number)
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchError(f"JSON patch operation {number} ({op}) has no 'value'", 400)
        if op in ("move", "copy"):
            if "from" not in operation:
                raise PatchError(f"JSON patch operation {number} ({op}) has no 'from'", 400)
            source = operation["from"]
            source_tokens = _parse_pointer(source, "from", number)

        if op == "add":
            document = _add(document, tokens, _copy(operation["value"]), pointer, number)
        elif op == "remove":
            document, _ = _remove(document, tokens, pointer, number)
        elif op == "replace":
            document = _replace(document, tokens, _copy(operation["value"]), pointer, number)
        elif op == "move":
            if source_tokens == tokens:
                _resolve(document, tokens, pointer, number)
                continue
            if tokens[: len(source_tokens)] == source_tokens:
                raise PatchError(
                    f"JSON patch operation {number}: cannot move {source!r} into its own child {pointer!r}",
                    422,
                )
            document, value = _remove(document, source_tokens, source, number)
            document = _add(document, tokens, value, pointer, number)
        elif op == "copy":
            value = _copy(_resolve(document, source_tokens, source, number))
            document = _add(document, tokens, value, pointer, number)
        else:  # test
            actual = _resolve(document, tokens, pointer, number)
            if not _json_equal(actual, operation["value"]):
                raise PatchError(
                    f"JSON patch operation {number}: test failed: the value at {pointer!r} is "
                    f"{actual!r}, not {operation['value']!r}",
                    422,
                )
    if not isinstance(document, dict):
        raise PatchError("the JSON patch would turn the object into something that is not an object", 422)
    return document


# ---------------------------------------------------------------------------
# Strategic merge patch: the schema (which lists merge, and by which key)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Map:
    """A map whose named fields have known patch strategies; unnamed ones use the defaults."""

    fields: Mapping[str, Any] = field(default_factory=dict)

    def child(self, name: str) -> Any:
        return self.fields.get(name)


@dataclass(frozen=True)
class _KeyedList:
    """A list of maps merged element by element on `key` (patchStrategy=merge, patchMergeKey)."""

    key: str
    item: _Map = _Map()


@dataclass(frozen=True)
class _StringSet:
    """A list of scalars merged as a set (patchStrategy=merge without a merge key), e.g. finalizers."""


_ANY_MAP = _Map()
_SET = _StringSet()

_OBJECT_META = _Map({"finalizers": _SET, "ownerReferences": _KeyedList("uid")})

_CONTAINER = _Map(
    {
        "ports": _KeyedList("containerPort"),
        "env": _KeyedList("name"),
        "volumeMounts": _KeyedList("mountPath"),
        "volumeDevices": _KeyedList("devicePath"),
    }
)

_POD_SPEC = _Map(
    {
        "containers": _KeyedList("name", _CONTAINER),
        "initContainers": _KeyedList("name", _CONTAINER),
        "ephemeralContainers": _KeyedList("name", _CONTAINER),
        "volumes": _KeyedList("name"),
        "imagePullSecrets": _KeyedList("name"),
        "hostAliases": _KeyedList("ip"),
        "topologySpreadConstraints": _KeyedList("topologyKey"),
        "resourceClaims": _KeyedList("name"),
        "schedulingGates": _KeyedList("name"),
    }
)

_POD_TEMPLATE = _Map({"metadata": _OBJECT_META, "spec": _POD_SPEC})

_CONDITIONS_STATUS = _Map({"conditions": _KeyedList("type")})

_POD_STATUS = _Map(
    {
        "conditions": _KeyedList("type"),
        "podIPs": _KeyedList("ip"),
        "hostIPs": _KeyedList("ip"),
    }
)


def _object(spec: _Map = _ANY_MAP, status: _Map = _CONDITIONS_STATUS, **more: Any) -> _Map:
    return _Map({"metadata": _OBJECT_META, "spec": spec, "status": status, **more})


_WORKLOAD = _object(_Map({"template": _POD_TEMPLATE}))

_SCHEMA_BY_KIND: dict[str, _Map] = {
    "Pod": _object(_POD_SPEC, _POD_STATUS),
    "PodTemplate": _object(template=_POD_TEMPLATE),
    "StatefulSet": _WORKLOAD,
    "Deployment": _WORKLOAD,
    "ReplicaSet": _WORKLOAD,
    "DaemonSet": _WORKLOAD,
    "ReplicationController": _WORKLOAD,
    "Job": _WORKLOAD,
    "CronJob": _object(_Map({"jobTemplate": _Map({"spec": _Map({"template": _POD_TEMPLATE})})})),
    "Service": _object(_Map({"ports": _KeyedList("port")})),
    "Node": _object(
        _Map({"podCIDRs": _SET}),
        _Map({"conditions": _KeyedList("type"), "addresses": _KeyedList("type")}),
    ),
}

_GENERIC_OBJECT = _object()


def _schema_for(kind: str) -> _Map:
    return _SCHEMA_BY_KIND.get(kind, _GENERIC_OBJECT)


# ---------------------------------------------------------------------------
# Strategic merge patch: application
# ---------------------------------------------------------------------------

_PATCH = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


def strategic_merge_patch(target: dict, patch: dict, kind: str) -> dict:
    """Apply a Kubernetes strategic merge patch to `target`, an object of Kind `kind`.

    Lists with a merge key in the schema (containers by name, container ports by
    containerPort, Service ports by port, volumes, env, conditions, ...) merge
    element by element; `finalizers` merges as a set; other lists are replaced.
    """
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object", 400)
    original = _copy(target) if isinstance(target, dict) else {}
    return _merge_map(original, patch, _schema_for(kind), "")


def _where(path: str) -> str:
    return path or "the object"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _scalar_key(value: Any) -> Any:
    """A hashable identity for a scalar that keeps true and 1 apart (as Go's interface equality does)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null",)
    return ("other", repr(value))


def _merge_map(original: dict, patch: dict, schema: _Map, path: str) -> dict:
    """Merge `patch` into `original`, which this call owns and may change; `patch` is only read."""
    directive = patch.get(_PATCH)
    if directive is not None:
        if directive == "replace":
            replacement = {key: value for key, value in patch.items() if key != _PATCH}
            return _merge_map({}, replacement, schema, path)
        if directive == "delete":
            return {}
        if directive != "merge":
            raise PatchError(
                f"strategic merge patch at {_where(path)}: unknown $patch directive {directive!r} "
                "(expected replace, delete or merge)",
                400,
            )

    retain = patch.get(_RETAIN_KEYS)
    if retain is not None:
        _apply_retain_keys(original, patch, retain, path)

    ordered: set[str] = set()
    for key, order in patch.items():
        if key.startswith(_SET_ORDER):
            name = key[len(_SET_ORDER):]
            if not name:
                raise PatchError(f"strategic merge patch at {_where(path)}: {key!r} names no list", 400)
            ordered.add(name)
            _merge_ordered_list(original, patch, name, order, schema.child(name), _join(path, name))

    deletions: list[tuple[str, Any]] = []
    for key, change in patch.items():
        if key.startswith("$"):
            if key.startswith(_DELETE_FROM):
                deletions.append((key[len(_DELETE_FROM):], change))
            elif key not in (_PATCH, _RETAIN_KEYS) and not key.startswith(_SET_ORDER):
                raise PatchError(
                    f"strategic merge patch at {_where(path)}: unknown directive {key!r}", 400
                )
            continue
        if key in ordered:
            continue
        child_path = _join(path, key)
        if change is None:
            original.pop(key, None)
            continue
        spec = schema.child(key)
        current = original.get(key, _MISSING)
        if isinstance(current, dict) and isinstance(change, dict):
            original[key] = _merge_map(current, change, spec if isinstance(spec, _Map) else _ANY_MAP, child_path)
        elif isinstance(current, list) and isinstance(change, list):
            original[key] = _merge_list(current, change, spec, child_path)
        else:
            fresh = _fresh(change, spec, child_path)
            if fresh is _MISSING:
                original.pop(key, None)
            else:
                original[key] = fresh

    for name, values in deletions:
        _delete_from_primitive_list(original, name, values, _join(path, name))
    return original


def _fresh(value: Any, spec: Any, path: str) -> Any:
    """A patch value placed where nothing mergeable exists: copied with directives applied and nulls dropped.

    Returns _MISSING for a map that only says `$patch: delete`.
    """
    if isinstance(value, dict):
        if value.get(_PATCH) == "delete":
            return _MISSING
        return _merge_map({}, value, spec if isinstance(spec, _Map) else _ANY_MAP, path)
    if isinstance(value, list):
        return _merge_list([], value, spec, path)
    return value


def _apply_retain_keys(original: dict, patch: dict, retain: Any, path: str) -> None:
    """`$retainKeys`: drop the keys of `original` not listed; every key the patch sets must be listed."""
    if not isinstance(retain, list) or not all(isinstance(name, str) for name in retain):
        raise PatchError(
            f"strategic merge patch at {_where(path)}: $retainKeys must be a list of field names", 400
        )
    kept = set(retain)
    for key, change in patch.items():
        if change is None or key.startswith("$"):
            continue
        if key not in kept:
            raise PatchError(
                f"strategic merge patch at {_where(path)}: field {key!r} is set but not listed in $retainKeys",
                400,
            )
    for key in list(original):
        if key not in kept:
            del original[key]


def _merge_list(current: list, change: list, spec: Any, path: str) -> list:
    """Merge two lists by the field's strategy; `current` is owned, `change` only read."""
    if isinstance(spec, _KeyedList):
        return _merge_keyed_list(current, change, spec, path)
    if isinstance(spec, _StringSet):
        return _merge_scalar_set(current, change, path)
    # Atomic list: the patch replaces it (maps in it lose their nulls and directives, as if stored typed).
    replacement = [_fresh(item, None, path) if isinstance(item, dict) else _copy(item) for item in change]
    return [item for item in replacement if item is not _MISSING]


def _merge_scalar_set(current: list, change: list, path: str) -> list:
    for item in change:
        if isinstance(item, (dict, list)):
            raise PatchError(
                f"strategic merge patch at {path}: this list holds plain values, not objects or lists", 400
            )
    merged = list(current)
    seen = {_scalar_key(item) for item in merged}
    for item in change:
        identity = _scalar_key(item)
        if identity not in seen:
            seen.add(identity)
            merged.append(item)
    return _enforce_order(merged, change, current, _scalar_key)


def _merge_keyed_list(current: list, change: list, spec: _KeyedList, path: str) -> list:
    key = spec.key

    def identity(item: Any) -> Any:
        return _scalar_key(item.get(key)) if isinstance(item, dict) and key in item else ("none", id(item))

    plain: list[dict] = []
    doomed: set = set()
    replace_all = False
    for item in change:
        if not isinstance(item, dict):
            raise PatchError(
                f"strategic merge patch at {path}: elements must be objects with a {key!r} field", 400
            )
        directive = item.get(_PATCH)
        if directive is None:
            if key not in item:
                raise PatchError(
                    f"strategic merge patch at {path}: an element has no merge key {key!r}", 400
                )
            plain.append(item)
        elif directive == "delete":
            if key not in item:
                raise PatchError(
                    f"strategic merge patch at {path}: a '$patch: delete' element has no merge key {key!r}",
                    400,
                )
            doomed.add(_scalar_key(item[key]))
        elif directive == "replace":
            replace_all = True
        elif directive == "merge":
            raise PatchError(
                f"strategic merge patch at {path}: '$patch: merge' is not allowed inside a list", 400
            )
        else:
            raise PatchError(
                f"strategic merge patch at {path}: unknown $patch directive {directive!r}", 400
            )

    if replace_all:
        # `$patch: replace` in a list: the list becomes exactly the other elements.
        return [_merge_map({}, item, spec.item, path) for item in plain]

    base = [item for item in current if identity(item) not in doomed] if doomed else list(current)
    merged = list(base)
    for item in plain:
        wanted = _scalar_key(item[key])
        for index, existing in enumerate(merged):
            if isinstance(existing, dict) and key in existing and _scalar_key(existing[key]) == wanted:
                merged[index] = _merge_map(existing, item, spec.item, f"{path}[{key}={item[key]}]")
                break
        else:
            merged.append(_merge_map({}, item, spec.item, f"{path}[{key}={item[key]}]"))
    return _enforce_order(merged, plain, base, identity)


def _enforce_order(merged: list, wanted_order: list, server_order: list, identity) -> list:
    """Order a merged list the way Kubernetes does.

    Elements named in `wanted_order` (the patch list, or a $setElementOrder list)
    come in that order; the others ("server-only") keep their order from the live
    list and are interleaved with the first group where the live list places them
    before an element of it. Elements new to the live list come before the
    server-only elements that are left, so a new list element lands before them.
    """
    wanted_position: dict = {}
    for index, item in enumerate(wanted_order):
        wanted_position.setdefault(identity(item), index)
    server_position: dict = {}
    for index, item in enumerate(server_order):
        server_position.setdefault(identity(item), index)

    from_patch = [item for item in merged if identity(item) in wanted_position]
    server_only = [item for item in merged if identity(item) not in wanted_position]
    from_patch.sort(key=lambda item: wanted_position[identity(item)])
    server_only.sort(key=lambda item: server_position.get(identity(item), len(server_position)))

    result: list = []
    i = j = 0
    while i < len(server_only) or j < len(from_patch):
        if j >= len(from_patch):
            result.append(server_only[i])
            i += 1
        elif i >= len(server_only):
            result.append(from_patch[j])
            j += 1
        else:
            left = server_position.get(identity(server_only[i]))
            right = server_position.get(identity(from_patch[j]))
            if left is not None and right is not None and left < right:
                result.append(server_only[i])
                i += 1
            else:
                result.append(from_patch[j])
                j += 1
    return result


def _merge_ordered_list(original: dict, patch: dict, name: str, order: Any, spec: Any, path: str) -> None:
    """Handle `$setElementOrder/<name>` together with the `<name>` list of the same patch."""
    if not isinstance(order, list):
        raise PatchError(f"strategic merge patch at {path}: $setElementOrder/{name} must be a list", 400)
    change = patch.get(name, _MISSING)
    current = original.get(name, _MISSING)

    if change is None:
        original.pop(name, None)
        return
    if not isinstance(spec, (_KeyedList, _StringSet)):
        # An atomic list has no order to keep: the patch's list (if any) replaces it.
        if change is not _MISSING:
            original[name] = _fresh(change, spec, path)
        return
    if change is not _MISSING and not isinstance(change, list):
        original[name] = _fresh(change, spec, path)
        return

    if isinstance(spec, _KeyedList):
        key = spec.key
        for item in order:
            if not isinstance(item, dict) or key not in item:
                raise PatchError(
                    f"strategic merge patch at {path}: $setElementOrder/{name} entries must be objects "
                    f"with the merge key {key!r}",
                    400,
                )

        def identity(item: Any) -> Any:
            if isinstance(item, dict) and key in item:
                return _scalar_key(item[key])
            return ("none", id(item))

    else:
        for item in order:
            if isinstance(item, (dict, list)):
                raise PatchError(
                    f"strategic merge patch at {path}: $setElementOrder/{name} must list plain values", 400
                )
        identity = _scalar_key

    live = current if isinstance(current, list) else []
    if change is _MISSING:
        if not isinstance(current, list):
            return
        merged = list(current)
    else:
        merged = _merge_list(live, change, spec, path)
        _check_order_covers_patch(change, order, identity, isinstance(spec, _KeyedList), name, path)
    original[name] = _enforce_order(merged, order, live, identity)


def _check_order_covers_patch(change: list, order: list, identity, keyed: bool, name: str, path: str) -> None:
    """The patch list (minus `$patch` elements) must appear in $setElementOrder, in the same order."""
    listed = [
        item for item in change if not (keyed and isinstance(item, dict) and _PATCH in item)
    ]
    position = 0
    for item in listed:
        wanted = identity(item)
        while position < len(order) and identity(order[position]) != wanted:
            position += 1
        if position >= len(order):
            raise PatchError(
                f"strategic merge patch at {path}: the elements of {name!r} do not match "
                f"$setElementOrder/{name} (each must be listed there, in the same order)",
                400,
            )
        position += 1


def _delete_from_primitive_list(original: dict, name: str, values: Any, path: str) -> None:
    """`$deleteFromPrimitiveList/<name>`: remove these values from a list of plain values."""
    if not name:
        raise PatchError(f"strategic merge patch at {path}: $deleteFromPrimitiveList names no list", 400)
    if not isinstance(values, list) or any(isinstance(value, (dict, list)) for value in values):
        raise PatchError(
            f"strategic merge patch at {path}: $deleteFromPrimitiveList/{name} must be a list of plain values",
            400,
        )
    current = original.get(name)
    if not isinstance(current, list):
        return
    doomed = {_scalar_key(value) for value in values}
    original[name] = [item for item in current if _scalar_key(item) not in doomed]
