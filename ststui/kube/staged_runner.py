"""Run a staged rollout plan against the API server: one tick at a time, state in the cluster.

Place in the flow: `ststui rollout run` and the TUI's plan worker create a `Runner`,
call `start()` (a new plan, or resume the one in the StatefulSet's annotation) and then
`tick()` about once a second (`run()` does the loop). Each tick reads the StatefulSet,
its pods and the namespace's Warning events, asks `state.staged.decide()` what to do,
and writes the answer (partition + plan record, one annotation) with the resourceVersion
read as a precondition: a 409 means someone else changed it (a `rollout pause` from
another process, a person in the TUI), and the next tick reads again.

The runner holds a lease in the record (holder id + heartbeat on the runner's clock).
Another runner refuses while it is fresh and takes over once stale. A runner that quits
leaves the partition where it is: nothing updates until a runner lowers it again.

Time comes from a `RunnerClock` (`now()`, `sleep()`): the wall clock in production;
tests pass one that advances the simulated cluster instead of sleeping.
"""
from __future__ import annotations

import copy
import getpass
import json
import os
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass, replace
from typing import Callable
from urllib.parse import quote

from kubernetes.client import ApiClient

from ..state import staged as S
from ..state.times import parse_time
from .ops import describe_api_error
from .rest import HttpError, request_json

STRATEGIC_PATCH = "application/strategic-merge-patch+json"
MERGE_PATCH = "application/merge-patch+json"
TIMEOUT = (5.0, 30.0)
MAX_EVENTS = 500
MAX_FAILURES = 30            # consecutive failed ticks before the runner gives up (partition holds)
MAX_OUTPUT = 200             # characters of a check's output kept in a message

EXIT_COMPLETE, EXIT_ERROR, EXIT_ABORTED = 0, 2, 3


# --------------------------------------------------------------------------- clocks

