"""Live updates: store changes reach only the affected rows, the cursor stays on its row,
changed rows flash, and the connection state shows at once."""
from __future__ import annotations

import threading

from conftest import run_app

from tui_scene import RecordingSession, make_app, pod, statefulset


def test_changed_pod_updates_its_row_and_flashes(app, session):
    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        before = app.pods_pane.get_row("web-1")
        session.store.apply_event("pods", "MODIFIED", pod("shop", "web", 1, rev="web-5d8f9c6b7", node_name="node-2",
                                                         ready=False, restarts=3))
        await pilot.pause(0.3)
        after = app.pods_pane.get_row("web-1")
        assert str(after[3]) == "0/1" and str(before[3]) == "1/1"
        assert str(after[6]) == "3"
        assert "web-1" in app.pods_pane.flashing_keys
        assert "web-0" not in app.pods_pane.flashing_keys
        assert app.selected_key == "shop/web"

    run_app(app, scenario)


def test_cursor_follows_its_row_when_rows_are_added_and_removed(app, session):
    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        assert app.sts_pane.cursor_row == 2
        session.store.apply_event("statefulsets", "ADDED", statefulset("aaa", "first", replicas=1, image="x:1",
                                                                      current="first-1", update="first-1",
                                                                      templates=()))
        await pilot.pause(0.3)
        assert app.sts_pane.row_keys[0] == "aaa/first"
        assert app.sts_pane.selected_key == "shop/web"
        assert app.sts_pane.cursor_row == 3
        assert app.selected_key == "shop/web"
        assert "aaa/first" in app.sts_pane.flashing_keys
        # the selected set disappears: the cursor stays in place and the detail follows
        gone = session.store.get("statefulsets", "shop", "web")
        session.store.apply_event("statefulsets", "DELETED", {**gone, "metadata": {**gone["metadata"],
                                                                                   "resourceVersion": "99999"}})
        await pilot.pause(0.3)
        assert "shop/web" not in app.sts_pane.row_keys
        assert app.selected_key == "shop/broken"
        assert app.pods_pane.row_keys[0] == "broken-0"

    run_app(app, scenario)


def test_unchanged_store_writes_nothing(app, session):
    async def scenario(pilot):
        await pilot.pause(0.3)
        count = app.sts_pane.writes
        app.drain_changes()
        app.tick()
        assert app.sts_pane.writes == count
        assert not app.sts_pane.flashing_keys

    run_app(app, scenario)


class FakeWatch:
    """Stands in for kube.watch.WatchManager: run() blocks until stop()."""

    def __init__(self) -> None:
        self.state = ("synced", "live")
        self.stopped = threading.Event()
        self.ran = threading.Event()

    def run(self) -> None:
        self.ran.set()
        self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()

    def summary(self):
        return self.state


def test_connection_loss_shows_at_once_and_marks_data_stale():
    watch = FakeWatch()
    session = RecordingSession(watch=watch)
    app = make_app(session=session)

    async def scenario(pilot):
        await pilot.pause(0.2)
        assert watch.ran.wait(2)
        status = app.query_one("#status")
        assert "● live" in status.shown.plain
        watch.state = ("retrying", "cannot reach the API server (connection refused); retrying in 4s")
        await pilot.pause(0.3)
        assert "connection refused" in status.shown.plain
        assert "data may be stale" in status.shown.plain
        assert app.screen.has_class("-stale")
        watch.state = ("synced", "live")
        await pilot.pause(0.3)
        assert not app.screen.has_class("-stale")
        await pilot.press("q")

    run_app(app, scenario)
    assert watch.stopped.is_set()
