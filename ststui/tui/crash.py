"""When ststui itself fails: one line on the terminal, a report on disk, exit code 1; and
quitting when the terminal is gone.

Place in the flow: `StsTuiApp` hands an unhandled exception to `crash_line()` instead of
Textual's crash screen (which prints local variables, and those can hold the client
configuration); `commands.tui.run_tui` does the same for anything outside the app.
The report is the traceback without local variables, passed through
`kube.connect.mask_secrets`, written 0600 under $XDG_STATE_HOME/ststui (or
~/.local/state/ststui, or the temp folder).

`TerminalGuard` makes the app quit within a second when its terminal goes away: on
SIGHUP, and when the terminal stops answering (a closed pty makes reads return EOF and
`tcgetattr` fail with EIO; some multiplexers and wrappers never send SIGHUP).
"""
from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from ststui.kube.connect import mask_secrets

EXIT_CRASH = 1


def report_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "ststui"


def write_report(exc: BaseException, folder: Path | None = None) -> Path | None:
    """The crash report file (traceback, no locals, secrets masked); None if no folder
    could be written."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    body = mask_secrets(f"ststui crash report, {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
                        f"python {sys.version.split()[0]}\n\n{text}")
    for where in ([folder] if folder else []) + [report_dir(), Path(tempfile.gettempdir())]:
        try:
            where.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = where / f"ststui-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
            return path
        except OSError:
            continue
    return None


def crash_line(exc: BaseException, folder: Path | None = None) -> str:
    """Write the report; return the one line to print."""
    path = write_report(exc, folder)
    what = mask_secrets(f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
    where = f"; report: {path}" if path else "; no report could be written"
    return f"ststui stopped on an internal error ({what}){where}"


class TerminalGuard:
    """Quit when the terminal is gone: SIGHUP, or the terminal failing (EIO, EOF)."""

    def __init__(self, on_gone: Callable[[str], None], fd: int | None = None,
                 interval: float = 0.25, hard_exit_after: float = 1.0) -> None:
        self.on_gone = on_gone
        self.fd = fd if fd is not None else _stdin_fd()
        self.interval = interval
        self.hard_exit_after = hard_exit_after
        self._stop = threading.Event()
        self._fired = False
        self._previous: dict[int, Any] = {}

    def start(self) -> "TerminalGuard":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGHUP,):
                try:
                    self._previous[sig] = signal.signal(sig, lambda *_: self.gone("the terminal hung up"))
                except (ValueError, OSError):
                    pass
        # Not a terminal to begin with (tests, pipes): nothing to guard.
        if self.fd is not None and self.alive():
            threading.Thread(target=self._watch, name="terminal-guard", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for sig, handler in self._previous.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError, TypeError):
                pass

    def alive(self) -> bool:
        """Whether the terminal still answers (a hung-up tty fails tcgetattr with EIO)."""
        try:
            import termios
            termios.tcgetattr(self.fd)
            return True
        except Exception:
            return False

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.alive():
                self.gone("the terminal is gone")
                return

    def gone(self, why: str) -> None:
        if self._fired:
            return
        self._fired = True
        try:
            self.on_gone(why)
        finally:
            # If a clean exit cannot finish (writes to a dead terminal block), leave anyway.
            timer = threading.Timer(self.hard_exit_after, lambda: os._exit(EXIT_CRASH))
            timer.daemon = True
            timer.start()


def _stdin_fd() -> int | None:
    try:
        fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else None
    except (ValueError, OSError):
        return None
    return fd if fd is not None and os.isatty(fd) else None
