"""One client process of the benchmark: ststui's sync against a running sim.

Usage: client_sync.py KUBECONFIG URL CHURN. Prints one JSON line of measurements.
Run by bench/run.py; a process of its own so its resident memory is ststui's alone.
"""
from __future__ import annotations

import json
import sys
import time
import urllib.request


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def post(url: str, path: str) -> None:
    req = urllib.request.Request(f"{url}/_sim/{path}", method="POST", data=b"")
    urllib.request.urlopen(req, timeout=300).read()


def main() -> None:
    kubeconfig, url, churn = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from ststui.kube.connect import connect
    from ststui.kube.watch import WATCHED, WatchManager, list_path
    from ststui.state.store import Store

    conn = connect(kubeconfig, None, None, True)
    store = Store()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    mgr = WatchManager(conn.api_client, store, None)
    mgr.start()
    if not mgr.wait_synced(600):
        raise SystemExit("sync did not complete")
    sync = time.perf_counter() - t0
    rss_after = rss_mb()

    # Events applied per second: cut the client off (5xx + dropped watches), let the sim
    # touch `churn` pods, then let the client back in: it resumes from its resourceVersion
    # and applies the backlog as fast as it can. Timed from the first to the last event.
    pods = next(l for l in mgr.loops if l.plural == "pods")
    post(url, "faults/fail?seconds=1000000&code=503")
    post(url, "faults/drop-watches")
    post(url, f"churn?plural=pods&count={churn}")
    before = pods.events
    post(url, "faults/clear")
    deadline = time.monotonic() + 300
    t_first = None
    while pods.events - before < churn and time.monotonic() < deadline:
        if t_first is None and pods.events > before:
            t_first = time.perf_counter()
        time.sleep(0.002)
    t_last = time.perf_counter()
    applied = pods.events - before
    t_events = (t_last - t_first) if t_first else 0.0
    mgr.stop()
    mgr.join()

    # The same bytes, parsed bare.
    blobs = []
    for plural in WATCHED:
        with urllib.request.urlopen(url + list_path(plural, None), timeout=300) as r:
            blobs.append(r.read())
    t2 = time.perf_counter()
    for b in blobs:
        json.loads(b)
    bare = time.perf_counter() - t2

    print(json.dumps({
        "state.sync_seconds": round(sync, 2),
        "state.events_applied": applied,
        "state.events_per_s": round(applied / t_events) if t_events else None,
        "state.rss_mb": round(rss_after, 1),
        "state.rss_growth_mb": round(rss_after - rss_before, 1),
        "json.loads_seconds": round(bare, 2),
        "json.bytes_mb": round(sum(map(len, blobs)) / 1e6, 1),
    }))


if __name__ == "__main__":
    main()
