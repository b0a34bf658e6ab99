"""The view model: what ststui knows about one StatefulSet, derived from raw objects.

Place in the flow: `state.topology.build_views(store snapshot)` produces these frozen
dataclasses; the TUI panes and `ststui get` render them and never look at raw objects
for StatefulSet logic. `to_json()` gives the stable `ststui get -o json` schema.

All timestamps are seconds since the epoch (float) so rendering can compute ages
against an injected clock; None means "not known / not applicable".

Meanings fixed by the state layer (see topology.py / rollout.py):
- Ordinals: slots run from `.spec.ordinals.start` to max(start+replicas-1, highest pod
  ordinal); pods below `start` also get a slot. `in_spec` is start <= ordinal < start+replicas.
- Revision kind of a pod: "update" when its controller-revision-hash equals
  status.updateRevision and that differs from currentRevision; "current" when it equals
  currentRevision (so when both revisions are equal, settled pods are "current");
  "other" for anything else (older revisions, or no label).
- Partition, as in the real controller, counts positions from the ordinals start: pods
  with ordinal >= start + partition are updated (identical to "ordinal >= partition" when
  start is 0).
- Orphan claim: a claim of a volumeClaimTemplate whose ordinal is outside
  start..start+replicas-1 (above it after a scale-down, or below a raised start).
"""
from __future__ import annotations

from bisect import bisect_left

from dataclasses import dataclass, field
from typing import Any

# Revision of a pod relative to its StatefulSet.
REV_CURRENT = "current"
REV_UPDATE = "update"
REV_OTHER = "other"

# Warning kinds (stable identifiers; the message text is for people).
W_STUCK_TERMINATING = "stuck-terminating"
W_NODE_NOT_READY = "node-not-ready"
W_ORPHAN_CLAIM = "orphan-claim"
W_RELEASED_VOLUME = "released-volume"
W_SERVICE_MISSING = "service-missing"
W_SERVICE_NOT_HEADLESS = "service-not-headless"
W_PARTITION_TOO_LARGE = "partition-exceeds-replicas"
W_ROLLOUT_HALTED = "rollout-halted"
W_MISSING_CLAIM = "missing-claim"
W_ONDELETE_PENDING = "ondelete-old-revision"
W_FOREIGN_POD = "foreign-pod"              # named like the set's pods, not owned by it
W_SLOTS_CAPPED = "slots-capped"            # more replicas than slots shown


@dataclass(frozen=True, slots=True)
class Warning:
    kind: str          # one of the W_* constants
    message: str       # one readable sentence
    ordinal: int | None = None
    obj: str | None = None   # "kind/name" of the object concerned, e.g. "pod/web-3"


@dataclass(frozen=True, slots=True)
class PodSlot:
    """One ordinal of a StatefulSet: the pod there, or a hole ("not created")."""
    ordinal: int
    name: str                      # web-N, also when the pod does not exist
    exists: bool
    phase: str                     # Pending/Running/Succeeded/Failed/Unknown, "Terminating", or "NotCreated"
    ready: bool
    ready_containers: str          # "1/1"
    restarts: int
    revision: str | None           # controller-revision-hash label value (the revision name)
    revision_kind: str | None      # REV_CURRENT / REV_UPDATE / REV_OTHER, None if no pod
    node: str | None
    node_ready: bool | None        # None: no node or node unknown to us
    terminating: bool
    terminating_since: float | None    # deletionTimestamp minus grace, i.e. when deletion was asked
    deletion_grace_seconds: int | None
    ip: str | None
    dns_name: str | None           # web-N.<serviceName>.ns.svc.cluster.local for an existing pod,
                                   # only when that Service exists and is headless (else None: the
                                   # name would not resolve; dns_note says why)
    created: float | None
    uid: str | None = None
    resource_version: str | None = None   # may lag when only the resourceVersion moved
    in_spec: bool = True           # start <= ordinal < start + replicas
    reason: str | None = None      # kubectl-style detail: ContainerCreating, CrashLoopBackOff, Evicted...
    ready_changed: float | None = None    # lastTransitionTime of the Ready condition
    stuck: bool = False            # Terminating past deletionTimestamp + grace, or on a NotReady node
    controlled: bool = True        # False: no controller ownerReference (an orphaned pod in this slot)
    image: str | None = None       # the image(s) the pod's containers run, comma-separated
    exit_code: int | None = None   # exit code of the failing container (terminated now, or last time)
    last_termination: str | None = None   # lastState.terminated of the most restarted container:
                                          # "OOMKilled, exit code 137"
    dns_note: str | None = None    # why there is no DNS name: "no service", "service missing"...
    loading: bool = False          # the pods are still being listed: nothing is known about this slot


