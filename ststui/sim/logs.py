"""Container logs of the simulated cluster: deterministic lines that follow each pod's life.

Place in the flow: `server` routes GET /api/v1/namespaces/NS/pods/NAME/log to `serve()`.
Nothing is stored: the lines are derived from the pod as the kubelet left it in the store
(container statuses: running, terminated, waiting, lastState; readiness; deletion) and from
the sim clock, so the same pod at the same time always gives the same log, and a follow
stream just derives and sends what is newer than what it sent. One run of a container
(`Run`) writes:

  start-up (starting, configuration, listening) -> readiness -> periodic work every
  `PERIOD` seconds -> on deletion: the termination signal, then the shutdown.

A run that ended (the current state or lastState `terminated`) ends the way it ended: an
error and its exit code (a crash loop, a container that never became Ready), its memory
growing until an OOM kill (no last word: the kernel killed it). A container waiting on
its image has no log: the request is refused with the kubelet's own sentence, as are
`previous=true` without a terminated run and an unknown container (the apiserver's).
Image references steer the program's story, whatever the kubelet does with them:
`crash` (fails right after start-up), `oom` (memory grows), and anything the kubelet
never marks Ready logs failing health checks until it is.
"""
from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Iterator

from .clock import parse_rfc3339
from .controllers import podutil as pu
from .controllers.kubelet import ready_delay, stop_delay
from .objects import ApiError, bad_request
from .queryparams import parse_bool, parse_int

PERIOD = 10.0               # seconds between two lines of periodic work
POLL_SECONDS = 0.1          # wall seconds between two looks at the pod while following
RECHECK = 2.0               # sim seconds of a follow stream derived again after a state change
TEXT = "text/plain"


# --------------------------------------------------------------------------- request options

@dataclass(frozen=True)
class Options:
    container: str | None = None
    follow: bool = False
    previous: bool = False
    tail_lines: int | None = None
    since: float | None = None          # absolute sim time (sinceSeconds or sinceTime)
    timestamps: bool = False
    limit_bytes: int | None = None


def _bool(query: dict, name: str) -> bool:
    return parse_bool(query.get(name), name)


def _int(query: dict, name: str) -> int | None:
    return parse_int(query.get(name), name)


def parse_options(query: dict, pod_name: str, now: float) -> Options:
    """PodLogOptions from the query, validated as the apiserver does (400 for bad syntax,
    422 for values out of range)."""
    tail = _int(query, "tailLines")
    since_seconds = _int(query, "sinceSeconds")
    limit = _int(query, "limitBytes")
    since_time_text = query.get("sinceTime") or None
    since_time = None
    if since_time_text is not None:
        since_time = parse_rfc3339(since_time_text)
        if since_time is None:
            raise bad_request(f'parsing time "{since_time_text}" as "2006-01-02T15:04:05Z07:00": cannot parse')
    causes = []
    if tail is not None and tail < 0:
        causes.append(f"tailLines: Invalid value: {tail}: must be greater than or equal to 0")
    if since_seconds is not None and since_seconds < 1:
        causes.append(f"sinceSeconds: Invalid value: {since_seconds}: must be greater than 0")
    if since_seconds is not None and since_time is not None:
        causes.append("sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified")
    if limit is not None and limit < 1:
        causes.append(f"limitBytes: Invalid value: {limit}: must be greater than 0")
    if causes:
        text = causes[0] if len(causes) == 1 else "[" + ", ".join(causes) + "]"
        raise ApiError(422, "Invalid", f'PodLogOptions "{pod_name}" is invalid: {text}',
                       {"name": pod_name, "kind": "PodLogOptions",
                        "causes": [{"reason": "FieldValueInvalid", "message": c.split(": ", 1)[1],
                                    "field": c.split(":", 1)[0]} for c in causes]})
    since = now - since_seconds if since_seconds is not None else since_time
    return Options(container=query.get("container") or None, follow=_bool(query, "follow"),
                   previous=_bool(query, "previous"), tail_lines=tail, since=since,
                   timestamps=_bool(query, "timestamps"), limit_bytes=limit)


