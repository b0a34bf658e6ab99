"""A bounded ring of log lines, filled by log stream threads and read by the log view.

Place in the flow: `kube.logs.LogStream` threads `add()` the lines they read from
pods/log (each line with its pod, container and the kubelet's timestamp); the TUI's log
view takes a `snapshot()` about ten times a second when `version` moved. Memory is
bounded by `capacity` whatever the cluster writes: the oldest lines go first. Lines of
several pods (a StatefulSet-wide view) are kept in timestamp order, so their
start-up tails interleave as they happened. Pure Python, no I/O.
"""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

DEFAULT_CAPACITY = 5000


@dataclass(frozen=True, slots=True)
class LogLine:
    pod: str
    container: str
    time: str          # the kubelet's RFC 3339 timestamp ("" when the server sent none)
    text: str
    uid: str = ""      # the pod's uid, when known (a replaced pod has the same name, not the same uid)


def split_timestamp(raw: str) -> tuple[str, str]:
    """("2026-01-01T00:00:03.250000000Z", "text") from a line asked with timestamps=true."""
    head, sep, rest = raw.partition(" ")
    if sep and len(head) >= 20 and head[4:5] == "-" and head[10:11] == "T" and head.endswith("Z"):
        return head, rest
    return "", raw


class LogRing:
    """Thread-safe, bounded, ordered by timestamp (ties and untimed lines keep arrival order)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("a log ring holds at least one line")
        self.capacity = capacity
        self._lines: deque[LogLine] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._version = 0
        self.received = 0           # lines ever added
        self.dropped = 0            # lines pushed out (or too old to keep)

    def __len__(self) -> int:
        with self._lock:
            return len(self._lines)

    @property
    def version(self) -> int:
        return self._version

    def add(self, line: LogLine) -> None:
        with self._lock:
            self._add(line)
            self._version += 1

    def extend(self, lines) -> None:
        with self._lock:
            for line in lines:
                self._add(line)
            self._version += 1

    def _add(self, line: LogLine) -> None:
        ring = self._lines
        self.received += 1
        full = len(ring) == self.capacity
        if not ring or not line.time or not ring[-1].time or line.time >= ring[-1].time:
            if full:
                self.dropped += 1
            ring.append(line)
            return
        # Older than the newest line kept: find its place from the right (usually near).
        index = len(ring) - 1
        while index >= 0 and ring[index].time and ring[index].time > line.time:
            index -= 1
        if full:
            self.dropped += 1
            if index < 0:
                return              # older than everything kept: it would be the one to go
            ring.popleft()
            index -= 1
        ring.insert(index + 1, line)

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()
            self._version += 1

    def snapshot(self) -> tuple[int, list[LogLine]]:
        with self._lock:
            return self._version, list(self._lines)
