"""Topology: the stored objects of one StatefulSet -> its `StatefulSetView`.

Place in the flow: the UI learns from `Store.changed_statefulsets()` which StatefulSets
changed and calls `build_view(store, ns, name, now)` for each (or `build_views` for all,
as `ststui get` does). Reads go through the store's indexes (pods and claims by
StatefulSet and ordinal, volumes by claim, nodes and services by name), so rebuilding
one view costs in proportion to that StatefulSet, never to the cluster.

What it derives, per StatefulSet:
- ordinal slots from `.spec.ordinals.start` to max(start + replicas - 1, highest pod
  ordinal), in numeric order, plus pods below start; holes are "NotCreated";
- per slot: phase (or Terminating), readiness, restarts, revision kind, node and its
  readiness, terminating since and stuck or not, IP, DNS name;
- claims per volumeClaimTemplate per ordinal: existing, missing (in spec, no claim) and
  orphans (existing, ordinal out of spec);
- volumes: those the claims are bound to, plus every volume whose claimRef names one of
  this set's claim names (`<template>-<sts>-<N>`, existing or not): Released volumes and
  volumes reserved for a claim (claimRef without uid);
- the rollout (rollout.summarize), the headless Service check, and warnings.

Pure: no I/O, and `now` (epoch seconds) is passed in for every age.
"""
from __future__ import annotations

import gc
import sys
from typing import Any, Iterable

from . import model as m
from .budgets import budgets_for
from .model import ClaimView, PodSlot, ServiceView, StatefulSetView, VolumeView, Warning
from .records import ClaimRecord, PodRecord, VolumeRecord
from .rollout import (HALT_AFTER_SECONDS, ROLLING_UPDATE, RolloutSpec, StatusCounters,
                      max_unavailable_value, summarize)
from .store import Store, controller_ref
from .times import human_age, parse_time

_intern = sys.intern

Obj = dict[str, Any]

CLUSTER_DOMAIN = "cluster.local"
DEFAULT_GRACE_SECONDS = 30

REVISION_LABEL = "controller-revision-hash"


# The kinds a view is derived from. While one of them has not completed its first LIST
# (`loading`), the view withholds what it cannot know: slots and claims say "Loading"
# instead of NotCreated / Missing, the Service is unknown, there are no warnings and the
# rollout state is `unknown` with the kinds still loading as its reason.
VIEW_KINDS = ("statefulsets", "pods", "persistentvolumeclaims", "persistentvolumes", "nodes", "services",
              "controllerrevisions")
ROLLOUT_KINDS = ("pods", "nodes")


def view_loading(loading: Iterable[str] | None) -> tuple[str, ...]:
    """The kinds among `loading` that views depend on, in VIEW_KINDS order."""
    if not loading:
        return ()
    wanted = set(loading)
    return tuple(k for k in VIEW_KINDS if k in wanted)


def build_view(store: Store, namespace: str, name: str, now: float, *,
               cluster_domain: str = CLUSTER_DOMAIN,
               halt_after: float = HALT_AFTER_SECONDS,
               loading: Iterable[str] | None = None,
               unreadable: Iterable[str] = ()) -> StatefulSetView | None:
    """The view of StatefulSet namespace/name, or None when the store does not hold it.
    `loading`: the kinds that have not completed their first LIST yet; `unreadable`: kinds
    that could not be read (forbidden): withheld like loading ones, but said "Unknown"."""
    with store.reading():
        sts = store.get("statefulsets", namespace, name)
        if sts is None:
            return None
        return _build(store, sts, now, cluster_domain, halt_after,
                      view_loading(set(loading or ()) | set(unreadable)), frozenset(unreadable))


