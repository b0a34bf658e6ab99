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
        return True, f"{role} {name} is not Ready ({failure_text(slot) or failure})"
    if not slot.ready or slot.phase != "Running":
        since = slot.ready_changed if slot.ready_changed is not None else slot.created
        if since is not None and now - since > halt_after + spec.min_ready_seconds:
            detail = failure_text(slot)
            detail = f" ({detail})" if detail else ""
            return True, f"{role} {name} has not been Ready for {human_age(now - since)}{detail}"
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


# --- the one rollout state ------------------------------------------------------------

COMPLETE = "complete"
ROLLING = "rolling"
PAUSED = "paused"
HELD = "held"
HALTED = "halted"
BLOCKED = "blocked"
ONDELETE = "ondelete"
SCALING = "scaling"
UPDATING = "updating"
UNKNOWN = "unknown"
STATES = (COMPLETE, ROLLING, PAUSED, HELD, HALTED, BLOCKED, ONDELETE, SCALING, UPDATING, UNKNOWN)


@dataclass(frozen=True)
class RolloutState:
    state: str                 # one of STATES
    label: str                 # short: "paused p=3 2/5"
    reason: str                # one sentence
    remedy: str | None = None  # what to do, naming the keys


def names_text(names: Sequence[str], limit: int = 4) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 4 more'."""
    names = list(names)
    if len(names) > limit:
        names = names[:limit - 1] + [f"{len(names) - limit + 1} more"]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def failure_text(slot: PodSlot) -> str | None:
    """Why a pod is not Ready, in kubectl's words with the details that tell causes apart:
    "CrashLoopBackOff, 6 restarts, last terminated Error (exit code 1)"."""
    reason = slot.reason
    if reason == "Error" and slot.exit_code is not None:
        reason = f"Error (exit code {slot.exit_code})"
    parts = [reason] if reason else []
    if slot.restarts:
        parts.append(f"{slot.restarts} restart{'s' if slot.restarts != 1 else ''}")
    if slot.last_termination and slot.last_termination != reason:
        parts.append(f"last terminated {slot.last_termination}")
    return ", ".join(parts) or None


def step_target(slots: Sequence[PodSlot], spec: RolloutSpec) -> tuple[int | None, int | None, str | None]:
    """What one step (a) does: (the partition it sets, the ordinal it updates, None), or
    (None, None, why no step would update a pod). A step lowers the partition to the
    highest position below it whose pod is not on the update revision, skipping pods
    already updated, so that exactly one more pod updates."""
    if spec.strategy != ROLLING_UPDATE:
        return None, None, (f"{spec.name} uses OnDelete: there is no partition; "
                            "a pod updates when you delete it (ctrl+d)")
    if spec.update_revision is None:
        return None, None, "the update revision is not known yet"
    effective = min(spec.partition, spec.replicas)
    if effective <= 0:
        return None, None, "the partition is 0: every pod is already released for update"
    by_ord = _by_ordinal(slots)
    for index in range(effective - 1, -1, -1):
        slot = by_ord.get(spec.start + index)
        if slot is None or not slot.exists or slot.revision != spec.update_revision:
            return index, spec.start + index, None
    if spec.current_revision == spec.update_revision:
        return None, None, (f"no update is pending: every pod runs {spec.update_revision}; "
                            "change the template (i, r) first")
    return None, None, (f"every pod below partition {spec.partition} already runs the update revision "
                        f"{spec.update_revision}: lowering the partition updates no pod")


def _stuck_remedy(slot: PodSlot) -> str:
    if slot.node_ready is False:
        return (f"node {slot.node} is NotReady: force delete {slot.name} (ctrl+k) only if the node is "
                "gone or powered off")
    return (f"{slot.name} is past its grace period: force delete it (ctrl+k) only if its containers "
            "are known to have stopped")


