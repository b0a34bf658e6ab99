"""PodDisruptionBudgets: their status controller, their validation, and the pods/eviction subresource.

Place in the flow: `install(cluster)` adds `DisruptionController`, which keeps each
policy/v1 PodDisruptionBudget's status (expectedPods, currentHealthy, desiredHealthy,
disruptionsAllowed, disruptedPods, the DisruptionAllowed condition) as upstream's
disruption controller computes it. `server` hands POST pods/NAME/eviction to
`evict(...)`, which deletes the pod when no budget forbids it and answers 429 with
kube-apiserver's message and cause when one does (kubectl drain retries on that).
`admission` calls `validate(...)` for PodDisruptionBudgets.

Arithmetic (upstream's getExpectedPodCount): `maxUnavailable` (int or %) and a
percentage `minAvailable` count against the scale of the pods' controllers (the sum of
`spec.replicas` of the StatefulSets owning the selected pods, percentages rounded up);
an integer `minAvailable` counts against the pods selected. Healthy = Ready and not
terminating. disruptionsAllowed = max(0, currentHealthy - desiredHealthy), less the
evictions granted whose pods have not gone yet (disruptedPods, forgotten after 2 minutes).
"""
from __future__ import annotations

import math
import re
from typing import Any

from .clock import parse_rfc3339, rfc3339
from .controllers import podutil as pu
from .objects import ApiError, not_found
from .resources import BY_PLURAL
from .selectors import SelectorError, selector_from_object

DELETION_TIMEOUT = 120.0
BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget."
_PERCENT = re.compile(r"^(\d+)%$")


# ---------------------------------------------------------------- arithmetic

def scaled(value: Any, total: int, round_up: bool = True) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = _PERCENT.match(str(value))
    if not m:
        raise ValueError(f"invalid value for IntOrString: invalid value {value!r}")
    exact = int(m.group(1)) * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def selected_pods(store, pdb: dict) -> list[dict]:
    ns = pdb["metadata"]["namespace"]
    sel = (pdb.get("spec") or {}).get("selector")
    if sel is None:
        return []
    try:
        selector = selector_from_object(sel)
    except (SelectorError, ValueError):
        return []
    return [p for p in store.items("pods", ns) if selector.matches(p["metadata"].get("labels") or {})]


def _expected_scale(store, pods: list[dict]) -> int:
    owners: dict[str, int] = {}
    for p in pods:
        ref = pu.controller_ref(p)
        if ref is None or ref.get("uid") in owners:
            continue
        if ref.get("kind") == "StatefulSet":
            sts = store.find("statefulsets", p["metadata"]["namespace"], ref.get("name"))
            if sts is not None and sts["metadata"].get("uid") == ref.get("uid"):
                owners[ref["uid"]] = int((sts.get("spec") or {}).get("replicas") or 0)
                continue
        owners[ref.get("uid")] = 1
    return sum(owners.values())


