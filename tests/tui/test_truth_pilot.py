"""Every sentence on screen is true, checked against the demo sim over HTTP: the ROLLOUT
column equals `ststui get`; a step after raising the partition updates a pod that was not
updated yet; the undo dialog names exactly the pods the controller then replaces; while a
LIST is held back (latency fault on one resource) nothing derived is claimed."""
from __future__ import annotations

import asyncio
import io
import json

from test_sim_pilot import apps_api, confirm, core_api, demo, drive, select, wait_for
from textual.widgets import Input

from ststui.commands.get import run_get
from ststui.sim.main import start_embedded, stop_embedded
from ststui.state.rollout import STATES
from ststui.tui.modals import ChoiceModal, ConfirmModal, ValueModal


def get_json(kubeconfig, code: int = 0) -> dict[str, dict]:
    out, err = io.StringIO(), io.StringIO()
    assert run_get(str(kubeconfig), None, None, True, None, "json", out=out, err=err) == code, err.getvalue()
    return {f"{v['namespace']}/{v['name']}": v for v in json.loads(out.getvalue())}


def cell_text(table, row: str, column: str) -> str:
    value = table.get_cell(row, column)
    return getattr(value, "plain", str(value))


def test_get_gives_every_demo_statefulset_a_true_rollout_state(tmp_path):
    cluster, server, path = start_embedded("demo", clock="manual", kubeconfig_out=str(tmp_path / "kubeconfig"))
    try:
        views = get_json(path)
    finally:
        stop_embedded(cluster, server)
    for key, view in views.items():
        rollout = view["rollout"]
        assert rollout["state"] in STATES and rollout["state"] != "unknown", (key, rollout)
        assert rollout["reason"], key
    web = views["shop/web"]
    assert web["rollout"]["state"] == "paused" and web["rollout"]["label"] == "paused p=3 2/5"
    nxt = next(p for p in web["pods"] if p["name"] == web["rollout"]["next"])
    assert nxt["revisionName"] != web["updateRevision"]
    redis = views["cache/redis"]
    assert redis["rollout"]["state"] == "halted"
    assert "CrashLoopBackOff" in redis["rollout"]["reason"] and "OOMKilled" in redis["rollout"]["reason"]
    assert redis["rollout"]["remedy"] == "undo (u), then delete redis-2 (ctrl+d)"
    assert views["kafka/kafka"]["rollout"]["state"] == "blocked"
    assert "force delete kafka-1 (ctrl+k)" in views["kafka/kafka"]["rollout"]["remedy"]
    assert views["db/postgres"]["rollout"]["state"] == "ondelete"
    assert views["logs/loki"]["rollout"]["state"] == "halted"
    assert "ImagePullBackOff" in views["logs/loki"]["rollout"]["reason"]
    # DNS names only where they resolve
    es = views["search/elasticsearch"]
    assert all(p["dns"] is None for p in es["pods"])
    assert all(p["dns"] for p in web["pods"] if p["exists"])