def rollout_state(slots: Sequence[PodSlot], spec: RolloutSpec, counters: StatusCounters, now: float, *,
                  in_progress: bool, blocker: PodSlot | None, halted: bool, halted_reason: str | None,
                  waiting_for: str | None, next_ordinals: Sequence[int], next_pod: str | None,
                  step_none: str | None, loading: Sequence[str] = ()) -> RolloutState:
    """The one state of a rollout, from the pods (never from possibly stale status counts)."""
    name = spec.name
    in_spec = [s for s in slots if s.in_spec]
    existing = [s for s in in_spec if s.exists]
    updated = sum(1 for s in existing if at_update_revision(s, spec))
    fraction = f"{updated}/{spec.replicas}"
    if loading:
        return RolloutState(UNKNOWN, "unknown", f"{names_text(list(loading))} not listed yet")
    if spec.update_revision is None:
        return RolloutState(UNKNOWN, "unknown", f"{name} has no revision yet: the controller has not "
                                                 "processed it")
    if (counters.generation is not None and counters.observed_generation is not None
            and counters.observed_generation < counters.generation):
        return RolloutState(UPDATING, "updating",
                            f"the controller has not yet acted on generation {counters.generation} "
                            f"(observed {counters.observed_generation}): its counts are pending")
    stuck = [s for s in slots if s.exists and s.stuck]
    if stuck:
        first = stuck[0]
        since = (f" for {human_age(now - first.terminating_since)}"
                 if first.terminating_since is not None else "")
        where = f" on NotReady node {first.node}" if first.node_ready is False else ""
        more = f" (and {len(stuck) - 1} more)" if len(stuck) > 1 else ""
        return RolloutState(BLOCKED, "blocked",
                            f"{first.name} has been Terminating{since}{where}{more}: the controller cannot "
                            f"recreate ordinal {first.ordinal} until it is gone", _stuck_remedy(first))
    unhealthy = [s for s in existing if not is_healthy(s, spec, now)]
    if halted and blocker is not None:
        remedy = None
        if blocker.node_ready is False:
            remedy = _stuck_remedy(blocker)
        elif at_update_revision(blocker, spec) and spec.current_revision != spec.update_revision:
            # OrderedReady waits on the never-Ready pod even after an undo: it must go by hand.
            remedy = "undo (u)"
            if spec.pod_management_policy != PARALLEL:
                remedy += f", then delete {blocker.name} (ctrl+d)"
        else:
            remedy = f"read its logs and events (d); deleting {blocker.name} (ctrl+d) recreates it"
        return RolloutState(HALTED, "halted", halted_reason or f"{blocker.name} is not Ready", remedy)
    if not in_progress and unhealthy:
        # No update pending, yet a pod is not healthy: the controller waits on it.
        first = unhealthy[0]
        failure = _failure(first)
        if failure is not None:
            detail = failure_text(first) or failure
            return RolloutState(HALTED, "halted", f"{first.name} is not Ready ({detail})",
                                f"read its logs and events (d); deleting {first.name} (ctrl+d) recreates it")
    condemned = [s for s in slots if s.exists and not s.in_spec]
    missing = [s for s in in_spec if not s.exists]
    if condemned:
        gone = names_text([s.name for s in sorted(condemned, key=lambda s: -s.ordinal)])
        return RolloutState(SCALING, f"scaling {len(existing) + len(condemned)}→{spec.replicas}",
                            f"scaling down to {spec.replicas}: removing {gone}")
    if missing and existing and min(s.ordinal for s in missing) > max(s.ordinal for s in existing) \
            or missing and not existing:
        return RolloutState(SCALING, f"scaling {len(existing)}→{spec.replicas}",
                            f"scaling up to {spec.replicas}: creating {names_text([s.name for s in missing])}")
    if spec.strategy != ROLLING_UPDATE:
        old = [s for s in existing if s.revision != spec.update_revision]
        if old:
            highest = max(old, key=lambda s: s.ordinal)
            return RolloutState(ONDELETE, f"ondelete {len(old)} old",
                                f"{names_text([s.name for s in old])} still run{'s' if len(old) == 1 else ''} an "
                                f"old revision: OnDelete updates a pod only when it is deleted",
                                f"delete {highest.name} (ctrl+d) to update it, one pod at a time")
        if missing or unhealthy:
            what = missing[0].name if missing else unhealthy[0].name
            return RolloutState(ROLLING, "rolling", f"waiting for {what} to be Running and Ready")
        return RolloutState(COMPLETE, "complete", f"every pod runs {spec.update_revision}" if spec.replicas
                            else f"{name} is scaled to 0: no pods")
    if in_progress or missing:
        if next_ordinals:
            doing = f"replacing {names_text([f'{name}-{o}' for o in next_ordinals])}"
        elif missing:
            doing = f"recreating {names_text([s.name for s in missing])}"
        else:
            doing = waiting_for or "waiting for the updated pods to be Ready"
        if waiting_for and doing != waiting_for:
            doing += f"; {waiting_for}"
        return RolloutState(ROLLING, f"rolling {fraction}", f"{doing} ({updated} of {spec.replicas} updated)")
    old = [s for s in existing if s.revision != spec.update_revision]
    if old and spec.partition >= spec.replicas:
        above = (f"partition {spec.partition} is above the {spec.replicas} replicas"
                 if spec.partition > spec.replicas else f"partition {spec.partition} equals the replicas")
        return RolloutState(HELD, f"held p={spec.partition} {fraction}",
                            f"{above}: no pod is updated until it is lowered ({updated} of {spec.replicas} "
                            f"updated)", f"step (a) updates {next_pod}" if next_pod else None)
    if old and spec.partition > 0:
        return RolloutState(PAUSED, f"paused p={spec.partition} {fraction}",
                            f"partition {spec.partition} keeps {names_text([s.name for s in old])} on the current "
                            f"revision ({updated} of {spec.replicas} updated)",
                            f"step (a) updates {next_pod}" if next_pod else step_none)
    if unhealthy:
        return RolloutState(ROLLING, f"rolling {fraction}", f"waiting for {unhealthy[0].name} to be Running "
                                                             "and Ready")
    if not spec.replicas:
        return RolloutState(COMPLETE, "complete", f"{name} is scaled to 0: no pods")
    reason = f"every pod runs {spec.update_revision}"
    if spec.partition > spec.replicas:
        reason += f"; partition {spec.partition} is above the {spec.replicas} replicas and holds the next change"
    elif spec.partition == spec.replicas:
        reason += f"; partition {spec.partition} holds the next template change"
    return RolloutState(COMPLETE, "complete", reason)


