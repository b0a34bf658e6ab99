"""The benchmark of what the user sees: the real TUI in a pseudo-terminal against `ststui sim`.

Run with `make bench` (or `.venv/bin/python bench/tui.py [--sizes 10k,50k] [--idle 20]`).
For each size it starts `ststui sim --scenario scale:<S>x10 --clock manual` in its own
process, measures two baselines on that server, then runs `ststui --kubeconfig K -A` and
`ststui --kubeconfig K -n scale-00` in a 200x50 pty (bench/pty_term.py: a pyte screen
reads the output) and records:

  rows_s        start to the first StatefulSet row on the screen
  complete_s    start to: header says live and no longer loading, a pod row and a Bound
                volume row shown
  keys idle     p50/p95 of >= 30 keys (down, up, tab, shift+tab, enter, escape, `/`,
                typing a filter, escape), each timed from the write to the pty to the
                arrival of the output that shows its effect (the Pods title names another
                set, the footer shows the pods/StatefulSets pane keys, the filter shows
                the text typed so far); one key at a time, 0.15 s apart
  keys churn    the same while the sim changes pods at --rate events/s (`/_sim/churn`)
  idle B/s, CPU bytes written to the terminal per second and CPU% of the TUI process over
                --idle seconds with nothing changing; RSS: its resident memory then
Baselines, same server, same run: `kubectl get pods -A` (or `-n`) as a table, and a
json.loads with the garbage collector off of the same LIST bytes the TUI parses.
Every wait is bounded (--limit seconds for the sync; 10 s a key): what did not happen in
time is reported as missing, never waited for forever.

Results: bench/results/tui-<date>.json and bench/results/tui-latest.json (not committed).
The machine is shared: numbers from a loaded machine are noisy; the table says the load.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from pty_term import PtyProgram, has  # noqa: E402
from run import start_sim  # noqa: E402

BIN = Path(sys.executable).parent
STSTUI = str(BIN / "ststui")
SIZES = {"1k": (100, 10), "10k": (1000, 10), "50k": (5000, 10)}
KEY_TIMEOUT = 10.0
KEY_GAP = 0.15

DOWN, UP, TAB, BTAB, ENTER, ESC = b"\x1b[B", b"\x1b[A", b"\t", b"\x1b[Z", b"\r", b"\x1b"


def post(url: str, path: str) -> dict:
    req = urllib.request.Request(f"{url}/_sim/{path}", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def sim_state(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/_sim/state", timeout=60) as r:
        return json.loads(r.read())


def proc_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- baselines ---------------------------------------------------------------------------

def kubectl_seconds(kubeconfig: str, namespace: str | None) -> float | None:
    scope = ["-A"] if namespace is None else ["-n", namespace]
    t0 = time.perf_counter()
    out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "get", "pods", *scope],
                         capture_output=True, timeout=600)
    t = time.perf_counter() - t0
    return round(t, 2) if out.returncode == 0 else None


def bare_parse_seconds(url: str, namespace: str | None) -> float:
    """json.loads, GC off, of the LIST bytes of every kind the TUI watches."""
    from ststui.kube.watch import WATCHED, list_path
    blobs = []
    for plural in WATCHED:
        ns = namespace if WATCHED[plural][1] else None
        with urllib.request.urlopen(url + list_path(plural, ns), timeout=300) as r:
            blobs.append(r.read())
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for b in blobs:
            json.loads(b)
        return round(time.perf_counter() - t0, 3)
    finally:
        gc.enable()


# --- what the screen shows ---------------------------------------------------------------

_TITLE = re.compile(r"Pods · (\S+)")


def pods_title(lines: list[str]) -> str | None:
    for line in lines:
        m = _TITLE.search(line)
        if m:
            return m.group(1)
    return None


def footer_has(text: str):
    return lambda lines: text in lines[-1]


def complete(lines: list[str]) -> bool:
    # "live" alone is not enough: the header says live (the watch is connected) while it
    # still reads "loading claims 6,656, volumes 3,072"; complete is when that is gone.
    return ("live" in lines[0] and "loading" not in lines[0] and "updating" not in lines[0] and any(re.search(r"app-\d{4}-\d+\s+Running", l) for l in lines)
            and any("pvc-" in l and "Bound" in l and "Delete" in l for l in lines))


def filter_shows(typed: str):
    return lambda lines: any(l.strip() == typed for l in lines[:3])


def filter_closed(lines: list[str]) -> bool:
    return "ststui" in lines[0] and not any(l.strip() == "app-00" for l in lines[:3])


def key_plan(app: PtyProgram) -> list[tuple[str, bytes, object]]:
    """One round of keys: (kind, bytes, predicate built when the key is sent)."""
    def other_title():
        before = pods_title(app.lines())
        return lambda lines: (pods_title(lines) or before) != before
    plan: list[tuple[str, bytes, object]] = []
    plan += [("down", DOWN, other_title)] * 3 + [("up", UP, other_title)] * 2
    plan += [("tab", TAB, lambda: footer_has("Force delete")),
             ("shift+tab", BTAB, lambda: footer_has("Restart")),
             ("enter", ENTER, lambda: footer_has("Force delete")),
             ("escape", ESC, lambda: footer_has("Restart")),
             ("/", b"/", lambda: has("filter StatefulSets by"))]
    typed = ""
    for ch in "app-00":
        typed += ch
        plan.append(("filter typing", ch.encode(), (lambda t=typed: filter_shows(t))))
    plan.append(("escape", ESC, lambda: filter_closed))
    return plan


def run_keys(app: PtyProgram, rounds: int) -> dict:
    by_kind: dict[str, list[float]] = {}
    missed = 0
    for _ in range(rounds):
        for kind, data, make_pred in key_plan(app):
            time.sleep(KEY_GAP)
            pred = make_pred()
            sent: list[float] = []
            t = app.wait_for(pred, KEY_TIMEOUT, after=lambda: sent.append(app.send(data)))
            if t is None:
                missed += 1
                by_kind.setdefault(kind, []).append(KEY_TIMEOUT)
            else:
                by_kind.setdefault(kind, []).append(max(0.0, t - sent[0]))
    every = [v for vs in by_kind.values() for v in vs]
    return {"n": len(every), "missed": missed, "p50_ms": pct(every, 50), "p95_ms": pct(every, 95),
            "by_kind_p50_ms": {k: pct(v, 50) for k, v in by_kind.items()},
            "by_kind_max_ms": {k: round(max(v) * 1000) for k, v in by_kind.items()}}


def pct(values: list[float], p: int) -> int | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000)
    q = statistics.quantiles(values, n=100, method="inclusive")
    return round(q[p - 1] * 1000)


# --- one TUI run -------------------------------------------------------------------------

def run_tui(kubeconfig: str, url: str, namespace: str | None, args) -> dict:
    scope = ["-A"] if namespace is None else ["-n", namespace]
    out: dict = {"scope": "-A" if namespace is None else f"-n {namespace}"}
    app = PtyProgram([STSTUI, "--kubeconfig", kubeconfig, *scope], cols=200, rows=50, cwd=str(ROOT))
    try:
        t = app.wait_for(has("app-0"), args.limit)
        out["rows_s"] = round(t - app.started, 2) if t else None
        left = max(1.0, args.limit - (time.perf_counter() - app.started))
        t = app.wait_for(complete, left)
        out["complete_s"] = round(t - app.started, 2) if t else None
        if t is None:
            out["note"] = f"not complete within {args.limit:.0f} s"
            out["rss_mb"] = round(app.rss_mb())
            return out
        time.sleep(3)                                   # let the last pages paint
        gc_note = app.rss_mb()
        t0, c0 = time.perf_counter(), app.cpu_seconds()
        time.sleep(args.idle)
        t1, c1 = time.perf_counter(), app.cpu_seconds()
        out["idle_bytes_per_s"] = round(app.bytes_between(t0, t1) / (t1 - t0))
        out["idle_cpu_pct"] = round(100 * (c1 - c0) / (t1 - t0), 1)
        out["rss_mb"] = round(max(gc_note, app.rss_mb()))
        out["keys_idle"] = run_keys(app, args.rounds)
        try:
            rv0, tc0 = int(sim_state(url)["resourceVersion"]), time.perf_counter()
            post(url, f"churn?plural=pods&rate={args.rate}&seconds={args.churn_seconds}")
            time.sleep(2)
            out["keys_churn"] = run_keys(app, args.rounds)
            rv1, tc1 = int(sim_state(url)["resourceVersion"]), time.perf_counter()
            out["churn_events_per_s"] = round((rv1 - rv0) / (tc1 - tc0))
            post(url, "churn?plural=pods&rate=0&seconds=0")
        except OSError as e:             # a loaded sim that does not answer a control in time
            out["churn_error"] = f"{type(e).__name__}: {e}"
        out["rss_after_churn_mb"] = round(app.rss_mb())
        return out
    finally:
        app.close()


def run_size(label: str, args) -> dict:
    sets, replicas = SIZES[label]
    scenario = f"scale:{sets}x{replicas}"
    result: dict = {"size": label, "scenario": scenario, "pods": sets * replicas, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = os.path.join(tmp, "kubeconfig")
        t0 = time.perf_counter()
        proc, url = start_sim(scenario, kubeconfig)
        result["sim_start_s"] = round(time.perf_counter() - t0, 1)
        result["sim_rss_mb"] = round(proc_rss_mb(proc.pid))
        try:
            for namespace in (None, "scale-00"):
                base = {"kubectl_s": kubectl_seconds(kubeconfig, namespace),
                        "bare_parse_s": bare_parse_seconds(url, namespace)}
                try:
                    run = dict(base, **run_tui(kubeconfig, url, namespace, args))
                except Exception as e:   # report what was measured, never a traceback only
                    run = dict(base, scope=namespace or "-A", error=f"{type(e).__name__}: {e}")
                for key in ("rows_s", "complete_s"):
                    if run.get(key) and run["kubectl_s"]:
                        run[f"{key}_vs_kubectl"] = round(run[key] / run["kubectl_s"], 2)
                    if run.get(key) and run["bare_parse_s"]:
                        run[f"{key}_vs_parse"] = round(run[key] / run["bare_parse_s"], 1)
                result["runs"].append(run)
                print(json.dumps(run), file=sys.stderr, flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return result


def table(results: dict) -> str:
    rows = [("size", "scope", "rows s (x kubectl)", "complete s (x kubectl, x parse)",
             "keys idle p50/p95 ms", "keys churn p50/p95 ms (ev/s)", "idle B/s", "idle CPU%", "RSS MB")]
    for size in results["sizes"]:
        for r in size["runs"]:
            def ki(k):
                d = r.get(k) or {}
                if not d:
                    return "-"
                miss = f" {d['missed']} missed" if d.get("missed") else ""
                return f"{d['p50_ms']}/{d['p95_ms']} n={d['n']}{miss}"
            rows.append((size["size"], r["scope"],
                         f"{r.get('rows_s')} ({r.get('rows_s_vs_kubectl')}x)",
                         f"{r.get('complete_s')} ({r.get('complete_s_vs_kubectl')}x, {r.get('complete_s_vs_parse')}x)",
                         ki("keys_idle"), f"{ki('keys_churn')} ({r.get('churn_events_per_s', '-')})",
                         str(r.get("idle_bytes_per_s", "-")), str(r.get("idle_cpu_pct", "-")),
                         str(r.get("rss_mb", "-"))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    base = ["", "baselines (same server, same run):"]
    for size in results["sizes"]:
        for r in size["runs"]:
            base.append(f"  {size['size']} {r['scope']}: kubectl get pods {r.get('kubectl_s')} s, "
                        f"GC-off json.loads of the same lists {r.get('bare_parse_s')} s; "
                        f"sim build+start {size.get('sim_start_s')} s, sim RSS {size.get('sim_rss_mb')} MB")
    return "\n".join(lines + base)


def _by(results: dict, size: str) -> dict | None:
    return next((s for s in results["sizes"] if s["size"] == size), None)


def _run(results: dict, size: str, scope: str = "-A") -> dict:
    found = _by(results, size)
    return next((r for r in (found or {}).get("runs", ()) if r.get("scope") == scope), {})


def _verdict(name: str, value, limit, unit: str = "", ratio: bool = False) -> tuple[str, str, str, str]:
    """(target, measured, limit, met or by how much it misses); value None = not measured."""
    shown_limit = f"< {limit}{unit}"
    if value is None:
        return (name, "not measured", shown_limit, "unknown")
    shown = f"{value}{unit}"
    if value < limit:
        return (name, shown, shown_limit, "met")
    over = value / limit if limit else float("inf")
    return (name, shown, shown_limit, f"missed: {over:.1f}x the target")


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    """Each target of issue 9 against this run."""
    out = []
    a50, a10 = _run(results, "50k"), _run(results, "10k")
    if _by(results, "50k"):
        out.append(_verdict("first StatefulSet rows, -A, 50k (x kubectl)", a50.get("rows_s_vs_kubectl"), 0.25, "x"))
        out.append(_verdict("complete, -A, 50k (x kubectl)", a50.get("complete_s_vs_kubectl"), 1.0, "x"))
        out.append(_verdict("complete, -A, 50k (x GC-off parse)", a50.get("complete_s_vs_parse"), 2.0, "x"))
    for size in ("10k", "50k"):
        found = _by(results, size)
        if not found:
            continue
        for phase in ("keys_idle", "keys_churn"):
            for r in found["runs"]:
                d = r.get(phase) or {}
                label = f"key p95, {size} {r['scope']}, {'idle' if phase == 'keys_idle' else 'churn'}"
                if phase == "keys_churn" and r.get("churn_events_per_s"):
                    label += f" ({r['churn_events_per_s']} ev/s)"
                out.append(_verdict(label, d.get("p95_ms"), 100, " ms"))
    if _by(results, "10k"):
        out.append(_verdict("idle terminal output, 10k -A", a10.get("idle_bytes_per_s"), 500, " B/s"))
        out.append(_verdict("idle CPU, 10k -A", a10.get("idle_cpu_pct"), 2, " %"))
        out.append(_verdict("resident memory, 10k -A", a10.get("rss_mb"), 120, " MB"))
    if _by(results, "50k"):
        out.append(_verdict("resident memory, 50k -A", a50.get("rss_mb"), 400, " MB"))
        s50 = _by(results, "50k")
        out.append(_verdict("sim scale:5000x10 build+start", s50.get("sim_start_s"), 10, " s"))
        out.append(_verdict("sim scale:5000x10 memory", s50.get("sim_rss_mb"), 600, " MB"))
    return out


def verdict_table(results: dict) -> str:
    rows = [("target", "measured", "limit", "verdict")] + verdicts(results)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,50k", help="comma-separated: 1k, 10k, 50k")
    ap.add_argument("--idle", type=float, default=20.0, help="seconds of idle measurement")
    ap.add_argument("--rounds", type=int, default=2, help="key rounds (17 keys each)")
    ap.add_argument("--rate", type=int, default=2000, help="churn events per second")
    ap.add_argument("--churn-seconds", type=int, default=120)
    ap.add_argument("--limit", type=float, default=300.0, help="seconds allowed for a sync")
    args = ap.parse_args()
    results: dict = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "python": sys.version.split()[0], "cpus": os.cpu_count(),
                     "load_before": os.getloadavg(), "sizes": []}
    for label in args.sizes.split(","):
        results["sizes"].append(run_size(label.strip(), args))
    results["load_after"] = os.getloadavg()
    outdir = HERE / "results"
    outdir.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2)
    (outdir / f"tui-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    (outdir / "tui-latest.json").write_text(text)
    print(f"ststui TUI in a 200x50 pty, {results['when']}, {results['cpus']} CPUs, Python {results['python']}, "
          f"load average {results['load_before'][0]:.1f} -> {results['load_after'][0]:.1f}")
    print(table(results))
    print()
    print(verdict_table(results))


if __name__ == "__main__":
    main()