class RunnerClock:
    """Seconds since the epoch, and a way to let time pass."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class SimHttpClock(RunnerClock):
    """The clock of a `ststui sim --clock manual` at `url`: sleeping advances it.

    For tests and demos only: a runner driven this way never waits in real time.
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _call(self, path: str, method: str) -> dict:
        import urllib.request
        req = urllib.request.Request(f"{self.url}/_sim/{path}", method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def now(self) -> float:
        return float(self._call("state", "GET")["clock"]["now"])

    def sleep(self, seconds: float) -> None:
        self._call(f"advance?seconds={seconds}", "POST")


def partition_kubectl(ns: str, name: str, partition: int) -> str:
    body = json.dumps({"spec": {"updateStrategy": {"rollingUpdate": {"partition": int(partition)}}}},
                      separators=(",", ":"))
    return f"kubectl patch sts/{name} -n {ns} -p '{body}'"


def who_am_i() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def new_holder_id(by: str) -> str:
    return f"{by}/{os.getpid()}/{secrets.token_hex(3)}"


# --------------------------------------------------------------------------- HTTP helpers

class RolloutError(Exception):
    """The runner cannot go on (refused, lost, unreadable); str() is one sentence."""


def sts_path(ns: str, name: str) -> str:
    return f"/apis/apps/v1/namespaces/{quote(ns)}/statefulsets/{quote(name)}"


def get_sts(api: ApiClient, ns: str, name: str) -> dict:
    try:
        return request_json(api, "GET", sts_path(ns, name), timeout=TIMEOUT)
    except HttpError as e:
        if e.status == 404:
            raise RolloutError(f'StatefulSet "{name}" not found in namespace "{ns}".') from None
        raise


def _selector(sts: dict) -> str:
    labels = ((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def list_pods(api: ApiClient, sts: dict) -> dict[int, S.PodState]:
    meta = sts["metadata"]
    query = [("limit", "1000")]
    sel = _selector(sts)
    if sel:
        query.append(("labelSelector", sel))
    answer = request_json(api, "GET", f"/api/v1/namespaces/{quote(meta['namespace'])}/pods", query=query,
                          timeout=TIMEOUT) or {}
    out: dict[int, S.PodState] = {}
    uid = meta.get("uid")
    for pod in answer.get("items") or []:
        owners = (pod.get("metadata") or {}).get("ownerReferences") or []
        if uid and owners and not any(o.get("uid") == uid for o in owners):
            continue
        p = S.pod_state_from(pod, meta["name"], parse_time)
        if p is not None:
            out[p.ordinal] = p
    return out


def list_warnings(api: ApiClient, ns: str) -> list[S.WarningEvent]:
    query = [("fieldSelector", "type=Warning,involvedObject.kind=Pod"), ("limit", str(MAX_EVENTS))]
    answer = request_json(api, "GET", f"/api/v1/namespaces/{quote(ns)}/events", query=query,
                          timeout=TIMEOUT) or {}
    out = []
    for ev in answer.get("items") or []:
        if ev.get("type") != "Warning":
            continue
        obj = ev.get("involvedObject") or {}
        key = f"{(ev.get('metadata') or {}).get('uid', '')}/{ev.get('count', 1)}"
        out.append(S.WarningEvent(obj.get("name") or "", ev.get("reason") or "", (ev.get("message") or "").strip(),
                                  key, parse_time(ev.get("lastTimestamp") or ev.get("eventTime"))))
    return out


def patch_sts(api: ApiClient, sts: dict, rec: S.PlanRecord | None, *, partition: int | None = None,
              image: tuple[str, str] | None = None) -> dict:
    """One strategic merge patch with the read resourceVersion as precondition (409 if stale)."""
    meta = sts["metadata"]
    body: dict = {"metadata": {"resourceVersion": meta["resourceVersion"]}}
    if rec is not None:
        body["metadata"]["annotations"] = {S.ANNOTATION: rec.to_json()}
    spec: dict = {}
    if partition is not None:
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"partition": int(partition)}}
    if image is not None:
        spec["template"] = {"spec": {"containers": [{"name": image[0], "image": image[1]}]}}
    if spec:
        body["spec"] = spec
    return request_json(api, "PATCH", sts_path(meta["namespace"], meta["name"]), body=body,
                        content_type=STRATEGIC_PATCH, query=[("fieldManager", "ststui")], timeout=TIMEOUT)


def revision_template(api: ApiClient, ns: str, name: str) -> dict:
    try:
        rev = request_json(api, "GET", f"/apis/apps/v1/namespaces/{quote(ns)}/controllerrevisions/{quote(name)}",
                           timeout=TIMEOUT)
    except HttpError as e:
        if e.status == 404:
            raise RolloutError(f"The previous revision {name} no longer exists: nothing to roll back to.") from None
        raise
    template = ((rev.get("data") or {}).get("spec") or {}).get("template")
    if not isinstance(template, dict):
        raise RolloutError(f"Revision {name} holds no pod template: nothing to roll back to.")
    template = copy.deepcopy(template)
    template.pop("$patch", None)
    return template


def write_record(api: ApiClient, ns: str, name: str, change: Callable[[S.PlanRecord, dict], S.PlanRecord | None],
                 attempts: int = 5) -> S.PlanRecord | None:
    """Read-modify-write the plan record with the resourceVersion precondition, retrying 409s."""
    for _ in range(attempts):
        sts = get_sts(api, ns, name)
        rec = S.read_record(sts)
        if rec is None:
            raise RolloutError(f"{ns}/{name} has no staged rollout plan.")
        new = change(rec, sts)
        if new is None:
            return rec
        try:
            patch_sts(api, sts, new)
            return new
        except HttpError as e:
            if e.status != 409:
                raise
    raise RolloutError(f"{ns}/{name} kept changing while the plan was written; try again.")


def hold_or_rollback(api: ApiClient, sts: dict, rec: S.PlanRecord, pods: dict[int, S.PodState], reason: str,
                     now: float, rollback: bool) -> tuple[S.PlanRecord, S.AbortEffect]:
    """Abort: hold the partition (and with rollback, put the previous template back) in one write."""
    state = S.set_state_from(sts)
    effect = S.abort_effect(rec, state, pods, rollback and bool(rec.from_revision))
    new = replace(rec, state=S.ABORTED, reason=reason, updated=now, holder="", heartbeat=None,
                  last_check=rec.last_check, paused_at=None)
    new = replace(new, reason=f"{reason}; {effect.sentence}")
    if effect.rollback:
        template = revision_template(api, state.namespace, rec.from_revision or "")
        obj = copy.deepcopy(sts)
        obj.setdefault("metadata", {}).setdefault("annotations", {})[S.ANNOTATION] = new.to_json()
        spec = obj.setdefault("spec", {})
        spec["template"] = template
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": dict(
            (spec.get("updateStrategy") or {}).get("rollingUpdate") or {}, partition=effect.partition)}
        obj.pop("status", None)
        request_json(api, "PUT", sts_path(state.namespace, state.name), body=obj,
                     query=[("fieldManager", "ststui")], timeout=TIMEOUT)
    else:
        patch_sts(api, sts, new, partition=effect.partition)
    return new, effect