def summarize(slots: Sequence[PodSlot], spec: RolloutSpec, counters: StatusCounters, now: float,
              halt_after: float = HALT_AFTER_SECONDS, loading: Sequence[str] = ()) -> RolloutView:
    """The RolloutView of one StatefulSet from its slots."""
    old = old_revision_ordinals(slots, spec)
    in_spec = [s for s in slots if s.in_spec]
    complete = (spec.update_revision is not None and len(in_spec) == spec.replicas
                and all(s.exists and s.revision == spec.update_revision and s.ready and not s.terminating
                        for s in in_spec))
    halted = False
    halted_reason = None
    waiting_for = None
    blocker = None
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
    step_partition, step_ord, step_none = step_target(slots, spec)
    next_pod = None
    if step_ord is not None:
        slot = _by_ordinal(slots).get(step_ord)
        next_pod = slot.name if slot is not None else f"{spec.name}-{step_ord}"
    if loading:
        # Nothing derived is shown while the data is incomplete.
        halted, halted_reason, waiting_for = False, None, None
    verdict = rollout_state(slots, spec, counters, now, in_progress=in_progress, blocker=blocker, halted=halted,
                            halted_reason=halted_reason, waiting_for=waiting_for, next_ordinals=next_ordinals,
                            next_pod=next_pod, step_none=step_none, loading=loading)
    if verdict.state == HALTED and not halted:
        halted, halted_reason = True, verdict.reason
    counts_pending = verdict.state == UPDATING
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
        next_step_ordinal=step_ord,
        halted=halted,
        halted_reason=halted_reason,
        old_revision_ordinals=old,
        pod_management_policy=spec.pod_management_policy,
        next_ordinals=next_ordinals,
        waiting_for=waiting_for,
        step_blocked_reason=step_blocked_reason(slots, spec, now, halted_reason) if step_ord is not None
        else step_none,
        min_ready_seconds=spec.min_ready_seconds,
        state=verdict.state,
        label=verdict.label,
        reason=verdict.reason,
        remedy=verdict.remedy,
        next_pod=next_pod,
        step_partition=step_partition,
        step_none_reason=step_none,
        updated_pods=sum(1 for s in in_spec if s.exists and at_update_revision(s, spec)),
        counts_pending=counts_pending,
    )


