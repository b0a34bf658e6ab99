"""Discovery and OpenAPI documents of the simulated API server.

Place in the flow: `server` answers /version, /api, /apis, /api/v1 and
/apis/<group>/<version> from `document(path)`, built from `resources.RESOURCE_TYPES`.
kubectl's RESTMapper resolves `sts`, `po`, `pvc`... from these lists (shortNames,
singularName, verbs), and finds the `statefulsets/scale` subresource (an autoscaling/v1
Scale) here. Only the legacy (non-aggregated) format is served: clients that ask for
aggregated discovery (`as=APIGroupDiscoveryList`) fall back to it when the answer's
Content-Type is plain application/json.

OpenAPI: kubectl `create -f` / `apply -f` fetch /openapi/v2 (protobuf) and /openapi/v3;
an empty protobuf document and an empty v3 path list make them skip client-side schema
validation and build strategic merge patches from their compiled-in types.
"""
from __future__ import annotations

import base64
import hashlib
import platform

from .resources import ResourceType, group_versions, resources_in

KUBE_MAJOR, KUBE_MINOR = "1", "32"

SUBRESOURCE_VERBS = ("get", "patch", "update")
READ_WRITE_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


def version_info() -> dict:
    return {
        "major": KUBE_MAJOR,
        "minor": KUBE_MINOR,
        "gitVersion": f"v{KUBE_MAJOR}.{KUBE_MINOR}.0-ststui-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": f"linux/{'arm64' if platform.machine() in ('aarch64', 'arm64') else 'amd64'}",
    }


def _storage_hash(rt: ResourceType) -> str:
    digest = hashlib.sha256(f"{rt.group}/{rt.version}/{rt.kind}".encode()).digest()[:8]
    return base64.b64encode(digest).decode()


def _resource_entries(rt: ResourceType) -> list[dict]:
    main: dict = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
        "storageVersionHash": _storage_hash(rt),
    }
    if rt.short_names:
        main["shortNames"] = list(rt.short_names)
    if rt.categories:
        main["categories"] = list(rt.categories)
    entries = [main]
    for sub in rt.subresources:
        entry = {"name": f"{rt.plural}/{sub}", "singularName": "", "namespaced": rt.namespaced,
                 "kind": rt.kind, "verbs": list(SUBRESOURCE_VERBS)}
        if sub == "scale":
            entry.update(group="autoscaling", version="v1", kind="Scale")
        elif sub == "log":
            entry["verbs"] = ["get"]
        entries.append(entry)
    return entries


def resource_list(group: str, version: str) -> dict | None:
    types = resources_in(group, version)
    if not types:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [e for rt in types for e in _resource_entries(rt)],
    }


def core_versions(server_address: str) -> dict:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(name: str, versions: list[str]) -> dict:
    gvs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": gvs, "preferredVersion": gvs[0]}


def group_list() -> dict:
    groups: dict[str, list[str]] = {}
    for group, version in group_versions():
        if group:
            groups.setdefault(group, []).append(version)
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group(name, versions) for name, versions in groups.items()]}


def group(name: str) -> dict | None:
    versions = [v for g, v in group_versions() if g == name]
    if not versions:
        return None
    return dict(_group(name, versions), kind="APIGroup", apiVersion="v1")


def document(path: str, server_address: str) -> dict | None:
    """The discovery document at `path`, or None when there is none."""
    parts = [p for p in path.split("/") if p]
    if parts == ["version"]:
        return version_info()
    if parts == ["api"]:
        return core_versions(server_address)
    if parts == ["apis"]:
        return group_list()
    if len(parts) == 2 and parts[0] == "api":
        return resource_list("", parts[1])
    if len(parts) == 2 and parts[0] == "apis":
        return group(parts[1])
    if len(parts) == 3 and parts[0] == "apis":
        return resource_list(parts[1], parts[2])
    return None


# An OpenAPI v3 root with no group-versions: clients find no schemas and fall back.
OPENAPI_V3_ROOT = {"paths": {}}

# A serialised, empty `openapi_v2.Document` protobuf message.
OPENAPI_V2_PROTOBUF = b""
OPENAPI_V2_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