def abort_from_outside(api: ApiClient, ns: str, name: str, by: str, clock: RunnerClock | None = None) -> str:
    """`ststui rollout abort`: hold the partition and mark the plan aborted (a runner stops)."""
    clock = clock or RunnerClock()
    for _ in range(5):
        sts = get_sts(api, ns, name)
        rec = S.read_record(sts)
        if rec is None:
            raise RolloutError(f"{ns}/{name} has no staged rollout plan.")
        if rec.done:
            return f"The plan on {ns}/{name} is already {rec.state}: {rec.reason}"
        pods = list_pods(api, sts)
        try:
            new, effect = hold_or_rollback(api, sts, rec, pods, f"aborted by {by}", clock.now(), rollback=False)
            return f"Aborted the plan on {ns}/{name}: {effect.sentence}."
        except HttpError as e:
            if e.status != 409:
                raise
    raise RolloutError(f"{ns}/{name} kept changing while the plan was aborted; try again.")


def pause_from_outside(api: ApiClient, ns: str, name: str, by: str, clock: RunnerClock | None = None) -> str:
    clock = clock or RunnerClock()
    now = clock.now()
    rec = write_record(api, ns, name, lambda r, s: S.pause_record(r, now, f"paused by {by}")
                       if r.state == S.RUNNING else None)
    if rec is None or rec.state != S.PAUSED:
        return f"The plan on {ns}/{name} is {rec.state if rec else 'gone'}; nothing to pause."
    return (f"Paused the plan on {ns}/{name} at step {min(rec.step + 1, len(rec.steps))}/{len(rec.steps)}: "
            "no further step is taken; the partition stays where it is.")


def resume_from_outside(api: ApiClient, ns: str, name: str, by: str, clock: RunnerClock | None = None) -> str:
    clock = clock or RunnerClock()
    now = clock.now()
    rec = write_record(api, ns, name, lambda r, s: S.resume_record(r, now, by) if r.state == S.PAUSED else None)
    if rec is None or rec.state != S.RUNNING:
        return f"The plan on {ns}/{name} is {rec.state if rec else 'gone'}; nothing to resume."
    note = "" if rec.lease_fresh(now) else (" No runner holds it now: run `ststui rollout run "
                                            f"{ns}/{name}` (or open it in ststui) to drive it.")
    return f"Resumed the plan on {ns}/{name}.{note}"


def promote_from_outside(api: ApiClient, ns: str, name: str, by: str) -> str:
    rec = write_record(api, ns, name, lambda r, s: replace(r, promote=True)
                       if r.state == S.RUNNING and r.phase == S.PH_SOAK else None)
    if rec is None or not rec.promote:
        return f"The plan on {ns}/{name} is not soaking; nothing to promote."
    return f"Promoted: the soak of step {rec.step + 1}/{len(rec.steps)} ends now (checks still run)."


# --------------------------------------------------------------------------- the runner

@dataclass
class PlanOptions:
    steps: str | None = None
    soak: float = 60.0
    check: str = ""
    check_timeout: float = 30.0
    step_timeout: float = 600.0
    timeout: float = 3600.0
    pause_each: bool = False
    rollback_on_failure: bool = False
    image: str = ""              # "container=image"


Emit = Callable[[str, str], None]


