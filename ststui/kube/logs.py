"""Container log streams: one GET .../pods/NAME/log per container, read into a LogRing.

Place in the flow: the TUI's log view makes one `LogStream` per pod (a StatefulSet-wide
view makes one per pod of the set) and runs each `run()` in a Textual thread worker, the
way the watch loops run: the thread only writes to the ring (`state.logring`) and to its
own `state`/`message`, which the UI reads ~10 times a second; the UI never waits on it.
`stop()` closes the connection from the UI thread, so a stream blocked in a read ends at
once and the app can always quit. Lines are asked with timestamps (the ring orders lines
of several pods by them; the view shows or hides them).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from ststui.kube.rest import HttpError, open_request, raise_for_status
from ststui.state.logring import LogLine, LogRing, split_timestamp

DEFAULT_TAIL = 500


@dataclass(frozen=True)
class LogSource:
    namespace: str
    pod: str
    container: str
    previous: bool = False
    follow: bool = True
    tail: int | None = DEFAULT_TAIL
    uid: str | None = None          # the pod this stream belongs to (a replaced pod gets a new stream)


def log_query(source: LogSource) -> list[tuple[str, str]]:
    query = [("container", source.container), ("timestamps", "true")]
    if source.follow and not source.previous:
        query.append(("follow", "true"))
    if source.previous:
        query.append(("previous", "true"))
    if source.tail is not None:
        query.append(("tailLines", str(source.tail)))
    return query


def log_path(source: LogSource) -> str:
    return f"/api/v1/namespaces/{source.namespace}/pods/{source.pod}/log"


class LogStream:
    """One log request. `state`: connecting -> streaming -> ended | failed | stopped."""

    def __init__(self, api_client, source: LogSource, ring: LogRing) -> None:
        self.api_client = api_client
        self.source = source
        self.ring = ring
        self.state = "connecting"
        self.message = ""
        self.lines = 0
        self._stop = threading.Event()
        self._raw = None
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self.state in ("ended", "failed", "stopped")

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            raw = self._raw
        if raw is not None:
            try:
                raw.shutdown()          # unblocks a read in the stream's thread
            except Exception:
                pass
            try:
                raw.release_conn()
            except Exception:
                pass

    def run(self) -> None:
        """Read the log until it ends, fails or `stop()`; never raises."""
        source = self.source
        try:
            raw = open_request(self.api_client, "GET", log_path(source), query=log_query(source),
                               accept="*/*", timeout=(10, None))
            with self._lock:
                self._raw = raw
            if self._stop.is_set():
                raise _Stopped
            raise_for_status(raw)
            self.state = "streaming"
            pending = b""
            for chunk in raw.stream(65536, decode_content=True):
                if self._stop.is_set():
                    raise _Stopped
                if not chunk:
                    continue
                pending += chunk
                *complete, pending = pending.split(b"\n")
                self._add(complete)
            if pending:
                self._add([pending])
            self.state = "ended"
            self.message = ("the container stopped; its log ends here" if source.follow and not source.previous
                            else "end of the log")
        except _Stopped:
            self.state, self.message = "stopped", "stopped"
        except HttpError as exc:
            self.state, self.message = "failed", exc.message
        except Exception as exc:
            if self._stop.is_set():
                self.state, self.message = "stopped", "stopped"
            else:
                self.state = "failed"
                self.message = f"the log stream broke off ({type(exc).__name__})"
        finally:
            with self._lock:
                raw, self._raw = self._raw, None
            if raw is not None:
                try:
                    raw.release_conn()
                except Exception:
                    pass

    def _add(self, raw_lines: list[bytes]) -> None:
        out = []
        for raw in raw_lines:
            text = raw.decode("utf-8", "replace").rstrip("\r")
            stamp, rest = split_timestamp(text)
            out.append(LogLine(self.source.pod, self.source.container, stamp, rest, self.source.uid or ""))
        if out:
            self.lines += len(out)
            self.ring.extend(out)


class _Stopped(Exception):
    pass
