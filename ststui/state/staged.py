"""Staged rollout plans: steps, partitions, the plan record and the next decision.

Place in the flow: pure arithmetic for guided staged rollouts. `kube/staged_runner.py`
reads the StatefulSet, its pods and Warning events over HTTP, turns them into
`SetState`/`PodState` here, asks `decide()` what to do next and writes the answer back
(partition and the plan record in one annotation). The TUI's plan dialog uses
`parse_steps`, `step_ordinals` and `describe_plan` for its sentences. No I/O, no clock:
`now` is always passed in.

Facts used (DOMAIN.md, "Staged rollouts"):
- A step is a count k of pods that run the update revision after it; with `replicas`
  pods counted from `.spec.ordinals.start`, its partition is replicas-k and ordinals
  start+replicas-k .. start+replicas-1 are the updated ones (highest first).
- A step is safe to leave when those pods run the update revision, are Running, Ready
  for minReadySeconds, and then pass a soak: no restart, none leaves Ready, no new
  Warning event, and the user's own check.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace

ANNOTATION = "ststui.io/rollout-plan"
RECORD_VERSION = 1

RUNNING, PAUSED, COMPLETE, ABORTED = "running", "paused", "complete", "aborted"
STATES = (RUNNING, PAUSED, COMPLETE, ABORTED)

# Phases of the current step while running.
PH_LOWER = "lower"        # the partition has not been lowered to this step yet
PH_ROLLING = "rolling"    # lowered; waiting for the step's pods to be updated and Ready
PH_SOAK = "soak"          # all Ready; watching them for the soak time

LEASE_SECONDS = 15.0      # a heartbeat older than this is stale: another runner may take over
HEARTBEAT_SECONDS = 5.0   # how often a runner renews its lease when nothing else changes

MAX_STEPS = 100
MAX_CHECK_TEXT = 300


class PlanError(ValueError):
    """Bad plan input; str() is one sentence for people."""


# --------------------------------------------------------------------------- input

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$")


def parse_duration(text: str, what: str = "duration") -> float:
    """'90', '90s', '10m', '1h', '1m30s' -> seconds (>= 0)."""
    raw = str(text).strip().lower()
    m = _DURATION.match(raw) if raw else None
    if not m or not any(m.groups()):
        raise PlanError(f"The {what} must look like 90s, 10m or 1h; got '{text}'.")
    h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return h * 3600 + mi * 60 + s


def format_duration(seconds: float) -> str:
    if 0 < seconds < 1:
        return f"{seconds:g}s"
    seconds = int(round(seconds))
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0 and seconds >= 60:
        return f"{seconds // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60}s"
    return f"{seconds}s"


@dataclass(frozen=True)
class Step:
    count: int               # pods at the update revision after this step
    pause_after: bool = False
    text: str = ""           # what the user wrote ("25%")


def parse_steps(text: str, replicas: int) -> tuple[Step, ...]:
    """'1,25%,pause,50%,100%' -> Steps for `replicas` pods.

    Percentages are of replicas, rounded up; counts above replicas are capped at it;
    steps must not go down; steps that round to the same count as the previous one are
    merged; `pause` waits for a person after the step before it.
    """
    if replicas < 1:
        raise PlanError("The StatefulSet has 0 replicas: there is no pod to roll out to.")
    items = [t.strip() for t in str(text).split(",")]
    if not items or all(not t for t in items):
        raise PlanError("Give at least one step, e.g. 1,50%,100%.")
    if len(items) > MAX_STEPS:
        raise PlanError(f"At most {MAX_STEPS} steps; got {len(items)}.")
    steps: list[Step] = []
    for item in items:
        if not item:
            raise PlanError(f"Steps are separated by single commas; got '{text}'.")
        if item.lower() == "pause":
            if not steps:
                raise PlanError("A pause step needs a step before it (e.g. 1,pause,100%).")
            steps[-1] = replace(steps[-1], pause_after=True)
            continue
        try:
            if item.endswith("%"):
                percent = float(item[:-1])
                if not 0 < percent <= 100:
                    raise PlanError(f"A percentage step must be above 0% and at most 100%; got '{item}'.")
                count = math.ceil(percent * replicas / 100 - 1e-9)
            else:
                count = int(item)
                if count < 1:
                    raise PlanError(f"A step must update at least 1 pod; got '{item}'.")
        except ValueError as e:
            if isinstance(e, PlanError):
                raise
            raise PlanError(f"A step is a number of pods or a percentage (e.g. 1 or 25%); got '{item}'.") from None
        count = max(1, min(count, replicas))
        if steps and count < steps[-1].count:
            raise PlanError(f"Steps must not go down: '{item}' is {count} pod(s), "
                            f"after a step of {steps[-1].count}.")
        if steps and count == steps[-1].count:
            continue  # rounds to the same count: one step
        steps.append(Step(count, False, item))
    return tuple(steps)


def default_steps_text(replicas: int) -> str:
    """Sensible steps for a set of this size."""
    if replicas <= 2:
        return "1,100%"
    if replicas <= 4:
        return "1,50%,100%"
    return "1,25%,50%,100%"


def steps_text(steps: tuple[Step, ...]) -> str:
    out = []
    for s in steps:
        out.append(str(s.count))
        if s.pause_after:
            out.append("pause")
    return ",".join(out)


def partition_for(count: int, replicas: int) -> int:
    """The partition that lets exactly `count` pods (the highest ordinals) update."""
    return max(0, replicas - max(0, min(count, replicas)))


def step_ordinals(count: int, replicas: int, start: int = 0) -> list[int]:
    """Ordinals running the update revision after a step to `count`, highest first."""
    count = max(0, min(count, replicas))
    return list(range(start + replicas - 1, start + replicas - count - 1, -1))


# --------------------------------------------------------------------------- observed state

@dataclass(frozen=True)
class SetState:
    """The StatefulSet fields a plan needs."""
    namespace: str
    name: str
    replicas: int
    partition: int
    start: int = 0
    strategy: str = "RollingUpdate"
    update_revision: str | None = None
    current_revision: str | None = None
    min_ready_seconds: int = 0
    generation: int | None = None
    observed_generation: int | None = None
    service: str | None = None
    resource_version: str = ""

    def dns(self, pod: str) -> str:
        if self.service:
            return f"{pod}.{self.service}.{self.namespace}.svc.cluster.local"
        return ""


@dataclass(frozen=True)
class PodState:
    name: str
    ordinal: int
    revision: str | None
    phase: str = "Pending"
    ready: bool = False
    ready_since: float | None = None
    restarts: int = 0
    terminating: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class WarningEvent:
    pod: str
    reason: str
    message: str
    key: str                 # uid + count: a repeat of the same event is new
    time: float | None = None


def set_state_from(sts: dict) -> SetState:
    meta = sts.get("metadata") or {}
    spec = sts.get("spec") or {}
    status = sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    return SetState(
        namespace=meta.get("namespace") or "", name=meta.get("name") or "",
        replicas=int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1),
        partition=int(rolling.get("partition") or 0),
        start=int(((spec.get("ordinals") or {}).get("start")) or 0),
        strategy=strategy.get("type") or "RollingUpdate",
        update_revision=status.get("updateRevision"), current_revision=status.get("currentRevision"),
        min_ready_seconds=int(spec.get("minReadySeconds") or 0),
        generation=meta.get("generation"), observed_generation=status.get("observedGeneration"),
        service=spec.get("serviceName") or None, resource_version=str(meta.get("resourceVersion") or ""))


def pod_state_from(pod: dict, set_name: str, parse_time) -> PodState | None:
    """A PodState for a pod named <set>-<ordinal>; None for anything else."""
    meta = pod.get("metadata") or {}
    name = meta.get("name") or ""
    prefix = set_name + "-"
    if not name.startswith(prefix) or not name[len(prefix):].isdigit():
        return None
    status = pod.get("status") or {}
    ready_cond = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    ready = ready_cond.get("status") == "True"
    statuses = status.get("containerStatuses") or []
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    reason = None
    for s in statuses:
        waiting = (s.get("state") or {}).get("waiting") or {}
        if waiting.get("reason"):
            reason = waiting["reason"]
            break
    if reason is None and not ready and restarts:
        reason = "restarting"
    return PodState(
        name=name, ordinal=int(name[len(prefix):]),
        revision=(meta.get("labels") or {}).get("controller-revision-hash"),
        phase=status.get("phase") or "Pending", ready=ready,
        ready_since=parse_time(ready_cond.get("lastTransitionTime")) if ready else None,
        restarts=restarts, terminating=bool(meta.get("deletionTimestamp")), reason=reason)


def top_updated(sts: SetState, pods: dict[int, PodState]) -> int:
    """How many pods, from the highest in-spec ordinal down, run the update revision."""
    n = 0
    for ordinal in range(sts.start + sts.replicas - 1, sts.start - 1, -1):
        p = pods.get(ordinal)
        if p is None or sts.update_revision is None or p.revision != sts.update_revision:
            break
        n += 1
    return n


def pod_healthy(p: PodState | None, sts: SetState, now: float) -> bool:
    if p is None or p.terminating or not p.ready or p.phase != "Running":
        return False
    if sts.min_ready_seconds and p.ready_since is not None:
        return now - p.ready_since >= sts.min_ready_seconds
    return True


# --------------------------------------------------------------------------- the record

@dataclass
class PlanRecord:
    """Everything about one plan, as kept in the StatefulSet's annotation."""
    steps: list[int]
    pause_after: list[int] = field(default_factory=list)   # indexes of steps followed by a pause
    steps_text: str = ""
    soak: float = 60.0
    check: str = ""
    check_timeout: float = 30.0
    step_timeout: float = 600.0
    timeout: float = 3600.0
    pause_each: bool = False
    rollback_on_failure: bool = False
    image: str = ""                     # "container=image" when the plan set the image itself
    replicas: int = 1                   # when the plan began
    start: int = 0                      # .spec.ordinals.start when the plan began
    origin_partition: int = 0           # the partition before the plan changed anything
    from_revision: str | None = None    # the revision pods ran before the plan
    to_revision: str | None = None      # the revision the plan rolls out (None until known)
    state: str = RUNNING
    step: int = 0                       # index of the step being worked on (== len(steps) when done)
    phase: str = PH_LOWER
    step_started: float | None = None
    soak_started: float | None = None
    reason: str = ""
    started: float = 0.0
    updated: float = 0.0
    paused_at: float | None = None
    paused_seconds: float = 0.0
    by: str = ""
    holder: str = ""
    heartbeat: float | None = None
    promote: bool = False
    last_check: str = ""
    version: int = RECORD_VERSION

    # ---- (de)serialisation

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "PlanRecord":
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise PlanError(f"The {ANNOTATION} annotation is not JSON.") from None
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            raise PlanError(f"The {ANNOTATION} annotation is not a plan this ststui can read.")
        known = set(cls.__dataclass_fields__)
        try:
            rec = cls(**{k: v for k, v in data.items() if k in known})
        except TypeError:
            raise PlanError(f"The {ANNOTATION} annotation lacks the plan's steps.") from None
        if not isinstance(rec.steps, list) or not all(isinstance(s, int) for s in rec.steps) \
                or rec.state not in STATES or not isinstance(rec.step, int):
            raise PlanError(f"The {ANNOTATION} annotation holds an unreadable plan.")
        return rec

    # ---- questions

    @property
    def done(self) -> bool:
        return self.state in (COMPLETE, ABORTED)

    def lease_fresh(self, now: float) -> bool:
        return bool(self.holder) and self.heartbeat is not None and now - self.heartbeat < LEASE_SECONDS

    def current_count(self) -> int:
        return self.steps[min(self.step, len(self.steps) - 1)] if self.steps else 0

    def target_partition(self) -> int:
        return partition_for(self.current_count(), self.replicas)

    def soak_left(self, now: float) -> float | None:
        if self.phase != PH_SOAK or self.soak_started is None:
            return None
        return max(0.0, self.soak - (now - self.soak_started))

    def running_seconds(self, now: float) -> float:
        paused = self.paused_seconds + (now - self.paused_at if self.paused_at is not None else 0.0)
        return max(0.0, now - self.started - paused)


