"""The simulated cluster's clock: the wall clock (its own durations shortened by a speed), or a manual clock for tests.

Place in the flow: everything time-dependent in the sim (timestamps on objects, kubelet
delays, grace periods, 5xx fault windows, bookmarks' cadence) reads `clock.now()`, and
the sim's own durations (kubelet start/ready/stop delays, restart back-offs,
provisioning, the node controller's eviction wait) pass through `clock.scaled(seconds)`
(`Cluster.scaled`). A `RealClock` always shows the wall time: `--speed 20` makes those
durations 20 times shorter instead of moving the clock ahead, so ages shown by kubelet
and ststui are true. Tests hold a `ManualClock` (the only way timestamps leave the wall
clock) and move it with `Cluster.advance()` / `Cluster.settle()` instead of sleeping.
minReadySeconds and the grace period written into deletionTimestamp keep their meaning
in wall seconds; the taint eviction wait (tolerationSeconds) is shortened like the rest.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

# A fixed, recognisable epoch for manual clocks: 2026-01-01T00:00:00Z.
MANUAL_EPOCH = 1767225600.0


class Clock:
    """Seconds since the Unix epoch, as the simulated cluster sees them."""

    manual = False

    def now(self) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def wall_seconds(self, sim_seconds: float) -> float:
        """How long real waiting corresponds to `sim_seconds` of the clock's time."""
        return sim_seconds

    def scaled(self, seconds: float) -> float:
        """One of the sim's own durations, as it passes on this clock."""
        return seconds


class RealClock(Clock):
    """The wall clock; `speed=10` makes the sim's own delays (a pod's start, a container's stop,
    restart back-offs) 10 times shorter. Timestamps never run ahead of the wall."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._t0_wall = time.time()
        self._t0_mono = time.monotonic()

    def now(self) -> float:
        return self._t0_wall + (time.monotonic() - self._t0_mono)

    def wall_seconds(self, sim_seconds: float) -> float:
        return max(0.0, sim_seconds)

    def scaled(self, seconds: float) -> float:
        return max(0.0, seconds / self.speed)


class ManualClock(Clock):
    """Time moves only when told to."""

    manual = True

    def __init__(self, start: float = MANUAL_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, t: float) -> None:
        with self._lock:
            if t > self._now:
                self._now = t


def rfc3339(t: float) -> str:
    """Kubernetes' timestamp format, to the second, UTC."""
    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