def compute_status(store, pdb: dict, now: float) -> dict:
    spec = pdb.get("spec") or {}
    pods = selected_pods(store, pdb)
    old = pdb.get("status") or {}
    max_unavailable, min_available = spec.get("maxUnavailable"), spec.get("minAvailable")
    try:
        if max_unavailable is not None:
            expected = _expected_scale(store, pods)
            desired = max(0, expected - scaled(max_unavailable, expected, True))
        elif isinstance(min_available, str):
            expected = _expected_scale(store, pods)
            desired = scaled(min_available, expected, True)
        else:
            expected = len(pods)
            desired = int(min_available or 0)
    except ValueError:
        expected = desired = 0
    names = {p["metadata"]["name"]: p for p in pods}
    disrupted = {}
    for name, at in (old.get("disruptedPods") or {}).items():
        pod = names.get(name)
        t = parse_rfc3339(at) or 0.0
        if pod is not None and not pu.is_terminating(pod) and t + DELETION_TIMEOUT > now:
            disrupted[name] = at
    healthy = sum(1 for p in pods if pu.is_ready(p) and not pu.is_terminating(p) and p["metadata"]["name"]
                  not in disrupted)
    allowed = max(0, healthy - desired)
    status = {"observedGeneration": pdb["metadata"].get("generation", 1), "disruptionsAllowed": allowed,
              "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected}
    if disrupted:
        status["disruptedPods"] = disrupted
    cond_status = "True" if allowed > 0 else "False"
    previous = next((c for c in old.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), None)
    since = previous["lastTransitionTime"] if previous and previous.get("status") == cond_status else rfc3339(now)
    status["conditions"] = [{"type": "DisruptionAllowed", "status": cond_status,
                             "reason": "SufficientPods" if allowed > 0 else "InsufficientPods", "message": "",
                             "observedGeneration": status["observedGeneration"], "lastTransitionTime": since}]
    return status


def budgets_for(store, pod: dict) -> list[dict]:
    labels = pod["metadata"].get("labels") or {}
    out = []
    for pdb in store.items("poddisruptionbudgets", pod["metadata"]["namespace"]):
        sel = (pdb.get("spec") or {}).get("selector")
        if sel is None:
            continue
        try:
            if selector_from_object(sel).matches(labels):
                out.append(pdb)
        except (SelectorError, ValueError):
            continue
    return out


# ---------------------------------------------------------------- controller

class DisruptionController:
    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self._dirty: set[str] = set()
        self._expiry: dict[tuple[str, str], float] = {}

    def observe(self, change) -> None:
        if change.plural in ("pods", "poddisruptionbudgets", "statefulsets"):
            self._dirty.add(change.obj["metadata"].get("namespace") or "")

    def next_wakeup(self) -> float | None:
        return min(self._expiry.values()) if self._expiry else None

    def reconcile(self) -> bool:
        now = self.cluster.now()
        for key, t in list(self._expiry.items()):
            if t <= now:
                del self._expiry[key]
                self._dirty.add(key[0])
        if not self._dirty:
            return False
        dirty, self._dirty = self._dirty, set()
        store = self.cluster.store
        wrote = False
        for ns in dirty:
            for pdb in store.items("poddisruptionbudgets", ns):
                status = compute_status(store, pdb, now)
                name = pdb["metadata"]["name"]
                for at in (status.get("disruptedPods") or {}).values():
                    self._expiry[(ns, name)] = min(self._expiry.get((ns, name), math.inf),
                                                   (parse_rfc3339(at) or now) + DELETION_TIMEOUT)
                if status != pdb.get("status"):
                    store.mutate("poddisruptionbudgets", ns, name, lambda o, s=status: o.__setitem__("status", s))
                    wrote = True
        return wrote


def install(cluster) -> None:
    cluster.disruption = DisruptionController(cluster)
    cluster.add_controller(cluster.disruption)


# ---------------------------------------------------------------- eviction

def too_many_requests(pdb: dict) -> ApiError:
    s = pdb.get("status") or {}
    return ApiError(429, "TooManyRequests", BUDGET_MESSAGE, {"causes": [{
        "reason": "DisruptionBudget",
        "message": f'The disruption budget {pdb["metadata"]["name"]} needs {s.get("desiredHealthy", 0)} healthy '
                   f'pods and has {s.get("currentHealthy", 0)} currently'}]})


def evict(cluster, namespace: str, name: str, body: dict | None, delete) -> dict:
    """Evict pod `name`: `delete(options)` deletes it when allowed. Returns the Status to send (201)."""
    store = cluster.store
    body = body or {}
    if body.get("kind") not in (None, "Eviction", "DeleteOptions"):
        raise ApiError(400, "BadRequest", f'the kind in the data ({body.get("kind")}) does not match the expected '
                                          f'kind (Eviction)', {})
    meta = body.get("metadata") or {}
    if meta.get("name") and meta["name"] != name:
        raise ApiError(400, "BadRequest", f"name in URL does not match name in Eviction object", {})
    options = body.get("deleteOptions") or {}
    dry_run = bool(options.get("dryRun"))
    with store.lock:
        pod = store.find("pods", namespace, name)
        if pod is None:
            raise not_found(BY_PLURAL["pods"], name)
        phase = pu.phase(pod)
        if pu.is_terminating(pod) or phase in ("Succeeded", "Failed", "Pending"):
            delete(options)
            return _success()
        budgets = budgets_for(store, pod)
        if len(budgets) > 1:
            raise ApiError(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the "
                                                 "eviction subresource does not support.", {})
        if budgets:
            pdb = budgets[0]
            status = pdb.get("status") or {}
            policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") or "IfHealthyBudget"
            unhealthy_ok = not pu.is_ready(pod) and (
                policy == "AlwaysAllow"
                or int(status.get("currentHealthy", 0)) >= int(status.get("desiredHealthy", 0)) > 0)
            if not unhealthy_ok:
                if int(status.get("observedGeneration") or 0) < int(pdb["metadata"].get("generation", 1)):
                    raise ApiError(429, "TooManyRequests", BUDGET_MESSAGE, {"causes": [{
                        "reason": "DisruptionBudget",
                        "message": "The disruption budget %s is still being processed by the server."
                                   % pdb["metadata"]["name"]}]})
                if int(status.get("disruptionsAllowed", 0)) <= 0:
                    raise too_many_requests(pdb)
                if not dry_run:
                    now = rfc3339(cluster.now())

                    def grant(o: dict) -> None:
                        st = o.setdefault("status", {})
                        st["disruptionsAllowed"] = int(st.get("disruptionsAllowed", 0)) - 1
                        st.setdefault("disruptedPods", {})[name] = now
                    store.mutate("poddisruptionbudgets", namespace, pdb["metadata"]["name"], grant)
        delete(options)
    return _success()


def _success() -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


# ---------------------------------------------------------------- validation

def validate(obj: dict, old: dict | None, errors: list) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        obj["spec"] = spec = {}
    mn, mx = spec.get("minAvailable"), spec.get("maxUnavailable")
    if mn is not None and mx is not None:
        errors.append(("spec", "Invalid value: \"{...}\": minAvailable and maxUnavailable cannot be both set"))
    for field, value in (("minAvailable", mn), ("maxUnavailable", mx)):
        if value is None:
            continue
        path = f"spec.{field}"
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            errors.append((path, f"Invalid value: {value!r}: must be an integer or percentage (e.g '5%')"))
        elif isinstance(value, int) and value < 0:
            errors.append((path, f"Invalid value: {value}: must be greater than or equal to 0"))
        elif isinstance(value, str):
            m = _PERCENT.match(value)
            if not m:
                errors.append((path, f'Invalid value: "{value}": a valid percent string must be a numeric string '
                                     f"followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation "
                                     f"is '[0-9]+%')"))
            elif int(m.group(1)) > 100:
                errors.append((path, f'Invalid value: "{value}": must not be greater than 100%'))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        errors.append(("spec.unhealthyPodEvictionPolicy",
                       f'Unsupported value: "{policy}": supported values: "AlwaysAllow", "IfHealthyBudget"'))
    sel = spec.get("selector")
    if sel is not None:
        try:
            selector_from_object(sel)
        except (SelectorError, ValueError) as e:
            errors.append(("spec.selector", f"Invalid value: {e}"))
