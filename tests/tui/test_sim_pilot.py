"""Pilot tests against the simulated cluster over HTTP: keys pressed in the app change the
server's state as promised (read back with the official client), and come back through
the watch into the panes. The sim runs on a manual clock; tests drive it with settle()."""
from __future__ import annotations

import asyncio
import time
from contextlib import contextmanager

import kubernetes
import pytest
from textual.widgets import Input

from ststui.sim.main import start_embedded, stop_embedded
from ststui.tui.app import StsTuiApp
from ststui.tui.modals import ChoiceModal, ConfirmModal, ValueModal
from ststui.tui.session import open_session

WAIT = 15.0   # seconds allowed for a change to travel server -> watch -> store -> pane


@contextmanager
def demo(tmp_path, read_only: bool = False, namespace: str | None = None, kubeconfig_extra=None):
    """(cluster, app, client, server) on the demo scenario, manual clock; the app watches all
    namespaces unless `namespace` is given."""
    cluster, server, path = start_embedded("demo", clock="manual", kubeconfig_out=str(tmp_path / "kubeconfig"))
    try:
        if kubeconfig_extra is not None:
            kubeconfig_extra(path)
        session = open_session(str(path), None, namespace, namespace is None, clock=cluster.now)
        app = StsTuiApp(session, read_only=read_only, audit_log=tmp_path / "audit.log")
        client = kubernetes.config.new_client_from_config(config_file=str(path))
        try:
            yield cluster, app, client, server
        finally:
            client.close()
    finally:
        stop_embedded(cluster, server)


def drive(app, scenario, size=(120, 40), expect: int = 9):
    async def main():
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: len(app.views) == expect, f"{expect} StatefulSets")
            await scenario(pilot)
            await pilot.press("q")
    asyncio.run(main())


