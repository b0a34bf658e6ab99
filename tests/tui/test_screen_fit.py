"""80x24 first: ranked footer, dialogs that fit with their kubectl line and buttons, a
copy key for kubectl, the selected StatefulSet in view, toasts off the rows."""
from __future__ import annotations

from textual.widgets import Button

from conftest import run_app
from ststui.tui.footer import RankedFooter
from ststui.tui.modals import ConfirmModal, KubectlLines
from tui_scene import make_app


def _footer(app) -> str:
    return app.screen.query_one(RankedFooter).plain


def _visible(widget) -> bool:
    """The widget's whole region is inside the screen (not scrolled or cut away)."""
    region = widget.region
    screen = widget.screen.region
    return region.height > 0 and screen.contains_region(region)


def test_footer_keeps_help_and_quit_at_80_columns_on_every_pane():
    app = make_app()

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        for pane in ("statefulsets", "pods", "claims", "volumes", "warnings"):
            app.query_one(f"#{pane}").focus()
            await pilot.pause()
            await pilot.pause()
            text = _footer(app)
            assert text.startswith("? Help  q Quit"), (pane, text)
            assert len(text) <= 80
        app.sts_pane.focus()
        await pilot.pause()
        await pilot.pause()
        # The StatefulSets pane's own keys come right after: step before the app's YAML.
        text = _footer(app)
        assert text.index("a Step") < text.index("y YAML") if "y YAML" in text else "a Step" in text

    run_app(app, scenario, size=(80, 24))


def _check_dialog(app, with_typed: bool) -> None:
    modal = app.screen
    assert isinstance(modal, ConfirmModal)
    kubectl = modal.query_one(KubectlLines)
    assert _visible(kubectl.query_one("#kubectl-text")), kubectl.region
    for button in modal.query(Button):
        assert _visible(button), (button.id, button.region)
    if with_typed:
        assert _visible(modal.query_one("#typed-confirm"))
    # The effect text (with its last, decisive warning) is whole, not scrolled.
    body = modal.query_one("#dialog-body")
    assert body.max_scroll_y == 0, body.max_scroll_y
    # One unwrapped line per command.
    text = kubectl.query_one("#kubectl-text")
    assert text.size.height == len(kubectl.commands)


def test_force_delete_dialogs_fit_80x24():
    app = make_app()

    async def scenario(pilot):
        for sts, pod, typed in (("data/db", "db-2", False), ("shop/web", "web-1", True)):
            app.sts_pane.select_key(sts)
            await pilot.pause()
            app.pods_pane.focus()
            app.pods_pane.select_key(pod)
            await pilot.pause()
            await pilot.press("ctrl+k")
            await pilot.pause()
            await pilot.pause()
            _check_dialog(app, typed)
            await pilot.press("escape")
            await pilot.pause()

    run_app(app, scenario, size=(80, 24))


def test_copy_key_puts_the_kubectl_command_on_the_clipboard():
    app = make_app()
    copied = []
    app.copy_to_clipboard = copied.append   # the OSC 52 write itself is Textual's

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        await pilot.press("c")
        await pilot.pause()
        assert copied == ["\n".join(modal.query_one(KubectlLines).commands)]
        assert copied[0].startswith("kubectl ")
        assert app.screen is modal            # copying does not answer the dialog

    run_app(app, scenario, size=(80, 24))


def test_selected_statefulset_stays_named_while_a_lower_pane_has_focus():
    app = make_app()

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        pinned = app.query_one("#pinned")
        assert not pinned.display
        app.volumes_pane.focus()
        await pilot.pause()
        await pilot.pause()
        assert not app.selected_row_in_view()     # the body scrolled the row away ...
        assert pinned.display and _visible(pinned)  # ... so one line names it
        shown = str(pinned.render())
        assert "shop/web" in shown and "partition 3" in shown, shown
        app.sts_pane.focus()
        await pilot.pause()
        await pilot.pause()
        assert app.selected_row_in_view() and not pinned.display

    run_app(app, scenario, size=(80, 24))


