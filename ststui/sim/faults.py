"""Fault injection for the simulated cluster: what tests use to hurt clients on purpose.

Place in the flow: `server` asks `faults` before answering each request (5xx windows,
added latency); the drop/expire controls act on `cluster.store` directly. Reachable
from Python (`cluster.faults`) and over HTTP under /_sim/ (see `server`).
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster


class Faults:
    def __init__(self, cluster: "Cluster") -> None:
        self._cluster = cluster
        self._lock = threading.Lock()
        self._error_until: float | None = None   # simulated time
        self._error_code = 503
        self.latency_seconds = 0.0                # real seconds added to every request
        self.latency_by_resource: dict[str, float] = {}   # plural -> real seconds added to its requests
        self.forbidden: set[str] = set()          # plurals answered with 403 (RBAC stand-in)
        self._thawed = threading.Event()          # cleared while the server is frozen
        self._thawed.set()
        self._thaw_timer: threading.Timer | None = None

    def fail_for(self, seconds: float, code: int = 503) -> None:
        """Answer every API request with `code` for `seconds` of simulated time."""
        if not 500 <= code <= 599:
            raise ValueError("fault code must be a 5xx status")
        with self._lock:
            self._error_until = self._cluster.now() + seconds
            self._error_code = code

    def clear(self) -> None:
        with self._lock:
            self._error_until = None
            self.latency_seconds = 0.0
            self.latency_by_resource = {}
            self.forbidden.clear()
        self.thaw()

    def freeze(self, seconds: float | None = None) -> None:
        """A stopped process or a network black hole: requests are accepted but nothing is
        answered, and open watch streams send nothing (no events, no bookmarks) until
        `thaw()` (or after `seconds` of wall time)."""
        with self._lock:
            self._thawed.clear()
            if self._thaw_timer is not None:
                self._thaw_timer.cancel()
                self._thaw_timer = None
            if seconds:
                self._thaw_timer = threading.Timer(float(seconds), self.thaw)
                self._thaw_timer.daemon = True
                self._thaw_timer.start()

    def thaw(self) -> None:
        self._thawed.set()

    @property
    def frozen(self) -> bool:
        return not self._thawed.is_set()

    def wait_thawed(self, limit: float = 3600.0) -> None:
        """Block the calling request thread while the server is frozen."""
        self._thawed.wait(limit)

    def forbid(self, plural: str, allowed: bool = False) -> None:
        """Answer 403 Forbidden for every request on `plural` (or allow it again)."""
        with self._lock:
            if allowed:
                self.forbidden.discard(plural)
            else:
                self.forbidden.add(plural)

    def is_forbidden(self, plural: str) -> bool:
        return plural in self.forbidden

    def active_error(self) -> int | None:
        with self._lock:
            if self._error_until is not None and self._cluster.now() < self._error_until:
                return self._error_code
            self._error_until = None
            return None

    def set_latency(self, seconds: float, resource: str | None = None) -> None:
        """Add `seconds` of real time to every request, or only to those for one resource
        (a plural: "pods"), which holds that kind's LIST back behind the others."""
        if resource:
            self.latency_by_resource[resource] = max(0.0, float(seconds))
        else:
            self.latency_seconds = max(0.0, float(seconds))

    def latency_for(self, path: str) -> float:
        """The latency to add to a request for `path` (an API path with its query)."""
        extra = 0.0
        if self.latency_by_resource:
            segments = path.split("?", 1)[0].split("/")
            extra = sum(sec for res, sec in self.latency_by_resource.items() if res in segments)
        return self.latency_seconds + extra

    def drop_watches(self) -> int:
        """Close every open watch stream; clients must re-watch."""
        return self._cluster.store.close_all_watches()

    def expire_history(self) -> None:
        """Forget watch history: the next watch from an older version gets 410 Expired."""
        self._cluster.store.compact()
