"""The kubelets of the simulated cluster: pod lifecycle on each node, on the sim's clock.

Place in the flow: `observe()` marks pods bound to a node dirty (and all pods of a node
when the node changes); `reconcile()` moves each pod one step along its life and sets a
timer for the next one (`next_wakeup()`), so a manual clock can be advanced through it:

  scheduled -> Pending, ContainerCreating (hostIP, startTime, conditions)
            -> Running after `create_delay` (podIP 10.244.<node>.<n>, containers started;
               waits while a mounted claim is not Bound)
            -> Ready after `ready_delay` (Ready / ContainersReady True)
  deleted   -> removed from the store once its containers stopped (`stop_delay`, at most
               the grace period).

Delays are a few seconds, derived from the pod's namespace and name, so runs are
reproducible. Nothing happens on a node that is not Ready: its pods keep their state and a
deletion hangs until forced (grace period 0 through the API). Pods bound to a node that no
longer exists are removed (pod GC).

Images that never become Ready (to demo a halted rollout), chosen by a word in the
image reference (`failure_mode`):
- `broken` (or listed in `Kubelet.never_ready_images`): the container runs but fails its
  readiness probe (Event Unhealthy) and is restarted after 1, 2, 3, ... minutes (at most
  10), its last termination `Error` (exit code 1);
- `crashloop`: the container exits with code 1 right after starting; it waits in
  `CrashLoopBackOff` between restarts (last termination `Error`, exit code 1);
- `oom`: the same, killed for memory (last termination `OOMKilled`, exit code 137);
- `nopull`: the image cannot be pulled: the pod stays Pending, its container waiting in
  `ErrImagePull`, then `ImagePullBackOff` (Events Failed, BackOff).
"""
from __future__ import annotations

import hashlib
import heapq
from typing import TYPE_CHECKING

from ..clock import parse_rfc3339, rfc3339
from ..objects import Change
from . import podutil as pu
from .events import NORMAL, WARNING, EventRecorder
from .scheduler import set_condition

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

Key = tuple[str, str]
COMPONENT = "kubelet"
BROKEN_RESTART_SECONDS = 60.0
# Words in an image reference that make its container fail, checked in this order.
FAILURE_MARKERS = ("nopull", "oom", "crashloop")
CRASH_EXITS = {"crashloop": ("Error", 1), "oom": ("OOMKilled", 137)}
PULL_BACKOFF_SECONDS = 30.0


def create_delay(ns: str, name: str) -> float:
    """Seconds from scheduling to Running (image pull and container start): 1-4 s."""
    return 1.0 + 3.0 * pu.stable_fraction(ns, name, "create")


def ready_delay(ns: str, name: str) -> float:
    """Seconds from Running to Ready (first successful readiness probe): 1-3 s."""
    return 1.0 + 2.0 * pu.stable_fraction(ns, name, "ready")


def stop_delay(ns: str, name: str) -> float:
    """Seconds the containers take to stop after a graceful delete: 1-3 s."""
    return 1.0 + 2.0 * pu.stable_fraction(ns, name, "stop")


def restart_backoff(restarts: int) -> float:
    """Seconds a never-Ready container runs before its next restart: 1, 2, 3... minutes, at most 10."""
    return min(BROKEN_RESTART_SECONDS * (restarts + 1), 600.0)


def image_id(image: str) -> str:
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)
    if ":" in last[-1]:
        repo = repo[: repo.rfind(":")]
    if "/" not in repo:
        repo = f"docker.io/library/{repo}"
    elif "." not in repo.split("/", 1)[0] and ":" not in repo.split("/", 1)[0]:
        repo = f"docker.io/{repo}"
    return f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def container_id(uid: str, name: str, restarts: int) -> str:
    return "containerd://" + hashlib.sha256(f"{uid}/{name}/{restarts}".encode()).hexdigest()


