"""PodDisruptionBudgets as a StatefulSet's view shows them, and what a pod delete does to them.

Place in the flow: the watch keeps slim PodDisruptionBudgets in the store;
`topology._build` calls `budgets_for(store, namespace, selector)` for each view's
`budgets`; the rollout strip shows them, and `state.actions` adds
`delete_warning(view, slot)` to the delete and force-delete dialogs. Pure: no I/O.

A budget covers a StatefulSet when its selector matches the set's selector labels
(which every pod of the set carries). Numbers are the budget's status as the
disruption controller last wrote it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_BUDGETS = 4       # shown per StatefulSet (a pod with more than one budget cannot be evicted at all)


@dataclass(frozen=True)
class BudgetView:
    name: str
    min_available: str | None        # as written: "2" or "50%"
    max_unavailable: str | None
    disruptions_allowed: int
    current_healthy: int
    desired_healthy: int
    expected_pods: int
    observed: bool                   # the controller has counted the current spec

    @property
    def rule(self) -> str:
        if self.min_available is not None:
            return f"minAvailable {self.min_available}"
        if self.max_unavailable is not None:
            return f"maxUnavailable {self.max_unavailable}"
        return "no rule"

    @property
    def summary(self) -> str:
        if not self.observed:
            return f"PDB {self.name} ({self.rule}): not counted yet"
        n = self.disruptions_allowed
        return (f"PDB {self.name} ({self.rule}): {n} disruption{'s' if n != 1 else ''} allowed, "
                f"{self.current_healthy}/{self.desired_healthy} healthy")


def _expression_matches(expr: dict, labels: dict[str, str]) -> bool:
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return labels.get(key) in values
    if op == "NotIn":
        return labels.get(key) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    return False


def selector_matches(selector: Any, labels: dict[str, str]) -> bool:
    """metav1.LabelSelector semantics; an empty selector matches everything (policy/v1)."""
    if not isinstance(selector, dict):
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    return all(_expression_matches(e, labels) for e in selector.get("matchExpressions") or () if isinstance(e, dict))


def budget_view(pdb: dict) -> BudgetView:
    spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
    gen = (pdb.get("metadata") or {}).get("generation")
    observed = "observedGeneration" in status and (gen is None or status.get("observedGeneration", 0) >= gen)
    as_text = (lambda v: None if v is None else str(v))
    return BudgetView(name=(pdb.get("metadata") or {}).get("name") or "",
                      min_available=as_text(spec.get("minAvailable")),
                      max_unavailable=as_text(spec.get("maxUnavailable")),
                      disruptions_allowed=int(status.get("disruptionsAllowed") or 0),
                      current_healthy=int(status.get("currentHealthy") or 0),
                      desired_healthy=int(status.get("desiredHealthy") or 0),
                      expected_pods=int(status.get("expectedPods") or 0), observed=observed)


def budgets_for(store, namespace: str, selector_labels: dict[str, str]) -> tuple[BudgetView, ...]:
    if not selector_labels:
        return ()
    out = []
    for pdb in store.items("poddisruptionbudgets", namespace):
        if selector_matches((pdb.get("spec") or {}).get("selector"), selector_labels):
            out.append(budget_view(pdb))
            if len(out) >= MAX_BUDGETS:
                break
    return tuple(sorted(out, key=lambda b: b.name))


def delete_warning(budgets, pod_name: str, pod_ready: bool, force: bool = False) -> str | None:
    """A sentence for the delete dialogs when deleting this pod goes past a budget, else None."""
    if not budgets:
        return None
    blocking = [b for b in budgets if b.observed and pod_ready and b.disruptions_allowed <= 0]
    if not blocking:
        return None
    b = blocking[0]
    verb = "Force-deleting" if force else "Deleting"
    return (f"{verb} {pod_name} violates PodDisruptionBudget {b.name} ({b.rule}): it allows no disruption now "
            f"({b.current_healthy} healthy, {b.desired_healthy} needed). A delete is not an eviction: the budget "
            f"does not stop it, and kubectl drain would wait.")
