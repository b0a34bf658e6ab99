"""The simulated cluster: one object store, its clock, its controllers and its faults.

Place in the flow: `server` serves `cluster.store` over HTTP and consults
`cluster.faults`; controllers (statefulset, volumes, kubelet, garbage collector, events)
hear every store change and reconcile in `run_pending()`. With a real clock a loop
thread runs them as changes arrive and timers fall due; with a manual clock the same
thread runs zero-time work, and time moves only through `advance()` / `settle()`,
which tests call instead of sleeping.
"""
from __future__ import annotations

import threading
from typing import Protocol

from .clock import Clock, ManualClock, RealClock
from .faults import Faults
from .objects import Change, ObjectStore


class Controller(Protocol):
    """What a controller offers the cluster loop."""

    def observe(self, change: Change) -> None:
        """Called under the store lock for every change: cheap, just note the work."""

    def reconcile(self) -> bool:
        """Do pending work now (under the store lock); True if anything was written."""

    def next_wakeup(self) -> float | None:
        """The earliest simulated time at which this controller has timed work, if any."""


class Cluster:
    MAX_ROUNDS = 10_000

    def __init__(self, clock: Clock | None = None, *, seed: int = 7,
                 history_limit: int = 200_000) -> None:
        self.clock: Clock = clock or ManualClock()
        from .admission import admit  # defaults + validation, kept out of the store
        self.store = ObjectStore(self.clock, seed=seed, history_limit=history_limit, admission=admit)
        self.faults = Faults(self)
        self.controllers: list[Controller] = []
        self._wake = threading.Condition(threading.Lock())
        self._dirty = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.store.add_listener(self._on_change)
        from .controllers import install_all
        install_all(self)
        from . import version_rules       # v1.32's feature gates and StatefulSet rules
        version_rules.install(self)

    # ---- wiring

    def add_controller(self, controller: Controller) -> None:
        self.controllers.append(controller)

    def _on_change(self, change: Change) -> None:
        for c in self.controllers:
            c.observe(change)
        with self._wake:
            self._dirty = True
            self._wake.notify()

    def now(self) -> float:
        return self.clock.now()

    def scaled(self, seconds: float) -> float:
        """A duration of the sim's own (delays, back-offs, intervals) as it passes at the clock's speed."""
        return self.clock.scaled(seconds)

    def set_clock(self, clock: Clock) -> None:
        """Swap clocks (scenarios are built on a manual clock, then run on a real one)."""
        with self.store.lock:
            self.clock = clock
            self.store.clock = clock
        with self._wake:
            self._wake.notify()

    # ---- running controllers

    def run_pending(self) -> int:
        """Reconcile until no controller has zero-time work left; returns rounds that wrote."""
        rounds = 0
        with self.store.lock:
            with self._wake:
                self._dirty = False
            for _ in range(self.MAX_ROUNDS):
                wrote = False
                for c in self.controllers:
                    if c.reconcile():
                        wrote = True
                if not wrote:
                    break
                rounds += 1
        return rounds

    def next_wakeup(self) -> float | None:
        with self.store.lock:
            times = [t for t in (c.next_wakeup() for c in self.controllers) if t is not None]
        return min(times) if times else None

    def advance(self, seconds: float) -> None:
        """Move a manual clock forward by `seconds`, firing every timer on the way in order."""
        if not isinstance(self.clock, ManualClock):
            raise RuntimeError("advance() needs a manual clock")
        target = self.clock.now() + seconds
        self.run_pending()
        self._run_timers_until(target)
        self.clock.set(target)
        self.run_pending()

    def settle(self, max_seconds: float = 3600.0) -> float:
        """Advance a manual clock until nothing is pending (or `max_seconds` passed).

        Returns the simulated seconds that passed.
        """
        if not isinstance(self.clock, ManualClock):
            raise RuntimeError("settle() needs a manual clock")
        start = self.clock.now()
        self.run_pending()
        self._run_timers_until(start + max_seconds)
        return self.clock.now() - start

    def _run_timers_until(self, limit: float) -> None:
        """Fire timers in time order up to `limit`. A controller that keeps asking for a
        time already passed without writing anything would spin forever: give up then."""
        stuck = 0
        while stuck < 100:
            t = self.next_wakeup()
            if t is None or t > limit:
                return
            before = self.clock.now()
            self.clock.set(max(t, before))
            wrote = self.run_pending()
            stuck = 0 if wrote or self.clock.now() > before else stuck + 1

    # ---- the loop thread

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sim-controllers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # a controller bug must not kill the cluster
                import logging
                logging.getLogger("ststui.sim").exception("controller round failed")
            wait = 1.0
            if not self.clock.manual:
                t = self.next_wakeup()
                if t is not None:
                    wait = min(wait, max(0.0, self.clock.wall_seconds(t - self.clock.now())))
            with self._wake:
                if not self._dirty and not self._stop.is_set():
                    self._wake.wait(wait if wait > 0 else 0.001)


def make_clock(speed: float | None) -> Clock:
    """speed None -> manual clock; otherwise real time at that speed."""
    return ManualClock() if speed is None else RealClock(speed)
