"""Server-side apply: PATCH with `application/apply-patch+yaml`, field managers, conflicts, force.

Place in the flow: `server` hands an apply PATCH to `apply(store, rt, namespace, name,
body, manager, force, dry_run)`. The applied configuration's fields (a set of paths,
stored as FieldsV1 in `metadata.managedFields`) are compared with the fields other
managers own: a field another manager owns with a different value is a conflict (409
with kube-apiserver's message and one cause per field) unless `force=true`, which moves
ownership to the applier. Fields this manager applied before and applies no more are
removed when nobody else owns them. The object does not exist yet: it is created.

Lists follow the schema's list types for the kinds served: containers, env, volumes,
volumeMounts, ports, conditions... are maps keyed by their key fields (`k:{...}`),
finalizers a set (`v:...`), other lists atomic. Writes that are not applies (PUT,
merge patches) keep the managedFields but do not record an Update manager (a limit).
"""
from __future__ import annotations

import copy
import json
from typing import Any

from .clock import rfc3339
from .objects import ApiError, bad_request

APPLY_CONTENT_TYPES = ("application/apply-patch+yaml", "application/apply-patch+json",
                       "application/apply-patch+cbor")

# list field name -> key fields (a map-type list); "ports" depends on what the items hold.
LIST_KEYS = {
    "containers": ("name",), "initContainers": ("name",), "ephemeralContainers": ("name",),
    "env": ("name",), "volumes": ("name",), "volumeMounts": ("mountPath",), "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",), "ownerReferences": ("uid",), "conditions": ("type",),
    "hostAliases": ("ip",), "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
    "resourceClaims": ("name",),
}
SET_LISTS = {"finalizers"}
STRIPPED_META = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp", "managedFields",
                 "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")

Path = tuple[str, ...]


def _keys_for(field: str, items: list) -> tuple[str, ...] | None:
    if field == "ports":
        if items and all(isinstance(i, dict) and "containerPort" in i for i in items):
            return ("containerPort", "protocol")
        if items and all(isinstance(i, dict) and "port" in i for i in items):
            return ("port", "protocol")
        return None
    return LIST_KEYS.get(field)


def _item_key(item: dict, keys: tuple[str, ...]) -> str:
    values = {}
    for k in keys:
        v = item.get(k)
        if v is None and k == "protocol":
            v = "TCP"
        values[k] = v
    return "k:" + json.dumps(dict(sorted(values.items())), separators=(",", ":"))


def field_set(obj: Any, prefix: Path = ()) -> set[Path]:
    """The leaf paths of `obj` in FieldsV1 element syntax (`f:spec`, `k:{"name":"x"}`, `v:"a"`, `.`)."""
    out: set[Path] = set()
    if not isinstance(obj, dict):
        return out
    for key, value in obj.items():
        here = prefix + (f"f:{key}",)
        if isinstance(value, dict) and value:
            out |= field_set(value, here)
        elif isinstance(value, list) and value and key in SET_LISTS:
            for v in value:
                out.add(here + ("v:" + json.dumps(v, separators=(",", ":")),))
        elif isinstance(value, list) and value and (keys := _keys_for(key, value)):
            for item in value:
                if not isinstance(item, dict):
                    continue
                item_here = here + (_item_key(item, keys),)
                out.add(item_here + (".",))
                out |= field_set(item, item_here)
        else:
            out.add(here)
    return out


def to_fields_v1(paths: set[Path]) -> dict:
    tree: dict = {}
    for path in sorted(paths):
        node = tree
        for element in path[:-1]:
            node = node.setdefault(element, {})
        node.setdefault(path[-1], {})
    return tree


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    for element, sub in tree.items():
        here = prefix + (element,)
        if isinstance(sub, dict) and sub:
            out |= from_fields_v1(sub, here)
        else:
            out.add(here)
    return out


def path_text(path: Path) -> str:
    """`.spec.template.spec.containers[name="nginx"].image`, as structured-merge-diff prints it."""
    text = ""
    for element in path:
        if element == ".":
            continue
        kind, _, rest = element.partition(":")
        if kind == "f":
            text += "." + rest
        elif kind == "k":
            parts = [f"{k}={json.dumps(v)}" for k, v in json.loads(rest).items()]
            text += "[" + ",".join(parts) + "]"
        elif kind == "v":
            text += f"[={rest}]"
    return text


_MISSING = object()


def value_at(obj: Any, path: Path) -> Any:
    node = obj
    for i, element in enumerate(path):
        if element == ".":
            return node
        kind, _, rest = element.partition(":")
        if kind == "f":
            if not isinstance(node, dict) or rest not in node:
                return _MISSING
            node = node[rest]
        elif kind == "k":
            want = json.loads(rest)
            if not isinstance(node, list):
                return _MISSING
            node = next((it for it in node if isinstance(it, dict) and _item_key(it, tuple(want)) == element),
                        _MISSING)
            if node is _MISSING:
                return _MISSING
        elif kind == "v":
            want = json.loads(rest)
            return want if isinstance(node, list) and want in node else _MISSING
    return node


def remove_path(obj: Any, path: Path) -> None:
    """Delete the field (or list item, for a path ending in `.` or a `v:` element) at `path`."""
    if path and path[-1] == ".":
        path = path[:-1]
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    if parent is _MISSING:
        return
    kind, _, rest = path[-1].partition(":")
    if kind == "f" and isinstance(parent, dict):
        parent.pop(rest, None)
    elif kind == "k" and isinstance(parent, list):
        want = tuple(json.loads(rest))
        parent[:] = [it for it in parent if not (isinstance(it, dict) and _item_key(it, want) == path[-1])]
    elif kind == "v" and isinstance(parent, list):
        value = json.loads(rest)
        parent[:] = [v for v in parent if v != value]


