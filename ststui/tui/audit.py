"""The record of changes made from the UI: an in-app log and the optional --audit-log file.

Place in the flow: after `ops.execute` returns an `OpResult`, the app calls
`ActionLog.record(...)`; the log screen (`l`) shows the entries, and when a path was
given each entry is appended to that file as one line (UTC time, context, outcome,
result sentence, kubectl equivalent). Nothing secret is written: only what the user saw.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class LogEntry:
    when: float          # seconds since the epoch (the app's clock)
    context: str
    title: str           # the plan's title, e.g. "Step rollout of default/web"
    ok: bool
    message: str         # the result sentence shown to the user
    kubectl: tuple[str, ...]

    def line(self) -> str:
        stamp = datetime.fromtimestamp(self.when, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        outcome = "OK" if self.ok else "FAILED"
        commands = " && ".join(self.kubectl) if self.kubectl else "-"
        return f"{stamp}\tcontext={self.context}\t{outcome}\t{self.title}\t{self.message}\t{commands}"


class ActionLog:
    """Entries in memory, mirrored to an append-only file when `path` is set."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.entries: list[LogEntry] = []
        self._lock = threading.Lock()
        self.file_error: str | None = None

    def record(self, entry: LogEntry) -> None:
        with self._lock:
            self.entries.append(entry)
            if self.path is None:
                return
            try:
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(entry.line() + "\n")
            except OSError as exc:
                self.file_error = f"Could not write the audit log {self.path}: {exc.strerror or exc}."
