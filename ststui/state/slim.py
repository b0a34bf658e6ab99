"""Slim projections: raw API objects (JSON dicts) -> the few fields ststui uses.

Place in the flow: the watch worker hands raw dicts to `store.Store`, which keeps only
`slim(plural, obj)` of each. A slim object keeps the API's shape (`metadata`, `spec`,
`status` with the API's field names), so code reading it reads like code reading the API
object, minus everything the topology and the panes never look at (managedFields,
last-applied annotations, volumes, env, probes, most of status).

Pods, claims and volumes (one each per pod, so most of the store) come out as slotted
records (`state.records`): read like these dicts (`pod["metadata"]["name"]`), stored in
about a fifth of the bytes; the hot readers use their attributes (`pod.name`).

Memory is the point (10,000 pods are 30 MB of JSON): repeated strings (namespaces, node
names, label keys and values, phases, images, timestamps) are interned, and identical
sub-objects (a StatefulSet's ownerReferences, the label set of one revision, a claim's
status, a container list) are shared between objects through a bounded cache. This is
safe because slim objects are never mutated: the store replaces them whole. Callers
must treat them as read-only.

Kept for the panes and dialogs: a pod's container names, images and ports (the
port-forward dialog proposes the first port). Dropped on purpose: pod labels `statefulset.kubernetes.io/pod-name` and
`apps.kubernetes.io/pod-index` when they only repeat the pod's name and ordinal (so pods
of one revision share one label dict), node heartbeat times (a heartbeat alone is not a
change), and every annotation except a StorageClass's default-class marker and a
StatefulSet's staged rollout plan (`ststui.io/rollout-plan`, see state/staged.py).

Pure functions, no I/O.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Callable

from .records import ClaimRecord, PodRecord, VolumeRecord

_intern = sys.intern

Obj = dict[str, Any]

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
STAGED_PLAN_ANNOTATION = "ststui.io/rollout-plan"      # == state.staged.ANNOTATION
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"

# Shared sub-objects, by a hashable key of their content. Bounded: when full it starts
# over (objects already built keep what they share).
_SHARED: dict[tuple, Any] = {}
_SHARED_MAX = 100_000


def _share(key: tuple, value: Any) -> Any:
    found = _SHARED.get(key)
    if found is not None:
        return found
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    _SHARED[key] = value
    return value


def _s(value: Any) -> Any:
    """Intern a string value (other values pass through)."""
    return _intern(value) if type(value) is str else value


def _labels(labels: Obj | None, drop: tuple[str, ...] = ()) -> dict[str, str] | None:
    if not labels:
        return None
    items = tuple((k, v) for k, v in labels.items() if k not in drop) if drop else tuple(labels.items())
    if not items:
        return None
    key = ("labels",) + items
    found = _SHARED.get(key)
    if found is not None:
        return found
    return _share(key, {_intern(k): _s(v) for k, v in items})


def _owner_refs(refs: list | None) -> list[Obj] | None:
    if not refs:
        return None
    if len(refs) == 1:
        ref = refs[0]
        key = ("owner", ref.get("kind"), ref.get("name"), ref.get("uid"), bool(ref.get("controller")))
        found = _SHARED.get(key)
        if found is not None:
            return found
    else:
        key = None
    out = []
    for ref in refs:
        slim = {"kind": _s(ref.get("kind")), "name": _s(ref.get("name")), "uid": ref.get("uid")}
        if ref.get("controller"):
            slim["controller"] = True
        out.append(slim)
    return _share(key, out) if key is not None else out


def _metadata(md: Obj, labels: dict[str, str] | None = None, owners: bool = True) -> Obj:
    """The metadata every kind keeps; `labels` already projected by the caller."""
    out: Obj = {"name": md.get("name")}
    value = md.get("namespace")
    if value:
        out["namespace"] = _intern(value)
    value = md.get("uid")
    if value is not None:
        out["uid"] = value
    value = md.get("resourceVersion")
    if value is not None:
        out["resourceVersion"] = value
    value = md.get("creationTimestamp")
    if value is not None:
        out["creationTimestamp"] = _s(value)
    value = md.get("deletionTimestamp")
    if value is not None:
        out["deletionTimestamp"] = value
        grace = md.get("deletionGracePeriodSeconds")
        if grace is not None:
            out["deletionGracePeriodSeconds"] = grace
    value = md.get("generation")
    if value is not None:
        out["generation"] = value
    if labels:
        out["labels"] = labels
    if owners:
        refs = md.get("ownerReferences")
        if refs:
            out["ownerReferences"] = _owner_refs(refs)
    return out


def _ports(ports: list | None) -> tuple:
    """(name, containerPort, protocol) of each container port (the port-forward dialog)."""
    if not ports:
        return ()
    return tuple((p.get("name"), p.get("containerPort"), p.get("protocol")) for p in ports
                 if isinstance(p, dict) and p.get("containerPort") is not None)


def _container_key(containers: list) -> tuple:
    return tuple((c.get("name"), c.get("image"), _ports(c.get("ports"))) for c in containers)


def _containers(containers: list | None, key: tuple | None = None) -> list[Obj] | None:
    if not containers:
        return None
    key = ("containers",) + (key if key is not None else _container_key(containers))
    found = _SHARED.get(key)
    if found is not None:
        return found
    out = []
    for name, image, ports in key[1:]:
        item: Obj = {"name": _s(name), "image": _s(image)}
        if ports:
            item["ports"] = [{k: _s(v) for k, v in (("name", n), ("containerPort", port), ("protocol", proto))
                              if v is not None} for n, port, proto in ports]
        out.append(item)
    return _share(key, out)


def _shared_list(tag: str, values: list | None) -> list | None:
    if not values:
        return None
    key = (tag,) + tuple(values)
    found = _SHARED.get(key)
    if found is not None:
        return found
    return _share(key, [_s(v) for v in values])


def _shared_json(tag: str, value: Any) -> Any:
    """A JSON value (dict or list) shared with every equal one seen before, keyed by its
    compact JSON text (small values: strategies, policies, conditions, pod templates of
    revisions). Scalars and values that are not JSON pass through."""
    if type(value) not in (dict, list) or not value:
        return value
    try:
        key = (tag, json.dumps(value, separators=(",", ":")))
    except (TypeError, ValueError):
        return value
    found = _SHARED.get(key)
    if found is not None:
        return found
    return _share(key, value)


def _storage_dict(tag: str, storage: str | None) -> Obj | None:
    """{"storage": "1Gi"} (shared), or {"requests": {"storage": ...}} for tag "requests"."""
    if not storage:
        return None
    key = (tag, storage)
    found = _SHARED.get(key)
    if found is not None:
        return found
    inner = {"storage": _intern(storage)}
    return _share(key, {"requests": inner} if tag == "requests" else inner)


def _ready_condition(conditions: list | None) -> list[Obj] | None:
    """[the Ready condition] (shared: pods of one start share it)."""
    if not conditions:
        return None
    for cond in conditions:
        if cond.get("type") == "Ready":
            status, since, reason = cond.get("status"), cond.get("lastTransitionTime"), cond.get("reason")
            key = ("ready", status, since, reason)
            found = _SHARED.get(key)
            if found is not None:
                return found
            out = {"type": "Ready", "status": _s(status)}
            if since is not None:
                out["lastTransitionTime"] = _s(since)
            if reason is not None:
                out["reason"] = _s(reason)
            return _share(key, [out])
    return None


def _claim_templates(vcts: list | None) -> list[Obj] | None:
    if not vcts:
        return None
    parts = []
    for vct in vcts:
        vspec = vct.get("spec") or {}
        modes = vspec.get("accessModes")
        parts.append(((vct.get("metadata") or {}).get("name"), vspec.get("storageClassName"),
                      tuple(modes) if modes else (),
                      ((vspec.get("resources") or {}).get("requests") or {}).get("storage")))
    key = ("vcts",) + tuple(parts)
    found = _SHARED.get(key)
    if found is not None:
        return found
    out = []
    for name, storage_class, modes, storage in parts:
        cspec: Obj = {}
        if storage_class is not None:
            cspec["storageClassName"] = _s(storage_class)
        if modes:
            cspec["accessModes"] = _shared_list("modes", list(modes))
        if storage:
            cspec["resources"] = _storage_dict("requests", storage)
        out.append({"metadata": {"name": _s(name)}, "spec": cspec})
    return _share(key, out)


def _template(tmd: Obj, tspec: Obj) -> Obj:
    """A StatefulSet's pod template as kept: labels, annotations, containers, grace."""
    labels = _labels(tmd.get("labels"))
    annotations = tmd.get("annotations") or None
    containers = _containers(tspec.get("containers"))
    init = _containers(tspec.get("initContainers"))
    grace = tspec.get("terminationGracePeriodSeconds")
    key = ("template", id(labels) if labels is not None else None,
           json.dumps(annotations, sort_keys=True) if annotations else None,
           id(containers) if containers is not None else None, id(init) if init is not None else None, grace)
    # ids are of shared objects `_SHARED` holds: stable until it starts over, when this
    # key goes with them.
    found = _SHARED.get(key)
    if found is not None:
        return found
    tmeta: Obj = {}
    if labels:
        tmeta["labels"] = labels
    if annotations:
        tmeta["annotations"] = dict(annotations)
    tspec_out: Obj = {}
    if containers:
        tspec_out["containers"] = containers
    if init:
        tspec_out["initContainers"] = init
    if grace is not None:
        tspec_out["terminationGracePeriodSeconds"] = grace
    return _share(key, {"metadata": tmeta, "spec": tspec_out})