def node_address(node: dict) -> str:
    for a in (node.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a.get("address", "")
    return ""


def container_statuses(pod: dict, state: str, now: str, ready: bool, restarts: int = 0,
                       last_state: dict | None = None) -> list[dict]:
    """containerStatuses for every container: state "waiting" (ContainerCreating) or "running"."""
    uid = pu.meta(pod).get("uid") or f'{pu.meta(pod).get("namespace")}/{pu.meta(pod).get("name")}'
    out = []
    for c in (pod.get("spec") or {}).get("containers") or []:
        image = c.get("image", "")
        st: dict = {"name": c.get("name", ""), "image": image, "imageID": "", "ready": False,
                    "restartCount": restarts, "started": False, "lastState": last_state or {}}
        if state == "waiting":
            st["state"] = {"waiting": {"reason": "ContainerCreating"}}
        else:
            st["imageID"] = image_id(image)
            st["containerID"] = container_id(uid, c.get("name", ""), restarts)
            st["state"] = {"running": {"startedAt": now}}
            st["started"] = True
            st["ready"] = ready
        out.append(st)
    return out


def pending_status(pod: dict, node: dict, now: str) -> dict:
    """A just-bound pod's status as its kubelet first reports it."""
    status = dict(pod.get("status") or {})
    status["phase"] = "Pending"
    host_ip = node_address(node)
    status["hostIP"] = host_ip
    status["hostIPs"] = [{"ip": host_ip}]
    status["startTime"] = now
    status.setdefault("qosClass", "BestEffort")
    status["conditions"] = [dict(c) for c in status.get("conditions") or []]
    names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    unready = f"containers with unready status: [{' '.join(names)}]"
    set_condition(status, "PodReadyToStartContainers", "False", now)
    set_condition(status, "Initialized", "True", now)
    set_condition(status, "Ready", "False", now, "ContainersNotReady", unready)
    set_condition(status, "ContainersReady", "False", now, "ContainersNotReady", unready)
    set_condition(status, "PodScheduled", "True", now)
    status["containerStatuses"] = container_statuses(pod, "waiting", now, False)
    return status


def running_ready_status(pod: dict, node: dict, pod_ip: str, now: str) -> dict:
    """The status of a Running, Ready pod (used by scenarios that build pods in bulk)."""
    status = pending_status(pod, node, now)
    status["phase"] = "Running"
    status["podIP"] = pod_ip
    status["podIPs"] = [{"ip": pod_ip}]
    for ctype in ("PodReadyToStartContainers", "Ready", "ContainersReady"):
        set_condition(status, ctype, "True", now)
    status["containerStatuses"] = container_statuses(pod, "running", now, True)
    return status


class Kubelet:
    def __init__(self, cluster: "Cluster", recorder: EventRecorder) -> None:
        self.cluster = cluster
        self.recorder = recorder
        self.never_ready_images: set[str] = set()
        self.broken_marker: str | None = "broken"
        self._dirty: set[Key] = set()
        self._by_node: dict[str, set[Key]] = {}
        self._waiting_volumes: set[Key] = set()
        self._timers: list[tuple[float, Key]] = []
        self._next_ip: dict[str, int] = {}
        self._ips_in_use: dict[str, set[str]] = {}   # node -> pod IPs given out and not yet freed
        self._killing: set[str] = set()      # uids whose stop has been announced

    # ---- configuration

    def is_never_ready(self, image: str) -> bool:
        return image in self.never_ready_images or bool(self.broken_marker and self.broken_marker in image)

    def failure_mode(self, pod: dict) -> str | None:
        """How the pod's images fail: "nopull", "oom", "crashloop", "unready" or None."""
        images = pu.images(pod)
        for mode in FAILURE_MARKERS:
            if any(mode in img for img in images):
                return mode
        if any(self.is_never_ready(img) for img in images):
            return "unready"
        return None

    # ---- observing

    def observe(self, change: Change) -> None:
        p = change.plural
        if p == "pods":
            m = pu.meta(change.obj)
            key = (m.get("namespace", ""), m.get("name", ""))
            old_node = ((change.old or {}).get("spec") or {}).get("nodeName")
            if old_node:
                self._by_node.get(old_node, set()).discard(key)
            if change.type == "DELETED":
                ip = (change.obj.get("status") or {}).get("podIP")
                node = (change.obj.get("spec") or {}).get("nodeName")
                if ip and node:
                    self._ips_in_use.get(node, set()).discard(ip)
                self._dirty.discard(key)
                self._waiting_volumes.discard(key)
                self._killing.discard(m.get("uid"))
                return
            node = (change.obj.get("spec") or {}).get("nodeName")
            if node:
                self._by_node.setdefault(node, set()).add(key)
                self._dirty.add(key)
                ip = (change.obj.get("status") or {}).get("podIP")
                if ip:
                    self._ips_in_use.setdefault(node, set()).add(ip)
        elif p == "nodes":
            name = pu.meta(change.obj).get("name", "")
            self._dirty.update(self._by_node.get(name, ()))
        elif p == "persistentvolumeclaims":
            self._dirty.update(self._waiting_volumes)

    def next_wakeup(self) -> float | None:
        return self._timers[0][0] if self._timers else None

    def _wake_at(self, t: float, key: Key) -> None:
        heapq.heappush(self._timers, (t, key))

    # ---- reconciling

    def reconcile(self) -> bool:
        store = self.cluster.store
        rv = store.rv
        now = self.cluster.now()
        while self._timers and self._timers[0][0] <= now:
            self._dirty.add(heapq.heappop(self._timers)[1])
        while self._dirty:
            self._sync(self._dirty.pop(), now)
        return store.rv != rv

    def allocate_ip(self, node: dict) -> str:
        """The next pod address in the node's podCIDR (10.244.<n>.0/24)."""
        name = pu.meta(node)["name"]
        cidr = (node.get("spec") or {}).get("podCIDR") or ""
        prefix = ".".join(cidr.split("/")[0].split(".")[:3]) if cidr else ""
        if not prefix:
            names = sorted((pu.meta(n)["name"] for n in self.cluster.store.items("nodes")), key=pu.natural_key)
            prefix = f"10.244.{(names.index(name) + 1) if name in names else 250}"
        used = self._ips_in_use.setdefault(name, set())
        n = self._next_ip.get(name, 1)
        for _ in range(254):
            n = n % 254 + 1
            if n > 1 and f"{prefix}.{n}" not in used:
                break
        self._next_ip[name] = n
        ip = f"{prefix}.{n}"
        used.add(ip)
        return ip

    def _sync(self, key: Key, now: float) -> None:
        store = self.cluster.store
        pod = store.find("pods", key[0], key[1])
        if pod is None:
            return
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            return
        node = store.find("nodes", None, node_name)
        if node is None:
            store.remove("pods", key[0], key[1])   # pod GC: its node is gone
            return
        if not pu.node_ready(node):
            return
        if pu.is_terminating(pod):
            self._terminate(pod, key, now)
            return
        if pu.is_finished(pod):
            return
        stamp = rfc3339(now)
        status = pod.get("status") or {}
        if not status.get("startTime") or not status.get("containerStatuses"):
            store.mutate("pods", key[0], key[1], lambda o: o.__setitem__("status", pending_status(o, node, stamp)))
            return
        phase = status.get("phase")
        if phase == "Pending":
            self._start(pod, node, key, now)
        elif phase == "Running":
            self._probe(pod, key, now)

    def _claims_bound(self, pod: dict, key: Key) -> bool:
        store = self.cluster.store
        for cname in pu.claim_names(pod):
            claim = store.find("persistentvolumeclaims", key[0], cname)
            if claim is None or (claim.get("status") or {}).get("phase") != "Bound":
                return False
        return True

    def _start(self, pod: dict, node: dict, key: Key, now: float) -> None:
        if not self._claims_bound(pod, key):
            self._waiting_volumes.add(key)
            return
        self._waiting_volumes.discard(key)
        scheduled = parse_rfc3339((pu.condition(pod, "PodScheduled") or {}).get("lastTransitionTime")) \
            or parse_rfc3339((pod.get("status") or {}).get("startTime")) or now
        due = scheduled + create_delay(*key)
        if due > now:
            self._wake_at(due, key)
            return
        if self.failure_mode(pod) == "nopull":
            self._pull_fails(pod, node, key, now)
            return
        stamp = rfc3339(now)
        ip = (pod.get("status") or {}).get("podIP") or self.allocate_ip(node)

        def run(o: dict) -> None:
            st = o.setdefault("status", {})
            st["phase"] = "Running"
            st["podIP"] = ip
            st["podIPs"] = [{"ip": ip}]
            set_condition(st, "PodReadyToStartContainers", "True", stamp)
            st["containerStatuses"] = container_statuses(o, "running", stamp, False)
        self.cluster.store.mutate("pods", key[0], key[1], run)
        for c in (pod.get("spec") or {}).get("containers") or []:
            cname, image = c.get("name", ""), c.get("image", "")
            self.recorder.record(pod, NORMAL, "Pulled",
                                 f'Container image "{image}" already present on machine', COMPONENT, _host(node))
            self.recorder.record(pod, NORMAL, "Created", f"Created container: {cname}", COMPONENT, _host(node))
            self.recorder.record(pod, NORMAL, "Started", f"Started container {cname}", COMPONENT, _host(node))
        self._wake_at(now + ready_delay(*key), key)

    def _pull_fails(self, pod: dict, node: dict, key: Key, now: float) -> None:
        """The image cannot be pulled: ErrImagePull first, then ImagePullBackOff; retried."""
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        waiting = {((s.get("state") or {}).get("waiting") or {}).get("reason") for s in statuses}
        first = not waiting & {"ErrImagePull", "ImagePullBackOff"}
        reason = "ErrImagePull" if first else "ImagePullBackOff"
        stamp = rfc3339(now)

        def fail(o: dict) -> None:
            st = o.setdefault("status", {})
            out = container_statuses(o, "waiting", stamp, False)
            for c, cs in zip((o.get("spec") or {}).get("containers") or [], out):
                cs["state"] = {"waiting": {"reason": reason, "message": (
                    f'Back-off pulling image "{c.get("image", "")}"' if not first else
                    f'failed to pull and unpack image "{c.get("image", "")}": not found')}}
            st["containerStatuses"] = out
        if first or "ErrImagePull" in waiting:
            self.cluster.store.mutate("pods", key[0], key[1], fail)
            for c in (pod.get("spec") or {}).get("containers") or []:
                image = c.get("image", "")
                if first:
                    self.recorder.record(pod, WARNING, "Failed", f'Failed to pull image "{image}": not found',
                                         COMPONENT, _host(node))
                else:
                    self.recorder.record(pod, NORMAL, "BackOff", f'Back-off pulling image "{image}"',
                                         COMPONENT, _host(node))
        self._wake_at(now + PULL_BACKOFF_SECONDS, key)

    def _crash(self, pod: dict, key: Key, now: float, mode: str) -> None:
        """The container exits (Error 1, or OOMKilled 137) and waits in CrashLoopBackOff."""
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        restarts = max((int(s.get("restartCount") or 0) for s in statuses), default=0)
        crashed = any(((s.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff"
                      for s in statuses)
        if crashed:
            last = max((parse_rfc3339(((s.get("lastState") or {}).get("terminated") or {}).get("finishedAt")) or now
                        for s in statuses), default=now)
            due = last + restart_backoff(restarts - 1)
        else:
            started = min((parse_rfc3339(((s.get("state") or {}).get("running") or {}).get("startedAt")) or now
                           for s in statuses), default=now)
            due = started + ready_delay(*key)
        if due > now:
            self._wake_at(due, key)
            return
        stamp = rfc3339(now)
        reason, code = CRASH_EXITS[mode]
        restarts += 1

        def crash(o: dict) -> None:
            st = o.setdefault("status", {})
            out = container_statuses(o, "running", stamp, False, restarts,
                                     {"terminated": {"exitCode": code, "reason": reason,
                                                     "startedAt": stamp, "finishedAt": stamp}})
            for cs in out:
                cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": (
                    f"back-off {int(restart_backoff(restarts - 1))}s restarting failed container={cs['name']} "
                    f"pod={key[1]}")}}
                cs["started"] = False
            st["containerStatuses"] = out
        self.cluster.store.mutate("pods", key[0], key[1], crash)
        for c in (pod.get("spec") or {}).get("containers") or []:
            self.recorder.record(pod, WARNING, "BackOff",
                                 f"Back-off restarting failed container {c.get('name', '')} in pod {key[1]}",
                                 COMPONENT)
        self._wake_at(now + restart_backoff(restarts - 1), key)

    def _probe(self, pod: dict, key: Key, now: float) -> None:
        mode = self.failure_mode(pod)
        if mode in CRASH_EXITS:
            self._crash(pod, key, now, mode)
            return
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        started = min((parse_rfc3339(((s.get("state") or {}).get("running") or {}).get("startedAt")) or now
                       for s in statuses), default=now)
        broken = any(self.is_never_ready(img) for img in pu.images(pod))
        stamp = rfc3339(now)
        if broken:
            restarts = max((int(s.get("restartCount") or 0) for s in statuses), default=0)
            due = started + restart_backoff(restarts)
            if due > now:
                self._wake_at(due, key)
                return
            restarts += 1
            last = {"terminated": {"exitCode": 1, "reason": "Error",
                                   "startedAt": rfc3339(started), "finishedAt": stamp}}

            def restart(o: dict) -> None:
                st = o.setdefault("status", {})
                st["containerStatuses"] = container_statuses(o, "running", stamp, False, restarts, last)
            self.cluster.store.mutate("pods", key[0], key[1], restart)
            self.recorder.record(pod, WARNING, "Unhealthy",
                                 "Readiness probe failed: HTTP probe failed with statuscode: 503",
                                 COMPONENT)
            self._wake_at(now + restart_backoff(restarts), key)
            return
        all_ready = statuses and all(s.get("ready") for s in statuses)
        if all_ready and pu.is_ready(pod):
            return
        if not all_ready:
            due = started + ready_delay(*key)
            if due > now:
                self._wake_at(due, key)
                return

        def ready(o: dict) -> None:
            st = o.setdefault("status", {})
            for s in st.get("containerStatuses") or []:
                s["ready"] = True
            set_condition(st, "ContainersReady", "True", stamp)
            set_condition(st, "Ready", "True", stamp)
        self.cluster.store.mutate("pods", key[0], key[1], ready)

    def _terminate(self, pod: dict, key: Key, now: float) -> None:
        m = pu.meta(pod)
        deadline = parse_rfc3339(m.get("deletionTimestamp")) or now
        grace = int(m.get("deletionGracePeriodSeconds") or 0)
        due = min(deadline, deadline - grace + stop_delay(*key))
        if m.get("uid") not in self._killing:
            self._killing.add(m.get("uid"))
            for c in (pod.get("spec") or {}).get("containers") or []:
                self.recorder.record(pod, NORMAL, "Killing", f"Stopping container {c.get('name', '')}",
                                     COMPONENT, (pod.get("spec") or {}).get("nodeName"))
        if due > now:
            self._wake_at(due, key)
            return
        self.cluster.store.remove("pods", key[0], key[1])


def _host(node: dict) -> str:
    return pu.meta(node).get("name", "")