async def wait_for(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def select(pilot, app, key: str, pane: str | None = None, row: str | None = None, *,
                 listed: bool = True) -> None:
    if listed:        # as a person waits for the header to stop saying loading before a change
        await wait_for(pilot, lambda: key in app.views and not app.views[key].loading, f"{key} listed")
    app.sts_pane.focus()
    assert app.sts_pane.select_key(key)
    await pilot.pause()
    if pane:
        target = app.query_one(f"#{pane}")
        target.focus()
        await wait_for(pilot, lambda: row in target.row_keys, f"{row} in the {pane} pane")
        assert target.select_key(row)
        await pilot.pause()


async def ops_done(app) -> None:
    """Wait for the change workers (not the watch worker, which runs until quit)."""
    running = [w for w in app.workers if w.group == "ops"]
    if running:      # an empty list would mean "all workers" to wait_for_complete
        await app.workers.wait_for_complete(running)


async def confirm(pilot, app) -> None:
    assert isinstance(app.screen, ConfirmModal), app.screen
    # As a person does: answer once the dialog is up (mounted, its default button focused).
    await wait_for(pilot, lambda: app.screen.focused is not None, "the dialog's focus")
    before = len(app.action_log.entries)
    await pilot.press("y")
    # The change worker starts from the dialog's dismiss callback, which may run a message
    # cycle after the key: wait for its log entry, not only for workers already running.
    await wait_for(pilot, lambda: len(app.action_log.entries) > before, "the change's log entry")
    await ops_done(app)
    await pilot.pause()
    assert app.action_log.entries and app.action_log.entries[-1].ok, app.action_log.entries[-1:]


def apps_api(client):
    return kubernetes.client.AppsV1Api(client)


def core_api(client):
    return kubernetes.client.CoreV1Api(client)


def partition_of(client, ns, name):
    sts = apps_api(client).read_namespaced_stateful_set(name, ns)
    return sts.spec.update_strategy.rolling_update.partition


def test_step_lowers_the_partition_and_the_canary_moves_down(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            assert app.views["shop/web"].rollout.partition == 3
            await pilot.press("a")
            await confirm(pilot, app)
            assert partition_of(client, "shop", "web") == 2
            await wait_for(pilot, lambda: app.views["shop/web"].rollout.partition == 2, "partition 2 in the view")
            cluster.settle()
            await wait_for(pilot, lambda: app.views["shop/web"].slot(2).revision_kind == "update"
                           and app.views["shop/web"].slot(2).ready, "web-2 updated and Ready")
            assert "web-2" in app.pods_pane.row_keys
            audit = (tmp_path / "audit.log").read_text()
            assert "patch sts web -n shop" in audit and f"--context={app.session.context}" in audit
        drive(app, scenario)


def test_set_partition_hold_and_release(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("P")
            assert isinstance(app.screen, ValueModal)
            app.screen.query_one("#value-input", Input).value = "4"
            await pilot.pause()
            await pilot.press("enter")
            await confirm(pilot, app)
            assert partition_of(client, "shop", "web") == 4
            await wait_for(pilot, lambda: app.views["shop/web"].rollout.partition == 4, "partition 4")
            await pilot.press("h")                       # 4 < 5 replicas: hold
            await confirm(pilot, app)
            assert partition_of(client, "shop", "web") == 5
            await wait_for(pilot, lambda: app.views["shop/web"].rollout.partition == 5, "held")
            await pilot.press("h")                       # held: release
            await confirm(pilot, app)
            assert partition_of(client, "shop", "web") == 0
        drive(app, scenario)


def test_scale_changes_replicas(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("s")
            app.screen.query_one("#value-input", Input).value = "6"
            await pilot.pause()
            await pilot.press("enter")
            await confirm(pilot, app)
            assert apps_api(client).read_namespaced_stateful_set("web", "shop").spec.replicas == 6
            cluster.settle()
            await wait_for(pilot, lambda: "web-5" in app.pods_pane.row_keys
                           and app.views["shop/web"].slot(5).exists, "web-5 created")
        drive(app, scenario)


def test_force_delete_stuck_pod_then_it_is_recreated(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        old_uid = core_api(client).read_namespaced_pod("kafka-1", "kafka").metadata.uid

        async def scenario(pilot):
            await select(pilot, app, "kafka/kafka", "pods", "kafka-1")
            slot = app.views["kafka/kafka"].slot(1)
            assert slot.terminating and slot.node_ready is False
            await pilot.press("ctrl+k")
            modal = app.screen
            assert isinstance(modal, ConfirmModal) and modal.confirm_text is None
            assert "node-5" in " ".join(modal.plan.effect + modal.plan.warnings)
            await confirm(pilot, app)
            cluster.settle()
            pod = core_api(client).read_namespaced_pod("kafka-1", "kafka")
            assert pod.metadata.uid != old_uid
            assert pod.metadata.deletion_timestamp is None
            await wait_for(pilot, lambda: (app.views["kafka/kafka"].slot(1).uid == pod.metadata.uid),
                           "the new kafka-1 in the view")
        drive(app, scenario)


def test_delete_pod_under_ondelete_updates_it(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "db/postgres", "pods", "postgres-0")
            assert app.views["db/postgres"].slot(0).revision_kind == "current"
            await pilot.press("ctrl+d")
            await confirm(pilot, app)
            cluster.settle()
            await wait_for(pilot, lambda: app.views["db/postgres"].slot(0).revision_kind == "update"
                           and app.views["db/postgres"].slot(0).ready, "postgres-0 at the update revision")
        drive(app, scenario)


@pytest.mark.parametrize("mode", ["free", "keep"])
def test_reclaim_released_volume(tmp_path, mode):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "db/postgres", "volumes", "pv-db-04")
            volume = next(v for v in app.views["db/postgres"].volumes if v.name == "pv-db-04")
            assert volume.phase == "Released"
            await pilot.press("r")
            choice = app.screen
            assert isinstance(choice, ChoiceModal)
            if mode == "free":
                await pilot.press("down")
            await pilot.press("enter")
            assert app.screen.plan.action == f"reclaim-{mode}"
            await confirm(pilot, app)
            cluster.settle()
            pv = core_api(client).read_persistent_volume("pv-db-04")
            assert pv.status.phase == "Available"
            if mode == "free":
                assert pv.spec.claim_ref is None
            else:
                assert pv.spec.claim_ref.name == "data-postgres-3" and pv.spec.claim_ref.uid is None
        drive(app, scenario)


def test_delete_orphan_claim(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "analytics/clickhouse", "claims", "data-clickhouse-10")
            await pilot.press("ctrl+d")
            await confirm(pilot, app)
            cluster.settle()
            names = [c.metadata.name for c in core_api(client).list_namespaced_persistent_volume_claim("analytics").items]
            assert "data-clickhouse-10" not in names
            await wait_for(pilot, lambda: "data-clickhouse-10" not in app.claims_pane.row_keys, "claim gone from pane")
        drive(app, scenario)


def test_restart_set_image_and_undo(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "search/zookeeper")
            await pilot.press("r")
            await confirm(pilot, app)
            sts = apps_api(client).read_namespaced_stateful_set("zookeeper", "search")
            assert "kubectl.kubernetes.io/restartedAt" in sts.spec.template.metadata.annotations

            await select(pilot, app, "shop/web")
            await pilot.press("i")
            app.screen.query_one("#value-input", Input).value = "nginx:1.28"
            await pilot.pause()
            await pilot.press("enter")
            await confirm(pilot, app)
            sts = apps_api(client).read_namespaced_stateful_set("web", "shop")
            assert sts.spec.template.spec.containers[0].image == "nginx:1.28"

            cluster.settle()
            await wait_for(pilot, lambda: len(app.session.store.revisions_of("shop", "web")) == 3, "3 revisions")
            await pilot.press("u")
            assert isinstance(app.screen, ChoiceModal)
            await pilot.press("enter")                  # the newest earlier revision
            await confirm(pilot, app)
            sts = apps_api(client).read_namespaced_stateful_set("web", "shop")
            assert sts.spec.template.spec.containers[0].image == "nginx:1.27"
        drive(app, scenario)


def test_read_only_changes_nothing(tmp_path):
    with demo(tmp_path, read_only=True) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("a", "y", "h", "y", "s")
            await select(pilot, app, "kafka/kafka", "pods", "kafka-1")
            await pilot.press("ctrl+k", "y", "ctrl+d", "y")
            await ops_done(app)
            assert not isinstance(app.screen, (ConfirmModal, ValueModal))
            cluster.settle()
            assert partition_of(client, "shop", "web") == 3
            assert apps_api(client).read_namespaced_stateful_set("web", "shop").spec.replicas == 5
            assert core_api(client).read_namespaced_pod("kafka-1", "kafka").metadata.deletion_timestamp
            assert app.action_log.entries == []
        drive(app, scenario)


def test_lost_connection_marks_data_stale_then_recovers(tmp_path):
    with demo(tmp_path) as (cluster, app, client, server):
        async def scenario(pilot):
            status = app.query_one("#status")
            await wait_for(pilot, lambda: "● live" in status.shown.plain, "live")
            server.stop()
            await wait_for(pilot, lambda: "data may be stale" in status.shown.plain, "the stale mark")
            assert app.screen.has_class("-stale")
            assert len(app.views) == 9                  # the data stays, marked stale
            server.start()
            await wait_for(pilot, lambda: "● live" in status.shown.plain, "live again")
            assert not app.screen.has_class("-stale")
        drive(app, scenario)


def test_namespace_switch_reconnects_a_namespaced_session(tmp_path):
    with demo(tmp_path, namespace="shop") as (cluster, app, client, _):
        async def scenario(pilot):
            assert list(app.views) == ["shop/web"]
            assert not app.sts_pane.with_namespace
            await pilot.press("n")
            assert isinstance(app.screen, ChoiceModal)
            app.screen.query_one("#choice-other", Input).focus()
            await pilot.press(*"db", "enter")
            await wait_for(pilot, lambda: list(app.views) == ["db/postgres"], "db/postgres only")
            assert app.session.namespace == "db"
            await pilot.press("n", "home", "enter")      # first choice: all namespaces
            await wait_for(pilot, lambda: len(app.views) == 9, "all 9 StatefulSets")
            assert app.session.namespace is None and app.sts_pane.with_namespace
        drive(app, scenario, expect=1)


def test_context_switch(tmp_path):
    def add_context(path):
        import yaml
        config = yaml.safe_load(path.read_text())
        config["contexts"].append({"name": "second", "context": {"cluster": "ststui-sim", "user": "ststui-sim",
                                                                 "namespace": "cache"}})
        path.write_text(yaml.safe_dump(config))

    with demo(tmp_path, namespace="shop", kubeconfig_extra=add_context) as (cluster, app, client, _):
        async def scenario(pilot):
            assert app.session.contexts == ["ststui-sim", "ststui-sim-viewer", "ststui-sim-shop-operator", "second"]
            await pilot.press("c")
            assert isinstance(app.screen, ChoiceModal)
            await pilot.press("down", "down", "down", "enter")
            await wait_for(pilot, lambda: app.session.context == "second", "context second")
            await wait_for(pilot, lambda: list(app.views) == ["cache/redis"], "the context's namespace")
        drive(app, scenario, expect=1)
