"""`ststui rollout run|status|pause|resume|abort|promote NAMESPACE/NAME`: staged rollouts headless.

Place in the flow: the CLI parses arguments (cli.py), this module connects like
`ststui get` (kube.connect), then hands over to `kube.staged_runner`: `run` drives a
plan with a `Runner` printing one line per event and a summary; `status` prints the
plan record and each pod's revision; `pause`/`resume`/`abort`/`promote` rewrite the plan
record in the StatefulSet's annotation (a running runner reads it every second).

Exit codes: 0 complete (or the command did what it says), 3 aborted, 2 usage or
connection errors (also: another runner holds the plan, read-only mode).
"""
from __future__ import annotations

import json
import signal
import sys
from datetime import datetime, timezone
from typing import TextIO

from ststui.kube import staged_runner as R
from ststui.kube.connect import ConnectError, check_reachable, connect
from ststui.kube.ops import describe_api_error
from ststui.state import staged as S


def split_target(target: str, namespace: str | None, default_namespace: str) -> tuple[str, str]:
    """'NS/NAME' or 'NAME' (with -n or the context's namespace)."""
    if "/" in target:
        ns, _, name = target.partition("/")
        if not ns or not name or "/" in name:
            raise S.PlanError(f"Name the StatefulSet as NAMESPACE/NAME; got '{target}'.")
        return ns, name
    if not target:
        raise S.PlanError("Name the StatefulSet as NAMESPACE/NAME.")
    return namespace or default_namespace, target


def _stamp(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%H:%M:%SZ")


def run_rollout(args, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    action = args.rollout_action
    if getattr(args, "read_only", False) and action != "status":
        print(f"ststui: read-only mode: `rollout {action}` changes the cluster, so nothing was done.", file=err)
        return R.EXIT_ERROR
    try:
        conn = connect(args.kubeconfig, args.context, args.namespace, False)
        check_reachable(conn)
    except ConnectError as e:
        print(f"ststui: {e}", file=err)
        return R.EXIT_ERROR
    try:
        ns, name = split_target(args.target, args.namespace, conn.default_namespace)
        clock: R.RunnerClock = R.SimHttpClock(args.sim_clock) if getattr(args, "sim_clock", None) else R.RunnerClock()
        by = R.who_am_i()
        if action == "run":
            return _run(conn.api_client, ns, name, args, clock, by, out, err)
        if action == "status":
            return _status(conn.api_client, ns, name, args.output, clock, out)
        do = {"pause": R.pause_from_outside, "resume": R.resume_from_outside, "abort": R.abort_from_outside}
        if action == "promote":
            print(R.promote_from_outside(conn.api_client, ns, name, by), file=out)
        else:
            print(do[action](conn.api_client, ns, name, by, clock), file=out)
        return 0
    except (R.RolloutError, S.PlanError) as e:
        print(f"ststui: {e}", file=err)
        return R.EXIT_ERROR
    except Exception as e:  # API or network errors: one sentence
        print(f"ststui: {describe_api_error(e)}", file=err)
        return R.EXIT_ERROR
    finally:
        conn.close()


def _run(api, ns: str, name: str, args, clock: R.RunnerClock, by: str, out: TextIO, err: TextIO) -> int:
    def emit(kind: str, message: str) -> None:
        print(f"{_stamp(clock.now())} {kind:<8} {message}", file=out, flush=True)

    runner = R.Runner(api, ns, name, clock=clock, emit=emit, by=by)
    options = R.PlanOptions(steps=args.steps, soak=args.soak, check=args.check or "", check_timeout=args.check_timeout,
                            step_timeout=args.step_timeout, timeout=args.timeout, pause_each=args.pause_each,
                            rollback_on_failure=args.rollback_on_failure, image=args.image or "")
    runner.start(options)

    def terminate(signum, frame):  # nohup'd runners get SIGTERM/SIGHUP: stop like Ctrl-C
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, terminate)
        except (ValueError, OSError):  # not the main thread / not available
            pass
    try:
        code = runner.run(poll=args.poll)
    except KeyboardInterrupt:
        print(f"ststui: interrupted: the partition holds where it is and nothing more updates; "
              f"`ststui rollout run {ns}/{name}` resumes the plan once its lease is stale "
              f"({int(S.LEASE_SECONDS)}s).", file=err)
        return 130
    if code == R.EXIT_COMPLETE:
        print(f"summary: {runner.message}", file=out)
    elif code == R.EXIT_ABORTED:
        print(f"summary: aborted on {ns}/{name}: {runner.message}", file=out)
    else:
        print(f"ststui: {runner.message}", file=err)
    return code


def _status(api, ns: str, name: str, output: str, clock: R.RunnerClock, out: TextIO) -> int:
    data = R.status(api, ns, name, clock.now())
    if output == "json":
        print(json.dumps(data, indent=2, sort_keys=True), file=out)
        return 0
    if data["state"] == "none":
        print(f"{ns}/{name}: no staged rollout plan; partition {data['partition']}, "
              f"{data['updated']}/{data['replicas']} pods at the update revision.", file=out)
    else:
        lines = [f"{ns}/{name}: plan {data['state']}, step {data['step']}/{len(data['steps'])} "
                 f"[{data['stepsText']}], partition {data['partition']}, "
                 f"{data['updated']}/{data['replicas']} pods at {data['updateRevision']}"]
        if data["soakLeft"] is not None:
            lines.append(f"  soak: {S.format_duration(data['soakLeft'])} left")
        if data["reason"]:
            lines.append(f"  reason: {data['reason']}")
        if data["lastCheck"]:
            lines.append(f"  last check: {data['lastCheck']}")
        if data["holder"]:
            lines.append(f"  runner: {data['holder']} ({'active' if data['leaseFresh'] else 'lease stale'})")
        print("\n".join(lines), file=out)
    for p in data["pods"]:
        mark = "updated" if p["updated"] else "old"
        print(f"  {p['name']:<24} {p['revision'] or '-':<28} {mark:<8} {'Ready' if p['ready'] else 'not Ready'}",
              file=out)
    return 0
