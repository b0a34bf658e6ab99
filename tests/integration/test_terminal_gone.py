"""The TUI quits when its terminal goes away: a real `ststui --demo` on a pseudo-terminal,
then the terminal closes (no SIGHUP sent to the process: what a wrapper ignoring SIGHUP
or a dropped session under some multiplexers looks like), or a SIGHUP arrives."""
from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest


def start_tui(tmp_path):
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30", XDG_STATE_HOME=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "ststui", "--demo"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True, close_fds=True)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 90
    while b"clickhouse" not in seen and time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    if b"clickhouse" not in seen:
        proc.kill()
        pytest.fail(f"the TUI did not start: {seen[-500:]!r}")
    return proc, master


def wait_exit(proc, limit: float = 30.0) -> int | None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc.returncode
        time.sleep(0.05)
    proc.kill()
    return None


def test_closed_terminal_makes_the_tui_quit(tmp_path):
    proc, master = start_tui(tmp_path)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)       # closing the master must not hang us up
    try:
        os.close(master)
    finally:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    assert wait_exit(proc) is not None, "ststui kept running after its terminal closed"


def test_sighup_makes_the_tui_quit(tmp_path):
    proc, master = start_tui(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGHUP)
        assert wait_exit(proc) is not None, "ststui kept running after SIGHUP"
    finally:
        os.close(master)