def build_views(store: Store, now: float, namespaces: Iterable[str] | None = None, *,
                cluster_domain: str = CLUSTER_DOMAIN,
                halt_after: float = HALT_AFTER_SECONDS,
                loading: Iterable[str] | None = None,
                unreadable: Iterable[str] = ()) -> list[StatefulSetView]:
    """Views of every stored StatefulSet (in `namespaces` if given), sorted by namespace, name."""
    # Tens of thousands of small objects are made here: pause the cyclic GC meanwhile
    # (nothing built here forms cycles), as Store.replace does.
    kinds = view_loading(set(loading or ()) | set(unreadable))
    unknown = frozenset(unreadable)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with store.reading():
            out = []
            for ns, name in store.statefulset_keys(namespaces):
                sts = store.get("statefulsets", ns, name)
                if sts is not None:
                    out.append(_build(store, sts, now, cluster_domain, halt_after, kinds, unknown))
            return out
    finally:
        if gc_was_enabled:
            gc.enable()


# --- small readers of slim objects ---------------------------------------------------------

def _condition(obj: Obj, ctype: str) -> Obj | None:
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if cond.get("type") == ctype:
            return cond
    return None


def node_ready(node: Obj | None) -> bool | None:
    """True/False from the node's Ready condition (Unknown counts as not ready); None when
    the node or its condition is unknown."""
    if node is None:
        return None
    cond = _condition(node, "Ready")
    if cond is None:
        return None
    return cond.get("status") == "True"


def container_details(pod: PodRecord) -> tuple[int | None, str | None]:
    """(exit code of a failing container, last termination "OOMKilled (exit code 137)") of
    the container that restarted most (or is terminated now)."""
    exit_code = None
    last = None
    best = -1
    for cs in pod.containerStatuses or ():
        restarts = cs.get("restartCount") or 0
        terminated = (cs.get("state") or {}).get("terminated")
        previous = (cs.get("lastState") or {}).get("terminated")
        if terminated is not None and terminated.get("reason") != "Completed":
            exit_code = terminated.get("exitCode")
        if previous is not None and restarts > best:
            best = restarts
            code = previous.get("exitCode")
            last = (previous.get("reason") or "terminated") + (f" (exit code {code})" if code is not None else "")
            if exit_code is None and terminated is None:
                exit_code = code
    return exit_code, last


def pod_reason(pod: PodRecord) -> str | None:
    """The detail kubectl shows instead of the phase: the pod's status.reason, else the
    first waiting (or failed terminated) container's reason."""
    if pod.reason:
        return pod.reason
    for cs in pod.containerStatuses or ():
        state = cs.get("state") or {}
        waiting = state.get("waiting")
        if waiting is not None and waiting.get("reason"):
            return waiting["reason"]
        terminated = state.get("terminated")
        if terminated is not None and terminated.get("reason") and terminated.get("reason") != "Completed":
            return terminated["reason"]
    return None


def _revision_kind(revision: str | None, current: str | None, update: str | None) -> str:
    if revision is not None:
        if revision == update and update != current:
            return m.REV_UPDATE
        if revision == current:
            return m.REV_CURRENT
    return m.REV_OTHER


def _capacity(claim: ClaimRecord) -> str | None:
    cap = (claim.claimStatus.get("capacity") or {}).get("storage")
    if cap:
        return cap
    return ((claim.specRest.get("resources") or {}).get("requests") or {}).get("storage")


def _ready_of(pod: PodRecord) -> Obj | None:
    for cond in pod.conditions or ():
        if cond.get("type") == "Ready":
            return cond
    return None


# --- building -------------------------------------------------------------------------

class _Ctx:
    """What one view build needs besides the store: the set's identity and revisions."""
    __slots__ = ("ns", "name", "start", "replicas", "end", "service", "current", "update",
                 "now", "domain", "node_cache", "loading", "unreadable", "dns_note")

    def __init__(self, ns: str, name: str, start: int, replicas: int, service: str,
                 current: str | None, update: str | None, now: float, domain: str):
        self.ns = ns
        self.name = name
        self.start = start
        self.replicas = replicas
        self.end = start + replicas - 1
        self.service = service
        self.current = current
        self.update = update
        self.now = now
        self.domain = domain
        self.node_cache: dict[str, tuple[bool | None, float | None]] = {}
        self.loading: tuple[str, ...] = ()
        self.unreadable: frozenset[str] = frozenset()
        self.dns_note: str | None = None

    def in_spec(self, ordinal: int) -> bool:
        return self.start <= ordinal <= self.end


