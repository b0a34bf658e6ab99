"""Record `screenshots/tour.cast`: the real app, in a pty, on the demo cluster.

Run by `make screenshots` (through `screenshots/make.py`), or alone with
`.venv/bin/python screenshots/record.py [OUT.cast]`. Starts the demo cluster in this
process (real clock, speed 1), runs `python -m ststui --kubeconfig ...` in a 100x30
pseudo-terminal, presses keys as a person would and writes everything the app prints
as an asciicast v2 file (a JSON header line, then `[seconds, "o", text]` lines).
Play it with `asciinema play screenshots/tour.cast`. Waits for pods to become Ready
play four times faster than they took; nothing else is sped up.

The tour: a staged rollout of shop/web stepped one ordinal at a time, a pod stuck
Terminating on a NotReady node force-deleted (its warning on screen), a Released volume
given back to its claim and the claim brought back by a scale-up, then the change log.
It is driven by names, never by row positions: what to select comes from the model
(`ststui get -o json`: the stuck pod, the Released volume and their StatefulSets), the
StatefulSet is picked with the `/` filter, and every key is read from the app's bindings
by binding id, so moved or remapped keys (e.g. the change log on `L`) are followed.
"""
from __future__ import annotations

import codecs
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ststui.sim.main import start_embedded, stop_embedded  # noqa: E402

WIDTH, HEIGHT = 100, 30
IDLE_LIMIT = 2.5        # longer pauses are shortened to this in the file
FAST_FORWARD = 4.0      # while waiting for pods to become Ready, time plays this much faster
TYPE_DELAY = 0.09

_NAMED_KEYS = {"escape": b"\x1b", "enter": b"\r", "tab": b"\t", "space": b" ", "down": b"\x1b[B",
               "up": b"\x1b[A", "left": b"\x1b[D", "right": b"\x1b[C", "home": b"\x1b[H", "end": b"\x1b[F",
               "slash": b"/", "question_mark": b"?", "colon": b":", "plus": b"+", "minus": b"-"}


def key_bytes(key: str) -> bytes:
    """What a terminal sends for a Textual key name (`a`, `L`, `shift+l`, `ctrl+k`, `escape`)."""
    if key in _NAMED_KEYS:
        return _NAMED_KEYS[key]
    if key.startswith("ctrl+") and len(key) == 6:
        return bytes([ord(key[-1].lower()) - 96])
    if key.startswith("shift+") and len(key) == 7:
        return key[-1].upper().encode()
    if len(key) == 1:
        return key.encode()
    raise ValueError(f"no byte sequence known for key {key!r}")


def binding_key(binding_id: str) -> bytes:
    """The key bound to a binding id in the app (first of its keys), as terminal bytes."""
    from ststui.tui import app, modals, panes
    classes = [app.StsTuiApp, modals.ConfirmModal, modals.ValueModal, modals.ChoiceModal]
    classes += [obj for obj in vars(panes).values() if isinstance(obj, type) and hasattr(obj, "BINDINGS")]
    for cls in classes:
        for binding in getattr(cls, "BINDINGS", []):
            if getattr(binding, "id", None) == binding_id:
                return key_bytes(binding.key.split(",")[0].strip())
    raise SystemExit(f"record.py: the app has no binding with id {binding_id!r}")


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[PX^_].*?\x1b\\|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


