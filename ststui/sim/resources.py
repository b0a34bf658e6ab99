"""The resource types the simulated API server serves, and their discovery facts.

Place in the flow: `objects.ObjectStore` keys its storage by these plurals; `server`
builds /api, /apis and /apis/<group>/<version> discovery documents from them, so that
kubectl's RESTMapper finds kinds, verbs and shortNames.
"""
from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    group: str            # "" for the core group
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()   # "status", "scale", "log"
    verbs: tuple[str, ...] = ALL_VERBS

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    def base_path(self, namespace: str | None) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{root}/namespaces/{namespace}/{self.plural}"
        return f"{root}/{self.plural}"


RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType("", "v1", "namespaces", "namespace", "Namespace", False, ("ns",), (), ("status",)),
    ResourceType("", "v1", "nodes", "node", "Node", False, ("no",), (), ("status",)),
    ResourceType("", "v1", "pods", "pod", "Pod", True, ("po",), ("all",), ("status", "log")),
    ResourceType("", "v1", "services", "service", "Service", True, ("svc",), ("all",), ("status",)),
    ResourceType("", "v1", "events", "event", "Event", True, ("ev",)),
    ResourceType("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim",
                 True, ("pvc",), (), ("status",)),
    ResourceType("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume",
                 False, ("pv",), (), ("status",)),
    ResourceType("apps", "v1", "statefulsets", "statefulset", "StatefulSet", True, ("sts",), ("all",),
                 ("status", "scale")),
    ResourceType("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", True),
    ResourceType("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", False, ("sc",)),
)

BY_PLURAL: dict[str, ResourceType] = {r.plural: r for r in RESOURCE_TYPES}
BY_KIND: dict[str, ResourceType] = {r.kind: r for r in RESOURCE_TYPES}


def group_versions() -> list[tuple[str, str]]:
    """(group, version) pairs served, core first."""
    seen: list[tuple[str, str]] = []
    for r in RESOURCE_TYPES:
        gv = (r.group, r.version)
        if gv not in seen:
            seen.append(gv)
    return seen


def resources_in(group: str, version: str) -> list[ResourceType]:
    return [r for r in RESOURCE_TYPES if r.group == group and r.version == version]


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    r = BY_PLURAL.get(plural)
    if r is None or r.group != group or r.version != version:
        return None
    return r
