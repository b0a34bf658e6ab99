"""The record of changes made from the UI: an in-app log and the optional --audit-log file.

Place in the flow: after `ops.execute` returns an `OpResult`, the app calls
`ActionLog.record(...)`; the log screen (`l`) shows the entries, and when a path was
given each entry is appended to that file as one line (UTC time, context, outcome,
result sentence, kubectl equivalent). Nothing secret is written: only what the user saw,
through `kube.connect.mask_secrets`. The file is created 0600, and only when the first
entry is written.
"""
from __future__ import annotations

import os
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
        from ststui.kube.connect import mask_secrets
        line = f"{stamp}\tcontext={self.context}\t{outcome}\t{self.title}\t{self.message}\t{commands}"
        return mask_secrets(line.replace("\n", " "))


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
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as handle:
                    handle.write(entry.line() + "\n")
            except OSError as exc:
                self.file_error = f"Could not write the audit log {self.path}: {exc.strerror or exc}."