def _node_state(store: Store, ctx: _Ctx, node_name: str | None) -> tuple[bool | None, float | None]:
    """(ready, since when the Ready condition last changed) of a node, cached per build."""
    if not node_name:
        return None, None
    cached = ctx.node_cache.get(node_name)
    if cached is None:
        node = store.node(node_name)
        cond = _condition(node, "Ready") if node is not None else None
        cached = (node_ready(node), parse_time(cond.get("lastTransitionTime")) if cond else None)
        ctx.node_cache[node_name] = cached
    return cached


def _slot(store: Store, ctx: _Ctx, ordinal: int, pod: Obj | None) -> PodSlot:
    name = f"{ctx.name}-{ordinal}"
    if pod is None:
        loading = "pods" in ctx.loading
        phase = ("Unknown" if "pods" in ctx.unreadable else "Loading") if loading else "NotCreated"
        return PodSlot(ordinal=ordinal, name=name, exists=False, phase=phase,
                       ready=False, ready_containers="-", restarts=0, revision=None, revision_kind=None,
                       node=None, node_ready=None, terminating=False, terminating_since=None,
                       deletion_grace_seconds=None, ip=None, dns_name=None, created=None,
                       in_spec=ctx.in_spec(ordinal), loading=loading)
    spec = pod.podSpec
    pod_name = pod.name
    statuses = pod.containerStatuses or ()
    containers = spec.get("containers") or ()
    total = len(containers) or len(statuses)
    ready_count = sum(1 for cs in statuses if cs.get("ready"))
    restarts = sum(cs.get("restartCount") or 0 for cs in statuses)
    ready_cond = _ready_of(pod)
    ready = ready_cond is not None and ready_cond.get("status") == "True"
    revision = (pod.labels or {}).get(REVISION_LABEL)
    node = spec.get("nodeName")
    n_ready, _ = _node_state(store, ctx, node)
    deletion = parse_time(pod.deletionTimestamp)
    terminating = deletion is not None
    details = container_details(pod)
    grace = pod.deletionGracePeriodSeconds
    terminating_since = None
    stuck = False
    if terminating:
        grace_s = grace if grace is not None else DEFAULT_GRACE_SECONDS
        terminating_since = deletion - grace_s
        stuck = n_ready is False or ctx.now - deletion > grace_s
    return PodSlot(
        ordinal=ordinal,
        name=pod_name,
        exists=True,
        phase="Terminating" if terminating else (pod.phase or "Pending"),
        ready=ready,
        ready_containers=_intern(f"{ready_count}/{total}"),
        restarts=restarts,
        revision=revision,
        revision_kind=_revision_kind(revision, ctx.current, ctx.update),
        node=node,
        node_ready=n_ready,
        terminating=terminating,
        terminating_since=terminating_since,
        deletion_grace_seconds=grace,
        ip=pod.podIP,
        dns_name=f"{pod_name}.{ctx.service}.{ctx.ns}.svc.{ctx.domain}" if ctx.service and ctx.dns_note is None
        else None,
        dns_note=ctx.dns_note,
        image=", ".join(c.get("image") or "" for c in containers) or None,
        exit_code=details[0],
        last_termination=details[1],
        created=parse_time(pod.creationTimestamp),
        uid=pod.uid,
        resource_version=pod.resourceVersion,
        in_spec=ctx.in_spec(ordinal),
        reason=pod_reason(pod),
        ready_changed=parse_time(ready_cond.get("lastTransitionTime")) if ready_cond else None,
        stuck=stuck,
        controlled=controller_ref(pod) is not None,
    )


