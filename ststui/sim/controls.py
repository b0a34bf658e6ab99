"""Sim controls: drive the simulated cluster's clock, nodes and faults by name.

Place in the flow: `server` maps POST /_sim/<parts...>?<query> to `apply(cluster, parts,
query)` and GET /_sim/state to `state(...)`, so a test in another process (or a person
with curl) can do what in-process tests do with `cluster.advance()` or
`cluster.faults`. Every control returns a small JSON-able dict.

  POST /_sim/advance?seconds=N           move a manual clock forward, firing timers
  POST /_sim/settle[?max_seconds=N]      advance until nothing is pending
  POST /_sim/nodes/<name>/ready|notready a node's Ready condition True / Unknown
  POST /_sim/faults/fail?seconds=N&code=503
  POST /_sim/faults/latency?seconds=S[&resource=PLURAL]
  POST /_sim/faults/drop-watches
  POST /_sim/faults/expire-history
  POST /_sim/faults/forbid?resource=events   403 for every request on it (allow: undo)
  POST /_sim/faults/clear
  POST /_sim/faults/freeze[?seconds=N]    accept requests, answer nothing (thaw: undo)
  POST /_sim/restart?scenario=empty[&seed=N]  another server on the same port: a fresh
                                          cluster (new uids, resourceVersions from the start)
  POST /_sim/churn?plural=pods&count=N   touch N objects (a growing annotation counter): N events
  POST /_sim/churn?plural=pods&rate=R&seconds=S   R touches a second for S seconds (churn.py)
  GET  /_sim/state                       resourceVersion, clock, object counts
"""
from __future__ import annotations

from typing import Any, Mapping

from .clock import rfc3339


def _number(query: Mapping[str, str], key: str, default: float | None = None) -> float:
    text = query.get(key)
    if text in (None, ""):
        if default is None:
            raise ValueError(f"the {key} parameter is required")
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{key} must be a number, not {text!r}") from None
    if value < 0:
        raise ValueError(f"{key} must not be negative")
    return value


def set_node_ready(cluster, name: str, ready: bool) -> dict:
    """Set a Node's Ready condition to True (ready) or Unknown (the node stopped reporting).

    Uses the controllers' `cluster.set_node_ready` when they provide one; otherwise patches
    the condition directly and lets the kubelet controller react to it.
    """
    own = getattr(cluster, "set_node_ready", None)
    if callable(own):
        own(name, ready)
    else:
        now = rfc3339(cluster.now())

        def edit(node: dict) -> None:
            conditions = node.setdefault("status", {}).setdefault("conditions", [])
            cond = next((c for c in conditions if c.get("type") == "Ready"), None)
            if cond is None:
                cond = {"type": "Ready"}
                conditions.append(cond)
            status = "True" if ready else "Unknown"
            if cond.get("status") != status:
                cond["status"] = status
                cond["lastTransitionTime"] = now
            cond["lastHeartbeatTime"] = now
            cond["reason"] = "KubeletReady" if ready else "NodeStatusUnknown"
            cond["message"] = ("kubelet is posting ready status" if ready
                               else "Kubelet stopped posting node status.")

        if cluster.store.mutate("nodes", None, name, edit) is None:
            raise LookupError(f'nodes "{name}" not found')
    node = cluster.store.find("nodes", None, name)
    if node is None:
        raise LookupError(f'nodes "{name}" not found')
    cond = next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), {})
    return {"node": name, "ready": cond.get("status")}


def state(cluster, server=None) -> dict:
    store = cluster.store
    with store.lock:
        counts = {plural: len(objs) for plural, objs in store._objects.items()}
        rv = store.rv
        watchers = len(store.watchers())
    out: dict[str, Any] = {
        "resourceVersion": str(rv),
        "clock": {"now": cluster.now(), "time": rfc3339(cluster.now()), "manual": bool(cluster.clock.manual)},
        "counts": counts,
        "watchers": watchers,
        "faults": {"error": cluster.faults.active_error(), "latencySeconds": cluster.faults.latency_seconds},
    }
    if server is not None:
        out["server"] = {"url": server.url, "watchStreams": server.open_watch_streams(),
                         "connections": server.open_connections()}
    return out


def apply(cluster, parts: list[str], query: Mapping[str, str]) -> dict | None:
    """Run the control named by `parts`; None when there is no such control."""
    faults = cluster.faults
    if parts == ["advance"]:
        seconds = _number(query, "seconds")
        if not cluster.clock.manual:
            raise ValueError("advance needs a manual clock (start the sim with --clock manual)")
        cluster.advance(seconds)
        return state(cluster)
    if parts == ["settle"]:
        if not cluster.clock.manual:
            raise ValueError("settle needs a manual clock (start the sim with --clock manual)")
        passed = cluster.settle(_number(query, "max_seconds", 3600.0))
        return dict(state(cluster), settledSeconds=passed)
    if parts == ["churn"]:
        from .churn import control as churn_control
        return churn_control(cluster, query, _number)
    if len(parts) == 3 and parts[0] == "nodes" and parts[2] in ("ready", "notready"):
        result = set_node_ready(cluster, parts[1], parts[2] == "ready")
        cluster.run_pending()
        return result
    if len(parts) == 2 and parts[0] == "faults":
        action = parts[1]
        if action == "fail":
            code = int(_number(query, "code", 503))
            seconds = _number(query, "seconds", 30.0)
            faults.fail_for(seconds, code)
            return {"failing": code, "seconds": seconds}
        if action == "latency":
            resource = query.get("resource") or None
            faults.set_latency(_number(query, "seconds"), resource)
            return {"latencySeconds": faults.latency_for(f"/{resource}") if resource else faults.latency_seconds}
        if action == "drop-watches":
            return {"dropped": faults.drop_watches()}
        if action == "expire-history":
            faults.expire_history()
            return {"expired": True, "resourceVersion": str(cluster.store.rv)}
        if action in ("forbid", "allow"):
            plural = query.get("resource") or ""
            if plural not in cluster.store._objects:
                raise ValueError(f"resource must be one of the served plurals, not {plural!r}")
            faults.forbid(plural, allowed=(action == "allow"))
            return {"forbidden": sorted(faults.forbidden)}
        if action == "clear":
            faults.clear()
            return {"cleared": True}
        if action == "freeze":
            seconds = _number(query, "seconds", 0.0)
            faults.freeze(seconds or None)
            return {"frozen": True, "seconds": seconds or None}
        if action == "thaw":
            faults.thaw()
            return {"frozen": False}
    return None


def fresh_cluster(cluster, query: Mapping[str, str]):
    """A new cluster for /_sim/restart: `scenario` (default empty) on the same kind of
    clock, with another seed (so other uids) unless `seed` is given."""
    from .main import build_cluster
    scenario = query.get("scenario") or "empty"
    seed = int(_number(query, "seed", float(getattr(cluster.store, "seed", 7) or 7) + 1))
    manual = bool(cluster.clock.manual)
    fresh = build_cluster(scenario, clock="manual" if manual else "real", seed=seed,
                          manual_start=cluster.now() if manual else None)
    fresh.run_pending()
    return fresh
