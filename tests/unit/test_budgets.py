"""state.budgets: which budgets cover a set, and when a delete goes past one."""
from ststui.state.budgets import BudgetView, budget_view, delete_warning, selector_matches


def test_selector_semantics():
    labels = {"app": "web", "tier": "front"}
    assert selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert not selector_matches({"matchLabels": {"app": "db"}}, labels)
    assert selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, labels)
    assert selector_matches({}, labels)            # policy/v1: empty selects every pod
    assert not selector_matches(None, labels)


def test_budget_view_and_warning():
    pdb = {"metadata": {"name": "web", "generation": 2},
           "spec": {"minAvailable": "50%"},
           "status": {"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 2}}
    b = budget_view(pdb)
    assert b.rule == "minAvailable 50%" and not b.observed          # spec changed since the last count
    assert delete_warning((b,), "web-0", True) is None               # not counted: nothing claimed
    counted = budget_view(dict(pdb, metadata={"name": "web", "generation": 1}))
    warning = delete_warning((counted,), "web-0", True)
    assert warning.startswith("Deleting web-0 violates PodDisruptionBudget web (minAvailable 50%)")
    assert delete_warning((counted,), "web-0", False) is None        # an unready pod takes nothing away
    allowed = BudgetView("web", None, "1", 1, 3, 2, 3, True)
    assert delete_warning((allowed,), "web-0", True) is None
    assert "Force-deleting" in delete_warning((counted,), "web-0", True, force=True)
