"""The simulated API server at scale: start-up time and resident memory of `ststui sim`.

Run with `.venv/bin/python bench/sim_scale.py [--scenario scale:5000x10]`. Starts
`ststui sim --scenario S --clock manual` in its own process on 127.0.0.1 and records:

  start_s          process start to "listening" (the build, plus interpreter start-up)
  rss_start_mb     the sim's resident memory once it listens (VmRSS)
  list_s           one full `GET /api/v1/pods` LIST (raw bytes, read to the end)
  rss_list_mb      the sim's VmRSS after that LIST
  kubectl_s        wall time of `kubectl get pods -A | wc -l` (a paged Table LIST)
  rss_kubectl_mb   the sim's VmRSS after it
  watch_all_s      a watch from "now" (no resourceVersion) read until it has sent every pod
                   as ADDED; rss_watch_mb after it
  churn_events     watch events one pods watcher got while `/_sim/churn?plural=pods&
                   rate=R&seconds=T` ran, and the events per second that makes
  rss_churn_mb     VmRSS after the churn
  hwm_mb           the sim's peak resident memory over the whole run (VmHWM)

Traffic goes to 127.0.0.1 only; every wait is bounded.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import start_sim as run_start_sim  # noqa: E402

def status_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def start_sim(scenario: str, kubeconfig: str) -> tuple[subprocess.Popen, str, float]:
    """bench/run.py's start_sim, timed: (process, URL, seconds to listening)."""
    t0 = time.perf_counter()
    proc, url = run_start_sim(scenario, kubeconfig)
    return proc, url, time.perf_counter() - t0


def churn(url: str, rate: int, seconds: int) -> dict:
    with urllib.request.urlopen(url + "/api/v1/pods?limit=1", timeout=60) as r:
        rv = json.loads(r.read())["metadata"]["resourceVersion"]
    watch = urllib.request.urlopen(
        f"{url}/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds={seconds + 30}",
        timeout=seconds + 60)
    seen = [0]

    def read() -> None:
        try:
            for line in watch:
                if b'"BOOKMARK"' not in line[:40]:
                    seen[0] += 1
        except (OSError, AttributeError, ValueError):   # the stream closed under the reader
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    t0 = time.perf_counter()
    req = urllib.request.Request(f"{url}/_sim/churn?plural=pods&rate={rate}&seconds={seconds}",
                                 method="POST", data=b"")
    urllib.request.urlopen(req, timeout=seconds + 60).read()     # starts the churn thread
    expected = rate * seconds
    deadline = t0 + seconds + 30
    while seen[0] < expected and time.perf_counter() < deadline:
        time.sleep(0.2)
    t = time.perf_counter() - t0
    watch.close()
    return {"churn_events": seen[0], "churn_s": round(t, 1), "churn_events_per_s": round(seen[0] / t)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="scale:5000x10")
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    kubeconfig = str(Path(tempfile.mkdtemp(prefix="ststui-bench-")) / "kubeconfig")
    proc, url, start_s = start_sim(args.scenario, kubeconfig)
    pid = proc.pid
    out: dict = {"scenario": args.scenario, "start_s": round(start_s, 1),
                 "rss_start_mb": status_mb(pid, "VmRSS")}
    try:
        t0 = time.perf_counter()
        with urllib.request.urlopen(url + "/api/v1/pods", timeout=300) as r:
            size = len(r.read())
        out.update(list_s=round(time.perf_counter() - t0, 2), list_mb=round(size / 1e6, 1),
                   rss_list_mb=status_mb(pid, "VmRSS"))
        t0 = time.perf_counter()
        lines = subprocess.run(f"kubectl --kubeconfig {kubeconfig} get pods -A | wc -l", shell=True,
                               capture_output=True, text=True, timeout=600).stdout.strip()
        out.update(kubectl_s=round(time.perf_counter() - t0, 2), kubectl_lines=int(lines or 0),
                   rss_kubectl_mb=status_mb(pid, "VmRSS"))
        t0 = time.perf_counter()
        pods = out["kubectl_lines"] - 1
        with urllib.request.urlopen(url + "/api/v1/pods?watch=true&timeoutSeconds=120", timeout=150) as w:
            added = 0
            while added < pods:
                line = w.readline()
                if not line:
                    break
                added += b'"ADDED"' in line[:20]
        out.update(watch_all_s=round(time.perf_counter() - t0, 2), watch_added=added,
                   rss_watch_mb=status_mb(pid, "VmRSS"))
        if args.seconds > 0:
            out.update(churn(url, args.rate, args.seconds))
            out["rss_churn_mb"] = status_mb(pid, "VmRSS")
        out["hwm_mb"] = status_mb(pid, "VmHWM")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
