"""Pilot tests with the demo's viewer and shop-operator contexts: the app asks the server what
the user may do, greys the rest with the reason, and notices when the rules change."""
from __future__ import annotations

import asyncio
from contextlib import contextmanager

import kubernetes

from ststui.sim.main import start_embedded, stop_embedded
from ststui.tui.app import StsTuiApp
from ststui.tui.help import HelpScreen
from ststui.tui.modals import ConfirmModal
from ststui.tui.session import open_session

from test_sim_pilot import confirm, partition_of, select, wait_for


@contextmanager
def demo_as(tmp_path, context: str, namespace: str | None = None):
    cluster, server, path = start_embedded("demo", clock="manual", kubeconfig_out=str(tmp_path / "kubeconfig"))
    try:
        session = open_session(str(path), context, namespace, namespace is None, clock=cluster.now)
        app = StsTuiApp(session, audit_log=tmp_path / "audit.log")
        admin = kubernetes.config.new_client_from_config(config_file=str(path), context="ststui-sim")
        try:
            yield cluster, app, admin
        finally:
            admin.close()
    finally:
        stop_embedded(cluster, server)


def run(app, scenario, expect: int):
    async def main():
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: len(app.views) == expect, f"{expect} StatefulSets")
            await scenario(pilot)
            await pilot.press("q")
    asyncio.run(main())


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_viewer_sees_every_change_greyed_with_the_reason(tmp_path):
    with demo_as(tmp_path, "ststui-sim-viewer") as (cluster, app, admin):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await wait_for(pilot, lambda: app.access.known("shop"), "the answers for shop")
            assert app.access.user == "viewer"
            assert "user viewer" in app.query_one("#status").shown.plain
            assert app.check_action("step", ()) is None and app.check_action("scale", ()) is None
            assert app.check_action("yaml", ()) is True
            await pilot.press("a")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmModal)
            assert any("you may not patch statefulsets in shop (user viewer)" in n for n in notices(app))
            await pilot.press("s")
            await pilot.pause()
            assert any("you may not patch statefulsets/scale in shop (user viewer)" in n for n in notices(app))
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            step_rows = [d for _k, d, disabled in app.screen.sections()[1][1] if disabled and "Step" in d]
            assert step_rows and app.screen.denied["step"] == "you may not patch statefulsets in shop (user viewer)"
            await pilot.press("escape")
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert "Step rollout of shop/web (not allowed)" in commands and "YAML" in commands
            assert partition_of(admin, "shop", "web") == 3        # nothing was sent
        run(app, scenario, expect=9)


def test_shop_operator_may_change_shop_and_notices_a_rule_change(tmp_path):
    with demo_as(tmp_path, "ststui-sim-shop-operator", namespace="shop") as (cluster, app, admin):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await wait_for(pilot, lambda: app.access.known("shop"), "the answers for shop")
            assert app.access.user == "shop-operator"
            assert app.check_action("step", ()) is True
            assert app.access.denial("reclaim", "shop") == "you may not patch persistentvolumes (user shop-operator)"
            await pilot.press("a")
            await confirm(pilot, app)
            assert partition_of(admin, "shop", "web") == 2
            cluster.settle()
            await wait_for(pilot, lambda: app.views["shop/web"].slot(2).revision_kind == "update"
                           and app.views["shop/web"].slot(2).ready, "web-2 updated and Ready")
            # The admin leaves shop-operator only `view` in shop: the app still believes it may edit, so
            # the next change is refused (403), and the app asks again.
            rbac_api = kubernetes.client.RbacAuthorizationV1Api(admin)
            rbac_api.create_namespaced_role_binding("shop", {
                "metadata": {"name": "shop-operator-view"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "shop-operator"}]})
            rbac_api.delete_namespaced_role_binding("shop-operator-edit", "shop")
            assert app.check_action("step", ()) is True
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("y")
            await wait_for(pilot, lambda: app.action_log.entries and not app.action_log.entries[-1].ok,
                           "the refused change in the log")
            assert "Forbidden" in app.action_log.entries[-1].message
            await wait_for(pilot, lambda: app.check_action("step", ()) is None, "step greyed after the 403")
            assert app.action_denial("step") == "you may not patch statefulsets in shop (user shop-operator)"
            assert partition_of(admin, "shop", "web") == 2
        run(app, scenario, expect=1)
