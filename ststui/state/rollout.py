"""Partition and revision arithmetic of a StatefulSet rollout.

Place in the flow: `topology.build_view` first turns pods into `PodSlot`s, then calls
`summarize()` here to get the `RolloutView`: which ordinal the controller updates next,
whether it is halted and why, what a "step" (partition - 1) would release, and for
OnDelete which pods still run an old revision. Pure functions over slots; `now` is
passed in.

The rules follow the StatefulSet controller (pkg/controller/statefulset):
- Partition counts positions from `.spec.ordinals.start`: ordinals >= start + partition
  are updated, the others keep the current revision.
- RollingUpdate walks the in-range pods from the highest ordinal down to the partition:
  the first pod not at the update revision (and not already terminating) is deleted and
  recreated; before getting there it waits on any pod of the walk that is not healthy
  (Running, Ready for minReadySeconds, not terminating).
- OrderedReady additionally waits on the first unhealthy pod of the whole set (in
  ordinal order) and on pods being removed by a scale-down, before any update.
- With maxUnavailable > 1 the controller counts unhealthy in-range pods and updates up to
  maxUnavailable minus that many at once (the MaxUnavailableStatefulSet behaviour).
- OnDelete never replaces pods; a deleted pod comes back at the update revision.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .model import PodSlot, RolloutView
from .times import human_age

ROLLING_UPDATE = "RollingUpdate"
ON_DELETE = "OnDelete"
ORDERED_READY = "OrderedReady"
PARALLEL = "Parallel"

# A pod the controller waits for that has not been Ready for this long (beyond
# minReadySeconds) counts as halting the rollout, even without a failure reason.
HALT_AFTER_SECONDS = 60.0

# Container/pod reasons that mean "this will not become Ready by itself".
FAILURE_REASONS = frozenset({
    "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
    "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError",
    "RunContainerError", "PreCreateHookError", "PostStartHookError", "Error", "OOMKilled",
    "ContainerCannotRun", "Evicted", "NodeLost", "UnexpectedAdmissionError",
})


@dataclass(frozen=True)
class RolloutSpec:
    """The StatefulSet fields the rollout arithmetic needs."""
    name: str
    strategy: str = ROLLING_UPDATE
    partition: int = 0
    max_unavailable: int = 1
    replicas: int = 1
    start: int = 0
    pod_management_policy: str = ORDERED_READY
    min_ready_seconds: int = 0
    current_revision: str | None = None
    update_revision: str | None = None

    @property
    def end(self) -> int:
        """Highest in-spec ordinal (start - 1 when replicas is 0)."""
        return self.start + self.replicas - 1

    @property
    def first_updated_ordinal(self) -> int:
        """Lowest ordinal the partition lets the controller update."""
        return self.start + self.partition


@dataclass(frozen=True)
class StatusCounters:
    replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    current_replicas: int = 0
    updated_replicas: int = 0
    observed_generation: int | None = None
    generation: int | None = None


def max_unavailable_value(raw: int | str | None, replicas: int) -> int:
    """maxUnavailable as a number: an int, or "N%" of replicas rounded up; at least 1."""
    if raw is None:
        return 1
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if text.endswith("%"):
                percent = int(text[:-1])
                value = -(-percent * replicas // 100)
            else:
                value = int(text)
        except ValueError:
            return 1
    else:
        value = int(raw)
    return max(1, value)


def at_update_revision(slot: PodSlot, spec: RolloutSpec) -> bool:
    return slot.exists and spec.update_revision is not None and slot.revision == spec.update_revision


def is_healthy(slot: PodSlot, spec: RolloutSpec, now: float) -> bool:
    """Running, Ready (for minReadySeconds) and not terminating: what the controller waits for."""
    if not slot.exists or slot.terminating or not slot.ready or slot.phase != "Running":
        return False
    if spec.min_ready_seconds > 0 and slot.ready_changed is not None:
        return now - slot.ready_changed >= spec.min_ready_seconds
    return True


def in_update_range(ordinal: int, spec: RolloutSpec) -> bool:
    """Whether the partition lets the controller update this ordinal."""
    return spec.first_updated_ordinal <= ordinal <= spec.end


def old_revision_ordinals(slots: Sequence[PodSlot], spec: RolloutSpec) -> tuple[int, ...]:
    """In-spec pods that exist and do not run the update revision, in ordinal order."""
    if spec.update_revision is None:
        return ()
    return tuple(s.ordinal for s in slots
                 if s.in_spec and s.exists and s.revision != spec.update_revision)


def next_update_ordinals(slots: Sequence[PodSlot], spec: RolloutSpec) -> tuple[int, ...]:
    """RollingUpdate: the ordinals the controller replaces next, highest first: in-range
    pods not at the update revision (one, or up to maxUnavailable). Empty for OnDelete,
    when the partition holds everything, or when every in-range pod is updated."""
    if spec.strategy != ROLLING_UPDATE or spec.update_revision is None:
        return ()
    pending = [s.ordinal for s in sorted(slots, key=lambda s: -s.ordinal)
               if s.exists and in_update_range(s.ordinal, spec) and s.revision != spec.update_revision]
    return tuple(pending[:max(1, spec.max_unavailable)])


def step_ordinal(spec: RolloutSpec) -> int | None:
    """The ordinal that lowering the partition by one would release for update, or None
    (OnDelete, partition already 0, or partition so large that one step releases nothing)."""
    if spec.strategy != ROLLING_UPDATE or spec.partition <= 0 or spec.partition > spec.replicas:
        return None
    return spec.start + spec.partition - 1


def _by_ordinal(slots: Sequence[PodSlot]) -> dict[int, PodSlot]:
    return {s.ordinal: s for s in slots}


def find_blocker(slots: Sequence[PodSlot], spec: RolloutSpec, now: float) -> PodSlot | None:
    """The pod the controller is waiting on before it can replace the next pod, or None
    when it can act now (or has nothing to do)."""
    by_ord = _by_ordinal(slots)
    in_spec = [by_ord.get(o) for o in range(spec.start, spec.end + 1)]
    if spec.pod_management_policy != PARALLEL:
        for slot in in_spec:
            if slot is not None and not is_healthy(slot, spec, now):
                return slot
        condemned = [s for s in slots if s.exists and not s.in_spec]
        if condemned:
            return max(condemned, key=lambda s: s.ordinal)
    if spec.max_unavailable > 1:
        unhealthy = [s for s in in_spec if s is not None and not is_healthy(s, spec, now)]
        if len(unhealthy) >= spec.max_unavailable:
            updated = [s for s in unhealthy if at_update_revision(s, spec)]
            return max(updated or unhealthy, key=lambda s: s.ordinal)
        return None
    for ordinal in range(spec.end, spec.first_updated_ordinal - 1, -1):
        slot = by_ord.get(ordinal)
        if slot is None or not slot.exists:
            return slot
        if slot.revision != spec.update_revision and not slot.terminating:
            return None          # the controller replaces this one now
        if not is_healthy(slot, spec, now):
            return slot
    return None


def _has_work(slots: Sequence[PodSlot], spec: RolloutSpec, now: float) -> bool:
    if spec.update_revision is None:
        return False
    for slot in slots:
        if not slot.exists or not in_update_range(slot.ordinal, spec):
            continue
        if slot.revision != spec.update_revision:
            return True
        if spec.current_revision != spec.update_revision and not is_healthy(slot, spec, now):
            return True
    return False


def _failure(slot: PodSlot) -> str | None:
    if slot.reason in FAILURE_REASONS:
        return slot.reason
    if slot.phase == "Failed":
        return "Failed"
    return None


def blocker_verdict(slot: PodSlot, spec: RolloutSpec, now: float,
                    halt_after: float = HALT_AFTER_SECONDS) -> tuple[bool, str]:
    """(halted, sentence) for the pod the controller waits on."""
    role = "updated pod" if at_update_revision(slot, spec) else "pod"
    name = slot.name
    if not slot.exists:
        return False, f"waiting for pod {name} to be created"
    if slot.terminating:
        since = slot.terminating_since
        how_long = f" for {human_age(now - since)}" if since is not None else ""
        on_node = f" on NotReady node {slot.node}" if slot.node_ready is False else ""
        if slot.stuck:
            return True, f"{role} {name} has been Terminating{how_long}{on_node}"
        return False, f"waiting for pod {name} to terminate"
    if slot.node_ready is False:
        return True, f"{role} {name} is on NotReady node {slot.node}"
    failure = _failure(slot)
    if failure:
        return True, f"{role} {name} is not Ready ({failure})"
    if not slot.ready or slot.phase != "Running":
        since = slot.ready_changed if slot.ready_changed is not None else slot.created
        if since is not None and now - since > halt_after + spec.min_ready_seconds:
            restarts = f" ({slot.restarts} restarts)" if slot.restarts > 1 else (
                " (1 restart)" if slot.restarts == 1 else "")
            return True, f"{role} {name} has not been Ready for {human_age(now - since)}{restarts}"
        return False, f"waiting for {role} {name} to become Ready"
    return False, f"waiting for {role} {name} to be Ready for {spec.min_ready_seconds}s"


def step_blocked_reason(slots: Sequence[PodSlot], spec: RolloutSpec, now: float,
                        halted_reason: str | None) -> str | None:
    """Why lowering the partition by one is unwise right now, or None when it is fine."""
    if spec.strategy != ROLLING_UPDATE:
        return f"{spec.name} uses OnDelete: the partition does not apply, pods update when deleted"
    if spec.partition <= 0:
        return "the partition is already 0: every pod is released for update"
    if spec.partition > spec.replicas:
        return (f"partition {spec.partition} is above the {spec.replicas} replicas: "
                f"lowering it by one updates no pod")
    if halted_reason:
        return halted_reason
    if spec.partition < spec.replicas:
        last = _by_ordinal(slots).get(spec.first_updated_ordinal)
        if last is None or not last.exists:
            return f"pod {spec.name}-{spec.first_updated_ordinal} does not exist yet"
        if spec.update_revision is not None and last.revision != spec.update_revision:
            return f"pod {last.name} is not at the update revision yet"
        if not is_healthy(last, spec, now):
            return f"updated pod {last.name} is not Ready yet"
    return None


def summarize(slots: Sequence[PodSlot], spec: RolloutSpec, counters: StatusCounters, now: float,
              halt_after: float = HALT_AFTER_SECONDS) -> RolloutView:
    """The RolloutView of one StatefulSet from its slots."""
    old = old_revision_ordinals(slots, spec)
    in_spec = [s for s in slots if s.in_spec]
    complete = (spec.update_revision is not None and len(in_spec) == spec.replicas
                and all(s.exists and s.revision == spec.update_revision and s.ready and not s.terminating
                        for s in in_spec))
    halted = False
    halted_reason = None
    waiting_for = None
    if spec.strategy == ROLLING_UPDATE:
        next_ordinals = next_update_ordinals(slots, spec)
        in_progress = _has_work(slots, spec, now)
        if in_progress:
            blocker = find_blocker(slots, spec, now)
            if blocker is not None:
                halted, sentence = blocker_verdict(blocker, spec, now, halt_after)
                if halted:
                    halted_reason = sentence
                else:
                    waiting_for = sentence
    else:
        next_ordinals = ()
        in_progress = bool(old)
    return RolloutView(
        strategy=spec.strategy,
        partition=spec.partition,
        max_unavailable=spec.max_unavailable,
        replicas=counters.replicas,
        ready_replicas=counters.ready_replicas,
        available_replicas=counters.available_replicas,
        current_replicas=counters.current_replicas,
        updated_replicas=counters.updated_replicas,
        current_revision=spec.current_revision,
        update_revision=spec.update_revision,
        observed_generation=counters.observed_generation,
        generation=counters.generation,
        in_progress=in_progress,
        complete=complete,
        next_ordinal=next_ordinals[0] if next_ordinals else None,
        next_step_ordinal=step_ordinal(spec),
        halted=halted,
        halted_reason=halted_reason,
        old_revision_ordinals=old,
        pod_management_policy=spec.pod_management_policy,
        next_ordinals=next_ordinals,
        waiting_for=waiting_for,
        step_blocked_reason=step_blocked_reason(slots, spec, now, halted_reason),
        min_ready_seconds=spec.min_ready_seconds,
    )