def _claim_view(ctx: _Ctx, template: str, ordinal: int, claim: Obj | None) -> ClaimView:
    name = f"{template}-{ctx.name}-{ordinal}"
    if claim is None:
        phase = ("Unknown" if "persistentvolumeclaims" in ctx.unreadable else "Loading") \
            if "persistentvolumeclaims" in ctx.loading else "Missing"
        return ClaimView(name=name, template=template, ordinal=ordinal, exists=False, phase=phase,
                         volume=None, capacity=None, storage_class=None, orphan=False)
    spec = claim.specRest
    if claim.deletionTimestamp:
        phase = "Terminating"
    else:
        phase = claim.claimStatus.get("phase") or "Pending"
    return ClaimView(
        name=claim.name if claim.name == name else name, template=template, ordinal=ordinal, exists=True,
        phase=phase, volume=claim.volumeName or None, capacity=_capacity(claim),
        storage_class=spec.get("storageClassName"), orphan=not ctx.in_spec(ordinal),
        access_modes=_modes(spec.get("accessModes")), uid=claim.uid,
        created=parse_time(claim.creationTimestamp),
    )


_MODES: dict[tuple, tuple] = {}


def _modes(modes: list | None) -> tuple[str, ...]:
    """The access modes as a tuple, one shared tuple per combination."""
    if not modes:
        return ()
    key = tuple(modes)
    return _MODES.setdefault(key, key) if len(_MODES) < 64 else key


def _volume_view(pv: Obj, template: str | None, ordinal: int | None) -> VolumeView:
    """A volume of the set; template/ordinal: those of the claim it belongs or belonged to."""
    spec = pv.specRest
    ref_name = pv.claimName
    claim = f"{pv.claimNamespace or ''}/{ref_name}" if ref_name else None
    if pv.deletionTimestamp:
        phase = "Terminating"
    else:
        phase = pv.volumeStatus.get("phase") or "Pending"
    return VolumeView(
        name=pv.name, phase=phase,
        reclaim_policy=spec.get("persistentVolumeReclaimPolicy") or "Retain",
        claim=claim, claim_uid=pv.claimUid,
        storage_class=spec.get("storageClassName"),
        capacity=(spec.get("capacity") or {}).get("storage"),
        ordinal=ordinal, template=template,
        reserved=bool(ref_name and not pv.claimUid),
        created=parse_time(pv.creationTimestamp),
    )


def _revisions(store: Store, sts: Obj) -> tuple[str | None, str | None]:
    status = sts.get("status") or {}
    current = status.get("currentRevision") or None
    update = status.get("updateRevision") or None
    if update is None:
        md = sts["metadata"]
        revisions = store.revisions_of(md.get("namespace") or "", md["name"])
        if revisions:
            update = revisions[-1]["metadata"]["name"]
    if current is None:
        current = update
    return current, update


def _dns_note(store: Store, ctx: _Ctx) -> str | None:
    """Why pods of this set get no DNS name (None: they do): no serviceName, the Service
    is missing or not headless, or services are still loading."""
    if not ctx.service:
        return "no serviceName"
    if "services" in ctx.loading:
        return "loading services"
    svc = store.service(ctx.ns, ctx.service)
    if svc is None:
        return f"service {ctx.service} missing"
    if (svc.get("spec") or {}).get("clusterIP") != "None":
        return f"service {ctx.service} not headless"
    return None