def read_record(sts: dict) -> PlanRecord | None:
    """The plan on this StatefulSet, None if there is none; PlanError if unreadable."""
    text = ((sts.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION)
    if text is None:
        return None
    return PlanRecord.from_json(text)


def new_plan(sts: SetState, pods: dict[int, PodState], steps: tuple[Step, ...], now: float, by: str, *,
             soak: float = 60.0, check: str = "", check_timeout: float = 30.0, step_timeout: float = 600.0,
             timeout: float = 3600.0, pause_each: bool = False, rollback_on_failure: bool = False,
             image: str = "") -> tuple[PlanRecord, int]:
    """A new plan record and the partition to write with it (the hold).

    With `image` the caller changes the template in the same write, and the hold is
    `replicas` (no pod updates before the first step). Without it the plan starts from a
    pending update: steps already covered by the current partition (and pods already
    updated) count as taken, and the partition is left where it is.
    """
    if sts.strategy != "RollingUpdate":
        raise PlanError(f"{sts.namespace}/{sts.name} uses the {sts.strategy} update strategy: "
                        "partitions only stage RollingUpdate sets.")
    if sts.replicas < 1:
        raise PlanError(f"{sts.namespace}/{sts.name} has 0 replicas: there is no pod to roll out to.")
    if not steps:
        raise PlanError("Give at least one step, e.g. 1,50%,100%.")
    partition = min(max(sts.partition, 0), sts.replicas)
    if image:
        hold = sts.replicas
        taken = 0
        from_rev = sts.update_revision
        to_rev = None
    else:
        if sts.update_revision is None or sts.update_revision == sts.current_revision:
            raise PlanError(f"{sts.namespace}/{sts.name} has no pending update: every pod's revision is the "
                            "template's. Give an image (--image CONTAINER=IMAGE) or change the template "
                            "while holding the partition.")
        if partition == 0 and top_updated(sts, pods) < sts.replicas:
            raise PlanError(f"The partition of {sts.namespace}/{sts.name} is 0: the controller is already "
                            "updating every pod, so there is nothing left to stage. Hold it first "
                            f"(partition {sts.replicas}) or give an image.")
        hold = partition
        taken = max(sts.replicas - partition, 0)
        from_rev = sts.current_revision
        to_rev = sts.update_revision
    remaining = [s for s in steps if s.count > taken]
    if not remaining:
        raise PlanError(f"Every step is already taken: the partition ({partition}) lets "
                        f"{taken} of {sts.replicas} pods update.")
    counts = [s.count for s in steps]
    first = counts.index(remaining[0].count)
    step, phase = first, PH_LOWER
    if first > 0 and counts[first - 1] == taken:
        # The partition already sits at a step: verify it (Ready, soak) before going on.
        step, phase = first - 1, PH_ROLLING
    rec = PlanRecord(
        steps=counts, pause_after=[i for i, s in enumerate(steps) if s.pause_after],
        steps_text=",".join(s.text or str(s.count) for s in steps) if any(s.text for s in steps)
        else steps_text(steps),
        soak=float(soak), check=check, check_timeout=float(check_timeout), step_timeout=float(step_timeout),
        timeout=float(timeout), pause_each=pause_each, rollback_on_failure=rollback_on_failure,
        image=image, replicas=sts.replicas, start=sts.start, origin_partition=sts.partition,
        from_revision=from_rev, to_revision=to_rev, state=RUNNING, step=step, phase=phase,
        step_started=now if phase == PH_ROLLING else None, started=now, updated=now, by=by)
    if taken and phase == PH_LOWER and first > 0:
        rec.reason = f"{taken} pod(s) already updated before the plan"
    return rec, hold


# --------------------------------------------------------------------------- decisions

DECIDE_WAIT = "wait"            # nothing to do yet (message says why)
DECIDE_LOWER = "lower"          # write partition = `partition` for step `step`
DECIDE_SOAK_START = "soak-start"
DECIDE_SOAKING = "soaking"
DECIDE_SOAK_PASSED = "soak-passed"   # the runner runs the user's check, then `finish_step`
DECIDE_PAUSE = "pause"          # stop taking steps until a person resumes (reason)
DECIDE_ABORT = "abort"          # hold and stop (reason)
DECIDE_COMPLETE = "complete"
DECIDE_IDLE = "idle"            # the plan is paused / finished: nothing to drive


@dataclass(frozen=True)
class Decision:
    kind: str
    message: str = ""
    partition: int | None = None
    pods: tuple[str, ...] = ()
    rollback_ok: bool = True       # False: rolling back would overwrite someone else's change


def _verb(names, singular: str, plural: str) -> str:
    """'web-4 updates', 'web-3, web-2 update', 'no pod updates'."""
    if not names:
        return f"no pod {singular}"
    return f"{', '.join(names)} {singular if len(names) == 1 else plural}"


def _names(sts: SetState, ordinals) -> tuple[str, ...]:
    return tuple(f"{sts.name}-{o}" for o in ordinals)


def soak_problems(rec: PlanRecord, sts: SetState, pods: dict[int, PodState], baseline: dict[str, int],
                  warnings: list[WarningEvent], seen_warnings: set[str]) -> list[str]:
    """Why the step's pods fail the soak: restarted, left Ready, a new Warning event."""
    problems: list[str] = []
    for ordinal in step_ordinals(rec.current_count(), rec.replicas, rec.start):
        name = f"{sts.name}-{ordinal}"
        p = pods.get(ordinal)
        if p is None:
            problems.append(f"{name} disappeared during the soak")
            continue
        if p.restarts > baseline.get(name, p.restarts):
            problems.append(f"{name} restarted during the soak (restarts {baseline[name]} → {p.restarts})")
        if p.terminating:
            problems.append(f"{name} is being deleted during the soak")
        elif not p.ready:
            problems.append(f"{name} left Ready during the soak")
    names = set(_names(sts, step_ordinals(rec.current_count(), rec.replicas, rec.start)))
    for w in warnings:
        if w.pod in names and w.key not in seen_warnings:
            problems.append(f"Warning event {w.reason} on {w.pod}: {w.message}"[:MAX_CHECK_TEXT])
    return problems


def decide(rec: PlanRecord, sts: SetState, pods: dict[int, PodState], now: float,
           problems: list[str] | None = None) -> Decision:
    """What the runner does next for this plan, given the cluster as it is now."""
    if rec.state != RUNNING:
        return Decision(DECIDE_IDLE, rec.reason)
    if sts.replicas != rec.replicas:
        return Decision(DECIDE_PAUSE, f"replicas changed from {rec.replicas} to {sts.replicas} since the plan "
                                      f"began; its steps no longer name the same pods. Scale back to "
                                      f"{rec.replicas} and resume, or abort and start a new plan.")
    if sts.start != rec.start:
        return Decision(DECIDE_PAUSE, f".spec.ordinals.start changed from {rec.start} to {sts.start} since the "
                                      "plan began. Put it back and resume, or abort and start a new plan.")
    if rec.step >= len(rec.steps):
        return Decision(DECIDE_COMPLETE, "every step passed")
    if rec.running_seconds(now) > rec.timeout:
        return Decision(DECIDE_ABORT, f"the plan ran longer than its timeout ({format_duration(rec.timeout)})")
    if sts.generation is not None and sts.observed_generation is not None \
            and sts.observed_generation < sts.generation:
        return Decision(DECIDE_WAIT, "waiting for the StatefulSet controller to observe the latest change")
    if rec.to_revision and sts.update_revision and sts.update_revision != rec.to_revision:
        return Decision(DECIDE_ABORT, f"the template changed during the plan (update revision is now "
                                      f"{sts.update_revision}, the plan rolls out {rec.to_revision}); "
                                      "no rollback over someone else's template", rollback_ok=False)
    target = rec.target_partition()
    ordinals = step_ordinals(rec.current_count(), rec.replicas, rec.start)
    names = _names(sts, ordinals)
    label = f"step {rec.step + 1}/{len(rec.steps)}"
    if rec.phase == PH_LOWER:
        if sts.partition < target:
            return Decision(DECIDE_PAUSE, f"the partition was lowered to {sts.partition} outside the plan "
                                          f"({label} expects {target}); resume once it is back at {target} "
                                          "or above, or abort.")
        new = _names(sts, [o for o in ordinals if o - rec.start < sts.partition])
        return Decision(DECIDE_LOWER, f"{label}: partition {sts.partition} → {target}; "
                                      f"{_verb(new, 'updates', 'update')}", target, new)
    if sts.partition > target:
        return Decision(DECIDE_PAUSE, f"the partition was raised to {sts.partition} outside the plan "
                                      f"({label} set it to {target}); lower it back to {target} and resume, "
                                      "or abort.")
    if sts.partition < target:
        return Decision(DECIDE_PAUSE, f"the partition was lowered to {sts.partition} outside the plan "
                                      f"({label} set it to {target}); raise it back to {target} and resume, "
                                      "or abort.")
    if rec.phase == PH_ROLLING:
        waiting = []
        for o in ordinals:
            p = pods.get(o)
            name = f"{sts.name}-{o}"
            if p is None:
                waiting.append(f"{name} not created yet")
            elif p.revision != sts.update_revision:
                waiting.append(f"{name} still at the old revision")
            elif not pod_healthy(p, sts, now):
                why = p.reason or ("terminating" if p.terminating else "not Ready")
                if p.ready and sts.min_ready_seconds:
                    why = f"Ready, not yet available ({sts.min_ready_seconds}s minReadySeconds)"
                waiting.append(f"{name} {why}")
        if not waiting:
            return Decision(DECIDE_SOAK_START, f"{label}: {', '.join(names)} updated and Ready", None, names)
        started = rec.step_started if rec.step_started is not None else now
        if now - started > rec.step_timeout:
            return Decision(DECIDE_ABORT, f"{label} did not finish within its step timeout "
                                          f"({format_duration(rec.step_timeout)}): {'; '.join(waiting)}",
                            None, names)
        return Decision(DECIDE_WAIT, f"{label}: waiting: {'; '.join(waiting)}", None, names)
    if rec.phase == PH_SOAK:
        if problems:
            return Decision(DECIDE_ABORT, f"{label} failed its soak: {'; '.join(problems)}", None, names)
        left = rec.soak_left(now) or 0.0
        if left <= 0 or rec.promote:
            return Decision(DECIDE_SOAK_PASSED, f"{label}: soak passed" + (" (promoted)" if rec.promote and left > 0
                                                                          else ""), None, names)
        return Decision(DECIDE_SOAKING, f"{label}: soaking, {format_duration(left)} left", None, names)
    return Decision(DECIDE_WAIT, f"{label}: unknown phase {rec.phase!r}")


def finish_step(rec: PlanRecord, now: float) -> PlanRecord:
    """The record after the current step passed its soak and checks."""
    pause = rec.pause_each or rec.step in rec.pause_after
    done_index = rec.step
    rec = replace(rec, step=rec.step + 1, phase=PH_LOWER, soak_started=None, step_started=None,
                  promote=False, updated=now)
    if rec.step >= len(rec.steps):
        return replace(rec, state=COMPLETE, reason="every step passed", holder="", heartbeat=None)
    if pause:
        return replace(rec, state=PAUSED, paused_at=now,
                       reason=f"paused after step {done_index + 1}/{len(rec.steps)} for a person to resume")
    return rec


def pause_record(rec: PlanRecord, now: float, reason: str) -> PlanRecord:
    if rec.state != RUNNING:
        return rec
    return replace(rec, state=PAUSED, paused_at=now, reason=reason, updated=now)


def resume_record(rec: PlanRecord, now: float, by: str) -> PlanRecord:
    if rec.state != PAUSED:
        return rec
    extra = now - rec.paused_at if rec.paused_at is not None else 0.0
    # A resumed step re-checks its pods and soaks again from the start.
    phase = PH_ROLLING if rec.phase == PH_SOAK else rec.phase
    return replace(rec, state=RUNNING, paused_at=None, paused_seconds=rec.paused_seconds + max(0.0, extra),
                   reason=f"resumed by {by}", updated=now, phase=phase, soak_started=None,
                   step_started=now if phase == PH_ROLLING else rec.step_started)


# --------------------------------------------------------------------------- abort

@dataclass(frozen=True)
class AbortEffect:
    partition: int                   # where the partition is set
    rollback: bool                   # the previous template goes back
    rolled_back: tuple[str, ...]     # pods the controller recreates at the previous revision
    stuck: tuple[str, ...]           # updated pods not Ready: the controller waits; delete by hand
    sentence: str


def abort_effect(rec: PlanRecord, sts: SetState, pods: dict[int, PodState], rollback: bool) -> AbortEffect:
    """Hold where no further pod updates; with rollback, lower it so updated pods go back."""
    updated = [o for o in range(sts.start + sts.replicas - 1, sts.start - 1, -1)
               if (p := pods.get(o)) is not None and sts.update_revision and p.revision == sts.update_revision
               and sts.update_revision != sts.current_revision]
    top = top_updated(sts, pods) if sts.update_revision != sts.current_revision else 0
    hold = max(min(sts.partition, sts.replicas), sts.replicas - top)
    names = _names(sts, updated)
    stuck = tuple(f"{sts.name}-{o}" for o in updated if not (pods[o].ready and not pods[o].terminating))
    if not rollback:
        sentence = f"partition held at {hold}: no further pod updates"
        if names:
            sentence += f"; {', '.join(names)} keep the new revision"
        return AbortEffect(hold, False, (), stuck, sentence)
    lowest = min((o - sts.start for o in updated), default=sts.replicas)
    part = max(0, min(rec.origin_partition, lowest, sts.replicas))
    sentence = (f"previous revision {rec.from_revision} put back and partition set to {part}: "
                f"{_verb(names, 'goes', 'go')} back to it")
    if stuck:
        sentence += (f"; {', '.join(stuck)} not Ready: the controller waits on it, delete it by hand "
                     f"(kubectl delete pod {stuck[0]} -n {sts.namespace}) so it comes back at the previous revision")
    return AbortEffect(part, True, names, stuck, sentence)


# --------------------------------------------------------------------------- sentences

def describe_plan(name: str, namespace: str, replicas: int, start: int, steps: tuple[Step, ...], *,
                  soak: float, check: str, check_timeout: float, step_timeout: float, timeout: float,
                  pause_each: bool, rollback_on_failure: bool, image: str = "", taken: int = 0) -> list[str]:
    """The plan dialog's sentences: each step's pods, what stops it, what abort does."""
    lines = []
    if image:
        lines.append(f"One write holds the partition at {replicas} and sets {image}: no pod updates before step 1.")
    if taken and any(s.count == taken for s in steps):
        already = ", ".join(f"{name}-{o}" for o in step_ordinals(taken, replicas, start))
        index = next(i for i, s in enumerate(steps) if s.count == taken)
        wait = " Then it waits for you to resume." if (pause_each or steps[index].pause_after) \
            and index < len(steps) - 1 else ""
        lines.append(f"First: {already} (already updated, partition {partition_for(taken, replicas)}) must be "
                     f"Ready and pass a {format_duration(soak)} soak.{wait}")
    for i, s in enumerate(steps):
        if s.count <= taken:
            continue
        prev = steps[i - 1].count if i else taken
        new = step_ordinals(s.count, replicas, start)[max(prev, taken):]
        pods = ", ".join(f"{name}-{o}" for o in new)
        stop = ""
        if (pause_each or s.pause_after) and i < len(steps) - 1:
            stop = " Then it waits for you to resume."
        lines.append(f"Step {i + 1}: partition {partition_for(s.count, replicas)}, {pods} "
                     f"{'updates' if len(new) == 1 else 'update'} "
                     f"({s.count}/{replicas} pods on the new revision); soak {format_duration(soak)}.{stop}")
    checks = "no restart, none leaves Ready, no new Warning event"
    if check:
        checks += (f"; at its end `{check}` must exit 0 for each updated pod "
                   f"(timeout {format_duration(check_timeout)} each)")
    lines.append(f"During each soak: {checks}.")
    lines.append(f"It aborts if a check fails, a step's pods are not all updated and Ready within "
                 f"{format_duration(step_timeout)} of the step, "
                 f"or the plan runs past {format_duration(timeout)}.")
    if rollback_on_failure:
        lines.append("Abort on failure: the previous template goes back and the partition is lowered so the "
                     "updated pods return to the previous revision (a pod that never became Ready must be "
                     "deleted by hand).")
    else:
        lines.append("Abort: the partition holds where it is; updated pods keep the new revision, the others "
                     "keep theirs.")
    lines.append("The plan lives in the StatefulSet's annotation: if ststui quits, the partition holds and "
                 "`ststui rollout run` resumes it.")
    return lines


def run_command_line(namespace: str, name: str, steps: str, *, soak: float, check: str, check_timeout: float,
                     step_timeout: float, timeout: float, pause_each: bool, rollback_on_failure: bool,
                     image: str = "", context_args: str = "") -> str:
    """The equivalent `ststui rollout run ...` line."""
    import shlex
    parts = ["ststui", "rollout", "run", f"{namespace}/{name}"]
    if image:
        parts += ["--image", image]
    parts += ["--steps", steps, "--soak", format_duration(soak)]
    if check:
        parts += ["--check", check, "--check-timeout", format_duration(check_timeout)]
    parts += ["--step-timeout", format_duration(step_timeout), "--timeout", format_duration(timeout)]
    if pause_each:
        parts.append("--pause-each")
    if rollback_on_failure:
        parts.append("--rollback-on-failure")
    line = " ".join(shlex.quote(p) for p in parts)
    return f"{line} {context_args}".strip()


def progress_lines(rec: PlanRecord, name: str, now: float, local: bool = False) -> list[str]:
    """What the rollout strip says about a plan: state, steps done/left, pods, soak, last check."""
    total = len(rec.steps)
    done = min(rec.step, total)
    head = f"Plan {rec.state.upper()} [{rec.steps_text}]: {done} of {total} step(s) done, {total - done} left"
    lines = [head]
    if not rec.done and rec.step < total:
        ordinals = step_ordinals(rec.current_count(), rec.replicas, rec.start)
        prev = rec.steps[rec.step - 1] if rec.step > 0 else 0
        new = ordinals[prev:]
        pods = ", ".join(f"{name}-{o}" for o in new) or "no pod"
        if rec.phase == PH_LOWER:
            now_text = f"step {rec.step + 1}/{total} next: {pods} (partition {rec.target_partition()})"
        elif rec.phase == PH_ROLLING:
            now_text = f"step {rec.step + 1}/{total}: {pods} updating, waiting for Ready"
        else:
            left = rec.soak_left(now) or 0.0
            now_text = f"step {rec.step + 1}/{total}: {pods} soaking, {format_duration(left)} left"
        lines.append(now_text)
    if rec.reason and rec.state != RUNNING:      # while running, the step line says it all
        lines.append(f"reason: {rec.reason}")
    if rec.last_check:
        lines.append(f"last check: {rec.last_check}")
    if not rec.done:
        if local:
            who = "runner: this ststui"
        elif rec.lease_fresh(now):
            who = f"runner: {rec.holder}"
        else:
            who = "runner: none (lease stale): `o` or `ststui rollout run` resumes it"
        lines.append(who)
    return lines