@dataclass(frozen=True, slots=True)
class ClaimView:
    name: str                      # <template>-<sts>-<ordinal>
    template: str
    ordinal: int
    exists: bool
    phase: str                     # Pending/Bound/Lost, "Terminating", or "Missing"
    volume: str | None             # spec.volumeName
    capacity: str | None           # status.capacity.storage or requested size
    storage_class: str | None
    orphan: bool                   # exists and ordinal outside start..start+replicas-1 (retained, unused)
    access_modes: tuple[str, ...] = ()
    uid: str | None = None
    created: float | None = None


@dataclass(frozen=True, slots=True)
class VolumeView:
    name: str
    phase: str                     # Available/Bound/Released/Failed/Pending, or "Terminating"
    reclaim_policy: str            # Retain/Delete/Recycle
    claim: str | None              # "ns/name" from spec.claimRef
    claim_uid: str | None
    storage_class: str | None
    capacity: str | None
    ordinal: int | None            # ordinal of the claim it belongs/belonged to
    template: str | None
    reserved: bool = False         # claimRef names a claim but has no uid (kept for that claim)
    created: float | None = None


@dataclass(frozen=True, slots=True)
class RolloutView:
    strategy: str                  # RollingUpdate / OnDelete
    partition: int                 # 0 when unset
    max_unavailable: int
    replicas: int                  # status.replicas (pods the controller has created); the
                                   # desired count is StatefulSetView.replicas
    ready_replicas: int
    available_replicas: int
    current_replicas: int
    updated_replicas: int
    current_revision: str | None
    update_revision: str | None
    observed_generation: int | None
    generation: int | None
    in_progress: bool              # RollingUpdate: a pod at/above partition not yet at update
                                   # revision, or updated but not yet Ready while currentRevision !=
                                   # updateRevision; OnDelete: some in-spec pod on an old revision
    complete: bool                 # every pod in spec at update revision and ready
    next_ordinal: int | None       # ordinal the controller updates next (RollingUpdate), None if none
    next_step_ordinal: int | None  # ordinal that lowering the partition by one would release
    halted: bool                   # the controller cannot proceed: the pod it waits for is stuck
                                   # Terminating, on a NotReady node, failing (CrashLoopBackOff,
                                   # ErrImagePull...), or not Ready for rollout.HALT_AFTER_SECONDS
    halted_reason: str | None      # the cause, naming the pod: "updated pod web-2 is not Ready
                                   # (CrashLoopBackOff)"; the warning says "rollout of ... is halted: <cause>"
    old_revision_ordinals: tuple[int, ...] = ()   # in-spec pods not at update revision (all strategies)
    pod_management_policy: str = "OrderedReady"
    next_ordinals: tuple[int, ...] = ()   # up to maxUnavailable ordinals updated next, highest first
    waiting_for: str | None = None        # sentence: what the controller waits for (not halted yet)
    step_blocked_reason: str | None = None  # sentence: why lowering the partition by one is unwise now
    min_ready_seconds: int = 0
    # The one rollout state (rollout.rollout_state), used by the ROLLOUT column, the strip and
    # `ststui get`: complete, rolling, paused, held, halted, blocked, ondelete, scaling,
    # updating (observedGeneration < generation) or unknown (data still loading).
    state: str = "unknown"
    label: str = "unknown"         # short form for the column: "paused p=3 2/5"
    reason: str = ""               # one sentence: why it is in this state
    remedy: str | None = None      # what to do, with the keys: "undo (u), then delete redis-2 (ctrl+d)"
    next_pod: str | None = None    # the pod one step (a) would update, or None
    step_partition: int | None = None   # the partition a step sets (skips pods already updated)
    step_none_reason: str | None = None  # why no step would update a pod (when next_pod is None)
    updated_pods: int = 0          # in-spec pods that exist on the update revision (from the pods)
    counts_pending: bool = False   # status.observedGeneration < metadata.generation


@dataclass(frozen=True, slots=True)
class ServiceView:
    name: str                      # spec.serviceName ("" if unset)
    exists: bool
    headless: bool
    known: bool = True             # False while services are still being listed


