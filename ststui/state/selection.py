"""`-l/--selector`: which StatefulSets are shown, by their labels (as `kubectl get sts -l`).

Place in the flow: `cli` parses the selector once (`parse`, one sentence on bad syntax);
`ststui get` and the TUI keep the StatefulSets whose labels match (`selects`), with all of
their pods, claims and volumes. The selection is made on the client from the store's
StatefulSets, so it never hides a pod that belongs to a shown set. The syntax and the
matcher are Kubernetes' (the same code the simulated API server uses for labelSelector).
"""
from __future__ import annotations

from typing import Any

from ststui.sim.selectors import LabelSelector, SelectorError, parse_label_selector


class SelectionError(ValueError):
    """A selector that cannot be parsed; `str(error)` is one sentence."""


def parse(text: str | None) -> LabelSelector | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_label_selector(text)
    except SelectorError as e:
        raise SelectionError(f"--selector '{text}': {e}") from None


def selects(selector: LabelSelector | None, store: Any, namespace: str, name: str) -> bool:
    if selector is None:
        return True
    obj = store.get("statefulsets", namespace, name)
    if obj is None:
        return False
    return selector.matches((obj.get("metadata") or {}).get("labels") or {})
