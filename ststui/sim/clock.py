"""The simulated cluster's clock: real time scaled by a speed, or a manual clock for tests.

Place in the flow: everything time-dependent in the sim (timestamps on objects, kubelet
delays, grace periods, 5xx fault windows, bookmarks' cadence) reads `clock.now()`;
`cluster.Cluster` sleeps with `clock.wait(...)`. Tests hold a `ManualClock` and move it
with `Cluster.advance()` / `Cluster.settle()` instead of sleeping.
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
        """How long real waiting corresponds to `sim_seconds` of simulated time."""
        return sim_seconds


class RealClock(Clock):
    """Real time, optionally sped up: `speed=10` makes a 30 s grace period last 3 s."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._t0_wall = time.time()
        self._t0_mono = time.monotonic()

    def now(self) -> float:
        return self._t0_wall + (time.monotonic() - self._t0_mono) * self.speed

    def wall_seconds(self, sim_seconds: float) -> float:
        return max(0.0, sim_seconds / self.speed)


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
