"""OpenAPI v3 (and v2 JSON) documents for the kinds the sim serves, built from the `kubernetes` client's models.

Place in the flow: `server` answers /openapi/v3 with `v3_root()`, /openapi/v3/<gv> with
`v3_document(gv)` and /openapi/v2 (JSON) with `v2_document()`. kubectl uses them for
`explain` (v3 since 1.27) and, for create/apply/edit, to ask whether the server
validates fields itself (a PATCH operation with a `fieldValidation` query parameter)
and for strategic-merge-patch list keys (`x-kubernetes-patch-merge-key`). The protobuf
/openapi/v2 stays empty (kubectl then falls back to its compiled-in types there).

Schemas come from the official client's generated models (`openapi_types`,
`attribute_map`, and the pydantic field descriptions and required flags), so they
follow the client's Kubernetes version; IntOrString fields are marked as such, and the
list fields the sim treats as maps (`ssa.LIST_KEYS`) carry their merge keys. Built on
first use and cached.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re

from .resources import RESOURCE_TYPES, group_versions, resources_in
from .ssa import LIST_KEYS, SET_LISTS

META_MODELS = {"V1ObjectMeta", "V1ListMeta", "V1LabelSelector", "V1LabelSelectorRequirement", "V1OwnerReference",
               "V1ManagedFieldsEntry", "V1Condition", "V1DeleteOptions", "V1Preconditions", "V1Status",
               "V1StatusDetails", "V1StatusCause"}
INT_OR_STRING = {"maxUnavailable", "maxSurge", "minAvailable", "targetPort"}
INT_OR_STRING_REF = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
GROUP_PACKAGES = {"": "core", "apps": "apps", "storage.k8s.io": "storage", "rbac.authorization.k8s.io": "rbac",
                  "authorization.k8s.io": "authorization", "authentication.k8s.io": "authentication",
                  "policy": "policy"}
SCALAR = {"str": {"type": "string"}, "int": {"type": "integer", "format": "int32"}, "bool": {"type": "boolean"},
          "float": {"type": "number", "format": "double"}, "datetime": {"type": "string", "format": "date-time"},
          "bytes": {"type": "string", "format": "byte"}, "object": {"type": "object"}}
PARAMS = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
          for n in ("dryRun", "fieldManager", "fieldValidation", "force")]


def _models():
    import kubernetes.client.models as models
    return models


def model_class_name(kind: str) -> str:
    return "CoreV1Event" if kind == "Event" else f"V1{kind}"


# Model name prefixes -> their API package (everything else is core/v1).
PACKAGE_PREFIXES = (("StatefulSet", "apps"), ("RollingUpdateStatefulSet", "apps"), ("ControllerRevision", "apps"),
                    ("PodDisruptionBudget", "policy"), ("Eviction", "policy"), ("ClusterRole", "rbac"),
                    ("Role", "rbac"), ("Subject", "rbac"), ("PolicyRule", "rbac"), ("AggregationRule", "rbac"),
                    ("SelfSubjectReview", "authentication"), ("UserInfo", "authentication"),
                    ("SelfSubject", "authorization"), ("ResourceAttributes", "authorization"),
                    ("NonResourceAttributes", "authorization"), ("ResourceRule", "authorization"),
                    ("NonResourceRule", "authorization"), ("SubjectRulesReview", "authorization"),
                    ("SubjectAccessReview", "authorization"), ("FieldSelectorAttributes", "authorization"),
                    ("LabelSelectorAttributes", "authorization"), ("StorageClass", "storage"))
_LONGEST_FIRST = sorted(PACKAGE_PREFIXES, key=lambda entry: -len(entry[0]))


def schema_name(cls_name: str, package: str = "") -> str:
    """The upstream-style schema name, e.g. io.k8s.api.apps.v1.StatefulSetSpec, io.k8s.api.core.v1.PodSpec."""
    short = re.sub(r"^(CoreV1|V1)", "", cls_name)
    if cls_name in META_MODELS:
        return f"io.k8s.apimachinery.pkg.apis.meta.v1.{short}"
    pkg = next((p for prefix, p in _LONGEST_FIRST if short.startswith(prefix)), "core")
    return f"io.k8s.api.{pkg}.v1.{short}"


def _description(cls) -> str:
    doc = (cls.__doc__ or "").strip()
    return doc.split("\n\n", 1)[0].strip() if not doc.startswith("NOTE") else ""


class _Builder:
    def __init__(self, package: str) -> None:
        self.package = package
        self.schemas: dict[str, dict] = {}
        self.models = _models()

    def ref(self, cls_name: str) -> dict:
        cls = getattr(self.models, cls_name, None)
        if cls is None or not hasattr(cls, "openapi_types"):
            return {"type": "object"}
        name = schema_name(cls_name, self.package)
        if name not in self.schemas:
            self.schemas[name] = {}          # placeholder against cycles (JSONSchemaProps-like recursion)
            self.schemas[name] = self.model(cls)
        return {"$ref": f"#/components/schemas/{name}"}

    def typed(self, type_text: str, field: str) -> dict:
        if type_text == "object" and field in INT_OR_STRING:
            return {"$ref": f"#/components/schemas/{INT_OR_STRING_REF}"}
        if type_text in SCALAR:
            return dict(SCALAR[type_text])
        m = re.fullmatch(r"List\[(.+)\]", type_text)
        if m:
            return {"type": "array", "items": self.typed(m.group(1), "")}
        m = re.fullmatch(r"Dict\[str, (.+)\]", type_text)
        if m:
            return {"type": "object", "additionalProperties": self.typed(m.group(1), "")}
        return self.ref(type_text)

    def model(self, cls) -> dict:
        props: dict[str, dict] = {}
        required: list[str] = []
        fields = getattr(cls, "model_fields", {})
        for py_name, type_text in cls.openapi_types.items():
            json_name = cls.attribute_map.get(py_name, py_name)
            schema = self.typed(type_text, json_name)
            info = fields.get(py_name)
            desc = getattr(info, "description", None) or ""
            if not desc and "$ref" in schema:     # the client drops these: say what the type is
                target = getattr(self.models, type_text, None)
                desc = _description(target) if target is not None else ""
            if "$ref" in schema:
                schema = {"allOf": [schema]}
            if desc:
                schema["description"] = desc
            if schema.get("type") == "array":
                keys = LIST_KEYS.get(json_name)
                if json_name == "ports":
                    keys = ("containerPort",) if cls.__name__ == "V1Container" else ("port",)
                if keys:
                    schema.update({"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": list(keys),
                                   "x-kubernetes-patch-merge-key": keys[0], "x-kubernetes-patch-strategy": "merge"})
                elif json_name in SET_LISTS:
                    schema.update({"x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"})
                else:
                    schema["x-kubernetes-list-type"] = "atomic"
            props[json_name] = schema
            if info is not None and info.is_required():
                required.append(json_name)
        out: dict = {"type": "object", "properties": props}
        desc = _description(cls)
        if desc:
            out["description"] = desc
        if required:
            out["required"] = required
        return out


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


@functools.lru_cache(maxsize=None)
def _v3_document_json(group: str, version: str) -> bytes:
    package = GROUP_PACKAGES.get(group, group.split(".")[0])
    builder = _Builder(package)
    builder.schemas[INT_OR_STRING_REF] = {"type": "string", "format": "int-or-string",
                                          "description": "IntOrString is a type that can hold an int32 or a "
                                                         "string."}
    paths: dict[str, dict] = {}
    for rt in resources_in(group, version):
        ref = builder.ref(model_class_name(rt.kind))
        name = ref.get("$ref", "").rsplit("/", 1)[-1]
        gvk = {"group": group, "version": version, "kind": rt.kind}
        if name in builder.schemas:
            builder.schemas[name]["x-kubernetes-group-version-kind"] = [gvk]
        base = "/" + _gv_path(group, version) + ("/namespaces/{namespace}" if rt.namespaced else "")
        op = {"x-kubernetes-group-version-kind": gvk, "parameters": PARAMS,
              "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}}
        if "create" in rt.verbs:
            paths[f"{base}/{rt.plural}"] = {"post": dict(op, operationId=f"create{rt.kind}")}
        if "patch" in rt.verbs:
            paths[f"{base}/{rt.plural}/{{name}}"] = {"patch": dict(op, operationId=f"patch{rt.kind}"),
                                                    "put": dict(op, operationId=f"replace{rt.kind}")}
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
           "components": {"schemas": dict(sorted(builder.schemas.items()))}}
    return json.dumps(doc, separators=(",", ":")).encode()


def v3_document(path: str) -> bytes | None:
    """The document at /openapi/v3/<path> (e.g. "apis/apps/v1"), or None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "api":
        gv = ("", parts[1])
    elif len(parts) == 3 and parts[0] == "apis":
        gv = (parts[1], parts[2])
    else:
        return None
    if gv not in group_versions():
        return None
    return _v3_document_json(*gv)


@functools.lru_cache(maxsize=1)
def v3_root() -> dict:
    paths = {}
    for group, version in group_versions():
        gv = _gv_path(group, version)
        digest = hashlib.sha512(_v3_document_json(group, version)).hexdigest()[:128].upper()
        paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
    return {"paths": paths}


@functools.lru_cache(maxsize=1)
def v2_document() -> bytes:
    """Swagger 2.0 JSON with every served kind's definitions (refs rewritten to #/definitions/)."""
    definitions: dict = {}
    for group, version in group_versions():
        doc = json.loads(_v3_document_json(group, version))
        definitions.update(doc["components"]["schemas"])
    text = json.dumps({"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": {},
                       "definitions": definitions}, separators=(",", ":"))
    return text.replace("#/components/schemas/", "#/definitions/").encode()


__all__ = ["v3_root", "v3_document", "v2_document", "RESOURCE_TYPES"]