# --------------------------------------------------------------------------- which run

@dataclass(frozen=True)
class Run:
    """One run of a container, from its start to its end (None while it runs)."""
    namespace: str
    pod: str
    uid: str
    container: str
    image: str
    port: int
    attempt: int                 # restarts before this run
    started: float
    ready_at: float | None       # when its readiness probe first passed (None: not yet / never)
    sigterm: float | None = None  # the termination signal of a deleted pod
    ended: float | None = None   # when it stopped (known once terminated, or planned for a deletion)
    exit_code: int | None = None
    reason: str | None = None
    last_word: bool = True       # False: killed, writes nothing at its end

    @property
    def identity(self) -> tuple[str, str, float]:
        return self.uid, self.container, self.started


def container_names(pod: dict) -> list[str]:
    return [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]


def pick_container(pod: dict, wanted: str | None) -> str:
    """The apiserver's choice of container (pod/strategy.go LogLocation), or its 400."""
    name = pu.meta(pod).get("name", "")
    names = container_names(pod)
    if wanted is None:
        if len(names) == 1:
            return names[0]
        if not names:
            raise bad_request(f"a container name must be specified for pod {name}")
        raise bad_request(f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]")
    if wanted not in names:
        raise bad_request(f"container {wanted} is not valid for pod {name}")
    return wanted


def _spec_of(pod: dict, container: str) -> dict:
    for c in (pod.get("spec") or {}).get("containers") or []:
        if c.get("name") == container:
            return c
    return {}


def _status_of(pod: dict, container: str) -> dict | None:
    for s in (pod.get("status") or {}).get("containerStatuses") or []:
        if s.get("name") == container:
            return s
    return None


def _terminated_run(base: dict, term: dict, attempt: int) -> "Run | None":
    started = parse_rfc3339(term.get("startedAt"))
    ended = parse_rfc3339(term.get("finishedAt"))
    if started is None or ended is None:
        return None
    reason = term.get("reason") or ""
    exit_code = int(term.get("exitCode") or 0)
    ready = exit_code == 0 or reason == "OOMKilled"
    ready_at = started + ready_delay(base["namespace"], base["pod"]) if ready else None
    if ready_at is not None and ready_at >= ended:
        ready_at = None
    return Run(**base, attempt=attempt, started=started, ready_at=ready_at, ended=ended,
               exit_code=exit_code, reason=reason, last_word=reason != "OOMKilled" and exit_code != 137)


def select_run(pod: dict, opts: Options) -> Run | None:
    """The run whose log the request asks for, or None for an empty log (a pod no node has
    taken yet); the kubelet's 400 when there is no such run (validateContainerLogStatus)."""
    m = pu.meta(pod)
    name = m.get("name", "")
    container = pick_container(pod, opts.container)
    if not (pod.get("spec") or {}).get("nodeName"):
        return None
    spec = _spec_of(pod, container)
    ports = spec.get("ports") or [{}]
    base = {"namespace": m.get("namespace", ""), "pod": name, "uid": m.get("uid") or name,
            "container": container, "image": spec.get("image", ""),
            "port": int(ports[0].get("containerPort") or 8080)}
    status = _status_of(pod, container)
    if status is None:
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start - no logs yet')
    restarts = int(status.get("restartCount") or 0)
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    if opts.previous:
        run = _terminated_run(base, last, max(restarts - 1, 0)) if last else None
        if run is None:
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        return run
    if state.get("running"):
        started = parse_rfc3339(state["running"].get("startedAt"))
        if started is None:
            raise bad_request(f'container "{container}" in pod "{name}" is waiting to start - no logs yet')
        ready_at = None
        if status.get("ready"):
            since = parse_rfc3339((pu.condition(pod, "ContainersReady") or {}).get("lastTransitionTime"))
            ready_at = max(since or started, started + 0.5)
        run = Run(**base, attempt=restarts, started=started, ready_at=ready_at)
        return _with_deletion(run, pod)
    if state.get("terminated"):
        run = _terminated_run(base, state["terminated"], restarts)
        if run is not None:
            return run
        if last and (run := _terminated_run(base, last, max(restarts - 1, 0))) is not None:
            return run
        raise bad_request(f'container "{container}" in pod "{name}" is terminated')
    if last:
        run = _terminated_run(base, last, max(restarts - 1, 0))
        if run is None:
            raise bad_request(f'container "{container}" in pod "{name}" is terminated')
        return run
    waiting = state.get("waiting")
    if waiting is not None:
        reason = waiting.get("reason") or ""
        if reason == "ErrImagePull":
            raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: image can\'t be pulled')
        if reason == "ImagePullBackOff":
            raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: '
                              f"trying and failing to pull image")
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
    raise bad_request(f'container "{container}" in pod "{name}" is waiting to start - no logs yet')


