"""Sim churn: watch load for benchmarks, as real changes the API server streams out.

Place in the flow: `controls.apply` routes `POST /_sim/churn?...` here. Every touch
writes an annotation `ststui.sim/churn` holding a counter that only grows (one per
cluster), so every touch is a real change: N touches give N MODIFIED events, whatever
was touched before.

Two forms:
  count=N                 touch N objects now, round-robin over the plural, and return
  rate=R&seconds=S        touch R objects per second for S seconds from a background
                          thread (exactly round(R*S) touches in total, paced by the wall
                          clock in small batches); a new rate call replaces a running one,
                          rate=0 stops it. Bounded: S <= 3600, R <= 100,000.
"""
from __future__ import annotations

import threading
import time

ANNOTATION = "ststui.sim/churn"
MAX_SECONDS = 3600.0
MAX_RATE = 100_000.0
MAX_COUNT = 1_000_000
_TICK = 0.02                # a batch every 20 ms: 2,000/s is 40 touches a batch


class Churner:
    """One per cluster: the counter, the round-robin cursor and the rate thread."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.counter = 0
        self._cursor: dict[str, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.rate_touched = 0           # touches made by the current/last rate run

    def _targets(self, plural: str) -> list[tuple[str | None, str]]:
        store = self.cluster.store
        if plural not in store._objects:
            raise LookupError(f"no resource type {plural!r}")
        with store.lock:
            return [(o["metadata"].get("namespace"), o["metadata"]["name"])
                    for o in store._objects[plural].values()]

    def touch(self, plural: str, count: int, targets: list | None = None) -> int:
        """Touch `count` objects of `plural` now; returns how many changes were stored."""
        store = self.cluster.store
        if targets is None:
            targets = self._targets(plural)
        if not targets or count <= 0:
            return 0
        done = 0
        with self._lock:
            start = self._cursor.get(plural, 0)
            self._cursor[plural] = (start + count) % len(targets)
            first = self.counter + 1
            self.counter += count
        with store.lock:
            for i in range(count):
                ns, name = targets[(start + i) % len(targets)]
                value = str(first + i)
                if store.mutate(plural, ns, name,
                                lambda o, v=value: o["metadata"].setdefault("annotations", {})
                                .__setitem__(ANNOTATION, v)) is not None:
                    done += 1
        return done

    def start_rate(self, plural: str, rate: float, seconds: float) -> dict:
        if rate > MAX_RATE:
            raise ValueError(f"rate must be at most {MAX_RATE:.0f} per second")
        if seconds > MAX_SECONDS:
            raise ValueError(f"seconds must be at most {MAX_SECONDS:.0f}")
        self._targets(plural)                       # 404-style error before starting
        self.stop()
        total = round(rate * seconds)
        if total <= 0:
            return {"rate": 0, "seconds": 0, "total": 0, "running": False}
        self._stop = threading.Event()
        self.rate_touched = 0
        t = threading.Thread(target=self._run, args=(plural, rate, total, self._stop),
                             name="sim-churn", daemon=True)
        self._thread = t
        t.start()
        return {"rate": rate, "seconds": seconds, "total": total, "running": True}

    def _run(self, plural: str, rate: float, total: int, stop: threading.Event) -> None:
        targets = self._targets(plural)
        t0 = time.monotonic()
        made = 0
        while made < total and not stop.is_set():
            due = min(total, int((time.monotonic() - t0) * rate) + 1)
            if due > made:
                self.touch(plural, due - made, targets)
                self.rate_touched += due - made
                made = due
            stop.wait(_TICK)

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(5)
            self._thread = None

    def join(self, timeout: float | None = None) -> bool:
        """Wait for a running rate form to finish; True if none is running any more."""
        t = self._thread
        if t is None:
            return True
        t.join(timeout)
        return not t.is_alive()

    def status(self) -> dict:
        running = self._thread is not None and self._thread.is_alive()
        return {"counter": self.counter, "running": running, "rateTouched": self.rate_touched}


def churner(cluster) -> Churner:
    c = getattr(cluster, "_churner", None)
    if c is None:
        c = cluster._churner = Churner(cluster)
    return c


def control(cluster, query, number) -> dict:
    """The /_sim/churn control; `number(query, key, default)` parses query numbers."""
    plural = query.get("plural") or "pods"
    c = churner(cluster)
    if query.get("rate") not in (None, ""):
        return dict(c.start_rate(plural, number(query, "rate"), number(query, "seconds", 30.0)),
                    plural=plural)
    count = int(number(query, "count", 1000))
    if count > MAX_COUNT:
        raise ValueError(f"count must be at most {MAX_COUNT}")
    touched = c.touch(plural, count)
    return {"touched": touched, "counter": c.counter, "resourceVersion": str(cluster.store.rv)}
