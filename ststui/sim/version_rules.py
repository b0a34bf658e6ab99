"""The one Kubernetes version the sim emulates (v1.32), told truly: feature gates and its rules.

Place in the flow: `install(cluster, gates)` (called by `main.build_cluster`, and by
`Cluster` with the defaults) records `cluster.feature_gates` and wraps the store's
admission so that, for StatefulSets:
- the MaxUnavailableStatefulSet gate (alpha in 1.32: off unless
  `ststui sim --feature-gates MaxUnavailableStatefulSet=true`) drops
  `spec.updateStrategy.rollingUpdate.maxUnavailable` on writes, unless the old object
  already used it (upstream's dropDisabledFields); with the gate off the controller runs
  the legacy update loop (`controllers.statefulset`);
- names must be DNS labels (1.27+), `template.spec.activeDeadlineSeconds` is forbidden,
  and an update may change only replicas, ordinals, template, updateStrategy,
  persistentVolumeClaimRetentionPolicy and minReadySeconds, with 1.32's message;
- writes of `status` (the status subresource) are validated: counters non-negative and
  not greater than status.replicas, availableReplicas not greater than readyReplicas,
  collisionCount never decremented.
"""
from __future__ import annotations

import json
from typing import Any

from .objects import ApiError, invalid
from .resources import BY_PLURAL

KUBE_VERSION = "v1.32"
DEFAULT_GATES = {"MaxUnavailableStatefulSet": False}
MAX_UNAVAILABLE = "MaxUnavailableStatefulSet"

MUTABLE_MESSAGE = ("Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                   "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
                   "are forbidden")
MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
           "minReadySeconds")


def parse_gates(text: str | None) -> dict[str, bool]:
    """`A=true,B=false` -> gates (ValueError with one sentence for anything else)."""
    gates = dict(DEFAULT_GATES)
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or value.lower() not in ("true", "false"):
            raise ValueError(f"invalid feature gate {part!r}: use Name=true or Name=false")
        if name not in DEFAULT_GATES:
            raise ValueError(f"unknown feature gate {name!r}: the sim knows {', '.join(sorted(DEFAULT_GATES))}")
        gates[name] = value.lower() == "true"
    return gates


def _rolling(obj: dict | None) -> dict:
    strategy = ((obj or {}).get("spec") or {}).get("updateStrategy") or {}
    rolling = strategy.get("rollingUpdate")
    return rolling if isinstance(rolling, dict) else {}


def _go_int(value: Any) -> str:
    return json.dumps(value)


def statefulset_rules(obj: dict, old: dict | None, gates: dict[str, bool]) -> list[tuple[str, str]]:
    """Drop disabled fields (in place) and return 1.32's errors that `admission` does not know."""
    errors: list[tuple[str, str]] = []
    if not gates.get(MAX_UNAVAILABLE) and "maxUnavailable" not in _rolling(old):
        _rolling(obj).pop("maxUnavailable", None)
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    pod_spec = ((spec.get("template") or {}).get("spec") or {}) if isinstance(spec.get("template"), dict) else {}
    if isinstance(pod_spec, dict) and pod_spec.get("activeDeadlineSeconds") is not None:
        errors.append(("spec.template.spec.activeDeadlineSeconds",
                       f"Invalid value: {_go_int(pod_spec['activeDeadlineSeconds'])}: must not be specified"))
    return errors


def statefulset_update_errors(spec: dict, old_spec: dict) -> list[tuple[str, str]]:
    fixed_new = {k: v for k, v in spec.items() if k not in MUTABLE}
    fixed_old = {k: v for k, v in old_spec.items() if k not in MUTABLE}
    return [("spec", MUTABLE_MESSAGE)] if fixed_new != fixed_old else []


def statefulset_status_errors(status: dict, old_status: dict) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    counters = ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas",
                "observedGeneration", "collisionCount")
    for name in counters:
        value = status.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            errors.append((f"status.{name}", f"Invalid value: {value}: must be greater than or equal to 0"))
    replicas = status.get("replicas") or 0
    for name in ("readyReplicas", "currentReplicas", "updatedReplicas"):
        value = status.get(name) or 0
        if isinstance(value, int) and value > replicas:
            errors.append((f"status.{name}", f"Invalid value: {value}: cannot be greater than status.replicas"))
    available, ready = status.get("availableReplicas") or 0, status.get("readyReplicas") or 0
    if isinstance(available, int) and available > ready:
        errors.append(("status.availableReplicas",
                       f"Invalid value: {available}: cannot be greater than status.readyReplicas"))
    old_cc, new_cc = old_status.get("collisionCount"), status.get("collisionCount")
    if isinstance(old_cc, int) and (new_cc is None or (isinstance(new_cc, int) and new_cc < old_cc)):
        errors.append(("status.collisionCount", f"Invalid value: {new_cc or 0}: cannot be decremented"))
    return errors


def check_status(plural: str, new: dict, old: dict) -> None:
    """The status subresource's validation (raises 422)."""
    if plural != "statefulsets":
        return
    errors = statefulset_status_errors(new.get("status") or {}, old.get("status") or {})
    if errors:
        raise invalid(BY_PLURAL[plural], (new.get("metadata") or {}).get("name", ""), errors)


def install(cluster, gates: dict[str, bool] | None = None) -> None:
    """Record the gates and wrap the store's admission with this version's StatefulSet rules."""
    cluster.feature_gates = dict(DEFAULT_GATES, **(gates or {}))
    store = cluster.store
    base = getattr(store, "_base_admission", None) or store.admission
    store._base_admission = base

    def admit(plural: str, obj: dict, old: dict | None) -> dict:
        extra: list[tuple[str, str]] = []
        if plural == "statefulsets":
            extra = statefulset_rules(obj, old, cluster.feature_gates)
        try:
            result = base(plural, obj, old) if base is not None else obj
        except ApiError as e:
            causes = (e.details or {}).get("causes") if e.code == 422 else None
            if extra and causes is not None:
                raise invalid(BY_PLURAL[plural], (obj.get("metadata") or {}).get("name", ""),
                              [(c.get("field", ""), c.get("message", "")) for c in causes] + extra) from None
            raise
        if extra:
            raise invalid(BY_PLURAL[plural], (obj.get("metadata") or {}).get("name", ""), extra)
        return result

    store.admission = admit
    store.check_status = check_status
