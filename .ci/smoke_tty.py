"""CI smoke test: start an installed `ststui --demo` under a pseudo-terminal and see rows.

Usage: python .ci/smoke_tty.py /path/to/venv/bin/ststui
Runs the program from a temporary directory (so nothing can come from the source tree),
with a 100x30 pty, reads the screen until the demo's StatefulSet rows (shop/web's
neighbours postgres and clickhouse) appear, presses `q`, and checks that it exits 0.
Exit 1 with the last screen text on failure. Bounded: 120 s to see the rows, 30 s to quit.
"""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>NOM78c]")
WANTED = (b"postgres", b"clickhouse", b"StatefulSets")


def main(program: str) -> int:
    workdir = tempfile.mkdtemp(prefix="ststui-smoke-")
    pid, fd = pty.fork()
    if pid == 0:  # child: a clean terminal environment, in a directory outside the source tree
        os.chdir(workdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(TERM="xterm-256color", COLUMNS="100", LINES="30", HOME=workdir,
                   XDG_CONFIG_HOME=os.path.join(workdir, "config"))
        os.execve(program, [program, "--demo"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    seen = b""

    def read_for(seconds: float, until=None) -> bool:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False          # the child closed the terminal
                if not chunk:
                    return False
                seen = (seen + chunk)[-400_000:]
                if until is not None and until(ANSI.sub(b"", seen)):
                    return True
        return False

    ok = read_for(120, lambda text: all(w in text for w in WANTED))
    if not ok:
        print("smoke: the demo's rows did not appear; last output:", file=sys.stderr)
        print(ANSI.sub(b"", seen)[-3000:].decode("utf-8", "replace"), file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return 1
    print("smoke: rows seen:", ", ".join(w.decode() for w in WANTED))
    os.write(fd, b"q")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        read_for(0.5)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            print(f"smoke: `q` quit, exit code {code}")
            return 0 if code == 0 else 1
    print("smoke: `q` did not quit within 30 s", file=sys.stderr)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
