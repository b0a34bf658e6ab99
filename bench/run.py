"""ststui benchmarks: the simulated API server and the live-state sync, on scale:1000x10.

Run with `make bench` (or `.venv/bin/python bench/run.py [--scenario scale:1000x10]`).
Starts `ststui sim` in its own process on 127.0.0.1 (manual clock: nothing moves but
what the benchmark does), then measures from other processes, so the sim's memory and
CPU never count against the client's:

  sim.list_pods            LIST of all pods over HTTP (raw bytes), best of 3
  sim.watch_events_per_s   watch events delivered per second to one watcher
  state.sync_seconds       ststui's WatchManager: start to a complete store (all kinds)
  state.events_per_s       watch events applied to the store per second
  state.rss_mb             resident memory of the client process after the sync
  kubectl.seconds          `kubectl get sts,pods,pvc,pv -A -o json` against the same sim
  json.loads_seconds       a bare json.loads of the same bytes the sync had to parse

Prints a table and writes bench/results/latest.json. Sends traffic to 127.0.0.1 only;
every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def start_sim(scenario: str, kubeconfig: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [PY, "-m", "ststui", "sim", "--scenario", scenario, "--clock", "manual", "--port", "0",
         "--kubeconfig-out", kubeconfig],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    deadline = time.monotonic() + 300
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise SystemExit("the sim did not start")


def timed_get(url: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        data = r.read()
    return time.perf_counter() - t0, data


def bench_list(url: str) -> dict:
    times = []
    data = b""
    for _ in range(3):
        t, data = timed_get(url + "/api/v1/pods")
        times.append(t)
    items = len(json.loads(data)["items"])
    return {"sim.list_pods_seconds": min(times), "sim.list_pods_items": items,
            "sim.list_pods_mb": round(len(data) / 1e6, 1)}


def bench_watch(url: str, count: int) -> dict:
    """One watcher on pods; the sim touches `count` pods; count delivered lines per second."""
    with urllib.request.urlopen(url + "/api/v1/pods?limit=1", timeout=60) as r:
        rv = json.loads(r.read())["metadata"]["resourceVersion"]
    watch = urllib.request.urlopen(
        f"{url}/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds=120", timeout=120)
    req = urllib.request.Request(f"{url}/_sim/churn?plural=pods&count={count}", method="POST")
    urllib.request.urlopen(req, timeout=300).read()
    seen = 0
    t_first = t_last = None
    deadline = time.monotonic() + 120
    while seen < count and time.monotonic() < deadline:
        line = watch.readline()
        if not line:
            break
        ev = json.loads(line)
        if ev["type"] == "BOOKMARK":
            continue
        seen += 1
        now = time.perf_counter()
        t_first = t_first or now
        t_last = now
    watch.close()
    # The churn was produced before we read: this is the delivery rate of a backlog,
    # i.e. what the server can stream, not what the producer can make.
    rate = seen / (t_last - t_first) if t_first and t_last and t_last > t_first else 0.0
    return {"sim.watch_events": seen, "sim.watch_events_per_s": round(rate)}


def bench_client(kubeconfig: str, url: str, churn: int) -> dict:
    out = subprocess.run([PY, str(ROOT / "bench" / "client_sync.py"), kubeconfig, url, str(churn)],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"client_sync failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_kubectl(kubeconfig: str) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "get", "sts,pods,pvc,pv", "-A", "-o", "json"],
                         capture_output=True, timeout=900)
    t = time.perf_counter() - t0
    if out.returncode != 0:
        return {"kubectl.seconds": None, "kubectl.error": out.stderr.decode()[-300:]}
    return {"kubectl.seconds": round(t, 2), "kubectl.output_mb": round(len(out.stdout) / 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="scale:1000x10")
    ap.add_argument("--churn", type=int, default=50_000, help="watch events to produce")
    args = ap.parse_args()
    results: dict = {"scenario": args.scenario, "python": sys.version.split()[0],
                     "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M")}
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = os.path.join(tmp, "kubeconfig")
        t0 = time.perf_counter()
        proc, url = start_sim(args.scenario, kubeconfig)
        results["sim.start_seconds"] = round(time.perf_counter() - t0, 1)
        try:
            results.update(bench_list(url))
            results.update(bench_watch(url, args.churn))
            results.update(bench_client(kubeconfig, url, min(args.churn, 20_000)))
            results.update(bench_kubectl(kubeconfig))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if results.get("kubectl.seconds") and results.get("state.sync_seconds"):
        results["ratio.sync_vs_kubectl"] = round(results["state.sync_seconds"] / results["kubectl.seconds"], 2)
    if results.get("json.loads_seconds") and results.get("state.sync_seconds"):
        results["ratio.sync_vs_json_loads"] = round(results["state.sync_seconds"] / results["json.loads_seconds"], 2)
    outdir = ROOT / "bench" / "results"
    outdir.mkdir(exist_ok=True)
    (outdir / "latest.json").write_text(json.dumps(results, indent=2))
    width = max(len(k) for k in results)
    for k, v in results.items():
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