def _build(store: Store, sts: Obj, now: float, domain: str, halt_after: float,
           loading: tuple[str, ...] = (), unreadable: frozenset[str] = frozenset()) -> StatefulSetView:
    md = sts["metadata"]
    spec = sts.get("spec") or {}
    status = sts.get("status") or {}
    ns = md.get("namespace") or ""
    name = md["name"]
    replicas = spec.get("replicas")
    replicas = 1 if replicas is None else int(replicas)
    start = int((spec.get("ordinals") or {}).get("start") or 0)
    service_name = spec.get("serviceName") or ""
    templates = tuple((t.get("metadata") or {}).get("name") for t in spec.get("volumeClaimTemplates") or ()
                      if (t.get("metadata") or {}).get("name"))
    current, update = _revisions(store, sts)
    ctx = _Ctx(ns, name, start, replicas, service_name, current, update, now, domain)
    ctx.loading = loading
    ctx.unreadable = unreadable
    ctx.dns_note = _dns_note(store, ctx)

    # Slots.
    pods, foreign = slot_pods(store.pods_of(ns, name), md.get("uid"), start, replicas)
    ordinals = set(spec_ordinals(start, replicas))
    ordinals.update(pods)
    ordinals.update(beyond_spec_holes(start, replicas, pods))
    slots = tuple(_slot(store, ctx, o, pods.get(o)) for o in sorted(ordinals))

    # Claims and volumes.
    claims: list[ClaimView] = []
    for t_index, tpl in enumerate(templates):
        existing = store.claims_of(ns, name, tpl)
        for o in sorted(set(spec_ordinals(start, replicas)) | set(existing)):
            claims.append(_claim_view(ctx, tpl, o, existing.get(o)))
    t_order = {t: i for i, t in enumerate(templates)}
    claims.sort(key=lambda c: (c.ordinal, t_order.get(c.template, 0)))
    # Volumes whose claimRef names one of this set's claim names (bound, Released,
    # reserved), then any volume a claim names that points elsewhere.
    volumes_by_name: dict[str, VolumeView] = {}
    for tpl in templates:
        for ordinal, pv in store.volumes_named_for(ns, name, tpl):
            volumes_by_name[pv.name] = _volume_view(pv, tpl, ordinal)
    for claim in claims:
        if claim.volume and claim.volume not in volumes_by_name:
            pv = store.get("persistentvolumes", None, claim.volume)
            if pv is not None:
                volumes_by_name[claim.volume] = _volume_view(pv, claim.template, claim.ordinal)
    volumes = sorted(volumes_by_name.values(),
                     key=lambda v: (v.ordinal if v.ordinal is not None else 1 << 30,
                                    t_order.get(v.template or "", 0), v.name))

    # Rollout.
    strategy_spec = spec.get("updateStrategy") or {}
    strategy = strategy_spec.get("type") or ROLLING_UPDATE
    rolling = strategy_spec.get("rollingUpdate") or {}
    rspec = RolloutSpec(
        name=name,
        strategy=strategy,
        partition=int(rolling.get("partition") or 0) if strategy == ROLLING_UPDATE else 0,
        max_unavailable=max_unavailable_value(rolling.get("maxUnavailable"), replicas),
        replicas=replicas,
        start=start,
        pod_management_policy=spec.get("podManagementPolicy") or "OrderedReady",
        min_ready_seconds=int(spec.get("minReadySeconds") or 0),
        current_revision=current,
        update_revision=update,
    )
    counters = StatusCounters(
        replicas=status.get("replicas") or 0,
        ready_replicas=status.get("readyReplicas") or 0,
        available_replicas=status.get("availableReplicas") or 0,
        current_replicas=status.get("currentReplicas") or 0,
        updated_replicas=status.get("updatedReplicas") or 0,
        observed_generation=status.get("observedGeneration"),
        generation=md.get("generation"),
    )
    rollout = summarize(slots, rspec, counters, now, halt_after,
                        loading=tuple(k for k in loading if k in ROLLOUT_KINDS))

    # Service.
    if service_name:
        svc = store.service(ns, service_name)
        service = ServiceView(name=service_name, exists=svc is not None,
                              headless=svc is not None and (svc.get("spec") or {}).get("clusterIP") == "None",
                              known="services" not in loading)
    else:
        svc = None
        service = ServiceView(name="", exists=False, headless=False)

    # While a kind is still loading, derived warnings would be false alarms: none yet.
    warnings = () if loading else _warnings(ctx, store, service, svc, rollout, slots, claims, volumes)
    warnings += _slot_warnings(name, replicas, foreign)

    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    template = spec.get("template") or {}
    containers = (template.get("spec") or {}).get("containers") or ()
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    return StatefulSetView(
        namespace=ns,
        name=name,
        uid=md.get("uid"),
        replicas=replicas,
        ordinals_start=start,
        selector=dict(selector),
        service=service,
        rollout=rollout,
        slots=slots,
        claims=tuple(claims),
        volumes=tuple(volumes),
        warnings=warnings,
        templates=templates,
        retention_when_scaled=retention.get("whenScaled") or "Retain",
        retention_when_deleted=retention.get("whenDeleted") or "Retain",
        images=tuple((c.get("name") or "", c.get("image") or "") for c in containers),
        created=parse_time(md.get("creationTimestamp")),
        resource_version=md.get("resourceVersion"),
        foreign_pods=tuple(foreign),
        loading=loading,
        pod_management_policy=rspec.pod_management_policy,
        budgets=budgets_for(store, ns, dict(selector)),
    )


