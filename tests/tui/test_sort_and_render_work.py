"""Sort keys on tables (N/A/S/R, again to reverse, cursor stays on its row), and work
proportional to what changed: one StatefulSet change re-renders one row; an idle minute
on a manual clock writes no cell whose text is unchanged."""
from __future__ import annotations

from conftest import run_app

from ststui.tui.help import HelpScreen
from ststui.tui.sorting import age_seconds, natural, ready_fraction
from tui_scene import NOW, RecordingSession, make_app, scene_objects


def column_texts(pane, column_key: str) -> list[str]:
    return [pane.get_cell(key, column_key).plain for key in pane.row_keys]


def test_sort_keys_reorder_reverse_and_keep_the_cursor_on_its_row(app):
    async def scenario(pilot):
        pane = app.sts_pane
        assert pane.row_keys == ["data/db", "shop/broken", "shop/web"]
        await pilot.press("down", "down")
        assert pane.selected_key == "shop/web"
        await pilot.press("N")
        names = column_texts(pane, "name")
        assert names == sorted(names, key=natural) and names[0] == "broken"
        assert pane.selected_key == "shop/web" and app.selected_key == "shop/web"
        await pilot.press("N")
        assert column_texts(pane, "name") == sorted(names, key=natural, reverse=True)
        assert pane.selected_key == "shop/web"
        for key, column, parse in (("A", "age", age_seconds), ("R", "ready", ready_fraction)):
            await pilot.press(key)
            values = [parse(t) for t in column_texts(pane, column)]
            assert values == sorted(values)
            await pilot.press(key)
            values = [parse(t) for t in column_texts(pane, column)]
            assert values == sorted(values, reverse=True)
            assert pane.selected_key == "shop/web"
        await pilot.press("S")
        assert column_texts(pane, "status") == sorted(column_texts(pane, "status"), key=natural)
        assert "sorted by" in str(pane.border_subtitle)
        # the pods pane sorts too (its status column is PHASE), cursor kept
        await pilot.press("tab", "down")
        pods = app.pods_pane
        selected = pods.selected_key
        await pilot.press("N", "N")
        assert pods.row_keys == sorted(pods.row_keys, key=natural, reverse=True)
        assert pods.selected_key == selected

    run_app(app, scenario)


def test_sort_keys_are_in_the_help(app):
    async def scenario(pilot):
        await pilot.press("question_mark")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        rows = [(k, d) for _, section in screen.sections() for k, d, _ in section]
        descriptions = {d for _, d in rows}
        for field in ("name", "age", "status", "ready"):
            assert f"Sort by {field}" in descriptions

    run_app(app, scenario)


def spy_writes(pane, log: list):
    """Record (row key, column key, old text, new text) of every cell written to `pane`
    (a replaced row logs the cells that differ; an added row logs "*add*")."""
    original = pane.update_row

    def update_row(key, cells):
        old = pane.row_cells(key)
        for column, before, after in zip(pane._columns_in_use, old, cells):
            if before != after:
                log.append((key, column.key, before[0], after[0]))
        if old == cells:
            log.append((key, "*same*", None, None))
        return original(key, cells)
    pane.update_row = update_row
    added = pane.add_row

    def add_row(key, cells):
        log.append((key, "*add*", None, None))
        return added(key, cells)
    pane.add_row = add_row


def test_one_statefulset_change_rerenders_one_row():
    session = RecordingSession()
    app = make_app(session=session)

    async def scenario(pilot):
        store = session.store
        writes: list = []
        spy_writes(app.sts_pane, writes)
        cleared: list = []
        original_clear = app.sts_pane.clear
        app.sts_pane.clear = lambda *a, **k: (cleared.append(1), original_clear(*a, **k))[1]
        sts = [o for o in scene_objects()["statefulsets"] if o["metadata"]["name"] == "db"][0]
        spec = dict(sts["spec"], updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}})
        changed = dict(sts, metadata=dict(sts["metadata"], resourceVersion="999999"), spec=spec)
        store.apply_event("statefulsets", "MODIFIED", changed)
        app.drain_changes()
        await pilot.pause()
        assert writes, "the change was not shown"
        assert {w[0] for w in writes} == {"data/db"}
        assert not cleared
        assert app.sts_pane.get_cell("data/db", "partition").plain == "2"

    run_app(app, scenario)


def test_an_idle_minute_writes_no_unchanged_cell():
    now = [NOW]
    session = RecordingSession()
    session.clock = lambda: now[0]
    app = make_app(session=session)

    async def scenario(pilot):
        for timer in app._refresh_timers:        # the test drives the ticks itself
            timer.stop()
        panes = [app.sts_pane, app.pods_pane, app.claims_pane, app.volumes_pane]
        writes: list = []
        for pane in panes:
            spy_writes(pane, writes)
        renders = []
        original = app.render_all
        app.render_all = lambda **kw: (renders.append(now[0]), original(**kw))[1]
        for _ in range(60):
            now[0] += 1.0
            app.drain_changes()
            app.tick()
        await pilot.pause()
        assert all(old != new for _, _, old, new in writes), [w for w in writes if w[2] == w[3]]
        # rows are re-rendered only when an age reads differently (minute ages: at most twice)
        assert len(renders) <= 2

    run_app(app, scenario)


def test_a_statefulset_arriving_out_of_order_is_placed_without_a_rebuild():
    session = RecordingSession()
    app = make_app(session=session)

    async def scenario(pilot):
        pane = app.sts_pane
        await pilot.press("down", "down")
        assert pane.selected_key == "shop/web"
        cleared: list = []
        original_clear = pane.clear
        pane.clear = lambda *a, **k: (cleared.append(1), original_clear(*a, **k))[1]
        writes: list = []
        spy_writes(pane, writes)
        sts = [o for o in scene_objects()["statefulsets"] if o["metadata"]["name"] == "db"][0]
        newcomer = dict(sts, metadata=dict(sts["metadata"], name="dz", uid="uid-dz", resourceVersion="999998"))
        session.store.apply_event("statefulsets", "ADDED", newcomer)
        app.drain_changes()
        await pilot.pause()
        assert pane.row_keys == ["data/db", "data/dz", "shop/broken", "shop/web"]
        assert [pane.get_row_at(i)[1].plain for i in range(4)] == ["db", "dz", "broken", "web"]
        assert not cleared
        assert {w[0] for w in writes} == {"data/dz"}       # one row added, nothing rewritten
        assert pane.selected_key == "shop/web"

    run_app(app, scenario)
