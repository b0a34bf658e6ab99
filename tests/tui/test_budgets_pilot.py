"""Pilot tests on the demo: a StatefulSet's PodDisruptionBudget shows beside its rollout, and the
delete dialogs warn when deleting the pod goes past it (a delete is not an eviction: it still runs)."""
from __future__ import annotations

from ststui.tui.modals import ConfirmModal

from test_sim_pilot import confirm, core_api, demo, drive, select, wait_for


def test_budget_in_the_strip_and_the_delete_warning(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await wait_for(pilot, lambda: app.views["shop/web"].budgets, "shop/web's budget")
            strip = app.query_one("#rollout")
            await wait_for(pilot, lambda: "PDB web: 1 disruption allowed" in str(strip.render()), "the strip")
            await select(pilot, app, "cache/redis", "pods", "redis-0")
            budget = app.views["cache/redis"].budgets[0]
            assert (budget.name, budget.disruptions_allowed, budget.current_healthy) == ("redis", 0, 2)
            await wait_for(pilot, lambda: "PDB redis: 0 disruptions allowed" in str(strip.render()), "the strip")
            await pilot.press("ctrl+d")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            assert any("violates PodDisruptionBudget redis (minAvailable 2): it allows no disruption now "
                       "(2 healthy, 2 needed)" in w for w in app.screen.plan.warnings)
            uid = core_api(client).read_namespaced_pod("redis-0", "cache").metadata.uid
            await confirm(pilot, app)
            pod = core_api(client).read_namespaced_pod("redis-0", "cache")   # the budget did not stop it
            assert pod.metadata.uid == uid and pod.metadata.deletion_timestamp is not None
            await wait_for(pilot, lambda: app.views["cache/redis"].slots[0].terminating, "redis-0 shown Terminating")
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            assert not any("PodDisruptionBudget" in w for w in app.screen.plan.warnings)  # redis-0 is Terminating
            await pilot.press("n")
        drive(app, scenario)


def test_no_warning_while_the_budget_allows_a_disruption(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web", "pods", "web-1")
            await wait_for(pilot, lambda: app.views["shop/web"].budgets, "shop/web's budget")
            await pilot.press("ctrl+d")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            assert not any("PodDisruptionBudget" in w for w in app.screen.plan.warnings)
            await pilot.press("n")
        drive(app, scenario)