# --- slot building (bounded whatever the pods are called) --------------------------------

MAX_SPEC_SLOTS = 2000   # ordinals of the spec range shown as slots (holes included)


def spec_ordinals(start: int, replicas: int) -> range:
    """The spec's ordinals, at most MAX_SPEC_SLOTS of them: no structure grows with a
    replica count or an ordinal's value."""
    return range(start, start + max(0, min(replicas, MAX_SPEC_SLOTS)))


MAX_HOLES_BEYOND = 64   # holes shown between the spec's end and a pod being scaled away


def beyond_spec_holes(start: int, replicas: int, pods: dict[int, Obj]) -> range:
    """Holes between the last spec ordinal and the highest owned pod above it, when that
    gap is small (a scale-down in progress); never a range that grows with an ordinal."""
    end = start + max(0, replicas)
    high = max((o for o in pods if o >= end), default=None)
    if high is None or high - end > MAX_HOLES_BEYOND:
        return range(0)
    return range(end, high)


def slot_pods(candidates: dict[int, Obj], sts_uid: str | None, start: int,
              replicas: int) -> tuple[dict[int, Obj], list[str]]:
    """({ordinal: pod} that occupy slots, names of foreign pods) from the pods named or
    owned like this StatefulSet's (`Store.pods_of`).

    A slot comes from a pod the StatefulSet controls (controller ownerReference with its
    uid, whatever the ordinal), or from a pod with no controller whose ordinal is in the
    spec range (an orphan in its slot). Anything else named like the set's pods (an
    unowned `web-999999999999`, a pod of an earlier StatefulSet of that name) is foreign:
    listed by name, never a slot."""
    pods: dict[int, Obj] = {}
    foreign: list[str] = []
    end = start + replicas
    for ordinal, pod in candidates.items():
        ref = controller_ref(pod)
        if ref is not None:
            owned = sts_uid is None or not ref.get("uid") or ref.get("uid") == sts_uid
        else:
            owned = start <= ordinal < end
        if owned:
            pods[ordinal] = pod
        else:
            foreign.append(pod.name)
    foreign.sort()
    return pods, foreign


def _slot_warnings(name: str, replicas: int, foreign: list[str]) -> tuple[Warning, ...]:
    out = []
    if replicas > MAX_SPEC_SLOTS:
        out.append(Warning(m.W_SLOTS_CAPPED, f"{name} has {replicas} replicas: only ordinals of the first "
                           f"{MAX_SPEC_SLOTS} and the existing pods are shown as slots"))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        out.append(Warning(m.W_FOREIGN_POD, f"{shown} {'is' if len(foreign) == 1 else 'are'} named like pods of "
                           f"{name} but not owned by it: listed as foreign, not as slots",
                           obj=f"pod/{foreign[0]}"))
    return tuple(out)


# --- warnings -------------------------------------------------------------------------

def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _range_text(ctx: _Ctx) -> str:
    if ctx.replicas <= 0:
        return f"statefulset {ctx.name} has 0 replicas"
    if ctx.replicas == 1:
        return f"statefulset {ctx.name} has only ordinal {ctx.start}"
    return f"statefulset {ctx.name} has ordinals {ctx.start}..{ctx.end}"