def _with_deletion(run: Run, pod: dict) -> Run:
    """A running container of a deleted pod gets its termination signal and its planned stop."""
    m = pu.meta(pod)
    deadline = parse_rfc3339(m.get("deletionTimestamp"))
    if deadline is None:
        return run
    grace = int(m.get("deletionGracePeriodSeconds") or 0)
    sigterm = max(deadline - grace, run.started)
    stop = min(deadline, sigterm + stop_delay(run.namespace, run.pod))
    return replace(run, sigterm=sigterm, ended=max(stop, sigterm), exit_code=0, reason="Completed")


# --------------------------------------------------------------------------- what a run writes

def _program(image: str) -> tuple[str, str]:
    """("nginx", "1.27") for "docker.io/library/nginx:1.27"."""
    ref = image.split("@", 1)[0]
    repo, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "latest")
    return repo.rsplit("/", 1)[-1] or "app", tag or "latest"


def _profile(run: Run) -> str:
    image = run.image.lower()
    if run.reason == "OOMKilled" or "oom" in image:
        return "oom"
    if "crash" in image:
        return "crash"
    return "service"


def _jitter(run: Run, *parts: object) -> float:
    return pu.stable_fraction(run.namespace, run.pod, run.container, str(run.attempt), *map(str, parts))