def merge(live: Any, config: Any, field: str = "") -> Any:
    """The applied configuration laid over the live object (maps merge, keyed lists merge by key)."""
    if isinstance(live, dict) and isinstance(config, dict):
        out = dict(live)
        for k, v in config.items():
            out[k] = merge(live.get(k, _MISSING), v, k) if k in live else copy.deepcopy(v)
        return out
    if isinstance(live, list) and isinstance(config, list):
        if field in SET_LISTS:
            return list(live) + [v for v in config if v not in live]
        keys = _keys_for(field, config) or (_keys_for(field, live) if config else None)
        if keys:
            out = [copy.deepcopy(it) for it in live]
            for item in config:
                if not isinstance(item, dict):
                    continue
                key = _item_key(item, keys)
                i = next((n for n, it in enumerate(out) if isinstance(it, dict) and _item_key(it, keys) == key), None)
                if i is None:
                    out.append(copy.deepcopy(item))
                else:
                    out[i] = merge(out[i], item, "")
            return out
    return copy.deepcopy(config)


def conflict_error(conflicts: list[tuple[str, Path]]) -> ApiError:
    causes = [{"reason": "FieldManagerConflict", "message": f'conflict with "{m}"', "field": path_text(p)}
              for m, p in conflicts]
    if len(conflicts) == 1:
        m, p = conflicts[0]
        message = f'Apply failed with 1 conflict: conflict with "{m}": {path_text(p)}'
    else:
        by_manager: dict[str, list[Path]] = {}
        for m, p in conflicts:
            by_manager.setdefault(m, []).append(p)
        lines = []
        for m in sorted(by_manager):
            lines.append(f'conflicts with "{m}":')
            lines += [f"- {path_text(p)}" for p in by_manager[m]]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _config_of(body: Any, rt) -> dict:
    if not isinstance(body, dict):
        raise bad_request("the apply configuration must be an object")
    if body.get("kind") and body["kind"] != rt.kind:
        raise bad_request(f"the kind in the data ({body['kind']}) does not match the expected kind ({rt.kind})")
    if body.get("apiVersion") and body["apiVersion"] != rt.api_version:
        raise bad_request(f"the API version in the data ({body['apiVersion']}) does not match the expected "
                          f"API version ({rt.api_version})")
    config = copy.deepcopy(body)
    config.pop("apiVersion", None)
    config.pop("kind", None)
    config.pop("status", None)
    meta = config.get("metadata")
    if isinstance(meta, dict):
        for f in STRIPPED_META:
            meta.pop(f, None)
        if not meta:
            config.pop("metadata")
    return config


def apply(store, rt, namespace: str | None, name: str, body: Any, manager: str | None, force: bool,
          now: float, dry_run: bool = False) -> tuple[int, dict]:
    """(HTTP code, object) after applying `body` as `manager`."""
    if not manager:
        raise bad_request("PATCH, application/apply-patch+yaml requests must have a fieldManager")
    config = _config_of(body, rt)
    body_name = ((body or {}).get("metadata") or {}).get("name")
    if body_name and body_name != name:
        raise bad_request("the name of the object does not match the name on the URL")
    mine = field_set(config)
    entry = {"manager": manager, "operation": "Apply", "apiVersion": rt.api_version, "time": rfc3339(now),
             "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(mine)}
    with store.lock:
        live = store.find(rt.plural, namespace, name)
        if live is None:
            obj = copy.deepcopy(config)
            obj.setdefault("metadata", {}).update(name=name, managedFields=[entry])
            created = store.create(rt.plural, dict(obj, apiVersion=rt.api_version, kind=rt.kind), namespace,
                                   dry_run=dry_run)
            return 201, created
        entries = list((live.get("metadata") or {}).get("managedFields") or [])
        previous: set[Path] = set()
        others: list[tuple[dict, set[Path]]] = []
        for e in entries:
            fields = from_fields_v1(e.get("fieldsV1"))
            if e.get("manager") == manager and e.get("operation") == "Apply":
                previous = fields
                if fields == mine:
                    entry["time"] = e.get("time", entry["time"])   # the same apply again changes nothing
            else:
                others.append((e, fields))
        # Values are compared after defaulting, as the real apiserver's are: a field the config leaves
        # to its default does not conflict with the defaulted value another manager applied.
        candidate = merge(copy.deepcopy(live), config)
        candidate = store._admit(rt.plural, candidate, live) if store.admission is not None else candidate
        conflicts = []
        for e, fields in others:
            for p in sorted(mine & fields):
                if p[-1] == ".":
                    continue
                if value_at(live, p) != value_at(candidate, p):
                    conflicts.append((e.get("manager") or "", p))
        if conflicts and not force:
            raise conflict_error(conflicts)
        taken = {p for _m, p in conflicts}
        kept_entries = []
        owned_by_others: set[Path] = set()
        for e, fields in others:
            left = fields - taken if force else fields
            owned_by_others |= left
            if left:
                kept_entries.append(dict(e, fieldsV1=to_fields_v1(left)) if left != fields else e)
        new = copy.deepcopy(live)
        for p in sorted(previous - mine - owned_by_others, key=len, reverse=True):
            remove_path(new, p)
        new = merge(new, config)
        new.setdefault("metadata", {})["managedFields"] = kept_entries + [entry]
        if "status" in live:
            new["status"] = live["status"]
        written = store.replace(rt.plural, namespace, name, _without_rv(new), dry_run=dry_run)
        return 200, written


def _without_rv(obj: dict) -> dict:
    obj = dict(obj)
    obj["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "resourceVersion"}
    return obj
