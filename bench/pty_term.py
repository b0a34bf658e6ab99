"""A program in a pseudo-terminal, with a screen emulator reading what it writes.

Place in the flow: `bench/tui.py` starts the real `ststui` here (not Textual's Pilot: the
terminal output, its size and its cost count) and asks "when did the screen first show
X?". Output is read by a thread as it arrives and timestamped; another thread feeds each chunk
to a `pyte` screen and checks the waiting predicate after every chunk, so the time
recorded is the arrival of the bytes that made it true.

Why a screen emulator (pyte) and not searching the byte stream for text: Textual writes
only the regions that changed, splits a line into styled segments with cursor moves
between them and may repaint a row in pieces, so "is `Pods · app-0001` on the screen"
is only answerable from the emulated screen. pyte is the maintained pure-Python VT
emulator (used by many terminal test tools); it runs in the benchmark's process, never
in the TUI's.
"""
from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import threading
import time
from typing import Callable

import pyte

Predicate = Callable[[list[str]], bool]


class PtyProgram:
    def __init__(self, argv: list[str], *, cols: int = 200, rows: int = 50,
                 env: dict | None = None, cwd: str | None = None) -> None:
        self.cols, self.rows = cols, rows
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ)
        full_env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor"})
        full_env.pop("COLUMNS", None)
        full_env.pop("LINES", None)
        full_env.update(env or {})
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=full_env,
                                     cwd=cwd, start_new_session=True, close_fds=True)
        os.close(slave)
        self.fd = master
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.bytes_total = 0
        self.chunks: list[tuple[float, int]] = []      # (arrival, size)
        self._waiting: tuple[Predicate, threading.Event, list] | None = None
        self._closed = False
        self._arrived: list[tuple[float, bytes]] = []     # read, not yet fed to the screen
        self._arrival = threading.Condition()
        self.reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self.feeder = threading.Thread(target=self._feed, name="pty-feeder", daemon=True)
        self.reader.start()
        self.feeder.start()

    # --- reading -----------------------------------------------------------------------
    # Two threads: the reader only reads and timestamps (a syscall, so it is never held up
    # by the emulator), the feeder runs pyte. pyte is pure Python and takes tens of
    # milliseconds for a large repaint: fed in the reading thread, it delayed the reading
    # (and so the timestamp) of the chunks that followed, inflating every key latency.

    def _read(self) -> None:
        try:
            while not self._closed:
                try:
                    ready, _, _ = select.select([self.fd], [], [], 0.2)
                except (OSError, ValueError):
                    return
                if not ready:
                    continue
                try:
                    data = os.read(self.fd, 1 << 16)
                except OSError:
                    return
                if not data:
                    return
                now = time.perf_counter()
                with self._arrival:
                    self._arrived.append((now, data))
                    self._arrival.notify()
        finally:
            with self._arrival:
                self._arrived.append((time.perf_counter(), b""))
                self._arrival.notify()

    def _feed(self) -> None:
        while True:
            with self._arrival:
                while not self._arrived:
                    self._arrival.wait()
                batch, self._arrived = self._arrived, []
            for now, data in batch:
                if not data:
                    return
                with self.lock:
                    self.bytes_total += len(data)
                    self.chunks.append((now, len(data)))
                    try:
                        self.stream.feed(data)
                    except Exception:       # an escape sequence pyte does not know: keep going
                        pass
                    waiting = self._waiting
                    if waiting is not None:
                        pred, event, out = waiting
                        if pred(self.screen.display):
                            out.append(now)
                            self._waiting = None
                            event.set()

    def lines(self) -> list[str]:
        with self.lock:
            return list(self.screen.display)

    def wait_for(self, pred: Predicate, timeout: float, *, after: Callable[[], None] | None = None
                 ) -> float | None:
        """Arm `pred`, run `after` (e.g. send a key), and return the perf_counter time of the
        chunk that made `pred` true (or now, if it already held); None on timeout."""
        event = threading.Event()
        out: list[float] = []
        with self.lock:
            if after is None and pred(self.screen.display):
                return time.perf_counter()
            self._waiting = (pred, event, out)
        if after is not None:
            after()
        if not event.wait(timeout):
            with self.lock:
                self._waiting = None
            return None
        return out[0]

    def send(self, data: bytes) -> float:
        t = time.perf_counter()
        os.write(self.fd, data)
        return t

    def bytes_between(self, t0: float, t1: float) -> int:
        with self.lock:
            return sum(n for t, n in self.chunks if t0 <= t < t1)

    # --- the process ---------------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """utime + stime of the program (its threads included), from /proc."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.write(self.fd, b"\x03")      # ctrl+c, then q, then signals
                os.write(self.fd, b"q")
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        self._closed = True
        self.reader.join(2)
        try:
            os.close(self.fd)
        except OSError:
            pass


def has(text: str) -> Predicate:
    return lambda lines: any(text in line for line in lines)


def matches(pattern: str) -> Callable[[list[str]], re.Match | None]:
    rx = re.compile(pattern)

    def find(lines: list[str]) -> re.Match | None:
        for line in lines:
            m = rx.search(line)
            if m:
                return m
        return None
    return find