def lines(run: Run, after: float | None, until: float) -> Iterator[tuple[float, str]]:
    """The run's lines with `after < time <= until` (after None: from the start), in order."""
    program, tag = _program(run.image)
    profile = _profile(run)
    s = run.started
    end = run.ended
    limit = until if end is None else min(until, end)

    def keep(t: float) -> bool:
        return (after is None or t > after) and t <= limit

    # A run that ended within its first second (timestamps are to the second) still says
    # what it did: its start-up lines share the time it had.
    step = 0.1 if end is None or end - s >= 0.4 else max(0.0, (end - s) / 4)
    head = [
        (s, f"INFO  starting {program} {tag} (pod {run.pod}, container {run.container}, attempt {run.attempt + 1})"),
        (s + step, f"INFO  configuration loaded from /etc/{program}/{program}.conf"),
    ]
    if profile == "crash":
        head.append((s + 2 * step, f"INFO  opening data directory /var/lib/{program}"))
    else:
        head.append((s + 2 * step, f"INFO  listening on 0.0.0.0:{run.port}"))
    for t, text in head:
        if keep(t):
            yield t, text
    # Periodic work, up to the termination signal or the end.
    work_end = min(x for x in (run.sigterm, end, limit) if x is not None)
    phase = 0.5 * _jitter(run, "phase")
    ready_at = run.ready_at
    ready_said = ready_at is None or ready_at <= s + 0.2
    first = 0
    if after is not None and after > s + PERIOD:
        first = max(0, int((after - s - phase) // PERIOD) - 1)
    if profile == "crash":
        first_period_end = s  # a crashing program does no periodic work
    else:
        first_period_end = work_end
    i = first
    while True:
        t = s + phase + PERIOD * (i + 1)
        if not ready_said and ready_at is not None and ready_at <= t:
            ready_said = True
            if ready_at <= work_end and keep(ready_at):
                yield ready_at, "INFO  readiness probe passed: accepting connections"
        if t > first_period_end:
            break
        if keep(t):
            yield t, _periodic(run, profile, program, i, ready_at is not None and ready_at <= t)
        i += 1
    if not ready_said and ready_at is not None and ready_at <= work_end and keep(ready_at):
        yield ready_at, "INFO  readiness probe passed: accepting connections"
    # The end: a termination signal, or how the run ended.
    tail: list[tuple[float, str]] = []
    if run.sigterm is not None:
        grace_left = max(0, int(round((end or run.sigterm) - run.sigterm)))
        tail.append((run.sigterm, "INFO  received SIGTERM: draining connections"))
        if end is not None:
            tail.append((max(end, run.sigterm + 0.05), f"INFO  shutdown complete after {grace_left}s, exiting 0"))
    elif end is not None and profile == "oom" and not run.last_word:
        mib = 64 + 48 * (max(0, int((end - s) // PERIOD)) + 2)
        tail.append((end, f"WARN  cache warm-up: {mib} MiB resident, allocating more"))
    elif end is not None and run.last_word:
        code = run.exit_code or 0
        if code == 0:
            tail.append((end, "INFO  shutdown complete, exiting 0"))
        elif code == 143:
            tail.append((max(end - 0.5, s), "INFO  received SIGTERM: draining connections"))
            tail.append((end, "INFO  shutdown complete, exiting 143"))
        elif profile == "crash":
            tail.append((end, f"ERROR fatal: cannot open data directory /var/lib/{program}: permission denied"))
            tail.append((end + 0.001, f"ERROR exiting with code {code}"))
        else:
            checks = max(1, int((end - s) // PERIOD))
            tail.append((end, f"ERROR giving up after {checks} failed health checks: upstream "
                              f"{program}-backend:{run.port} is not answering"))
            tail.append((end + 0.001, f"ERROR exiting with code {code}"))
    for t, text in tail:
        if (after is None or t > after) and t <= until:
            yield t, text


def _periodic(run: Run, profile: str, program: str, i: int, ready: bool) -> str:
    if profile == "oom":
        mib = 64 + 48 * (i + 1) + int(16 * _jitter(run, "mem", i))
        return f"INFO  cache warm-up: {mib} MiB resident, {1000 * (i + 1)} entries loaded"
    if not ready:
        return (f"WARN  health check failed: upstream {program}-backend:{run.port} is not answering; "
                f"answering 503 (check {i + 1})")
    requests = 20 + int(180 * _jitter(run, "req", i))
    p99 = 2 + int(40 * _jitter(run, "p99", i))
    return f"INFO  served {requests} requests in the last {int(PERIOD)}s, p99 {p99} ms"


# --------------------------------------------------------------------------- output

def stamp(t: float) -> str:
    """RFC3339 with nanoseconds, as the kubelet prefixes lines with timestamps=true."""
    micros = int(round(t * 1e6))
    whole, nanos = micros // 1_000_000, (micros % 1_000_000) * 1000
    return datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def format_line(t: float, text: str, timestamps: bool) -> bytes:
    return ((stamp(t) + " " if timestamps else "") + text + "\n").encode()


class Budget:
    """limitBytes across a response (and a follow stream): the rest is cut, mid-line if need be."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    @property
    def spent(self) -> bool:
        return self.left is not None and self.left <= 0

    def take(self, data: bytes) -> bytes:
        if self.left is None:
            return data
        data = data[: max(self.left, 0)]
        self.left -= len(data)
        return data


def initial(run: Run | None, opts: Options, now: float) -> tuple[list[tuple[float, str]], float]:
    """The lines present at `now` (since / tail applied) and the time they cover up to."""
    if run is None:
        return [], now
    selected: Any = lines(run, None if opts.since is None else opts.since - 1e-4, now)   # since is inclusive
    if opts.tail_lines is not None:
        selected = deque(selected, maxlen=opts.tail_lines) if opts.tail_lines > 0 else []
    return list(selected), now


def render(batch: list[tuple[float, str]], opts: Options, budget: Budget) -> bytes:
    return budget.take(b"".join(format_line(t, text, opts.timestamps) for t, text in batch))


# --------------------------------------------------------------------------- HTTP

def serve(handler, cluster, namespace: str, name: str) -> None:
    """Answer GET .../pods/NAME/log on `handler` (the server's request handler)."""
    store = cluster.store
    watcher = None
    with store.lock:
        pod = store.get("pods", namespace, name)      # 404 as for the pod itself
        now = cluster.now()
        opts = parse_options(handler.query, name, now)
        run = select_run(pod, opts)
        batch, covered = initial(run, opts, now)
        budget = Budget(opts.limit_bytes)
        body = render(batch, opts, budget)
        if not opts.follow or run is None or _finished(run, covered) or budget.spent:
            pass
        else:   # every later state of this pod, in order, from now on
            watcher = store.watch("pods", namespace, str(store.rv), None, f"metadata.name={name}")
    if watcher is None:
        handler._send(200, body, TEXT)
        return
    handler.sim._add_watcher(watcher)
    try:
        handler.send_response(200)
        handler.send_header("Content-Type", TEXT)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.send_header("Cache-Control", "no-cache, private")
        handler.end_headers()
        handler._headers_sent = True
        handler._chunk(body)
        if _follow(handler, cluster, watcher, run, opts, covered, budget, batch):
            handler._end_chunks()
    finally:
        watcher.close("log stream ended")
        handler.sim._remove_watcher(watcher)


def _finished(run: Run, covered: float) -> bool:
    return run.ended is not None and covered >= run.ended + 0.01


def _follow(handler, cluster, watcher, run: Run, opts: Options, covered: float, budget: Budget,
            sent: list[tuple[float, str]]) -> bool:
    """Send new lines as the sim clock moves and the pod changes (every state of it, from a
    watch), until the run ends (its container stopped or restarted, its pod is gone), the
    client hangs up or the server's watch timeout. False: hang up without a last chunk.
    A state change can date a line at the very time already covered (the kubelet marks the
    pod Ready at the moment a poll looked): lines of the last `RECHECK` seconds are derived
    again, and the ones already sent skipped."""
    deadline = time.monotonic() + handler.sim.default_watch_timeout
    recent = {line for line in sent if line[0] > covered - RECHECK}
    last_now = None
    while time.monotonic() < deadline:
        if handler._client_gone():
            handler.close_connection = True
            return False
        events = watcher.take(POLL_SECONDS)
        if events is None:              # the server restarted or dropped its streams
            handler._hang_up()
            return False
        now = cluster.now()
        states: list[tuple[dict | None, bool]] = []
        for line in events:
            event = json.loads(line)
            if event.get("type") in ("ADDED", "MODIFIED", "DELETED"):
                states.append((event.get("object"), event["type"] == "DELETED"))
        if not states and now == last_now:
            continue
        last_now = now
        for pod, deleted in states or [(None, None)]:
            if deleted is not None:
                current = _same_run(pod, run)
                if current is None or deleted:      # gone or replaced: the run ended where last seen
                    base = current or run
                    current = replace(base, ended=base.ended if base.ended is not None else covered)
                    gone = True
                else:
                    gone = False
                run = current
            else:
                gone = False
            if run.ended is None:
                until = now
            else:
                until = run.ended + 0.01 if gone else min(now, run.ended + 0.01)
            batch = [line for line in lines(run, covered - RECHECK, until) if line not in recent]
            covered = max(covered, until)
            recent = {line for line in recent if line[0] > covered - RECHECK}
            recent.update(batch)
            handler._chunk(render(batch, opts, budget))
            if budget.spent or _finished(run, covered) or gone:
                return True
    return True


def _same_run(pod: dict | None, run: Run) -> Run | None:
    """The followed run as the pod now tells it (ended if its container restarted), or None."""
    if pod is None or (pu.meta(pod).get("uid") or run.pod) != run.uid:
        return None
    for previous in (False, True):
        try:
            now_run = select_run(pod, Options(container=run.container, previous=previous))
        except ApiError:
            continue
        if now_run is not None and abs(now_run.started - run.started) < 1e-6:
            return now_run
    return None
