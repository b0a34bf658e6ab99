"""YAML, describe, history and action-log views."""
from __future__ import annotations

from conftest import run_app
from textual.widgets import DataTable

from ststui.tui.views import ActionLogScreen, DescribeScreen, HistoryScreen, YamlScreen, template_diff


async def open_on(pilot, app, key: str) -> None:
    app.sts_pane.select_key(key)
    await pilot.pause()


def test_yaml_of_the_focused_object(app):
    async def scenario(pilot):
        await open_on(pilot, app, "shop/web")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, YamlScreen)
        assert "StatefulSet shop/web" in screen.view_title
        assert "name: web" in screen.text
        await pilot.press("escape")
        app.pods_pane.focus()
        app.pods_pane.select_key("web-3")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Pod shop/web-3" in app.screen.view_title
        assert "name: web-3" in app.screen.text
        await pilot.press("q")
        assert not isinstance(app.screen, YamlScreen)
        assert app.is_running

    run_app(app, scenario)


def test_yaml_error_is_one_sentence(app, session):
    def broken(plural, namespace, name):
        raise LookupError("statefulset web is not known.")

    session.fetch_yaml = broken

    async def scenario(pilot):
        await open_on(pilot, app, "shop/web")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.error == "statefulset web is not known."

    run_app(app, scenario)


def test_describe_pod_shows_summary_and_events(app):
    async def scenario(pilot):
        await open_on(pilot, app, "shop/broken")
        app.pods_pane.focus()
        app.pods_pane.select_key("broken-2")
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DescribeScreen)
        rows, events = screen.source()
        assert dict(rows)["Phase"] == "ImagePullBackOff"
        [cells] = screen.event_rows
        assert cells[0][0] == "Warning" and cells[1][0] == "Failed" and cells[2][0] == "60s x9"
        assert "does-not-exist" in cells[4][0]

    run_app(app, scenario)


def test_enter_on_pod_describes_it(app):
    async def scenario(pilot):
        await open_on(pilot, app, "data/db")
        app.pods_pane.focus()
        app.pods_pane.select_key("db-2")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DescribeScreen)
        rows, _ = app.screen.source()
        assert dict(rows)["Node"] == "node-3 (Ready: no)"
        assert "Terminating for" in dict(rows)

    run_app(app, scenario)


def test_history_shows_revisions_and_template_diff(app):
    async def scenario(pilot):
        await open_on(pilot, app, "shop/web")
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one("#revisions", DataTable)
        assert table.row_count == 2
        diff = str(screen.query_one("#diff").render()).splitlines()
        assert "--- web-5d8f9c6b7" in diff and "+++ web-7c4b2d9f1" in diff
        assert "-  - image: nginx:1.25" in diff and "+  - image: nginx:1.27" in diff

    run_app(app, scenario)


def test_template_diff_is_unified():
    old = {"metadata": {"name": "a"}, "data": {"spec": {"template": {"spec": {"containers": [
        {"name": "main", "image": "x:1"}]}}}}}
    new = {"metadata": {"name": "b"}, "data": {"spec": {"template": {"spec": {"containers": [
        {"name": "main", "image": "x:2"}]}}}}}
    lines = template_diff(old, new)
    assert lines[0] == "--- a" and lines[1] == "+++ b"
    assert "-  - image: x:1" in lines and "+  - image: x:2" in lines


def test_action_log_view_lists_changes(app, session):
    async def scenario(pilot):
        await open_on(pilot, app, "shop/web")
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)
        assert "No changes" in str(app.screen.query_one("#log").render())
        await pilot.press("escape")
        await pilot.press("a", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("L")
        await pilot.pause()
        text = str(app.screen.query_one("#log").render())
        assert "Step rollout of shop/web" in text and "kubectl patch sts web" in text

    run_app(app, scenario)