class PtyApp:
    """A child process on a pseudo-terminal of a fixed size; all its output is kept with
    the time it arrived."""

    def __init__(self, argv: list[str], env: dict[str, str], width: int, height: int) -> None:
        self.events: list[tuple[float, str]] = []
        self.fast: list[tuple[float, float]] = []     # intervals played FAST_FORWARD times faster
        self._plain = ""
        self._lock = threading.Lock()
        pid, fd = pty.fork()
        if pid == 0:   # the child: the pty is its terminal
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.start = time.monotonic()
        self.started_at = int(time.time())
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    if self._exited():
                        return
                    continue
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            text = self._decoder.decode(data)
            if text:
                with self._lock:
                    self.events.append((time.monotonic() - self.start, text))
                    self._plain += _ANSI.sub("", text)

    def _exited(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return pid != 0

    def now(self) -> float:
        return time.monotonic() - self.start

    def mark(self) -> int:
        with self._lock:
            return len(self._plain)

    def wait_for(self, text: str, timeout: float, since: int = 0) -> bool:
        """Until `text` shows up in the output (escape sequences removed) after `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if text in self._plain[since:]:
                    return True
            time.sleep(0.1)
        print(f"record.py: did not see {text!r} within {timeout:.0f} s; going on", file=sys.stderr)
        return False

    def send(self, data: bytes, pause: float = 0.4) -> None:
        os.write(self.fd, data)
        time.sleep(pause)

    def type(self, text: str, pause: float = 0.5) -> None:
        for char in text:
            self.send(char.encode(), TYPE_DELAY)
        time.sleep(pause)

    def stop(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._exited():
            time.sleep(0.1)
        if not self._exited():
            os.kill(self.pid, signal.SIGTERM)
            time.sleep(0.5)
        self._reader.join(timeout=2)
        try:
            os.close(self.fd)
        except OSError:
            pass


def _played(at: float, fast: list[tuple[float, float]]) -> float:
    """Recorded time -> played time: the fast intervals take 1/FAST_FORWARD of their length."""
    saved = 0.0
    for begin, end in fast:
        if at <= begin:
            break
        saved += (min(at, end) - begin) * (1 - 1 / FAST_FORWARD)
    return at - saved


def write_cast(path: Path, events: list[tuple[float, str]], started_at: int, title: str,
               fast: list[tuple[float, float]] = ()) -> float:
    """asciicast v2; waits for pods play faster, pauses longer than IDLE_LIMIT are shortened.
    Returns the duration."""
    fast = sorted(fast)
    events = [(_played(at, fast), text) for at, text in events]
    lines = [json.dumps({"version": 2, "width": WIDTH, "height": HEIGHT, "timestamp": started_at,
                         "idle_time_limit": IDLE_LIMIT, "title": title,
                         "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"}})]
    shift, last, clock = 0.0, 0.0, 0.0
    for at, text in events:
        gap = at - last
        if gap > IDLE_LIMIT:
            shift += gap - IDLE_LIMIT
        last = at
        clock = round(at - shift, 3)
        lines.append(json.dumps([clock, "o", text], ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return clock


def model(kubeconfig: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "ststui", "--kubeconfig", str(kubeconfig), "get", "-A", "-o", "json"],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return json.loads(out)


def find_targets(views: list[dict]) -> dict:
    """What the tour acts on, by name: the StatefulSet to roll, the stuck pod, the Released volume."""
    targets: dict = {}
    for view in views:
        key = f"{view['namespace']}/{view['name']}"
        if key == "shop/web":
            targets["rollout"] = view
        for index, pod in enumerate(view["pods"]):
            if pod.get("stuck") and pod.get("nodeReady") is False and "stuck" not in targets:
                targets["stuck"] = (view, index, pod["name"])
        for index, volume in enumerate(view["volumes"]):
            if volume["phase"] == "Released" and volume.get("claim") and "released" not in targets:
                targets["released"] = (view, index, volume["name"])
    missing = {"rollout", "stuck", "released"} - set(targets)
    if missing:
        raise SystemExit(f"record.py: the demo scenario has no {', '.join(sorted(missing))} to show")
    return targets


def sts_object(cluster, namespace: str, name: str) -> dict:
    """The StatefulSet as the simulated cluster holds it (read in this process)."""
    with cluster.store.lock:
        return json.loads(json.dumps(cluster.store.get("statefulsets", namespace, name)))


def wait_rollout_ready(cluster, namespace: str, name: str, app: "PtyApp | None" = None,
                       timeout: float = 45.0) -> None:
    """Until every pod is Ready and the pods at or above the partition are updated; that
    wait is played fast in the recording."""
    begin = app.now() if app else 0.0
    try:
        _wait_rollout_ready(cluster, namespace, name, timeout)
    finally:
        if app:
            app.fast.append((begin, app.now()))


def _wait_rollout_ready(cluster, namespace: str, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sts = sts_object(cluster, namespace, name)
        spec, status = sts["spec"], sts.get("status", {})
        replicas = spec.get("replicas", 1)
        partition = (spec.get("updateStrategy", {}).get("rollingUpdate") or {}).get("partition", 0)
        if (status.get("readyReplicas", 0) == replicas and status.get("observedGeneration") == sts["metadata"]["generation"]
                and status.get("updatedReplicas", 0) >= replicas - partition):
            return
        time.sleep(0.3)
    print(f"record.py: {namespace}/{name} did not settle within {timeout:.0f} s; going on", file=sys.stderr)


def fast_sleep(app: PtyApp, seconds: float) -> None:
    """Wait for the cluster to act; played FAST_FORWARD times faster."""
    begin = app.now()
    time.sleep(seconds)
    app.fast.append((begin, app.now()))


def select_statefulset(app: PtyApp, key: str) -> None:
    """Show only this StatefulSet with the filter (the only row is then selected)."""
    app.send(binding_key("ststui.filter"), 0.3)
    app.send(b"\x15", 0.2)      # ctrl+u: clear what the filter held
    app.type(key, 0.3)
    app.send(b"\r", 1.5)


def tour(app: PtyApp, cluster, targets: dict) -> None:
    yes, tab, down = binding_key("ststui.modal.yes"), key_bytes("tab"), key_bytes("down")
    app.wait_for("live", 40)
    time.sleep(2.0)

    # 1. A staged rollout: shop/web stepped one ordinal at a time, down to partition 0.
    web = targets["rollout"]
    select_statefulset(app, "shop/web")
    time.sleep(1.0)
    for step in range(int(web.get("partition") or 0)):
        wait_rollout_ready(cluster, web["namespace"], web["name"], app)
        time.sleep(0.8)
        mark = app.mark()
        app.send(binding_key("ststui.step"), 0.3)
        app.wait_for("kubectl equivalent", 8, mark)
        time.sleep(2.5 if step == 0 else 1.5)
        app.send(yes, 1.0)
    wait_rollout_ready(cluster, web["namespace"], web["name"], app)
    time.sleep(2.0)

    # 2. A pod stuck Terminating on a NotReady node, force-deleted: read the warning first.
    view, index, pod = targets["stuck"]
    select_statefulset(app, f"{view['namespace']}/{view['name']}")
    app.send(tab, 0.5)
    for _ in range(index):
        app.send(down, 0.25)
    time.sleep(1.0)
    mark = app.mark()
    app.send(binding_key("ststui.force_delete"), 0.3)
    app.wait_for("kubectl equivalent", 8, mark)
    time.sleep(4.0)
    app.send(yes, 1.0)
    fast_sleep(app, 4.5)

    # 3. A Released volume given back to its claim; a scale-up recreates the claim, which binds it.
    view, index, volume = targets["released"]
    select_statefulset(app, f"{view['namespace']}/{view['name']}")
    for _ in range(3):          # StatefulSets -> pods -> claims -> volumes
        app.send(tab, 0.4)
    for _ in range(index):
        app.send(down, 0.25)
    time.sleep(1.0)
    mark = app.mark()
    app.send(binding_key("ststui.reclaim"), 0.3)
    app.wait_for("Reclaim", 8, mark)
    time.sleep(1.8)
    mark = app.mark()
    app.send(key_bytes("enter"), 0.3)        # the first choice: keep it for its claim
    app.wait_for("kubectl equivalent", 8, mark)
    time.sleep(2.5)
    app.send(yes, 1.0)
    time.sleep(1.5)
    app.send(key_bytes("escape"), 0.5)       # back to the StatefulSets pane
    start = int(view.get("ordinalsStart") or 0)
    claim = next((v.get("claim") or "" for v in view["volumes"] if v["name"] == volume), "")
    tail = claim.rsplit("-", 1)[-1]
    claim_ordinal = int(tail) if tail.isdigit() else None
    if claim_ordinal is not None and claim_ordinal - start >= int(view["replicas"]):
        mark = app.mark()
        app.send(binding_key("ststui.scale"), 0.5)
        app.type(str(claim_ordinal - start + 1), 0.3)
        app.send(key_bytes("enter"), 0.3)
        app.wait_for("kubectl equivalent", 8, mark)
        time.sleep(2.2)
        app.send(yes, 1.0)
        for _ in range(3):
            app.send(tab, 0.4)
        fast_sleep(app, 6.0)
        app.send(key_bytes("escape"), 0.5)

    # 4. The change log: every change with its kubectl equivalent.
    app.send(binding_key("ststui.action_log"), 0.5)
    time.sleep(4.0)
    app.send(key_bytes("escape"), 0.8)
    app.send(key_bytes("escape"), 1.5)       # clears the filter: every StatefulSet again
    app.send(binding_key("ststui.quit"), 0.5)


def record(out: Path = HERE / "tour.cast") -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        cluster, server, kubeconfig = start_embedded("demo", kubeconfig_out=str(Path(tmp) / "kubeconfig"))
        try:
            targets = find_targets(model(kubeconfig))
            env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "TEXTUAL")}
            env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor", "COLUMNS": str(WIDTH),
                        "LINES": str(HEIGHT), "HOME": tmp, "XDG_CONFIG_HOME": str(Path(tmp) / "config")})
            app = PtyApp([sys.executable, "-m", "ststui", "--kubeconfig", str(kubeconfig), "-A"], env, WIDTH, HEIGHT)
            try:
                tour(app, cluster, targets)
            finally:
                app.stop()
            duration = write_cast(out, app.events, app.started_at,
                                  "ststui: a staged rollout, a force delete, a volume given back", app.fast)
        finally:
            stop_embedded(cluster, server)
    print(f"{out.relative_to(HERE.parent) if out.is_relative_to(HERE.parent) else out} ({duration:.0f} s)")
    return out


if __name__ == "__main__":
    record(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "tour.cast")
