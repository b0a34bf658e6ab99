"""Command line: `ststui [options]` (the TUI), `ststui --demo`, `ststui get`, `ststui sim`, `ststui rollout`.

Place in the flow: the console script's entry point. It parses arguments and hands each
subcommand to one small function; none of them holds logic of its own beyond turning
bad input into one readable line and an exit code (2 for usage errors).
"""
from __future__ import annotations

import argparse
import sys

from . import __version__


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def _loopback_host(text: str) -> str:
    from .sim.server import is_loopback
    if not is_loopback(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a loopback address: the simulated cluster only listens on 127.0.0.1, ::1 or localhost")
    return text


def _add_connection_options(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    """kubectl's connection flags; on subcommands they default to SUPPRESS so that
    `ststui -n x get` and `ststui get -n x` both work."""
    d = (lambda v: argparse.SUPPRESS) if suppress else (lambda v: v)
    parser.add_argument("--kubeconfig", metavar="PATH", default=d(None),
                        help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)")
    parser.add_argument("--context", default=d(None), help="the kubeconfig context to use")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("-n", "--namespace", default=d(None), help="only this namespace")
    scope.add_argument("-A", "--all-namespaces", action="store_true", default=d(False),
                       help="all namespaces")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ststui", description="A terminal UI for operating Kubernetes StatefulSets.")
    parser.add_argument("--version", action="version", version=f"ststui {__version__}")
    _add_connection_options(parser)
    parser.add_argument("--demo", action="store_true",
                        help="run against an embedded simulated cluster (the demo scenario)")
    parser.add_argument("--speed", type=_positive_float, default=1.0,
                        help="with --demo: simulated seconds per real second (default 1)")
    parser.add_argument("--read-only", action="store_true", help="show everything, change nothing")
    parser.add_argument("--audit-log", metavar="PATH",
                        help="append every change made, with its kubectl equivalent, to this file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    get = sub.add_parser("get", help="print the StatefulSet model once and exit",
                         description="Print each StatefulSet with its pods in ordinal order, its claims, "
                                     "volumes and warnings, once (no TTY needed).")
    get.add_argument("name", nargs="?", help="only this StatefulSet")
    _add_connection_options(get, suppress=True)
    get.add_argument("-o", "--output", choices=("text", "json"), default="text", help="text or json")
    get.set_defaults(run=cmd_get)

    sim = sub.add_parser("sim", help="run the simulated Kubernetes cluster in the foreground",
                         description="Run the simulated Kubernetes API server and its controllers "
                                     "until Ctrl-C; kubectl and ststui reach it through the kubeconfig it writes.")
    sim.add_argument("--host", type=_loopback_host, default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    sim.add_argument("--port", type=_port, default=0, help="port (default 0: a free one)")
    sim.add_argument("--scenario", default="demo", help="demo, empty or scale:<sts>x<replicas> (default demo)")
    sim.add_argument("--speed", type=_positive_float, default=1.0, help="simulated seconds per real second")
    sim.add_argument("--clock", choices=("real", "manual"), default="real",
                     help="manual: time moves only through POST /_sim/advance or /_sim/settle")
    sim.add_argument("--kubeconfig-out", metavar="PATH", help="where to write the kubeconfig (default: a temp file)")
    sim.set_defaults(run=cmd_sim)
    _add_rollout_parser(sub)
    return parser


def _duration(text: str) -> float:
    from .state.staged import PlanError, parse_duration
    try:
        return parse_duration(text)
    except PlanError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _add_rollout_parser(sub) -> None:
    """`ststui rollout run|status|pause|resume|abort|promote NAMESPACE/NAME` (commands/rollout.py)."""
    rollout = sub.add_parser("rollout", help="staged rollouts: run a plan of partition steps, or act on one",
                             description="Guided staged rollouts of a StatefulSet, with the plan kept in an "
                                         "annotation on it (nothing installed in the cluster).")
    actions = rollout.add_subparsers(dest="rollout_action", metavar="ACTION", required=True)
    helps = {"run": "run (or resume) a staged rollout plan until it completes or aborts",
             "status": "print the plan, its step and each pod's revision",
             "pause": "stop taking steps (the partition stays where it is)",
             "resume": "take steps again", "abort": "hold the partition where no further pod updates, and stop",
             "promote": "end the current soak now (checks still run)"}
    for action, text in helps.items():
        p = actions.add_parser(action, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("target", metavar="NAMESPACE/NAME", help="the StatefulSet (NAME alone uses -n)")
        _add_connection_options(p, suppress=True)
        p.add_argument("--sim-clock", metavar="URL", default=None, help=argparse.SUPPRESS)
        if action != "status":
            p.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                           help="refuse: change nothing (as `ststui --read-only`)")
        if action == "status":
            p.add_argument("-o", "--output", choices=("text", "json"), default="text", help="text or json")
        if action == "run":
            p.add_argument("--image", metavar="CONTAINER=IMAGE",
                           help="set this image in the same write that holds the partition")
            p.add_argument("--steps", help="pods (or %% of replicas, rounded up) on the new revision after each "
                                           "step, e.g. 1,25%%,50%%,100%%; 'pause' waits for a person "
                                           "(default depends on replicas)")
            p.add_argument("--soak", type=_duration, default=60.0, help="watch each step this long (default 60s)")
            p.add_argument("--check", metavar="CMD", help="command run for each updated pod after each soak; "
                           "exit 0 = healthy; env STSTUI_NAMESPACE, STSTUI_STATEFULSET, STSTUI_POD, "
                           "STSTUI_ORDINAL, STSTUI_POD_DNS")
            p.add_argument("--check-timeout", type=_duration, default=30.0, help="per check (default 30s)")
            p.add_argument("--step-timeout", type=_duration, default=600.0,
                           help="abort when a step's pods are not Ready within this (default 10m)")
            p.add_argument("--timeout", type=_duration, default=3600.0,
                           help="abort when the plan runs longer (paused time not counted; default 60m)")
            p.add_argument("--pause-each", action="store_true", help="wait for `rollout resume` after each step")
            p.add_argument("--rollback-on-failure", action="store_true",
                           help="on a failed check or timeout, put the previous template back and lower the "
                                "partition so the updated pods return to it")
            p.add_argument("--poll", type=_duration, default=1.0, help=argparse.SUPPRESS)
        p.set_defaults(run=cmd_rollout)


def cmd_rollout(args: argparse.Namespace) -> int:
    from .commands.rollout import run_rollout
    return run_rollout(args)


def cmd_sim(args: argparse.Namespace) -> int:
    from .sim.main import run_sim
    return run_sim(host=args.host, port=args.port, scenario=args.scenario, speed=args.speed,
                   kubeconfig_out=args.kubeconfig_out, clock=args.clock)


def cmd_get(args: argparse.Namespace) -> int:
    from .commands.get import run_get
    return run_get(args.kubeconfig, args.context, args.namespace, args.all_namespaces,
                   args.name, args.output)


def cmd_tui(args: argparse.Namespace) -> int:
    from .commands.tui import run_tui
    return run_tui(kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace,
                   all_namespaces=args.all_namespaces, read_only=args.read_only,
                   audit_log=args.audit_log, demo=args.demo, speed=args.speed)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if run is not None:
        return run(args)
    return cmd_tui(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
