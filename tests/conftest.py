"""Shared fixtures: a simulated cluster in-process, served over HTTP, or as a `ststui sim` process.

- `cluster`: a `Cluster` on a manual clock with namespace `default`, Ready nodes and the
  StorageClass `standard` (the `empty` scenario), controllers installed, no threads.
- `sim`: that cluster served by `SimServer` on 127.0.0.1:<free port> with its controller
  loop running; a `SimHandle` with `.cluster`, `.server`, `.url`, `.kubeconfig`,
  `.api()` (a `kubernetes.client.ApiClient` made from the kubeconfig), `.settle()`,
  `.advance(seconds)`.
- `sim_process`: `ststui sim --clock manual --scenario empty --port 0` in a subprocess; a
  `SimProcess` with `.url`, `.kubeconfig`, `.control(path, **query)` (POST /_sim/...),
  `.settle()`, `.state()`.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from ststui.sim.cluster import Cluster
from ststui.sim.kubeconfig import write_kubeconfig
from ststui.sim.main import build_cluster
from ststui.sim.server import SimServer


def sim_control(url: str, path: str, method: str = "POST", **query) -> dict:
    """Call a /_sim/ control over HTTP and return its JSON answer."""
    from urllib.parse import urlencode
    full = f"{url}/_sim/{path.lstrip('/')}" + (f"?{urlencode(query)}" if query else "")
    request = urllib.request.Request(full, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def cluster() -> Cluster:
    c = build_cluster("empty", clock="manual")
    c.run_pending()
    yield c
    c.stop()


class SimHandle:
    def __init__(self, cluster: Cluster, server: SimServer, kubeconfig: Path) -> None:
        self.cluster = cluster
        self.server = server
        self.kubeconfig = kubeconfig
        self._clients: list = []

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def store(self):
        return self.cluster.store

    def api(self):
        from kubernetes import config
        client = config.new_client_from_config(config_file=str(self.kubeconfig))
        self._clients.append(client)
        return client

    def settle(self, max_seconds: float = 3600.0) -> float:
        return self.cluster.settle(max_seconds)

    def advance(self, seconds: float) -> None:
        self.cluster.advance(seconds)

    def control(self, path: str, method: str = "POST", **query) -> dict:
        return sim_control(self.url, path, method, **query)

    def close(self) -> None:
        for client in self._clients:
            try:
                client.close()
            except Exception:
                pass
        self.server.stop()
        self.cluster.stop()


@pytest.fixture
def sim(cluster: Cluster, tmp_path: Path) -> SimHandle:
    server = SimServer(cluster, "127.0.0.1", 0).start()
    cluster.start()
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server.url)
    handle = SimHandle(cluster, server, kubeconfig)
    yield handle
    handle.close()


class SimProcess:
    def __init__(self, process: subprocess.Popen, url: str, kubeconfig: Path, output: list[str]) -> None:
        self.process = process
        self.url = url
        self.kubeconfig = kubeconfig
        self.output = output

    def control(self, path: str, method: str = "POST", **query) -> dict:
        return sim_control(self.url, path, method, **query)

    def settle(self) -> dict:
        return self.control("settle")

    def advance(self, seconds: float) -> dict:
        return self.control("advance", seconds=seconds)

    def state(self) -> dict:
        return self.control("state", method="GET")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the test run dies, so no sim outlives it (Linux)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_sim_process(tmp_path: Path, scenario: str = "empty", startup_timeout: float = 60.0) -> SimProcess:
    kubeconfig = tmp_path / "sim-kubeconfig"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "ststui", "sim", "--clock", "manual", "--scenario", scenario,
         "--port", "0", "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    lines: "queue.Queue[str | None]" = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    marker = "listening on "
    while True:
        try:
            line = lines.get(timeout=startup_timeout)
        except queue.Empty:
            process.kill()
            raise RuntimeError("ststui sim did not start in time: " + "".join(output))
        if line is None:
            process.wait(5)
            raise RuntimeError(f"ststui sim exited with {process.returncode}: " + "".join(output))
        if marker in line:
            url = line.split(marker, 1)[1].strip()
            break
    # The kubeconfig path is printed after the address; wait for the file itself.
    while not kubeconfig.exists():
        line = lines.get(timeout=startup_timeout)
        if line is None:
            raise RuntimeError("ststui sim exited before writing its kubeconfig: " + "".join(output))
    return SimProcess(process, url, kubeconfig, output)


@pytest.fixture
def sim_process(tmp_path: Path) -> SimProcess:
    handle = start_sim_process(tmp_path)
    yield handle
    handle.stop()