# --- what the controller will do after a template change ------------------------------

@dataclass(frozen=True)
class Replacement:
    """The controller's walk after a template change, predicted from the pods.

    replaced:  ordinals the controller deletes and recreates by itself, in order;
    by_hand:   ordinals it waits on forever (an unhealthy pod not on the new revision
               under OrderedReady, e.g. a never-Ready pod after an undo): delete them;
    stay:      in-spec ordinals that keep their pod (already on the target revision, or
               below the partition);
    waits_on:  a pod the walk would wait for that we cannot predict (Terminating, on a
               NotReady node), or None."""
    replaced: tuple[int, ...]
    by_hand: tuple[int, ...]
    stay: tuple[int, ...]
    waits_on: int | None = None


def predict_replacements(slots: Sequence[PodSlot], spec: RolloutSpec, target_revision: str | None,
                         now: float) -> Replacement:
    """Walk the StatefulSet controller's loop (see the module docstring) once the update
    revision is `target_revision`, assuming every pod it recreates comes up healthy at
    that revision and that the user deletes the by-hand pods when asked. Pure and
    bounded: each ordinal changes at most twice."""
    if spec.strategy != ROLLING_UPDATE or target_revision is None:
        return Replacement((), (), tuple(s.ordinal for s in slots if s.in_spec and s.exists))
    # ordinal -> (revision, healthy, terminating, stuck)
    pods: dict[int, tuple[str | None, bool, bool]] = {}
    for s in slots:
        if s.in_spec and s.exists:
            pods[s.ordinal] = (s.revision, is_healthy(s, spec, now), s.terminating)
    replaced: list[int] = []
    by_hand: list[int] = []
    waits_on = None
    first = spec.first_updated_ordinal
    monotonic = spec.pod_management_policy != PARALLEL
    for _ in range(2 * (spec.replicas + 1)):
        acted = False
        if monotonic:
            for o in range(spec.start, spec.end + 1):
                rev, healthy, terminating = pods.get(o, (None, True, False))
                if healthy:
                    continue
                if terminating or rev == target_revision:
                    waits_on = o
                    break
                # Unhealthy and not on the target revision: the controller waits on it.
                by_hand.append(o)
                pods[o] = (target_revision if o >= first else spec.current_revision, True, False)
                acted = True
                break
            if waits_on is not None:
                break
            if acted:
                continue
        unhealthy = [o for o, (_, healthy, _) in pods.items() if not healthy]
        if len(unhealthy) > spec.max_unavailable:
            victims = [o for o in sorted(unhealthy, reverse=True) if pods[o][0] != target_revision]
            if not victims:
                waits_on = max(unhealthy)
                break
            by_hand.append(victims[0])
            pods[victims[0]] = (target_revision, True, False)
            continue
        for o in range(spec.end, first - 1, -1):
            rev, healthy, terminating = pods.get(o, (None, True, False))
            if o in pods and rev != target_revision and not terminating:
                replaced.append(o)
                pods[o] = (target_revision, True, False)
                acted = True
                break
        if not acted:
            break
    changed = set(replaced) | set(by_hand)
    stay = tuple(o for o in range(spec.start, spec.end + 1) if o not in changed
                 and any(s.ordinal == o and s.exists for s in slots))
    return Replacement(tuple(replaced), tuple(by_hand), stay, waits_on)