def test_rollout_column_of_every_demo_row_matches_get(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        expected = {key: v["rollout"]["label"] for key, v in get_json(tmp_path / "kubeconfig").items()}

        async def scenario(pilot):
            await wait_for(pilot, lambda: not app.loading, "every kind listed")
            shown = {key: cell_text(app.sts_pane, key, "status") for key in app.sts_pane.row_keys}
            assert all(text and text != "-" for text in shown.values()), shown
            assert shown == expected
        drive(app, scenario)


def test_step_after_raising_the_partition_updates_a_pod_not_yet_updated(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("P")
            assert isinstance(app.screen, ValueModal)
            app.screen.query_one("#value-input", Input).value = "4"     # above web-3, which is updated
            await pilot.pause()
            await pilot.press("enter")
            await confirm(pilot, app)
            await wait_for(pilot, lambda: app.views["shop/web"].rollout.partition == 4, "partition 4")
            view = app.views["shop/web"]
            assert view.rollout.next_pod == "web-2"
            assert "step (a) updates web-2" in app.query_one("#rollout").content.plain
            before = {p.metadata.name: p.metadata.labels["controller-revision-hash"]
                      for p in core_api(client).list_namespaced_pod("shop").items}
            update = view.rollout.update_revision
            assert before["web-3"] == update and before["web-2"] != update
            await pilot.press("a")
            assert isinstance(app.screen, ConfirmModal)
            assert "web-2 updates" in app.screen.plan.effect[0]
            await confirm(pilot, app)
            cluster.settle()
            await wait_for(pilot, lambda: app.views["shop/web"].slot(2).revision == update
                           and app.views["shop/web"].slot(2).ready, "web-2 updated in the next view")
            sts = apps_api(client).read_namespaced_stateful_set("web", "shop")
            assert sts.spec.update_strategy.rolling_update.partition == 2
        drive(app, scenario)


def test_undo_dialog_on_redis_names_exactly_what_the_controller_does(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "cache/redis")
            pods_before = {p.metadata.name: p.metadata.uid for p in core_api(client).list_namespaced_pod("cache").items}
            revisions_before = {r.metadata.name: r.revision for r in
                                apps_api(client).list_namespaced_controller_revision("cache").items}
            await pilot.press("u")
            assert isinstance(app.screen, ChoiceModal)
            await pilot.press("enter")                                   # the previous revision
            assert isinstance(app.screen, ConfirmModal)
            plan = app.screen.plan
            effect = " ".join(plan.effect)
            assert "No new revision is made: the controller reuses revision 1" in effect
            assert "The controller replaces no pod by itself." in plan.effect
            assert "redis-0 and redis-1 already run revision 1 and stay." in plan.effect
            assert any(w.startswith("redis-2 is not Ready on the revision being undone") for w in plan.warnings)
            await confirm(pilot, app)
            cluster.settle()
            await wait_for(pilot, lambda: app.views["cache/redis"].rollout.update_revision
                           == app.views["cache/redis"].rollout.current_revision, "undo seen")
            pods_after = {p.metadata.name: p.metadata.uid for p in core_api(client).list_namespaced_pod("cache").items}
            assert pods_after == pods_before            # the controller replaced none of them
            revisions_after = {r.metadata.name: r.revision for r in
                               apps_api(client).list_namespaced_controller_revision("cache").items}
            assert set(revisions_after) == set(revisions_before)        # reused, not a new one
            assert max(revisions_after.values()) == max(revisions_before.values()) + 1   # renumbered
            # deleting redis-2 by hand, as the dialog said, brings it back at revision 1
            core_api(client).delete_namespaced_pod("redis-2", "cache")
            cluster.settle()
            await wait_for(pilot, lambda: app.views["cache/redis"].rollout.state == "complete", "redis complete")
        drive(app, scenario)


def test_no_false_alarm_while_the_pod_list_is_held_back(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        cluster.faults.set_latency(3.0, "pods")
        seen: list[str] = []

        async def scenario(pilot):
            await wait_for(pilot, lambda: app.views and "pods" in app.loading and not app.loading - {"pods"},
                           "every kind but pods listed")
            for _ in range(5):
                for view in app.views.values():
                    assert view.warnings == (), view.key
                    assert all(s.phase != "NotCreated" for s in view.slots), view.key
                    assert all(c.phase != "Missing" for c in view.claims), view.key
                    assert view.rollout.state == "unknown" and view.rollout.reason == "pods not listed yet"
                    seen.append(view.key)
                assert "loading pods" in app.query_one("#status").content.plain
                assert "loading pods" in app.pods_pane.border_title
                await pilot.pause(0.1)
            # A change asked for now would be planned from pods not listed yet ("web-3 does
            # not exist yet"): it waits, and says so; nothing is sent.
            await select(pilot, app, "shop/web", listed=False)
            partition = apps_api(client).read_namespaced_stateful_set("web", "shop").spec.update_strategy.rolling_update.partition
            for key in ("a", "s", "r"):
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, (ConfirmModal, ValueModal)), key
            told = [str(n.message) for n in app._notifications]
            assert any("still listing pods" in t and "changes wait" in t for t in told), told
            assert apps_api(client).read_namespaced_stateful_set("web", "shop").spec.update_strategy.rolling_update.partition == partition
            cluster.faults.clear()
            await wait_for(pilot, lambda: not app.loading, "pods listed")
            await wait_for(pilot, lambda: app.views["search/elasticsearch"].warnings, "real warnings")
            assert "loading" not in app.query_one("#status").content.plain
        async def main():
            async with app.run_test(size=(120, 40)) as pilot:
                await scenario(pilot)
                await pilot.press("q")
        asyncio.run(main())
        assert seen


def test_scale_dialog_names_the_pods_that_go_and_the_claims_left_as_orphans(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("s")
            assert isinstance(app.screen, ValueModal)
            assert not app.screen.query_one("#value-error").display      # opens on 5, no refusal
            app.screen.query_one("#value-input", Input).value = "3"
            await pilot.pause()
            await pilot.press("enter")
            plan = app.screen.plan
            assert "web-4 and web-3 are removed" in " ".join(plan.effect)
            assert any("claims data-web-3 and data-web-4 stay behind as orphans" in e for e in plan.effect)
            await confirm(pilot, app)
            cluster.settle()
            await wait_for(pilot, lambda: app.views["shop/web"].rollout.state != "scaling"
                           and not app.views["shop/web"].rollout.counts_pending, "scaled")
            pods = {p.metadata.name for p in core_api(client).list_namespaced_pod("shop").items}
            claims = {c.metadata.name for c in core_api(client).list_namespaced_persistent_volume_claim("shop").items}
            assert pods == {"web-0", "web-1", "web-2"}
            assert {"data-web-3", "data-web-4"} <= claims
            view = app.views["shop/web"]
            assert [c.name for c in view.claims if c.orphan] == ["data-web-3", "data-web-4"]
            assert cell_text(app.sts_pane, "shop/web", "updated") == "0/3"     # from the pods, never 2/3 of 5
        drive(app, scenario)


def test_get_claims_nothing_that_depends_on_a_kind_it_could_not_list(tmp_path):
    cluster, server, path = start_embedded("demo", clock="manual", kubeconfig_out=str(tmp_path / "kubeconfig"))
    try:
        cluster.faults.forbid("pods")
        views = get_json(path, code=3)      # printed, but incomplete: ststui get exits 3
    finally:
        stop_embedded(cluster, server)
    for key, view in views.items():
        assert view["rollout"]["state"] == "unknown" and view["rollout"]["reason"] == "pods not listed yet", key
        assert view["warnings"] == [], key
        assert all(p["phase"] != "NotCreated" for p in view["pods"]), key


def test_pods_of_a_forbidden_kind_are_unknown_on_screen_until_allowed(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        cluster.faults.forbid("pods")

        async def scenario(pilot):
            await wait_for(pilot, lambda: app.views and "pods" in app.unreadable, "pods forbidden")
            for view in app.views.values():
                assert view.warnings == (), view.key
                assert view.slots and all(s.phase == "Unknown" for s in view.slots), view.key
                assert view.rollout.state == "unknown", view.key
            cluster.faults.clear()          # access granted again: the kind is watched again
            await wait_for(pilot, lambda: not app.unreadable and app.views["shop/web"].slots[0].exists,
                           "pods listed once allowed")
        async def main():
            async with app.run_test(size=(120, 40)) as pilot:
                await scenario(pilot)
                await pilot.press("q")
        asyncio.run(main())
