"""Keys through the real terminal driver (tui/driver.py), which Pilot never uses: a real
`ststui --demo` on a pseudo-terminal gets a filter typed, a lone Escape (delivered by the
driver's own wait, not Textual's), arrow keys (whole sequences, not an Escape and
letters) and `q`."""
from __future__ import annotations

import os
import re
import select
import time

from test_terminal_gone import start_tui, wait_exit


SGR = re.compile(rb"\x1b\[[0-9;]*m")


def read_until(master, pattern: bytes, limit: float = 30.0) -> bytes:
    """Read the terminal until `pattern` shows in its text (styles removed)."""
    seen = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
            if re.search(pattern, SGR.sub(b"", seen)):
                return seen
    raise AssertionError(f"never saw {pattern!r}; last output {seen[-300:]!r}")


def drain(master, proc, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def test_filter_escape_arrows_and_quit_in_a_real_terminal(tmp_path):
    proc, master = start_tui(tmp_path)
    try:
        read_until(master, rb"live")
        time.sleep(1.0)                                 # the first paint settles
        os.write(master, b"/")
        read_until(master, rb"filter StatefulSets by")
        os.write(master, b"db")
        read_until(master, rb"filter db")
        os.write(master, b"\x1b")                      # a lone Escape closes the filter
        read_until(master, rb"[^/0-9]9 sts")
        os.write(master, b"\x1b[B\x1b[B")              # two Downs: not Escape + "[B"
        read_until(master, "Pods · postgres".encode())   # clickhouse, redis, postgres
        os.write(master, b"q")
        drain(master, proc)                             # keep reading: a full pty blocks its writer
        assert wait_exit(proc, 5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