class Runner:
    """Drives one StatefulSet's plan; `start()` then `tick()` until it returns False."""

    def __init__(self, api: ApiClient, namespace: str, name: str, *, clock: RunnerClock | None = None,
                 emit: Emit | None = None, by: str | None = None, holder: str | None = None) -> None:
        self.api = api
        self.ns = namespace
        self.name = name
        self.clock = clock or RunnerClock()
        self.emit = emit or (lambda kind, message: None)
        self.by = by or who_am_i()
        self.holder = holder or new_holder_id(self.by)
        self.record: S.PlanRecord | None = None
        self.result: str | None = None          # complete / aborted / error, when finished
        self.message = ""
        self._last_wait = ""
        self._last_beat = 0.0
        self._baseline: dict[str, int] = {}
        self._seen: set[str] = set()
        self._announced: set[str] = set()
        self._failures = 0
        self._last_state = ""
        self.last_kubectl: tuple[str, ...] = ()  # what the write behind the latest event equals
        self._events_forbidden = False

    # ---- start / resume

    def start(self, options: PlanOptions, resume_only: bool = False) -> S.PlanRecord:
        """Begin a new plan, or take over the unfinished one; RolloutError / PlanError say why not.

        With `resume_only`, only take over: no new plan is started."""
        sts = get_sts(self.api, self.ns, self.name)
        now = self.clock.now()
        try:
            rec = S.read_record(sts)
        except S.PlanError as e:
            raise RolloutError(f"{e} Remove it (kubectl annotate sts/{self.name} -n {self.ns} "
                               f"{S.ANNOTATION}-) to start a new plan.") from None
        if rec is not None and not rec.done:
            if rec.holder and rec.holder != self.holder and rec.lease_fresh(now):
                raise RolloutError(f"{self.ns}/{self.name} is already being rolled out by {rec.holder} "
                                   f"(heartbeat {int(now - (rec.heartbeat or now))}s ago); it is not driven twice. "
                                   f"Use `ststui rollout pause|resume|abort {self.ns}/{self.name}`.")
            if options.image and options.image != rec.image:
                raise RolloutError(f"{self.ns}/{self.name} has an unfinished plan ({rec.state}, step "
                                   f"{rec.step + 1}/{len(rec.steps)}); abort it before starting one with a new image.")
            previous = rec.holder
            if options.steps and S.steps_text(S.parse_steps(options.steps, rec.replicas)) != S.steps_text(
                    tuple(S.Step(c, i in rec.pause_after) for i, c in enumerate(rec.steps))):
                self.emit("note", f"--steps {options.steps} ignored: resuming the plan in the annotation "
                                  f"[{rec.steps_text}]; abort it to start another")
            rec = replace(rec, holder=self.holder, heartbeat=now, updated=now)
            if rec.phase == S.PH_SOAK:
                rec = replace(rec, phase=S.PH_ROLLING, soak_started=None, step_started=now)
            patch_sts(self.api, sts, rec)
            self.record = rec
            how = f"taking over from {previous} (lease stale)" if previous else "no runner held it"
            self.emit("resume", f"resuming the plan on {self.ns}/{self.name} ({rec.state}) at step "
                                f"{min(rec.step + 1, len(rec.steps))}/{len(rec.steps)} [{rec.steps_text}]; {how}")
            return rec
        if resume_only:
            raise RolloutError(f"{self.ns}/{self.name} has no unfinished plan to resume"
                               + (f" (the last one is {rec.state})." if rec is not None else "."))
        state = S.set_state_from(sts)
        pods = list_pods(self.api, sts)
        image = None
        if options.image:
            container, sep, img = options.image.partition("=")
            if not sep or not container or not img:
                raise S.PlanError(f"--image takes CONTAINER=IMAGE; got '{options.image}'.")
            containers = (((sts.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
            names = [c.get("name") for c in containers]
            if container not in names:
                raise S.PlanError(f"{self.ns}/{self.name} has no container '{container}' (containers: "
                                  f"{', '.join(n for n in names if n) or 'none'}).")
            if next(c for c in containers if c.get("name") == container).get("image") == img:
                raise S.PlanError(f"Container {container} of {self.ns}/{self.name} already runs {img}.")
            image = (container, img)
        steps = S.parse_steps(options.steps or S.default_steps_text(state.replicas), state.replicas)
        rec, hold = S.new_plan(state, pods, steps, now, self.by, soak=options.soak, check=options.check,
                               check_timeout=options.check_timeout, step_timeout=options.step_timeout,
                               timeout=options.timeout, pause_each=options.pause_each,
                               rollback_on_failure=options.rollback_on_failure, image=options.image)
        rec = replace(rec, holder=self.holder, heartbeat=now)
        try:
            patch_sts(self.api, sts, rec, partition=hold if hold != state.partition or image else None, image=image)
        except HttpError as e:
            if e.status == 409:
                raise RolloutError(f"{self.ns}/{self.name} changed while the plan was being written; "
                                   "nothing was changed; try again.") from None
            raise
        self.record = rec
        self.last_kubectl = (partition_kubectl(self.ns, self.name, hold),) if hold != state.partition or image else ()
        if image:
            self.last_kubectl += (f"kubectl set image sts/{self.name} -n {self.ns} {image[0]}={image[1]}",)
        what = f"set {options.image} with the partition held at {hold}" if image else \
            f"rolling out {rec.to_revision} from {rec.from_revision}"
        self.emit("start", f"plan on {self.ns}/{self.name}: steps {rec.steps_text} of {state.replicas} pods; {what}")
        return rec

    # ---- ticks

    def _write(self, sts: dict, rec: S.PlanRecord, partition: int | None = None) -> bool:
        try:
            patch_sts(self.api, sts, rec, partition=partition)
        except HttpError as e:
            if e.status == 409:
                return False
            raise
        self.record = rec
        self._last_beat = rec.heartbeat or 0.0
        return True

    def _finish(self, result: str, message: str) -> bool:
        if result != "aborted":
            self.last_kubectl = ()
        self.result = result
        self.message = message
        self.emit(result, message)
        return False

    def tick(self) -> bool:
        """One look and at most one write; False once the plan is finished (or lost)."""
        if self.result is not None:
            return False
        try:
            more = self._tick()
            self._failures = 0
            return more
        except RolloutError as e:
            return self._finish("error", str(e))
        except S.PlanError as e:
            return self._finish("error", str(e))
        except Exception as e:  # network or API trouble: the partition holds; try again next tick
            self._failures += 1
            self.emit("error", describe_api_error(e))
            if self._failures >= MAX_FAILURES:
                return self._finish("error", f"gave up after {MAX_FAILURES} failed attempts in a row; the partition "
                                             f"holds. Last error: {describe_api_error(e)}")
            return True

    def _tick(self) -> bool:
        sts = get_sts(self.api, self.ns, self.name)
        now = self.clock.now()
        rec = S.read_record(sts)
        if rec is None:
            return self._finish("error", f"the plan annotation was removed from {self.ns}/{self.name}; stopping "
                                         "(the partition stays where it is).")
        self.record = rec
        if rec.state == S.ABORTED:
            return self._finish("aborted", rec.reason)
        if rec.state == S.COMPLETE:
            return self._finish("complete", rec.reason)
        if rec.holder != self.holder:
            if rec.holder and rec.lease_fresh(now):
                return self._finish("error", f"{rec.holder} took over the plan; this runner stops.")
            rec = replace(rec, holder=self.holder, heartbeat=now)
            self._write(sts, rec)
            return True
        if rec.state != self._last_state:
            if rec.state == S.PAUSED:
                self.emit("pause", f"paused: {rec.reason}")
            elif self._last_state == S.PAUSED:
                self.emit("resume", f"running again ({rec.reason})")
            self._last_state = rec.state
        if rec.state == S.PAUSED:
            if now - self._last_beat >= S.HEARTBEAT_SECONDS:
                self._write(sts, replace(rec, heartbeat=now))
            return True
        state = S.set_state_from(sts)
        if rec.to_revision is None and (state.observed_generation or 0) >= (state.generation or 0) \
                and state.update_revision and state.update_revision != rec.from_revision:
            rec = replace(rec, to_revision=state.update_revision, heartbeat=now, updated=now)
            self._write(sts, rec)
            return True
        pods = list_pods(self.api, sts)
        problems: list[str] = []
        if rec.phase == S.PH_SOAK:
            warnings = self._warnings()
            problems = S.soak_problems(rec, state, pods, self._baseline, warnings, self._seen)
        decision = S.decide(rec, state, pods, now, problems)
        self._announce(rec, state, pods)
        kind = decision.kind
        if kind == S.DECIDE_LOWER:
            rec = replace(rec, phase=S.PH_ROLLING, step_started=now, heartbeat=now, updated=now,
                          reason=decision.message)
            if self._write(sts, rec, partition=decision.partition):
                self.last_kubectl = (partition_kubectl(self.ns, self.name, decision.partition),)
                self.emit("step", decision.message)
            return True
        if kind == S.DECIDE_SOAK_START:
            self._baseline = {p.name: p.restarts for p in pods.values()}
            self._seen = {w.key for w in self._warnings()}
            rec = replace(rec, phase=S.PH_SOAK, soak_started=now, heartbeat=now, updated=now, reason=decision.message)
            if self._write(sts, rec):
                self.emit("soak", decision.message + f"; soaking {S.format_duration(rec.soak)}")
            return True
        if kind == S.DECIDE_SOAK_PASSED:
            self.emit("soak", decision.message)
            failed = self._run_checks(rec, state, pods) if rec.check else None
            sts = get_sts(self.api, self.ns, self.name)   # checks take time: write on a fresh read
            fresh = S.read_record(sts)
            if fresh is None or fresh.state != S.RUNNING or fresh.holder != self.holder:
                return True                                # paused/aborted/taken meanwhile: next tick says
            now = self.clock.now()
            if failed:
                return self._abort(sts, replace(fresh, last_check=failed), pods,
                                   f"step {rec.step + 1}/{len(rec.steps)} failed its check: {failed}", now)
            if rec.check:
                fresh = replace(fresh, last_check=f"step {rec.step + 1}: check passed on every updated pod")
            after = S.finish_step(fresh, now)
            after = replace(after, heartbeat=now if after.state != S.COMPLETE else None)
            if after.state == S.COMPLETE:
                if self._write(sts, after):
                    return self._finish("complete", self._summary(after, state))
                return True
            if self._write(sts, after) and after.state == S.PAUSED:
                self._last_state = S.PAUSED
                self.emit("pause", after.reason)
            return True
        if kind == S.DECIDE_COMPLETE:
            after = replace(rec, state=S.COMPLETE, reason="every step passed", holder="", heartbeat=None, updated=now)
            if self._write(sts, after):
                return self._finish("complete", self._summary(after, state))
            return True
        if kind == S.DECIDE_PAUSE:
            after = S.pause_record(rec, now, decision.message)
            if self._write(sts, replace(after, heartbeat=now)):
                self._last_state = S.PAUSED
                self.emit("pause", f"paused: {decision.message}")
            return True
        if kind == S.DECIDE_ABORT:
            return self._abort(sts, rec, pods, decision.message, now, decision.rollback_ok)
        # wait / soaking: say what changed, renew the lease now and then
        if decision.message != self._last_wait and kind == S.DECIDE_WAIT:
            self.emit("wait", decision.message)
        self._last_wait = decision.message
        if now - self._last_beat >= S.HEARTBEAT_SECONDS:
            self._write(sts, replace(rec, heartbeat=now))
        return True

    def _warnings(self) -> list[S.WarningEvent]:
        """Warning events of the namespace; with no right to list events, say so once and skip the check."""
        try:
            return list_warnings(self.api, self.ns)
        except HttpError as e:
            if e.status != 403:
                raise
            if not self._events_forbidden:
                self._events_forbidden = True
                self.emit("note", f"events are not readable here ({describe_api_error(e)}); the soak does not "
                                  "check Warning events")
            return []

    def _announce(self, rec: S.PlanRecord, state: S.SetState, pods: dict[int, S.PodState]) -> None:
        """One line when a pod of the current step is updated, and when it is Ready."""
        for o in S.step_ordinals(rec.current_count(), rec.replicas, rec.start):
            p = pods.get(o)
            if p is None or p.revision != state.update_revision or not state.update_revision:
                continue
            if ("u", p.name, state.update_revision) not in self._announced:
                self._announced.add(("u", p.name, state.update_revision))
                self.emit("updated", f"{p.name} runs the update revision {state.update_revision}")
            if p.ready and ("r", p.name, state.update_revision) not in self._announced:
                self._announced.add(("r", p.name, state.update_revision))
                self.emit("ready", f"{p.name} is Ready")

    def _abort(self, sts: dict, rec: S.PlanRecord, pods: dict[int, S.PodState], reason: str, now: float,
               rollback_ok: bool = True) -> bool:
        try:
            new, effect = hold_or_rollback(self.api, sts, rec, pods, reason, now,
                                           rec.rollback_on_failure and rollback_ok)
        except HttpError as e:
            if e.status == 409:
                return True          # changed meanwhile: decide again on a fresh read
            raise
        self.record = new
        self.last_kubectl = (partition_kubectl(self.ns, self.name, effect.partition),)
        if effect.rollback:
            self.last_kubectl = (f"kubectl rollout undo sts/{self.name} -n {self.ns}",) + self.last_kubectl
            self.emit("rollback", effect.sentence)
        return self._finish("aborted", new.reason)

    def _run_checks(self, rec: S.PlanRecord, state: S.SetState, pods: dict[int, S.PodState]) -> str | None:
        """The user's command for each updated pod; the first failure as a sentence, or None."""
        for o in S.step_ordinals(rec.current_count(), rec.replicas, rec.start):
            name = f"{state.name}-{o}"
            env = dict(os.environ, STSTUI_NAMESPACE=state.namespace, STSTUI_STATEFULSET=state.name,
                       STSTUI_POD=name, STSTUI_ORDINAL=str(o), STSTUI_POD_DNS=state.dns(name))
            ok, detail = self._run_one(rec.check, env, rec.check_timeout)
            self.emit("check", f"check on {name}: {'ok' if ok else 'FAILED'}" + (f" ({detail})" if detail else ""))
            if not ok:
                return f"`{rec.check}` on {name}: {detail}"
        return None

    def _run_one(self, command: str, env: dict, timeout: float) -> tuple[bool, str]:
        try:
            proc = subprocess.Popen(command, shell=True, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    start_new_session=True)
        except OSError as e:
            return False, f"could not start: {e}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                out, _ = proc.communicate(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    try:
                        os.killpg(proc.pid, 9)
                    except OSError:
                        proc.kill()
                    proc.communicate()
                    return False, f"timed out after {S.format_duration(timeout)}"
                self._heartbeat()
        last = (out or "").strip().splitlines()[-1:] or [""]
        detail = last[0][:MAX_OUTPUT]
        if proc.returncode == 0:
            return True, detail
        return False, f"exit {proc.returncode}" + (f": {detail}" if detail else "")

    def _heartbeat(self) -> None:
        """Renew the lease while a long check runs (best effort)."""
        now = self.clock.now()
        if now - self._last_beat < S.HEARTBEAT_SECONDS:
            return
        try:
            sts = get_sts(self.api, self.ns, self.name)
            rec = S.read_record(sts)
            if rec is not None and rec.holder == self.holder and not rec.done:
                self._write(sts, replace(rec, heartbeat=now))
        except Exception:
            pass

    def _summary(self, rec: S.PlanRecord, state: S.SetState) -> str:
        took = S.format_duration(max(0.0, rec.updated - rec.started))
        return (f"plan complete on {self.ns}/{self.name}: {len(rec.steps)} step(s) [{rec.steps_text}], "
                f"{rec.steps[-1]}/{rec.replicas} pods on {state.update_revision}, partition "
                f"{S.partition_for(rec.steps[-1], rec.replicas)}, in {took}")

    def run(self, poll: float = 1.0, should_stop: Callable[[], bool] | None = None) -> int:
        """Tick until finished; the exit code (0 complete, 3 aborted, 2 error)."""
        while self.tick():
            if should_stop is not None and should_stop():
                self.message = "stopped; the partition holds and the plan can be resumed"
                return EXIT_ERROR
            self.clock.sleep(poll)
        return {"complete": EXIT_COMPLETE, "aborted": EXIT_ABORTED}.get(self.result or "", EXIT_ERROR)


def status(api: ApiClient, ns: str, name: str, now: float) -> dict:
    """`ststui rollout status`: the plan and each pod's revision, as a JSON-able dict."""
    sts = get_sts(api, ns, name)
    state = S.set_state_from(sts)
    pods = list_pods(api, sts)
    try:
        rec = S.read_record(sts)
        unreadable = ""
    except S.PlanError as e:
        rec, unreadable = None, str(e)
    updated = sum(1 for p in pods.values() if state.update_revision and p.revision == state.update_revision)
    out = {
        "namespace": ns, "name": name,
        "state": rec.state if rec else ("unreadable" if unreadable else "none"),
        "step": (min(rec.step + 1, len(rec.steps)) if rec.state != S.COMPLETE else len(rec.steps)) if rec else 0,
        "stepsDone": min(rec.step, len(rec.steps)) if rec else 0,
        "steps": rec.steps if rec else [],
        "stepsText": rec.steps_text if rec else "",
        "phase": rec.phase if rec and not rec.done else "",
        "partition": state.partition, "replicas": state.replicas, "updated": updated,
        "updateRevision": state.update_revision, "currentRevision": state.current_revision,
        "reason": (rec.reason if rec else unreadable),
        "holder": rec.holder if rec else "",
        "leaseFresh": bool(rec and rec.lease_fresh(now)),
        "soakLeft": (rec.soak_left(now) if rec else None),
        "lastCheck": rec.last_check if rec else "",
        "by": rec.by if rec else "",
        "pods": [{"name": p.name, "ordinal": p.ordinal, "revision": p.revision, "ready": p.ready,
                  "updated": bool(state.update_revision and p.revision == state.update_revision)}
                 for p in sorted(pods.values(), key=lambda p: p.ordinal)],
    }
    return out
