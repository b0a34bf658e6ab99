"""Layout and keyboard navigation of the main screen, on a hand-filled store."""
from __future__ import annotations

from conftest import run_app
from textual.widgets import Input

from ststui.state.store import Store
from tui_scene import RecordingSession, fill_store, make_app, pod, statefulset


def test_panes_show_statefulsets_sorted_and_the_selected_ones_pods(app):
    async def scenario(pilot):
        assert app.sts_pane.row_keys == ["data/db", "shop/broken", "shop/web"]
        assert app.selected_key == "data/db"
        assert app.pods_pane.row_keys == ["db-0", "db-1", "db-2"]
        await pilot.press("down", "down")
        assert app.selected_key == "shop/web"
        assert app.pods_pane.row_keys == ["web-0", "web-1", "web-2", "web-3"]
        assert app.claims_pane.row_keys == [f"www-web-{i}" for i in range(5)]
        assert "pv-old-5" in app.volumes_pane.row_keys
        assert app.warnings_pane.row_count == 2
        assert app.pods_pane.border_title == "Pods · web"

    run_app(app, scenario)


def test_pods_are_in_numeric_ordinal_order():
    store = Store()
    store.replace("statefulsets", [statefulset("big", "kafka", replicas=12, image="k:1", current="kafka-a",
                                               update="kafka-a", templates=())], "1")
    store.replace("pods", [pod("big", "kafka", i, rev="kafka-a") for i in (11, 2, 10, 0, 1, 9, 3, 4, 5, 6, 7, 8)], "1")
    app = make_app(session=RecordingSession(store))

    async def scenario(pilot):
        assert app.pods_pane.row_keys == [f"kafka-{i}" for i in range(12)]

    run_app(app, scenario)


def test_tab_cycles_panes_and_escape_goes_back(app):
    async def scenario(pilot):
        assert app.focused is app.sts_pane
        order = []
        for _ in range(5):
            await pilot.press("tab")
            order.append(app.focused.id)
        assert order == ["pods", "claims", "volumes", "warnings", "statefulsets"]
        await pilot.press("shift+tab")
        assert app.focused.id == "warnings"
        await pilot.press("escape")
        assert app.focused is app.sts_pane

    run_app(app, scenario)


def test_focused_pane_is_scrolled_into_view_at_80x24(app):
    async def scenario(pilot):
        body = app.query_one("#body")
        assert body.scroll_y == 0
        for _ in range(4):
            await pilot.press("tab")
        await pilot.pause()
        warnings = app.warnings_pane
        assert app.focused is warnings
        assert body.scroll_y > 0
        assert body.region.contains_region(warnings.region) or warnings.region.y >= body.region.y

    run_app(app, scenario, size=(80, 24))


def test_enter_drills_in_from_statefulsets_to_pods_and_claim_to_volume(app):
    async def scenario(pilot):
        await pilot.press("down", "down", "enter")
        assert app.focused is app.pods_pane
        await pilot.press("tab")                      # claims
        assert app.focused is app.claims_pane
        await pilot.press("down", "down", "down", "down", "enter")   # www-web-4 -> pv-static-4
        assert app.focused is app.volumes_pane
        assert app.volumes_pane.selected_key == "pv-static-4"

    run_app(app, scenario)


def test_enter_on_a_warning_jumps_to_its_object(app):
    async def scenario(pilot):
        # data/db: warnings include the stuck pod db-2
        app.warnings_pane.focus()
        await pilot.pause()
        keys = [app.warnings_pane.warning_key(w, i) for i, w in enumerate(app.views["data/db"].warnings)]
        index = next(i for i, k in enumerate(keys) if k.endswith("pod/db-2"))
        app.warnings_pane.highlighted = index
        await pilot.press("enter")
        assert app.focused is app.pods_pane
        assert app.pods_pane.selected_key == "db-2"

    run_app(app, scenario)


def test_filter_narrows_the_statefulsets_and_escape_clears_it(app):
    async def scenario(pilot):
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press("b", "r", "o")
        assert app.sts_pane.row_keys == ["shop/broken"]
        assert app.selected_key == "shop/broken"
        await pilot.press("enter")
        assert app.focused is app.sts_pane
        assert app.sts_pane.row_keys == ["shop/broken"]
        await pilot.press("escape")
        assert app.sts_pane.row_keys == ["data/db", "shop/broken", "shop/web"]

    run_app(app, scenario)


def test_namespace_key_filters_when_watching_all_namespaces(app):
    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        modal = app.screen
        labels = [str(modal.query_one("#choices").get_option_at_index(i).prompt)
                  for i in range(modal.query_one("#choices").option_count)]
        assert labels == ["all namespaces", "data", "default", "shop"]
        await pilot.press("down", "enter")              # data
        await pilot.pause()
        assert app.sts_pane.row_keys == ["data/db"]
        assert "ns data (of all)" in app.query_one("#status").shown.plain

    run_app(app, scenario)


def test_context_key_without_kubeconfig_says_so(app):
    from conftest import notifications

    async def scenario(pilot):
        await pilot.press("c")
        await pilot.pause()
        assert any("No other contexts" in m for m in notifications(app))

    run_app(app, scenario)


def test_help_lists_every_pane_key(app):
    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        from ststui.tui.help import HelpScreen
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(f"{key} {description}" for _, rows in app.screen.sections()
                        for key, description, _ in rows)
        for word in ("Step", "Partition", "Force delete", "Reclaim", "Delete claim", "Restart", "Undo",
                     "Image", "YAML", "Describe", "History", "Namespace", "Context"):
            assert word in text, word
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    run_app(app, scenario)


def test_command_palette_opens(app):
    async def scenario(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandPalette
        assert isinstance(app.screen, CommandPalette)

    run_app(app, scenario)


def test_q_quits(app):
    async def scenario(pilot):
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 or not app.is_running

    run_app(app, scenario)


def test_fill_store_helper_is_consistent():
    store = fill_store()
    assert store.counts()["pods"] == 10