def _selector(selector: Obj) -> Obj:
    labels = _labels(selector.get("matchLabels"))
    expressions = _shared_json("expressions", selector.get("matchExpressions") or None)
    key = ("selector", id(labels) if labels is not None else None,
           id(expressions) if expressions is not None else None)
    found = _SHARED.get(key)
    if found is not None:
        return found
    out: Obj = {}
    if labels:
        out["matchLabels"] = labels
    if expressions:
        out["matchExpressions"] = expressions
    return _share(key, out)


# --- per kind -------------------------------------------------------------------------

def slim_statefulset(obj: Obj) -> Obj:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    md = obj.get("metadata") or {}
    template = spec.get("template") or {}
    tmd = template.get("metadata") or {}
    tspec = template.get("spec") or {}
    # Sets of one chart look alike: the claim templates, the pod template, the selector
    # and the strategies are shared between StatefulSets with equal ones.
    claim_templates = _claim_templates(spec.get("volumeClaimTemplates"))
    out_spec: Obj = {"template": _template(tmd, tspec), "selector": _selector(spec.get("selector") or {})}
    for key in ("replicas", "serviceName", "podManagementPolicy", "updateStrategy", "ordinals",
                "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "revisionHistoryLimit"):
        value = spec.get(key)
        if value is not None:
            out_spec[key] = _shared_json(key, _s(value))
    if claim_templates:
        out_spec["volumeClaimTemplates"] = claim_templates
    out_status: Obj = {}
    for key in ("observedGeneration", "replicas", "readyReplicas", "availableReplicas",
                "currentReplicas", "updatedReplicas", "currentRevision", "updateRevision",
                "collisionCount", "conditions"):
        value = status.get(key)
        if value is not None:
            out_status[key] = _shared_json("conditions", value) if key == "conditions" else _s(value)
    meta = _metadata(md, _labels(md.get("labels")))
    plan = (md.get("annotations") or {}).get(STAGED_PLAN_ANNOTATION)
    if plan is not None:       # the staged rollout plan, shown in the rollout strip
        meta = dict(meta, annotations={STAGED_PLAN_ANNOTATION: plan})
    return {"metadata": meta, "spec": out_spec, "status": out_status}


def _container_statuses(statuses: list | None) -> list[Obj] | None:
    if not statuses:
        return None
    parts = []
    for cs in statuses:
        state = cs.get("state") or {}
        if "waiting" in state:
            kind, detail = "waiting", (state["waiting"] or {}).get("reason")
        elif "terminated" in state:
            term = state["terminated"] or {}
            kind, detail = "terminated", (term.get("reason"), term.get("exitCode"))
        elif "running" in state:
            kind, detail = "running", None
        else:
            kind, detail = None, None
        last = ((cs.get("lastState") or {}).get("terminated")) or None
        last = (last.get("reason"), last.get("exitCode")) if last else None   # why it last restarted
        parts.append((cs.get("name"), bool(cs.get("ready")), cs.get("restartCount") or 0, kind, detail, last))
    key = ("cstatus",) + tuple(parts)
    found = _SHARED.get(key)
    if found is not None:
        return found
    out = []
    for name, ready, restarts, kind, detail, last in parts:
        item: Obj = {"name": _s(name), "ready": ready, "restartCount": restarts}
        if last is not None:
            last_out: Obj = {}
            if last[0]:
                last_out["reason"] = _s(last[0])
            if last[1] is not None:
                last_out["exitCode"] = last[1]
            item["lastState"] = {"terminated": last_out}
        if kind == "waiting":
            item["state"] = {"waiting": {"reason": _s(detail)} if detail else {}}
        elif kind == "terminated":
            term_out: Obj = {}
            if detail[0]:
                term_out["reason"] = _s(detail[0])
            if detail[1] is not None:
                term_out["exitCode"] = detail[1]
            item["state"] = {"terminated": term_out}
        elif kind == "running":
            item["state"] = {"running": {}}
        out.append(item)
    return _share(key, out)


def slim_pod(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    labels = md.get("labels")
    if labels:
        name = md.get("name") or ""
        drop = []
        if labels.get(POD_NAME_LABEL) == name:
            drop.append(POD_NAME_LABEL)
        index = labels.get(POD_INDEX_LABEL)
        if index is not None and name.endswith("-" + index):
            drop.append(POD_INDEX_LABEL)
        labels = _labels(labels, tuple(drop))
    node = spec.get("nodeName")
    containers = spec.get("containers")
    ckey = _container_key(containers) if containers else ()
    key = ("podspec", node, ckey)
    out_spec = _SHARED.get(key)
    if out_spec is None:
        out_spec = {}
        if node:
            out_spec["nodeName"] = _intern(node)
        if containers:
            out_spec["containers"] = _containers(containers, ckey)
        out_spec = _share(key, out_spec)
    out_status = {"phase": _s(status.get("phase")), "reason": _s(status.get("reason")),
                  "podIP": status.get("podIP"), "conditions": _ready_condition(status.get("conditions")),
                  "containerStatuses": _container_statuses(status.get("containerStatuses"))}
    return PodRecord(_metadata(md, labels), out_spec, out_status)


def slim_persistentvolumeclaim(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    storage_class, modes = spec.get("storageClassName"), spec.get("accessModes")
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    key = ("pvcspec", storage_class, tuple(modes) if modes else (), storage)
    out_spec = _SHARED.get(key)
    if out_spec is None:
        out_spec = {}
        if storage_class is not None:
            out_spec["storageClassName"] = _s(storage_class)
        if modes:
            out_spec["accessModes"] = _shared_list("modes", modes)
        if storage:
            out_spec["resources"] = _storage_dict("requests", storage)
        out_spec = _share(key, out_spec)
    phase = status.get("phase")
    capacity = (status.get("capacity") or {}).get("storage")
    key = ("pvcstatus", phase, capacity)
    out_status = _SHARED.get(key)
    if out_status is None:
        out_status = {}
        if phase is not None:
            out_status["phase"] = _s(phase)
        if capacity:
            out_status["capacity"] = _storage_dict("capacity", capacity)
        out_status = _share(key, out_status)
    return ClaimRecord(_metadata(md, _labels(md.get("labels"))), spec.get("volumeName") or None, out_spec,
                       out_status)


def slim_persistentvolume(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    ref = spec.get("claimRef")
    claim_ref = None
    if ref:
        claim_ref = {"namespace": _s(ref.get("namespace")), "name": ref.get("name"), "uid": ref.get("uid") or None}
    policy, storage_class, mode = (spec.get("persistentVolumeReclaimPolicy"), spec.get("storageClassName"),
                                   spec.get("volumeMode"))
    capacity, modes = (spec.get("capacity") or {}).get("storage"), spec.get("accessModes")
    key = ("pvspec", policy, storage_class, mode, capacity, tuple(modes) if modes else ())
    out_spec = _SHARED.get(key)
    if out_spec is None:
        out_spec = {}
        for name, value in (("persistentVolumeReclaimPolicy", policy), ("storageClassName", storage_class),
                            ("volumeMode", mode)):
            if value is not None:
                out_spec[name] = _s(value)
        if capacity:
            out_spec["capacity"] = _storage_dict("capacity", capacity)
        if modes:
            out_spec["accessModes"] = _shared_list("modes", modes)
        out_spec = _share(key, out_spec)
    phase, reason, message = status.get("phase"), status.get("reason"), status.get("message")
    key = ("pvstatus", phase, reason, message)
    out_status = _SHARED.get(key)
    if out_status is None:
        out_status = {}
        if phase is not None:
            out_status["phase"] = _s(phase)
        if reason:
            out_status["reason"] = reason
        if message:
            out_status["message"] = message
        out_status = _share(key, out_status)
    return VolumeRecord(_metadata(md, _labels(md.get("labels")), owners=False), claim_ref, out_spec, out_status)


def slim_node(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    out_spec: Obj = {}
    if spec.get("unschedulable"):
        out_spec["unschedulable"] = True
    out_status: Obj = {}
    conditions = _ready_condition(status.get("conditions"))
    if conditions is not None:
        out_status["conditions"] = conditions
    return {"metadata": _metadata(md, _labels(md.get("labels")), owners=False), "spec": out_spec,
            "status": out_status}


def slim_service(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    out_spec: Obj = {}
    for key in ("type", "clusterIP"):
        value = spec.get(key)
        if value is not None:
            out_spec[key] = _s(value)
    if spec.get("selector"):
        out_spec["selector"] = _labels(spec["selector"])
    if spec.get("publishNotReadyAddresses"):
        out_spec["publishNotReadyAddresses"] = True
    ports = spec.get("ports")
    if ports:
        out_spec["ports"] = _shared_json("ports", [{k: _s(p[k]) for k in ("name", "port", "protocol")
                                                    if p.get(k) is not None} for p in ports])
    return {"metadata": _metadata(md, _labels(md.get("labels"))), "spec": out_spec}


def slim_controllerrevision(obj: Obj) -> Obj:
    # `data` is kept whole: the TUI diffs pod templates between revisions. Its pod spec is
    # shared with equal ones (sets of one chart), its labels like other label sets.
    md = obj.get("metadata") or {}
    return {"metadata": _metadata(md, _labels(md.get("labels"))),
            "revision": obj.get("revision"), "data": _revision_data(obj.get("data"))}


def _revision_data(data: Any) -> Any:
    spec = data.get("spec") if type(data) is dict else None
    template = spec.get("template") if type(spec) is dict else None
    if type(template) is not dict:
        return data
    out_template = dict(template)
    tmd = template.get("metadata")
    if type(tmd) is dict and type(tmd.get("labels")) is dict:
        out_template["metadata"] = dict(tmd, labels=_labels(tmd["labels"]))
    if type(template.get("spec")) is dict:
        out_template["spec"] = _shared_json("podspec", template["spec"])
    return dict(data, spec=dict(spec, template=out_template))


def slim_storageclass(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    meta = _metadata(md, _labels(md.get("labels")), owners=False)
    default = (md.get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class")
    if default is not None:
        meta["annotations"] = {"storageclass.kubernetes.io/is-default-class": default}
    out = {"metadata": meta}
    for key in ("provisioner", "reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion"):
        value = obj.get(key)
        if value is not None:
            out[key] = _s(value)
    return out


def slim_event(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    inv = obj.get("involvedObject") or {}
    out_inv: Obj = {}
    for key in ("kind", "namespace", "name", "uid", "fieldPath"):
        value = inv.get(key)
        if value is not None:
            out_inv[key] = _s(value) if key in ("kind", "namespace", "name") else value
    out: Obj = {"metadata": _metadata(md, owners=False), "involvedObject": out_inv}
    for key in ("reason", "message", "type", "count", "firstTimestamp", "lastTimestamp",
                "eventTime", "reportingComponent"):
        value = obj.get(key)
        if value is not None:
            out[key] = _s(value) if key in ("reason", "type", "reportingComponent") else value
    source = obj.get("source")
    if source:
        out["source"] = {k: _s(source[k]) for k in ("component", "host") if source.get(k)}
    series = obj.get("series")
    if series:
        out["series"] = {k: series[k] for k in ("count", "lastObservedTime") if series.get(k) is not None}
    return out


def slim_namespace(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    phase = (obj.get("status") or {}).get("phase")
    return {"metadata": _metadata(md, _labels(md.get("labels")), owners=False),
            "status": {"phase": _s(phase)} if phase else {}}


def slim_poddisruptionbudget(obj: Obj) -> Obj:
    """What state.budgets reads: the selector, the rule, the controller's counts."""
    md, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    out: Obj = {"metadata": _metadata(md, _labels(md.get("labels"))),
                "spec": {k: spec[k] for k in ("selector", "minAvailable", "maxUnavailable") if k in spec}}
    kept = {k: status[k] for k in ("observedGeneration", "disruptionsAllowed", "currentHealthy", "desiredHealthy",
                                   "expectedPods") if k in status}
    if kept:
        out["status"] = kept
    return out


SLIMMERS: dict[str, Callable[[Obj], Obj]] = {
    "statefulsets": slim_statefulset,
    "pods": slim_pod,
    "persistentvolumeclaims": slim_persistentvolumeclaim,
    "persistentvolumes": slim_persistentvolume,
    "nodes": slim_node,
    "services": slim_service,
    "controllerrevisions": slim_controllerrevision,
    "storageclasses": slim_storageclass,
    "events": slim_event,
    "namespaces": slim_namespace,
    "poddisruptionbudgets": slim_poddisruptionbudget,
}


def _slim_metadata_only(obj: Obj) -> Obj:
    md = obj.get("metadata") or {}
    return {"metadata": _metadata(md, _labels(md.get("labels")))}


def slim(plural: str, obj: Obj) -> Obj:
    """Slim `obj` of resource `plural`; unknown plurals keep metadata only."""
    return SLIMMERS.get(plural, _slim_metadata_only)(obj)