def test_messages_never_cover_the_focused_row():
    app = make_app()

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        app.pods_pane.focus()
        app.pods_pane.select_key("web-3")
        await pilot.pause()
        app.notify("a result that would have been a toast over the pods", title="Delete pod shop/web-3")
        app.notify("a second one", severity="warning")
        await pilot.pause()
        await pilot.pause()
        line = app.query_one("#messages")
        assert line.display and "Delete pod shop/web-3" in line.shown_plain
        # The row under the cursor is on screen and the message line is not over it.
        pane = app.pods_pane
        row_y = pane.region.y + pane.gutter.top + pane.header_height + pane.cursor_row - round(pane.scroll_y)
        assert line.region.y > row_y
        body = app.query_one("#body")
        assert body.region.y <= row_y < body.region.bottom

    run_app(app, scenario, size=(80, 24))


def _cut_cells(pane) -> list[str]:
    widths = pane.column_widths
    cut = []
    for key, cells in pane._cells.items():
        for column, (text, _style) in zip(pane._columns_in_use, cells):
            if len(text) > widths[column.key]:
                cut.append(f"{pane.id}/{key}/{column.key}: {text!r} in {widths[column.key]}")
    return cut


def test_wide_terminals_give_detail_columns_their_content():
    app = make_app()
    long_name = "pvc-c25e114f-ff18-4e33-9534-a034e8009d90"

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        # A dynamically provisioned volume name and a long phase arrive after the start
        # (put into the view by hand, so the 1 Hz tick must not rebuild it from the store).
        for timer in app._refresh_timers:
            timer.pause()
        view = app.views["shop/web"]
        from dataclasses import replace
        claims = tuple(replace(c, volume=long_name) if c.ordinal == 0 else c for c in view.claims)
        slots = tuple(replace(s, phase="ContainerCreating", ready=False) if s.ordinal == 1 else s
                      for s in view.slots)
        app.views["shop/web"] = replace(view, claims=claims, slots=slots)
        app.pods_pane.focus()
        app.pods_pane.select_key("web-2")
        app.show_detail(flash=True)
        await pilot.pause()
        for pane in (app.pods_pane, app.claims_pane, app.volumes_pane):
            assert not _cut_cells(pane), _cut_cells(pane)
        assert long_name in str(app.claims_pane.get_row("www-web-0"))
        assert app.pods_pane.selected_key == "web-2"     # the rebuild kept the cursor on its row

    run_app(app, scenario, size=(160, 50))


def test_no_toast_floats_over_the_main_screen():
    import asyncio
    from textual.widgets._toast import Toast

    async def main():
        app = make_app()
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            app.notify("done", title="Delete pod shop/web-3")
            await pilot.pause()
            await pilot.pause()
            assert not list(app.screen.query(Toast))
            assert "Delete pod shop/web-3" in app.query_one("#messages").shown_plain
            await pilot.press("question_mark")     # a dialog keeps Textual's toasts
            await pilot.pause()
            app.notify("inside the dialog")
            await pilot.pause()
            await pilot.pause()
            assert list(app.screen.query(Toast))

    asyncio.run(main())


def test_filter_line_does_not_cover_the_status_line():
    app = make_app()

    async def scenario(pilot):
        await pilot.press("slash")
        await pilot.pause()
        status, field = app.query_one("#status"), app.query_one("#filter")
        assert field.display and field.region.y > status.region.y

    run_app(app, scenario, size=(80, 24))


def test_change_log_holds_each_command_whole_on_one_line_and_copies_them():
    from ststui.tui.views import ActionLogScreen
    app = make_app()
    copied = []
    app.copy_to_clipboard = copied.append
    log_key = next(b for b in app.BINDINGS if b.id == "ststui.action_log").key.split(",")[0]

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        await pilot.press("a", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [entry] = app.action_log.entries
        [command] = entry.kubectl
        assert len(command) > 80          # longer than the terminal is wide
        await pilot.press(log_key)
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)
        lines = str(app.screen.query_one("#log").render()).splitlines()
        assert f"  $ {command}" in lines  # whole, on one line, not wrapped
        await pilot.press("c")
        await pilot.pause()
        assert copied == [command]

    run_app(app, scenario, size=(80, 24))


def test_read_only_footer_puts_usable_keys_before_disabled_ones():
    app = make_app(read_only=True)

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        await pilot.pause()
        text = _footer(app)
        assert text.startswith("? Help  q Quit  l Logs  / Filter"), text   # l: StatefulSet logs (usable)

    run_app(app, scenario, size=(80, 24))
