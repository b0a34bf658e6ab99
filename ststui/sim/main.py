"""Running the simulated cluster: `ststui sim` in the foreground, `ststui --demo` embedded.

Place in the flow: `cli` calls `run_sim(...)` (server + controller loop until Ctrl-C or
SIGTERM) or `start_embedded(...)` (the same, in-process, on a free port, for the demo).
Both build a `Cluster`, load a scenario with `scenarios.build(name, cluster)` on a
manual clock, then switch to real time at `--speed` unless the clock stays manual, and
write a kubeconfig that points at the server.
"""
from __future__ import annotations

import gc
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TextIO

from . import scenarios
from .clock import ManualClock, RealClock
from .cluster import Cluster
from .kubeconfig import write_kubeconfig
from .objects import JSON_CACHE_MAX_OBJECTS
from .server import SimServer, is_loopback


def build_cluster(scenario: str = "empty", clock: str = "real", speed: float = 1.0,
                  seed: int = 7, manual_start: float | None = None,
                  feature_gates: dict[str, bool] | None = None) -> Cluster:
    """A cluster with `scenario` loaded; clock "manual" stays manual, "real" runs at `speed`."""
    if clock not in ("real", "manual"):
        raise ValueError(f"clock must be 'real' or 'manual', not {clock!r}")
    if speed <= 0:
        raise ValueError("speed must be positive")
    # A manual clock starts at a fixed epoch (reproducible tests and screenshots) unless told
    # otherwise; `ststui sim --clock manual` starts at wall time so kubectl's ages make sense.
    if clock == "manual":
        manual = ManualClock() if manual_start is None else ManualClock(start=float(int(manual_start)))
    else:
        manual = ManualClock(start=float(int(time.time())))
    cluster = Cluster(manual, seed=seed)
    cluster.feature_gates.update(feature_gates or {})    # see version_rules (v1.32 defaults)
    _build_without_gc(scenario, cluster)
    if clock == "real":
        cluster.set_clock(RealClock(speed))   # the wall clock; timers the scenario left fire when due
    return cluster


# A store of more objects than this is frozen out of the cyclic GC after its build.
FREEZE_OBJECTS = 20_000


def _build_without_gc(scenario: str, cluster: Cluster) -> None:
    """Build with the cyclic garbage collector paused, then freeze what a large build made.

    A build allocates millions of small dicts and lists (JSON trees, never cyclic): each
    full collection would walk all of them again (a third of a 50,000-pod build). After a
    large build `gc.freeze()` moves everything alive into the permanent generation, so
    later collections skip the stored objects; they are still freed by reference counting
    when a write replaces them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        scenarios.build(scenario, cluster)
    finally:
        if enabled:
            gc.enable()
    if sum(len(objs) for objs in cluster.store._objects.values()) > FREEZE_OBJECTS:
        gc.freeze()


def start_embedded(scenario: str = "demo", speed: float = 1.0, *, clock: str = "real",
                   kubeconfig_out: str | None = None, host: str = "127.0.0.1",
                   port: int = 0, manual_start: float | None = None,
                   feature_gates: dict[str, bool] | None = None) -> tuple[Cluster, SimServer, Path]:
    """Start cluster + server in this process (for `ststui --demo`); stop with `stop_embedded`."""
    cluster = build_cluster(scenario, clock, speed, manual_start=manual_start, feature_gates=feature_gates)
    store = cluster.store
    for plural, objs in list(store._objects.items()):   # serialise once, before any LIST
        if len(objs) <= JSON_CACHE_MAX_OBJECTS:          # (larger kinds are encoded per LIST)
            store.list_json(plural)
    server = SimServer(cluster, host, port).start()
    cluster.start()
    if kubeconfig_out is None:
        kubeconfig_out = str(Path(tempfile.mkdtemp(prefix="ststui-sim-")) / "kubeconfig")
    path = write_kubeconfig(kubeconfig_out, server.url)
    return cluster, server, path


def stop_embedded(cluster: Cluster, server: SimServer) -> None:
    server.stop()
    cluster.stop()


def run_sim(host: str = "127.0.0.1", port: int = 0, scenario: str = "demo", speed: float = 1.0,
            kubeconfig_out: str | None = None, clock: str = "real", out: TextIO | None = None,
            feature_gates: str | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM; returns the process exit code."""
    out = out or sys.stdout
    if not is_loopback(host):
        print(f"ststui sim: refusing to listen on {host}: only loopback addresses are allowed", file=sys.stderr)
        return 2
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        from .version_rules import parse_gates
        gates = parse_gates(feature_gates)
        cluster, server, path = start_embedded(scenario, speed, clock=clock, kubeconfig_out=kubeconfig_out,
                                               manual_start=time.time(),
                                               host=host, port=port, feature_gates=gates)
    except (ValueError, KeyError, OSError) as e:
        print(f"ststui sim: cannot start: {e}", file=sys.stderr)
        return 2
    try:
        pace = "manual (drive it with POST /_sim/advance or /_sim/settle)" if clock == "manual" \
            else f"real time x{speed:g}"
        print(f"ststui sim listening on {server.url}", file=out)
        print(f"scenario: {scenario}; clock: {pace}", file=out)
        print(f"kubeconfig: {path}", file=out)
        print(f"  export KUBECONFIG={path}", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        stop_embedded(cluster, server)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("ststui sim stopped.", file=out, flush=True)
    return 0