def _warnings(ctx: _Ctx, store: Store, service: ServiceView, svc: Obj | None, rollout: m.RolloutView,
              slots: tuple[PodSlot, ...], claims: list[ClaimView],
              volumes: list[VolumeView]) -> tuple[Warning, ...]:
    head: list[Warning] = []
    per_ordinal: list[tuple[int, int, Warning]] = []
    name = ctx.name

    if service.name and not service.exists:
        head.append(Warning(m.W_SERVICE_MISSING,
                            f"service {service.name} named by statefulset {name} does not exist in "
                            f"namespace {ctx.ns}, so its pods get no DNS names",
                            obj=f"service/{service.name}"))
    elif service.name and not service.headless:
        cluster_ip = ((svc or {}).get("spec") or {}).get("clusterIP") or "unset"
        head.append(Warning(m.W_SERVICE_NOT_HEADLESS,
                            f"service {service.name} of statefulset {name} is not headless "
                            f"(clusterIP {cluster_ip}, not None), so its pods get no DNS names",
                            obj=f"service/{service.name}"))
    if rollout.strategy == ROLLING_UPDATE and rollout.partition > ctx.replicas:
        head.append(Warning(m.W_PARTITION_TOO_LARGE,
                            f"partition {rollout.partition} of statefulset {name} is greater than its "
                            f"{ctx.replicas} replicas, so no pod will be updated",
                            obj=f"statefulset/{name}"))
    if rollout.halted and rollout.halted_reason:
        remedy = f"; remedy: {rollout.remedy}" if rollout.remedy else ""
        head.append(Warning(m.W_ROLLOUT_HALTED,
                            f"rollout of statefulset {name} is halted: {rollout.halted_reason}{remedy}",
                            obj=f"statefulset/{name}"))
    if rollout.strategy != ROLLING_UPDATE and rollout.old_revision_ordinals:
        pods = [f"{name}-{o}" for o in rollout.old_revision_ordinals]
        verb = "runs" if len(pods) == 1 else "run"
        head.append(Warning(m.W_ONDELETE_PENDING,
                            f"{_names(pods)} still {verb} an old revision: statefulset {name} uses "
                            f"OnDelete, so a pod is updated only when it is deleted",
                            obj=f"statefulset/{name}"))

    pods_present = {s.ordinal for s in slots if s.exists}
    for slot in slots:
        if not slot.exists:
            continue
        if slot.stuck:
            since = human_age(ctx.now - slot.terminating_since) if slot.terminating_since is not None else "a while"
            where = f" on NotReady node {slot.node}" if slot.node_ready is False else ""
            per_ordinal.append((slot.ordinal, 0, Warning(
                m.W_STUCK_TERMINATING, f"pod {slot.name} has been Terminating for {since}{where}",
                ordinal=slot.ordinal, obj=f"pod/{slot.name}")))
        if slot.node_ready is False:
            _, node_since = _node_state(store, ctx, slot.node)
            how_long = f" for {human_age(ctx.now - node_since)}" if node_since is not None else ""
            per_ordinal.append((slot.ordinal, 1, Warning(
                m.W_NODE_NOT_READY, f"node {slot.node} of pod {slot.name} has been NotReady{how_long}",
                ordinal=slot.ordinal, obj=f"node/{slot.node}")))
    for claim in claims:
        if claim.orphan:
            per_ordinal.append((claim.ordinal, 2, Warning(
                m.W_ORPHAN_CLAIM,
                f"claim {claim.name} is an orphan: {_range_text(ctx)}, so it is retained but unused",
                ordinal=claim.ordinal, obj=f"persistentvolumeclaim/{claim.name}")))
        elif not claim.exists and claim.ordinal in pods_present:
            per_ordinal.append((claim.ordinal, 3, Warning(
                m.W_MISSING_CLAIM, f"claim {claim.name} of pod {name}-{claim.ordinal} does not exist",
                ordinal=claim.ordinal, obj=f"persistentvolumeclaim/{claim.name}")))
    for volume in volumes:
        if volume.phase == "Released":
            claim_name = volume.claim.split("/", 1)[1] if volume.claim else "(none)"
            per_ordinal.append((volume.ordinal if volume.ordinal is not None else 1 << 30, 4, Warning(
                m.W_RELEASED_VOLUME,
                f"volume {volume.name} is Released ({volume.reclaim_policy}): it keeps the data of "
                f"claim {claim_name} and no claim can bind it until it is reclaimed",
                ordinal=volume.ordinal, obj=f"persistentvolume/{volume.name}")))
    per_ordinal.sort(key=lambda t: (t[0], t[1]))
    return tuple(head) + tuple(w for _, _, w in per_ordinal)
