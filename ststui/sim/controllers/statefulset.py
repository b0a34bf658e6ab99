"""The StatefulSet controller of the simulated cluster.

Place in the flow: `Cluster` feeds every store change to `observe()` (which keeps indexes of
sets, their pods and their ControllerRevisions and marks sets dirty) and calls
`reconcile()`, which syncs each dirty set the way Kubernetes' StatefulSet controller does
(pkg/controller/statefulset), writing pods, claims, revisions and status back to the store.
The arithmetic (what a pod or claim looks like, which revision an ordinal gets, the status
counters, the claim owner references a retention policy asks for) is in pure functions at
the top of this module; the controller only sequences them.

Behaviour reproduced (see shared/DOMAIN.md):
- OrderedReady: ordinals from `.spec.ordinals.start`; `<set>-N` is created only when every
  lower ordinal is Running, Ready and available for `minReadySeconds`; scale-down removes the
  highest ordinal first, one pod at a time, each fully gone before the next; nothing scales
  while a pod is unhealthy (except that the first unhealthy condemned pod may go).
  Parallel: create and delete without waiting.
- Claims from `volumeClaimTemplates` (`<template>-<set>-<ordinal>`, selector labels) are
  created before the pod; a claim being deleted blocks its pod. The retention policy is
  expressed with owner references, as Kubernetes does: whenDeleted=Delete -> the claim is
  controlled by the set; whenScaled=Delete -> a scaled-down pod's claim is controlled by
  that pod; the garbage collector (`gc`) then deletes them.
- ControllerRevisions `<set>-<hash>` with increasing `revision`; re-applying an old template
  (rollout undo) reuses that revision and bumps its number; unused revisions beyond
  `revisionHistoryLimit` are pruned.
- RollingUpdate: pods whose index (ordinal - start) is >= partition and not at the update
  revision are deleted highest first, at most `maxUnavailable` (default 1) unavailable at a
  time; new pods below the partition get the current revision; currentRevision becomes
  updateRevision once every pod is updated and Ready. OnDelete: only deleted pods are
  recreated, at the update revision.
- At most one pod per identity: `<set>-N` is never created while any object of that name
  exists, Terminating or not.
- Events SuccessfulCreate / SuccessfulDelete / FailedCreate with Kubernetes' messages.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..objects import ApiError, Change, json_copy
from ..selectors import LabelSelector, SelectorError, selector_from_object
from . import podutil as pu
from .events import NORMAL, WARNING, EventRecorder
from .revisions import (equal_revision, new_revision, revision_number, sort_revisions,
                        template_of)

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

Key = tuple[str, str]
COMPONENT = "statefulset-controller"


# --------------------------------------------------------------------------- pure: the spec, with defaults

@dataclass(frozen=True)
class SetSpec:
    name: str
    namespace: str
    replicas: int
    start: int
    parallel: bool
    strategy: str            # RollingUpdate / OnDelete
    has_rolling: bool        # .spec.updateStrategy.rollingUpdate present
    partition: int
    max_unavailable: int
    min_ready: int
    history_limit: int
    when_scaled: str
    when_deleted: str
    service_name: str
    claim_templates: tuple


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def read_spec(sts: dict) -> SetSpec:
    meta = sts["metadata"]
    spec = sts.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    rolling = strategy.get("rollingUpdate")
    replicas = max(0, _int(spec.get("replicas"), 1) if spec.get("replicas") is not None else 1)
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    return SetSpec(
        name=meta["name"],
        namespace=meta.get("namespace", ""),
        replicas=replicas,
        start=max(0, _int((spec.get("ordinals") or {}).get("start"), 0)),
        parallel=spec.get("podManagementPolicy") == "Parallel",
        strategy=strategy.get("type") or "RollingUpdate",
        has_rolling=isinstance(rolling, dict),
        partition=max(0, _int((rolling or {}).get("partition"), 0)),
        max_unavailable=resolve_max_unavailable((rolling or {}).get("maxUnavailable"), replicas),
        min_ready=max(0, _int(spec.get("minReadySeconds"), 0)),
        history_limit=_int(spec.get("revisionHistoryLimit"), 10)
        if spec.get("revisionHistoryLimit") is not None else 10,
        when_scaled=retention.get("whenScaled") or "Retain",
        when_deleted=retention.get("whenDeleted") or "Retain",
        service_name=spec.get("serviceName") or "",
        claim_templates=tuple(t for t in spec.get("volumeClaimTemplates") or [] if isinstance(t, dict)),
    )


def resolve_max_unavailable(value, replicas: int) -> int:
    """An int or "N%" of replicas (rounded up), never below 1 (Kubernetes' rule)."""
    if value is None:
        return 1
    if isinstance(value, str) and value.endswith("%"):
        n = math.ceil(_int(value[:-1], 0) * replicas / 100)
    else:
        n = _int(value, 1)
    return max(1, n)


# --------------------------------------------------------------------------- pure: pods and claims

def pod_name(s: SetSpec, ordinal: int) -> str:
    return f"{s.name}-{ordinal}"


def claim_name(template: dict, set_name: str, ordinal: int) -> str:
    return f"{(template.get('metadata') or {}).get('name', '')}-{set_name}-{ordinal}"


def selector_labels(sts: dict) -> dict:
    return dict(((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {})


def revision_for_new_pod(s: SetSpec, ordinal: int, current_replicas: int) -> str:
    """"current" or "update": the revision Kubernetes gives a pod created at `ordinal`."""
    if s.strategy == "RollingUpdate":
        if s.has_rolling and ordinal < s.start + s.partition:
            return "current"
        if not s.has_rolling and ordinal < s.start + current_replicas:
            return "current"
    return "update"


def new_pod(sts: dict, template: dict, ordinal: int, revision: str) -> dict:
    """The pod `<set>-<ordinal>` for `template` at `revision` (not yet stored)."""
    s = read_spec(sts)
    name = pod_name(s, ordinal)
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels[pu.POD_NAME_LABEL] = name
    labels[pu.POD_INDEX_LABEL] = str(ordinal)
    labels[pu.REVISION_LABEL] = revision
    meta: dict = {
        "name": name,
        "generateName": f"{s.name}-",
        "namespace": s.namespace,
        "labels": labels,
        "ownerReferences": [pu.owner_reference(sts)],
    }
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        meta["finalizers"] = list(tmeta["finalizers"])
    spec = json_copy(template.get("spec") or {})
    spec["hostname"] = name
    if s.service_name:
        spec["subdomain"] = s.service_name
    claim_volumes = []
    template_names = set()
    for t in s.claim_templates:
        tname = (t.get("metadata") or {}).get("name", "")
        template_names.add(tname)
        claim_volumes.append({"name": tname, "persistentVolumeClaim": {"claimName": claim_name(t, s.name, ordinal)}})
    others = [v for v in spec.get("volumes") or [] if v.get("name") not in template_names]
    if claim_volumes or others:
        spec["volumes"] = claim_volumes + others
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
            "status": {"phase": "Pending"}}


def new_claim(sts: dict, template: dict, ordinal: int) -> dict:
    """The claim a volumeClaimTemplate gives `<set>-<ordinal>` (not yet stored)."""
    s = read_spec(sts)
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels.update(selector_labels(sts))
    meta: dict = {"name": claim_name(template, s.name, ordinal), "namespace": s.namespace, "labels": labels}
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
             "spec": json_copy(template.get("spec") or {}), "status": {"phase": "Pending"}}
    refs = claim_owner_refs(claim, sts, None, in_range=True)
    if refs:
        meta["ownerReferences"] = refs
    return claim


def _matches_ref(ref: dict, obj: dict | None, kind: str) -> bool:
    return bool(obj) and ref.get("kind") == kind and ref.get("name") == pu.meta(obj).get("name")


def claim_refs_up_to_date(claim: dict, sts: dict, pod: dict | None, in_range: bool,
                          s: SetSpec | None = None) -> bool:
    """Kubernetes' isClaimOwnerUpToDate: do the claim's owner references match the policy?
    (`s`: the set's `read_spec`, when the caller has it already.)"""
    s = s or read_spec(sts)
    refs = pu.meta(claim).get("ownerReferences") or []
    set_uid, pod_uid = pu.uid_of(sts), pu.uid_of(pod)
    for ref in refs:  # stale references (an older set or pod of the same name): leave alone
        if _matches_ref(ref, sts, "StatefulSet") and ref.get("uid") != set_uid:
            return True
        if pod is not None and _matches_ref(ref, pod, "Pod") and ref.get("uid") != pod_uid:
            return True
    has_set = any(r.get("uid") == set_uid for r in refs)
    has_pod = pod_uid is not None and any(r.get("uid") == pod_uid for r in refs)
    unexpected = any(r.get("controller") and r.get("uid") not in (set_uid, pod_uid) for r in refs)
    if unexpected:
        return not (has_set or has_pod)
    if any(r.get("uid") in (set_uid, pod_uid) and not r.get("controller") for r in refs):
        return False
    scaled_down = not in_range
    if s.when_scaled == "Delete" and s.when_deleted == "Delete":
        return has_set != scaled_down and has_pod == scaled_down
    if s.when_scaled == "Delete":
        return not has_set and has_pod == scaled_down
    if s.when_deleted == "Delete":
        return has_set and not has_pod
    return not has_set and not has_pod


def claim_owner_refs(claim: dict, sts: dict, pod: dict | None, in_range: bool,
                     s: SetSpec | None = None) -> list[dict]:
    """Kubernetes' updateClaimOwnerRefForSetAndPod: the owner references the policy asks for."""
    s = s or read_spec(sts)
    set_uid, pod_uid = pu.uid_of(sts), pu.uid_of(pod)
    refs = [r for r in pu.meta(claim).get("ownerReferences") or []
            if r.get("uid") not in (set_uid, pod_uid)
            and not _matches_ref(r, sts, "StatefulSet") and not _matches_ref(r, pod, "Pod")]
    if any(r.get("controller") for r in refs):
        return refs
    scaled_down = not in_range
    if s.when_scaled == "Delete" and scaled_down and pod is not None:
        refs.append(pu.owner_reference(pod))
    if s.when_deleted == "Delete" and not (s.when_scaled == "Delete" and scaled_down):
        refs.append(pu.owner_reference(sts))
    return refs


@dataclass
class Counters:
    replicas: int = 0
    ready: int = 0
    available: int = 0
    current: int = 0
    updated: int = 0


def count_pods(pods: list[dict], min_ready: int, now: float, current: str, update: str) -> Counters:
    """Kubernetes' computeReplicaStatus over the set's existing pods."""
    c = Counters()
    for pod in pods:
        c.replicas += 1
        if pu.is_running_and_ready(pod):
            c.ready += 1
            if pu.is_available(pod, min_ready, now):
                c.available += 1
        if not pu.is_terminating(pod):
            rev = (pu.meta(pod).get("labels") or {}).get(pu.REVISION_LABEL)
            if rev == current:
                c.current += 1
            if rev == update:
                c.updated += 1
    return c


def new_status(old_status: dict, s: SetSpec, generation: int, counts: Counters, current: str,
               update: str, collision_count: int) -> dict:
    """The status the controller writes, with completeRollingUpdate applied.

    Zero counters that Kubernetes marks omitempty are left out, as the real API does."""
    if s.strategy == "RollingUpdate" and counts.updated == counts.replicas and counts.ready == counts.replicas:
        current = update
        counts.current = counts.updated
    status = {k: v for k, v in (old_status or {}).items()
              if k not in ("observedGeneration", "replicas", "readyReplicas", "availableReplicas",
                           "currentReplicas", "updatedReplicas", "currentRevision", "updateRevision",
                           "collisionCount")}
    status["observedGeneration"] = generation
    status["replicas"] = counts.replicas
    if counts.ready:
        status["readyReplicas"] = counts.ready
    status["availableReplicas"] = counts.available
    if counts.current:
        status["currentReplicas"] = counts.current
    if counts.updated:
        status["updatedReplicas"] = counts.updated
    status["currentRevision"] = current
    status["updateRevision"] = update
    status["collisionCount"] = collision_count
    return status


# --------------------------------------------------------------------------- the controller

class StatefulSetController:
    def __init__(self, cluster: "Cluster", recorder: EventRecorder) -> None:
        self.cluster = cluster
        self.recorder = recorder
        self._sets: dict[Key, dict] = {}
        self._key_by_uid: dict[str, Key] = {}
        self._names_in_ns: dict[str, set[str]] = {}
        self._pods: dict[str, dict[str, dict]] = {}          # set uid -> pod name -> pod
        self._orphan_pods: dict[str, dict[str, dict]] = {}   # namespace -> pod name -> pod
        self._revs: dict[str, dict[str, dict]] = {}          # set uid -> revision name -> revision
        self._orphan_revs: dict[str, dict[str, dict]] = {}
        self._dirty: set[Key] = set()
        self._timers: dict[Key, float] = {}

    # ---- observing

    def observe(self, change: Change) -> None:
        plural = change.plural
        if plural == "statefulsets":
            self._observe_set(change)
        elif plural in ("pods", "controllerrevisions"):
            self._observe_child(change)
        elif plural == "persistentvolumeclaims":
            m = pu.meta(change.obj)
            ns, name = m.get("namespace", ""), m.get("name", "")
            for set_name in self._names_in_ns.get(ns, ()):
                if f"-{set_name}-" in name:
                    self._dirty.add((ns, set_name))

    def _observe_set(self, change: Change) -> None:
        m = pu.meta(change.obj)
        key = (m.get("namespace", ""), m.get("name", ""))
        old_uid = pu.uid_of(self._sets.get(key))
        if old_uid and old_uid != m.get("uid"):
            self._key_by_uid.pop(old_uid, None)
        if change.type == "DELETED":
            self._sets.pop(key, None)
            self._key_by_uid.pop(m.get("uid"), None)
            self._names_in_ns.get(key[0], set()).discard(key[1])
            self._dirty.discard(key)
            self._timers.pop(key, None)
            return
        self._sets[key] = change.obj
        self._key_by_uid[m.get("uid")] = key
        self._names_in_ns.setdefault(key[0], set()).add(key[1])
        self._dirty.add(key)

    def _observe_child(self, change: Change) -> None:
        owned, orphans = (self._pods, self._orphan_pods) if change.plural == "pods" \
            else (self._revs, self._orphan_revs)
        for obj in (change.old, change.obj):
            if obj is None:
                continue
            m = pu.meta(obj)
            uid = pu.controller_uid(obj)
            if uid:
                bucket = owned.get(uid)
                if bucket is not None:
                    bucket.pop(m.get("name"), None)
                    if not bucket:
                        del owned[uid]
                key = self._key_by_uid.get(uid)
                if key:
                    self._dirty.add(key)
            else:
                ns = m.get("namespace", "")
                orphans.get(ns, {}).pop(m.get("name"), None)
                self._mark_parent(ns, m.get("name", ""), change.plural)
        if change.type == "DELETED":
            return
        obj = change.obj
        m = pu.meta(obj)
        uid = pu.controller_uid(obj)
        if uid:
            owned.setdefault(uid, {})[m["name"]] = obj
        else:
            ns = m.get("namespace", "")
            orphans.setdefault(ns, {})[m["name"]] = obj
            self._mark_parent(ns, m["name"], change.plural)

    def _mark_parent(self, ns: str, name: str, plural: str) -> None:
        """An ownerless pod or revision changed: the set its name belongs to may adopt it."""
        parent = pu.parent_and_ordinal(name)[0] if plural == "pods" else name.rsplit("-", 1)[0]
        if parent in self._names_in_ns.get(ns, ()):
            self._dirty.add((ns, parent))

    # ---- timing

    def next_wakeup(self) -> float | None:
        return min(self._timers.values()) if self._timers else None

    def _wake_at(self, key: Key, t: float) -> None:
        cur = self._timers.get(key)
        if cur is None or t < cur:
            self._timers[key] = t

    # ---- reconciling

    def reconcile(self) -> bool:
        now = self.cluster.now()
        for key, t in list(self._timers.items()):
            if t <= now:
                del self._timers[key]
                self._dirty.add(key)
        wrote = False
        while self._dirty:
            key = self._dirty.pop()
            if self._sync(key):
                wrote = True
        return wrote

    def _sync(self, key: Key) -> bool:
        sts = self._sets.get(key)
        if sts is None:
            return False
        try:
            selector = selector_from_object((sts.get("spec") or {}).get("selector"))
        except SelectorError:
            return False
        everything = selector.matches_everything
        if selector.matches_nothing or (everything() if callable(everything) else everything):
            return False
        store = self.cluster.store
        rv_before = store.rv
        uid = pu.uid_of(sts)
        self._claim_children(sts, selector)
        s = read_spec(sts)
        status = sts.get("status") or {}
        collision = _int(status.get("collisionCount"), 0)
        update_rev, collision = self._update_revision(sts, collision)
        revs = self._revs.get(uid, {})
        current_rev = revs.get(status.get("currentRevision") or "") or update_rev
        update_name = update_rev["metadata"]["name"]
        current_name = current_rev["metadata"]["name"]
        now = self.cluster.now()

        if not pu.is_terminating(sts):
            self._manage_pods(sts, s, current_rev, update_rev, status, now)

        pods = list(self._pods.get(uid, {}).values())
        counts = count_pods(pods, s.min_ready, now, current_name, update_name)
        if s.min_ready:
            for pod in pods:
                at = pu.available_at(pod, s.min_ready)
                if at is not None and at > now and pu.phase(pod) == "Running":
                    self._wake_at(key, at)
        generation = _int(pu.meta(sts).get("generation"), 1)
        latest = self._sets.get(key)
        if latest is not None:
            want = new_status(latest.get("status") or {}, s, generation, counts, current_name,
                              update_name, collision)
            store.mutate("statefulsets", key[0], key[1], lambda o: o.__setitem__("status", want))
            self._truncate_history(sts, s, pods, {current_name, want["currentRevision"], update_name})
        return store.rv != rv_before

    # ---- adoption (ClaimPods / AdoptOrphanRevisions)

    def _claim_children(self, sts: dict, selector: LabelSelector) -> None:
        store = self.cluster.store
        ns, name, uid = sts["metadata"].get("namespace", ""), sts["metadata"]["name"], pu.uid_of(sts)
        if pu.is_terminating(sts):
            return
        for plural, orphans, is_member in (
                ("pods", self._orphan_pods, lambda n: pu.ordinal_in(name, n) >= 0),
                ("controllerrevisions", self._orphan_revs, lambda n: True)):
            for child in list(orphans.get(ns, {}).values()):
                cm = pu.meta(child)
                if pu.is_terminating(child) or not selector.matches(cm.get("labels")) \
                        or not is_member(cm["name"]):
                    continue
                ref = pu.owner_reference(sts)
                store.mutate(plural, ns, cm["name"], lambda o: o["metadata"].setdefault(
                    "ownerReferences", []).append(ref))
        for plural, owned in (("pods", self._pods), ("controllerrevisions", self._revs)):
            for child in list(owned.get(uid, {}).values()):
                if not selector.matches(pu.meta(child).get("labels")) and not pu.is_terminating(child):
                    store.mutate(plural, ns, pu.meta(child)["name"], lambda o: o["metadata"].__setitem__(
                        "ownerReferences", [r for r in o["metadata"].get("ownerReferences") or []
                                            if r.get("uid") != uid]))

    # ---- revisions

    def _update_revision(self, sts: dict, collision: int) -> tuple[dict, int]:
        """Kubernetes' getStatefulSetRevisions: find, bump or create the update revision."""
        store = self.cluster.store
        uid = pu.uid_of(sts)
        ns = sts["metadata"].get("namespace", "")
        revisions = sort_revisions(list(self._revs.get(uid, {}).values()))
        next_number = revision_number(revisions[-1]) + 1 if revisions else 1
        candidate = new_revision(sts, next_number, collision)
        equal = [r for r in revisions if equal_revision(r, candidate)]
        if equal and revisions[-1]["metadata"]["name"] == equal[-1]["metadata"]["name"]:
            return revisions[-1], collision
        if equal:
            target = equal[-1]
            bumped = store.mutate("controllerrevisions", ns, target["metadata"]["name"],
                                  lambda o: o.__setitem__("revision", next_number))
            return bumped or target, collision
        for _ in range(100):
            try:
                created = store.create("controllerrevisions", candidate, ns)
                return created, collision
            except ApiError as e:
                if e.code != 409:
                    raise
                existing = store.find("controllerrevisions", ns, candidate["metadata"]["name"])
                if existing is not None and equal_revision(existing, candidate) \
                        and pu.controller_uid(existing) == uid:
                    return existing, collision
                collision += 1
                candidate = new_revision(sts, next_number, collision)
        raise RuntimeError("could not create a ControllerRevision")  # pragma: no cover

    def _truncate_history(self, sts: dict, s: SetSpec, pods: list[dict], live: set[str]) -> None:
        if s.history_limit < 0:
            return
        uid = pu.uid_of(sts)
        live = set(live) | {(pu.meta(p).get("labels") or {}).get(pu.REVISION_LABEL) for p in pods}
        history = [r for r in sort_revisions(list(self._revs.get(uid, {}).values()))
                   if r["metadata"]["name"] not in live]
        excess = len(history) - s.history_limit
        for r in history[:max(0, excess)]:
            try:
                self.cluster.store.delete("controllerrevisions", s.namespace, r["metadata"]["name"])
            except ApiError:
                pass

    # ---- pods

    def _manage_pods(self, sts: dict, s: SetSpec, current_rev: dict, update_rev: dict,
                     status: dict, now: float) -> None:
        """Kubernetes' updateStatefulSet: create, repair, scale down, then roll."""
        uid = pu.uid_of(sts)
        owned = self._pods.get(uid, {})
        end = s.start + s.replicas
        replicas: dict[int, dict | None] = {o: None for o in range(s.start, end)}
        condemned: list[tuple[int, dict]] = []
        for name, pod in owned.items():
            o = pu.ordinal_in(s.name, name)
            if o < 0:
                continue
            if s.start <= o < end:
                replicas[o] = pod
            else:
                condemned.append((o, pod))
        condemned.sort(key=lambda p: p[0], reverse=True)
        monotonic = not s.parallel
        current_tmpl = None         # template_of copies the template: only when a pod needs it
        update_tmpl = (sts.get("spec") or {}).get("template") or {}
        current_name = current_rev["metadata"]["name"]
        update_name = update_rev["metadata"]["name"]
        current_replicas = _int(status.get("currentReplicas"), 0)

        first_unhealthy = None
        for o in range(s.start, end):
            if pu.is_unavailable(replicas[o], s.min_ready, now):
                first_unhealthy = ("replica", o)
                break
        if first_unhealthy is None:
            for o, pod in reversed(condemned):
                if pu.is_unavailable(pod, s.min_ready, now):
                    first_unhealthy = ("condemned", o)
                    break

        # 1. living replicas, in ordinal order
        for o in range(s.start, end):
            pod = replicas[o]
            if pod is not None and pu.is_finished(pod):
                if not pu.is_terminating(pod):
                    self._delete_pod(sts, pod)
                if monotonic:
                    return
                continue
            if pod is None:
                which = revision_for_new_pod(s, o, current_replicas)
                if which == "current":
                    current_tmpl = current_tmpl or template_of(current_rev)
                tmpl, rev = (current_tmpl, current_name) if which == "current" else (update_tmpl, update_name)
                self._create_pod(sts, s, tmpl, o, rev)
                if monotonic:
                    return
                continue
            if pu.phase(pod) == "Pending":
                self._ensure_claims(sts, s, o, pod_name(s, o))
            if monotonic and pu.is_terminating(pod):
                return
            if monotonic and not pu.is_running_and_ready(pod):
                return
            if monotonic and not pu.is_available(pod, s.min_ready, now):
                at = pu.available_at(pod, s.min_ready)
                if at is not None:
                    self._wake_at((s.namespace, s.name), at)
                return
            if not pu.is_terminating(pod):
                self._repair_identity(s, pod, o)
                self._fix_claim_refs(sts, s, pod, o, in_range=True)

        # 2. claims of condemned pods follow the retention policy
        for o, pod in condemned:
            self._fix_claim_refs(sts, s, pod, o, in_range=False)

        # 3. scale down, highest ordinal first
        for o, pod in condemned:
            if pu.is_terminating(pod):
                if monotonic:
                    return
                continue
            is_first = first_unhealthy == ("condemned", o)
            if monotonic and not is_first and not pu.is_available(pod, s.min_ready, now):
                if pu.is_running_and_ready(pod):
                    at = pu.available_at(pod, s.min_ready)
                    if at is not None:
                        self._wake_at((s.namespace, s.name), at)
                return
            self._delete_pod(sts, pod)
            if monotonic:
                return

        # 4. rolling update
        if s.strategy != "RollingUpdate":
            return
        if not getattr(self.cluster, "feature_gates", {}).get("MaxUnavailableStatefulSet", False):
            # 1.32 with the gate off: the legacy loop. From the highest ordinal down to the partition,
            # delete the first pod not on the update revision (healthy or not); wait at an updated
            # pod that is not healthy.
            for o in range(end - 1, s.start + s.partition - 1, -1):
                pod = replicas[o]
                if pod is None:
                    continue
                if (pu.meta(pod).get("labels") or {}).get(pu.REVISION_LABEL) != update_name \
                        and not pu.is_terminating(pod):
                    self._delete_pod(sts, pod)
                    return
                if not pu.is_healthy(pod):
                    return
            return
        unavailable = sum(1 for o in range(s.start, end) if pu.is_unavailable(replicas[o], s.min_ready, now))
        if unavailable > s.max_unavailable:
            return
        budget = s.max_unavailable - unavailable
        for o in range(end - 1, s.start + s.partition - 1, -1):
            if budget <= 0:
                break
            pod = replicas[o]
            if pod is None or pu.is_terminating(pod):
                continue
            if (pu.meta(pod).get("labels") or {}).get(pu.REVISION_LABEL) != update_name:
                self._delete_pod(sts, pod)
                budget -= 1

    def _create_pod(self, sts: dict, s: SetSpec, template: dict, ordinal: int, revision: str) -> bool:
        store = self.cluster.store
        name = pod_name(s, ordinal)
        if not self._ensure_claims(sts, s, ordinal, name):
            return False
        if store.find("pods", s.namespace, name) is not None:
            # At most one pod per identity: a pod of that name that is not ours blocks the ordinal.
            self.recorder.record(sts, WARNING, "FailedCreate",
                                 f'create Pod {name} in StatefulSet {s.name} failed error: pods "{name}" '
                                 f'already exists', COMPONENT)
            return False
        pod = new_pod(sts, template, ordinal, revision)
        try:
            store.create("pods", pod, s.namespace)
        except ApiError as e:
            self.recorder.record(sts, WARNING, "FailedCreate",
                                 f"create Pod {name} in StatefulSet {s.name} failed error: {e.message}",
                                 COMPONENT)
            return False
        self.recorder.record(sts, NORMAL, "SuccessfulCreate",
                             f"create Pod {name} in StatefulSet {s.name} successful", COMPONENT)
        return True

    def _delete_pod(self, sts: dict, pod: dict) -> None:
        name = pu.meta(pod)["name"]
        s_name = sts["metadata"]["name"]
        try:
            self.cluster.store.delete("pods", pu.meta(pod).get("namespace"), name)
        except ApiError as e:
            if e.code != 404:
                self.recorder.record(sts, WARNING, "FailedDelete",
                                     f"delete Pod {name} in StatefulSet {s_name} failed error: {e.message}",
                                     COMPONENT)
            return
        self.recorder.record(sts, NORMAL, "SuccessfulDelete",
                             f"delete Pod {name} in StatefulSet {s_name} successful", COMPONENT)

    def _ensure_claims(self, sts: dict, s: SetSpec, ordinal: int, name: str) -> bool:
        """Create the pod's missing claims; False if one cannot be used yet (being deleted)."""
        store = self.cluster.store
        ok = True
        for t in s.claim_templates:
            cname = claim_name(t, s.name, ordinal)
            existing = store.find("persistentvolumeclaims", s.namespace, cname)
            if existing is not None:
                if pu.is_terminating(existing):
                    ok = False
                continue
            try:
                store.create("persistentvolumeclaims", new_claim(sts, t, ordinal), s.namespace)
            except ApiError as e:
                self.recorder.record(sts, WARNING, "FailedCreate",
                                     f"create Claim {cname} for Pod {name} in StatefulSet {s.name} "
                                     f"failed error: {e.message}", COMPONENT)
                ok = False
                continue
            self.recorder.record(sts, NORMAL, "SuccessfulCreate",
                                 f"create Claim {cname} Pod {name} in StatefulSet {s.name} success", COMPONENT)
        return ok

    def _repair_identity(self, s: SetSpec, pod: dict, ordinal: int) -> None:
        labels = pu.meta(pod).get("labels") or {}
        name = pu.meta(pod)["name"]
        if labels.get(pu.POD_NAME_LABEL) == name and labels.get(pu.POD_INDEX_LABEL) == str(ordinal):
            return

        def fix(o: dict) -> None:
            lab = o["metadata"].setdefault("labels", {})
            lab[pu.POD_NAME_LABEL] = name
            lab[pu.POD_INDEX_LABEL] = str(ordinal)
        self.cluster.store.mutate("pods", s.namespace, name, fix)

    def _fix_claim_refs(self, sts: dict, s: SetSpec, pod: dict, ordinal: int, in_range: bool) -> None:
        store = self.cluster.store
        for t in s.claim_templates:
            cname = claim_name(t, s.name, ordinal)
            claim = store.find("persistentvolumeclaims", s.namespace, cname)
            if claim is None or pu.is_terminating(claim):
                continue
            if claim_refs_up_to_date(claim, sts, pod, in_range, s):
                continue
            refs = claim_owner_refs(claim, sts, pod, in_range, s)

            def apply(o: dict, refs=refs) -> None:
                if refs:
                    o["metadata"]["ownerReferences"] = refs
                else:
                    o["metadata"].pop("ownerReferences", None)
            store.mutate("persistentvolumeclaims", s.namespace, cname, apply)