@dataclass(frozen=True, slots=True)
class StatefulSetView:
    namespace: str
    name: str
    uid: str | None
    replicas: int
    ordinals_start: int
    selector: dict[str, str]
    service: ServiceView
    rollout: RolloutView
    slots: tuple[PodSlot, ...]
    claims: tuple[ClaimView, ...]
    volumes: tuple[VolumeView, ...]
    warnings: tuple[Warning, ...]
    templates: tuple[str, ...]     # volumeClaimTemplates names
    retention_when_scaled: str     # Retain/Delete
    retention_when_deleted: str
    images: tuple[tuple[str, str], ...] = ()   # (container, image) of the template
    created: float | None = None
    resource_version: str | None = None   # may lag when only the resourceVersion moved
    foreign_pods: tuple[str, ...] = ()    # pods named like this set's but not its own (no slot)
    loading: tuple[str, ...] = ()  # kinds not listed yet (start-up): derived facts are withheld
    pod_management_policy: str = "OrderedReady"
    budgets: tuple = ()                   # state.budgets.BudgetView of the PDBs covering its pods

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def slot(self, ordinal: int) -> PodSlot | None:
        # Slots are sorted by ordinal: a binary search keeps plans linear in the replicas.
        i = bisect_left(self.slots, ordinal, key=_slot_ordinal)
        if i < len(self.slots) and self.slots[i].ordinal == ordinal:
            return self.slots[i]
        return None


def _slot_ordinal(slot: PodSlot) -> int:
    return slot.ordinal


def revision_label(kind: str | None) -> str:
    return kind or "-"


def to_json(view: StatefulSetView) -> dict[str, Any]:
    """The stable `ststui get -o json` schema for one StatefulSet."""
    r = view.rollout
    return {
        "namespace": view.namespace,
        "name": view.name,
        "replicas": view.replicas,
        "ordinalsStart": view.ordinals_start,
        "strategy": r.strategy,
        "podManagementPolicy": r.pod_management_policy,
        "partition": r.partition,
        "currentRevision": r.current_revision,
        "updateRevision": r.update_revision,
        "readyReplicas": r.ready_replicas,
        "updatedReplicas": r.updated_replicas,
        "images": [{"container": c, "image": i} for c, i in view.images],
        "loading": list(view.loading),
        "rollout": {
            "state": r.state,
            "label": r.label,
            "reason": r.reason,
            "remedy": r.remedy,
            "next": r.next_pod,
            "stepPartition": r.step_partition,
            "countsPending": r.counts_pending,
            "inProgress": r.in_progress,
            "complete": r.complete,
            "nextOrdinal": r.next_ordinal,
            "halted": r.halted,
            "haltedReason": r.halted_reason,
            "waitingFor": r.waiting_for,
            "nextStepOrdinal": r.next_step_ordinal,
            "oldRevisionOrdinals": list(r.old_revision_ordinals),
        },
        "service": {"name": view.service.name, "exists": view.service.exists if view.service.known else None,
                    "headless": view.service.headless if view.service.known else None},
        "pods": [
            {
                "ordinal": s.ordinal,
                "name": s.name,
                "exists": s.exists,
                "phase": s.phase,
                "ready": s.ready,
                "revision": s.revision_kind,
                "revisionName": s.revision,
                "node": s.node,
                "nodeReady": s.node_ready,
                "terminating": s.terminating,
                "stuck": s.stuck,
                "reason": s.reason,
                "ip": s.ip,
                "dns": s.dns_name,
                "restarts": s.restarts,
                "image": s.image,
                "exitCode": s.exit_code,
                "lastTermination": s.last_termination,
            }
            for s in view.slots
        ],
        "claims": [
            {
                "name": c.name,
                "template": c.template,
                "ordinal": c.ordinal,
                "exists": c.exists,
                "phase": c.phase,
                "volume": c.volume,
                "capacity": c.capacity,
                "orphan": c.orphan,
            }
            for c in view.claims
        ],
        "volumes": [
            {
                "name": v.name,
                "phase": v.phase,
                "reclaimPolicy": v.reclaim_policy,
                "claim": v.claim,
                "storageClass": v.storage_class,
                "capacity": v.capacity,
                "reserved": v.reserved,
            }
            for v in view.volumes
        ],
        "warnings": [w.message for w in view.warnings],
        "warningKinds": sorted({w.kind for w in view.warnings}),
    }
