"""The events view: a StatefulSet's events (the set, its pods, claims and volumes) or a
namespace's, newest first, repeats collapsed with their count, refreshed every second.

Place in the flow: the app pushes `EventsScreen` with a `source()` that reads the store's
events (`E` for the selected StatefulSet, `:events` for the namespace) and
`state.events.gather()` collapses and orders them. A Warning is marked with `⚠` and the
word itself, not only with its colour.
"""
from __future__ import annotations

from typing import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ststui.state.events import EventRow
from ststui.state.present import human_age
from ststui.tui import render
from ststui.tui.views import ViewScreen


def event_row_cells(row: EventRow, now: float) -> tuple[Text, ...]:
    if row.warning:
        kind = Text("⚠ Warning", style=render.STYLE_WARN)
        reason = Text(row.reason, style=render.STYLE_WARN)
    else:
        kind = Text("  Normal", style=render.STYLE_DIM)
        reason = Text(row.reason)
    last = human_age(now - row.last) if row.last is not None else "-"
    count = f"×{row.count}" if row.count > 1 else ""
    return kind, reason, Text(row.obj), Text(count), Text(last), Text(row.message)


class EventsScreen(ViewScreen):
    """Events, live: `source()` gives the rows now (None: the StatefulSet is gone)."""

    def __init__(self, title: str, source: Callable[[], list[EventRow] | None], clock: Callable[[], float]) -> None:
        super().__init__(title)
        self.source = source
        self.clock = clock
        self.rows: list[EventRow] = []
        self._shown: tuple | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="view-body"):
            yield Static("", id="events-table")

    def on_mount(self) -> None:
        self.query_one("#view-body").focus()
        self.refresh_rows()
        self.set_interval(1.0, self.refresh_rows, name="events-refresh")

    def refresh_rows(self) -> None:
        rows = self.source()
        widget = self.query_one("#events-table", Static)
        if rows is None:
            widget.update(Text("The StatefulSet is gone: no events to show.", style=render.STYLE_WARN))
            self.rows = []
            return
        now = self.clock()
        content = tuple(event_row_cells(r, now) for r in rows)
        if content == self._shown:
            return
        self._shown = content
        self.rows = rows
        if not rows:
            widget.update(Text("No events (the API server keeps events for about an hour).", style=render.STYLE_DIM))
            return
        warnings = sum(1 for r in rows if r.warning)
        table = Table(box=None, pad_edge=False, expand=True, show_edge=False,
                      title=f"{len(rows)} events, {warnings} warnings, newest first", title_justify="left")
        table.add_column("TYPE", no_wrap=True)
        table.add_column("REASON", no_wrap=True)
        table.add_column("OBJECT", no_wrap=True, overflow="ellipsis", max_width=40)
        table.add_column("COUNT", no_wrap=True, justify="right")
        table.add_column("LAST", no_wrap=True, justify="right")
        table.add_column("MESSAGE", ratio=1)
        for cells in content:
            table.add_row(*cells)
        widget.update(table)

    def plain_text(self) -> str:
        """What the table says, for tests."""
        return "\n".join(" ".join(c.plain for c in event_row_cells(r, self.clock())) for r in self.rows)
