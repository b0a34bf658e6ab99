"""Action keys -> plan -> modal -> execute, on a hand-filled store (the session records
the plans it is asked to execute; the sim-backed tests check the server's side)."""
from __future__ import annotations

from conftest import notifications, run_app
from textual.widgets import Button, Input, Static

from ststui.tui.modals import ChoiceModal, ConfirmModal, ValueModal
from tui_scene import RecordingSession, make_app, pod


async def select_statefulset(pilot, app, key: str) -> None:
    app.sts_pane.focus()
    assert app.sts_pane.select_key(key)
    await pilot.pause()
    assert app.selected_key == key


async def finish(pilot, app) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_step_opens_a_confirmation_that_defaults_to_no(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("a")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert modal.plan.title == "Step rollout of shop/web"
        assert "kubectl patch sts web -n shop" in modal.plan.kubectl
        assert modal.focused.id == "no"
        await pilot.press("enter")          # enter on the default button: No
        await finish(pilot, app)
        assert not isinstance(app.screen, ConfirmModal)
        assert session.executed == []
        await pilot.press("a")
        await pilot.press("escape")
        await pilot.press("a")
        await pilot.press("n")
        await finish(pilot, app)
        assert session.executed == []

    run_app(app, scenario)


def test_step_confirmed_with_y_executes_logs_and_reports(app, session, tmp_path):
    audit = tmp_path / "audit.log"
    app = make_app(session=session, audit_log=audit)

    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("a", "y")
        await finish(pilot, app)
        assert [p.action for p, _ in session.executed] == ["step"]
        plan, read_only = session.executed[0]
        assert read_only is False
        assert plan.requests[0].body[-1]["value"] == 2
        assert "Done: Step rollout of shop/web." in notifications(app)
        [entry] = app.action_log.entries
        assert entry.ok and entry.kubectl == (plan.kubectl,)
        line = audit.read_text().strip()
        assert "OK" in line and plan.kubectl in line and "context=test-cluster" in line

    run_app(app, scenario)


def test_failed_change_is_reported_and_logged_as_failed(app, session):
    session.result_ok = False

    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("a", "y")
        await finish(pilot, app)
        assert "The server refused the change: conflict." in notifications(app)
        assert app.action_log.entries[0].ok is False

    run_app(app, scenario)


def test_refused_step_offers_override_then_confirms(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        # web-3 (the updated canary) stops being Ready: the watch brings the change in.
        session.store.apply_event("pods", "MODIFIED",
                                  pod("shop", "web", 3, rev="web-7c4b2d9f1", node_name="node-2", ready=False,
                                      age=240, image="nginx:1.27"))
        await pilot.pause(0.3)
        await pilot.press("a")
        modal = app.screen
        assert isinstance(modal, ConfirmModal) and modal.refused
        assert "web-3" in modal.plan.refused
        assert modal.focused.id == "no"
        await pilot.press("y")                         # override
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and not confirm.refused
        assert any("Overriding" in w for w in confirm.plan.warnings)
        await pilot.press("y")
        await finish(pilot, app)
        assert [p.action for p, _ in session.executed] == ["step"]

    run_app(app, scenario)


def test_refusal_without_override_only_closes(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "data/db")         # OnDelete: no partition
        await pilot.press("a")
        modal = app.screen
        assert isinstance(modal, ConfirmModal) and modal.refused
        assert not modal.query("#yes")
        await pilot.press("y")
        await pilot.press("escape")
        await finish(pilot, app)
        assert session.executed == []

    run_app(app, scenario)


def test_partition_input_is_validated_inline(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("P")
        modal = app.screen
        assert isinstance(modal, ValueModal)
        field = modal.query_one("#value-input", Input)
        assert field.value == "3"
        # it opens on the current value with no refusal anywhere
        assert "Refused" not in str(modal.query_one("#value-error", Static).render())
        assert not modal.query_one("#value-error", Static).display
        assert "Refused" not in str(modal.query_one("#plan-text", Static).render())
        field.value = "4"
        await pilot.pause()
        field.value = "3"        # typed back to the current value: refused once, in one place
        await pilot.pause()
        assert modal.error == "The partition of shop/web is already 3."
        assert modal.query_one("#value-error", Static).display
        assert "Refused" not in str(modal.query_one("#plan-text", Static).render())
        for bad in ("abc", "-1", "9"):
            field.value = bad
            await pilot.pause()
            assert modal.error and "Partition must be a whole number from 0 to 4" in modal.error
            assert modal.query_one("#yes", Button).disabled
            await pilot.press("enter")
            assert app.screen is modal
        field.value = "1"
        await pilot.pause()
        assert modal.error is None
        await pilot.press("enter")
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert "from 3 to 1" in " ".join(confirm.plan.effect)
        await pilot.press("y")
        await finish(pilot, app)
        [(plan, _)] = session.executed
        assert plan.requests[0].body[-1]["value"] == 1

    run_app(app, scenario)


def test_scale_says_which_claims_stay(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("s")
        modal = app.screen
        modal.query_one("#value-input", Input).value = "2"
        await pilot.pause()
        await pilot.press("enter")
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        text = " ".join(confirm.plan.effect + confirm.plan.warnings)
        assert "www-web-2" in text and "www-web-3" in text
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "scale"

    run_app(app, scenario)


def test_hold_toggles_to_release_when_held(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("h")
        assert app.screen.plan.action == "hold"
        await pilot.press("n")
        await select_statefulset(pilot, app, "shop/broken")
        await pilot.press("h")
        assert app.screen.plan.action == "hold"
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "hold"

    run_app(app, scenario)


def test_force_delete_on_notready_node_needs_no_typing(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "data/db")
        app.pods_pane.focus()
        app.pods_pane.select_key("db-2")
        await pilot.press("ctrl+k")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        text = " ".join(modal.plan.effect + modal.plan.warnings)
        assert "node-3" in text
        assert modal.confirm_text is None
        assert modal.focused.id == "no"
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "force-delete-pod"
        assert "--grace-period=0" in session.executed[0][0].kubectl

    run_app(app, scenario)


def test_force_delete_on_ready_node_requires_typing_the_pod_name(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        app.pods_pane.focus()
        app.pods_pane.select_key("web-1")
        await pilot.press("ctrl+k")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert modal.confirm_text == "web-1"
        assert isinstance(modal.focused, Input)
        await pilot.press("y")                 # types "y" into the field: no confirmation
        await pilot.press("enter")
        assert app.screen is modal
        assert modal.query_one("#yes", Button).disabled
        modal.query_one("#typed-confirm", Input).value = ""
        await pilot.press(*"web-1")
        assert not modal.query_one("#yes", Button).disabled
        await pilot.press("enter")
        await finish(pilot, app)
        assert [p.action for p, _ in session.executed] == ["force-delete-pod"]

    run_app(app, scenario)


def test_delete_pod_graceful(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "data/db")
        app.pods_pane.focus()
        app.pods_pane.select_key("db-1")
        await pilot.press("ctrl+d")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "db-1" in modal.plan.title
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "delete-pod"

    run_app(app, scenario)


def test_delete_orphan_claim_from_claims_pane(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        app.claims_pane.focus()
        app.claims_pane.select_key("www-web-4")
        await pilot.press("ctrl+d")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "pv-static-4" in " ".join(modal.plan.effect)
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "delete-claim"

    run_app(app, scenario)


def test_reclaim_released_volume_keep_for_its_claim(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        app.volumes_pane.focus()
        app.volumes_pane.select_key("pv-old-5")
        await pilot.press("r")
        choice = app.screen
        assert isinstance(choice, ChoiceModal)
        await pilot.press("enter")             # first choice: keep
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert confirm.plan.action == "reclaim-keep"
        assert "www-web-5" in " ".join(confirm.plan.effect)
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "reclaim-keep"

    run_app(app, scenario)


def test_r_on_statefulsets_pane_is_restart(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("r")
        assert app.screen.plan.action == "restart"
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "restart"

    run_app(app, scenario)


def test_undo_offers_earlier_revisions(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("u")
        choice = app.screen
        assert isinstance(choice, ChoiceModal)
        assert [value for value, _ in choice.choices] == [1]
        await pilot.press("enter")
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert confirm.plan.action == "undo"
        assert "--to-revision=1" in confirm.plan.kubectl
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "undo"

    run_app(app, scenario)


def test_set_image_validates_and_plans(app, session):
    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        await pilot.press("i")
        modal = app.screen
        assert isinstance(modal, ValueModal)
        field = modal.query_one("#value-input", Input)
        assert field.value == "nginx:1.27"
        await pilot.pause()
        assert modal.error and "already runs" in modal.error
        field.value = "bad image"
        await pilot.pause()
        assert "not a valid image" in modal.error
        field.value = "nginx:1.28"
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await finish(pilot, app)
        assert session.executed[0][0].action == "set-image"

    run_app(app, scenario)


def test_read_only_greys_change_keys_and_changes_nothing():
    session = RecordingSession()
    app = make_app(session=session, read_only=True)

    async def scenario(pilot):
        await select_statefulset(pilot, app, "shop/web")
        active = app.screen.active_bindings
        for key in ("a", "P", "h", "s", "r", "u", "i"):
            assert active[key].enabled is False, key
        assert active["y"].enabled and active["d"].enabled
        await pilot.press("a", "s", "h")
        await pilot.pause()
        assert not isinstance(app.screen, (ConfirmModal, ValueModal))
        assert any("Read-only mode" in m for m in notifications(app))
        app.pods_pane.focus()
        await pilot.press("ctrl+k", "ctrl+d")
        app.volumes_pane.focus()
        await pilot.press("r")
        await finish(pilot, app)
        assert not isinstance(app.screen, (ConfirmModal, ValueModal, ChoiceModal))
        assert session.executed == []
        assert "READ-ONLY" in app.query_one("#status").shown.plain
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith(("Step", "Scale", "Force")) for t in titles)

    run_app(app, scenario)
