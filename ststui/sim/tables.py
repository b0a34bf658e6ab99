"""Server-side printing: `meta.k8s.io/v1 Table` answers for `kubectl get`.

Place in the flow: when a GET or watch asks for `Accept: application/json;as=Table;...`,
`server` builds the answer with `table(plural, objects, now, ...)`. Each kind has a
column list and a row function (one object -> cells), the way a real apiserver prints;
columns with priority 1 are the extra ones kubectl shows with `-o wide`.
"""
from __future__ import annotations

from typing import Callable

from ststui.state.times import human_age  # kubectl's age format, shared with the TUI

from .clock import parse_rfc3339

Row = Callable[[dict, float], list]


def age(timestamp: str | None, now: float) -> str:
    t = parse_rfc3339(timestamp)
    return "<unknown>" if t is None else human_age(now - t)


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _age(obj: dict, now: float) -> str:
    return age(_meta(obj).get("creationTimestamp"), now)


_ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                 "ReadWriteOncePod": "RWOP"}


def _modes(modes: list | None) -> str:
    return ",".join(_ACCESS_MODES.get(m, m) for m in modes or [])


# --------------------------------------------------------------------------- rows per kind

def pod_status(pod: dict) -> tuple[str, int, int, int]:
    """(STATUS text, ready containers, total containers, restarts) as kubectl prints them."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = _meta(pod)
    total = len(spec.get("containers") or [])
    ready = 0
    restarts = 0
    reason = status.get("reason") or status.get("phase") or ""
    initializing = False
    init_specs = spec.get("initContainers") or []
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(cs.get("restartCount") or 0)
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode") == 0:
            continue
        initializing = True
        if term:
            reason = "Init:" + (term.get("reason") or f"ExitCode:{term.get('exitCode')}")
        elif wait and wait.get("reason") and wait.get("reason") != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        break
    if not initializing:
        restarts = 0
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = f"ExitCode:{term.get('exitCode')}"
            elif cs.get("ready") and "running" in state:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_cond = any(c.get("type") == "Ready" and c.get("status") == "True"
                             for c in status.get("conditions") or [])
            reason = "Running" if ready_cond else "NotReady"
    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp"):
        reason = "Terminating"
    return reason, ready, total, restarts


def _pod_row(pod: dict, now: float) -> list:
    reason, ready, total, restarts = pod_status(pod)
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        gates_text = f"{sum(conds.get(g.get('conditionType')) == 'True' for g in gates)}/{len(gates)}"
    return [_meta(pod).get("name"), f"{ready}/{total}", reason, str(restarts), _age(pod, now),
            status.get("podIP") or "<none>", spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>", gates_text]


def _statefulset_row(sts: dict, now: float) -> list:
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return [_meta(sts).get("name"), f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
            _age(sts, now), ",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers)]


def _claim_row(pvc: dict, now: float) -> list:
    spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
    phase = "Terminating" if _meta(pvc).get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = _modes(status.get("accessModes"))
        capacity = (status.get("capacity") or {}).get("storage", "")
    storage_class = spec.get("storageClassName") or \
        (_meta(pvc).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")
    return [_meta(pvc).get("name"), phase, spec.get("volumeName", ""), capacity, modes, storage_class,
            spec.get("volumeAttributesClassName") or "<unset>", _age(pvc, now),
            spec.get("volumeMode") or "<unset>"]


def _volume_row(pv: dict, now: float) -> list:
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    ref = spec.get("claimRef") or {}
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref.get("name") else ""
    phase = "Terminating" if _meta(pv).get("deletionTimestamp") else status.get("phase", "")
    return [_meta(pv).get("name"), (spec.get("capacity") or {}).get("storage", ""), _modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", ""), phase, claim, spec.get("storageClassName", ""),
            spec.get("volumeAttributesClassName") or "<unset>", status.get("reason", ""), _age(pv, now),
            spec.get("volumeMode") or "<unset>"]


def _node_row(node: dict, now: float) -> list:
    meta, spec, status = _meta(node), node.get("spec") or {}, node.get("status") or {}
    ready = next((c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Ready" if ready == "True" else "NotReady" if ready in ("False", "Unknown") else "Unknown"
    if spec.get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(k.split("/", 1)[1] for k in (meta.get("labels") or {})
                   if k.startswith("node-role.kubernetes.io/") and k.split("/", 1)[1])
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return [meta.get("name"), state, ",".join(roles) or "<none>", _age(node, now), info.get("kubeletVersion", ""),
            addresses.get("InternalIP") or "<none>", addresses.get("ExternalIP") or "<none>",
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def _service_row(svc: dict, now: float) -> list:
    spec = svc.get("spec") or {}
    ports = []
    for p in spec.get("ports") or []:
        text = f"{p.get('port')}:{p['nodePort']}" if p.get("nodePort") else f"{p.get('port')}"
        ports.append(f"{text}/{p.get('protocol', 'TCP')}")
    external = ",".join(spec.get("externalIPs") or []) or (
        spec.get("externalName") if spec.get("type") == "ExternalName" else "") or "<none>"
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items())) or "<none>"
    return [_meta(svc).get("name"), spec.get("type", ""), spec.get("clusterIP") or "<none>", external,
            ",".join(ports) or "<none>", _age(svc, now), selector]


def _event_row(ev: dict, now: float) -> list:
    involved = ev.get("involvedObject") or {}
    last = ev.get("lastTimestamp") or ev.get("eventTime") or ev.get("firstTimestamp") \
        or _meta(ev).get("creationTimestamp")
    first = ev.get("firstTimestamp") or ev.get("eventTime") or _meta(ev).get("creationTimestamp")
    source = ev.get("source") or {}
    source_text = ", ".join(x for x in (source.get("component"), source.get("host")) if x) \
        or ev.get("reportingComponent") or ""
    return [age(last, now), ev.get("type", ""), ev.get("reason", ""),
            f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}", involved.get("fieldPath", ""),
            source_text, ev.get("message", ""), age(first, now), int(ev.get("count") or 1), _meta(ev).get("name")]


def _namespace_row(ns: dict, now: float) -> list:
    return [_meta(ns).get("name"), (ns.get("status") or {}).get("phase", ""), _age(ns, now)]


def _storage_class_row(sc: dict, now: float) -> list:
    name = _meta(sc).get("name")
    if (_meta(sc).get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true":
        name = f"{name} (default)"
    return [name, sc.get("provisioner", ""), sc.get("reclaimPolicy", "Delete"),
            sc.get("volumeBindingMode", "Immediate"), bool(sc.get("allowVolumeExpansion", False)), _age(sc, now)]


def _revision_row(rev: dict, now: float) -> list:
    owner = next((r for r in _meta(rev).get("ownerReferences") or [] if r.get("controller")), None)
    controller = "<none>"
    if owner:
        group = owner.get("apiVersion", "").split("/")[0] if "/" in owner.get("apiVersion", "") else ""
        controller = f"{owner.get('kind', '').lower()}{'.' + group if group else ''}/{owner.get('name')}"
    return [_meta(rev).get("name"), controller, rev.get("revision", 0), _age(rev, now)]


def _generic_row(obj: dict, now: float) -> list:
    return [_meta(obj).get("name"), _age(obj, now)]


# --------------------------------------------------------------------------- columns

def _col(name: str, type_: str = "string", priority: int = 0, fmt: str = "", description: str = "") -> dict:
    return {"name": name, "type": type_, "format": fmt, "description": description or name, "priority": priority}


NAME = _col("Name", fmt="name", description="Name must be unique within a namespace.")
AGE = _col("Age", description="CreationTimestamp is a timestamp representing the server time when this object was created.")

TABLES: dict[str, tuple[list[dict], Row]] = {
    "pods": ([NAME, _col("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
              _col("Status", description="The aggregate status of the containers in this pod."),
              _col("Restarts", description="The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
              AGE, _col("IP", priority=1), _col("Node", priority=1), _col("Nominated Node", priority=1),
              _col("Readiness Gates", priority=1)], _pod_row),
    "statefulsets": ([NAME, _col("Ready"), AGE, _col("Containers", priority=1), _col("Images", priority=1)],
                     _statefulset_row),
    "persistentvolumeclaims": ([NAME, _col("Status"), _col("Volume"), _col("Capacity"), _col("Access Modes"),
                                _col("StorageClass"), _col("VolumeAttributesClass"), AGE,
                                _col("VolumeMode", priority=1)], _claim_row),
    "persistentvolumes": ([NAME, _col("Capacity"), _col("Access Modes"), _col("Reclaim Policy"), _col("Status"),
                           _col("Claim"), _col("StorageClass"), _col("VolumeAttributesClass"), _col("Reason"), AGE,
                           _col("VolumeMode", priority=1)], _volume_row),
    "nodes": ([NAME, _col("Status"), _col("Roles"), AGE, _col("Version"), _col("Internal-IP", priority=1),
               _col("External-IP", priority=1), _col("OS-Image", priority=1), _col("Kernel-Version", priority=1),
               _col("Container-Runtime", priority=1)], _node_row),
    "services": ([NAME, _col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)"), AGE,
                  _col("Selector", priority=1)], _service_row),
    "events": ([_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Subobject", priority=1),
                _col("Source", priority=1), _col("Message"), _col("First Seen", priority=1),
                _col("Count", "integer", priority=1), _col("Name", priority=1, fmt="name")], _event_row),
    "namespaces": ([NAME, _col("Status"), AGE], _namespace_row),
    "storageclasses": ([NAME, _col("Provisioner"), _col("ReclaimPolicy"), _col("VolumeBindingMode"),
                        _col("AllowVolumeExpansion", "boolean"), AGE], _storage_class_row),
    "controllerrevisions": ([NAME, _col("Controller"), _col("Revision", "integer"), AGE], _revision_row),
}
GENERIC = ([NAME, AGE], _generic_row)


def _pdb_row(pdb: dict, now: float) -> list:
    spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
    return [_meta(pdb).get("name"), str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
            str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
            int(status.get("disruptionsAllowed") or 0), _age(pdb, now)]


TABLES["poddisruptionbudgets"] = ([NAME, _col("Min Available"), _col("Max Unavailable"),
                                   _col("Allowed Disruptions", "integer"), AGE], _pdb_row)


def _row_object(obj: dict, include: str) -> dict | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def table(plural: str, objects: list[dict], now: float, resource_version: str,
          include_object: str = "Metadata", with_columns: bool = True) -> dict:
    """A Table of `objects`; include_object is "None", "Metadata" (the default) or "Object"."""
    columns, row = TABLES.get(plural, GENERIC)
    rows = []
    for obj in objects:
        entry: dict = {"cells": row(obj, now)}
        carried = _row_object(obj, include_object)
        if carried is not None:
            entry["object"] = carried
        rows.append(entry)
    out: dict = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                 "metadata": {"resourceVersion": resource_version}}
    out["columnDefinitions"] = columns if with_columns else []
    out["rows"] = rows
    return out
