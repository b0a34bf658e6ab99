"""Full-screen views: YAML, describe (summary and events), revision history, action log.

Place in the flow: the app pushes one of these screens for the selected object; they
read the store (events, ControllerRevisions) or ask the session in a thread worker (the
YAML, which the store keeps only in slim form). `escape` or `q` goes back.
"""
from __future__ import annotations

import difflib
from typing import Any, Callable, Sequence

import yaml
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from ststui.state.present import human_age
from ststui.state.times import parse_time
from ststui.tui import render
from ststui.tui.footer import RankedFooter
from ststui.tui.palette import P

BACK_BINDINGS = [
    Binding("escape", "app.pop_screen", "Back", id="ststui.back"),
    Binding("q", "app.pop_screen", "Back", show=False, id="ststui.back_q"),
]


class ViewScreen(Screen):
    """A titled, scrollable view with a Footer."""

    BINDINGS = BACK_BINDINGS

    def __init__(self, title: str) -> None:
        super().__init__(classes="view")
        self.view_title = title

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        yield Static(Text(self.view_title, style="bold"), classes="view-title")
        yield from self.compose_body()
        yield RankedFooter()


class YamlScreen(ViewScreen):
    """The object as the server has it, fetched in a worker."""

    def __init__(self, title: str, load: Callable[[], str], describe_error: Callable[[BaseException], str]) -> None:
        super().__init__(title)
        self.load = load
        self.describe_error = describe_error
        self.text: str | None = None
        self.error: str | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="view-body"):
            yield Static(Text("Loading…", style=render.STYLE_DIM), id="yaml")

    def on_mount(self) -> None:
        self.query_one("#view-body").focus()
        self._fetch()

    @work(thread=True, exit_on_error=False, group="yaml")
    def _fetch(self) -> str:
        return self.load()

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "yaml":
            return
        target = self.query_one("#yaml", Static)
        if event.state == WorkerState.SUCCESS:
            self.text = event.worker.result
            target.update(Syntax(self.text, "yaml", theme="ansi_dark" if self.app.current_theme.dark else "ansi_light",
                                 background_color="default",
                                 word_wrap=False))
        elif event.state == WorkerState.ERROR:
            self.error = self.describe_error(event.worker.error)
            target.update(Text(self.error, style=render.STYLE_BAD))


class DescribeScreen(ViewScreen):
    """Summary rows of the object and its events, refreshed from the store every second."""

    def __init__(self, title: str, source: Callable[[], tuple[list[tuple[str, str]], list[dict]] | None],
                 now: Callable[[], float]) -> None:
        super().__init__(title)
        self.source = source
        self.now = now
        self._shown: Any = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="view-body"):
            yield Static("", id="summary")
            yield Static(Text("Events", style="bold"), classes="section-title")
            yield Static("", id="events")

    def on_mount(self) -> None:
        self.query_one("#view-body").focus()
        self.refresh_content()
        self.set_interval(1.0, self.refresh_content)

    @property
    def event_rows(self) -> tuple:
        """The event cells shown now (for tests and the screenshot script)."""
        return self._shown[1] if self._shown and len(self._shown) == 2 else ()

    def refresh_content(self) -> None:
        found = self.source()
        now = self.now()
        if found is None:
            content: Any = ("gone",)
        else:
            rows, events = found
            content = (tuple(rows), tuple(event_cells(e, now) for e in events))
        if content == self._shown:
            return
        self._shown = content
        summary = self.query_one("#summary", Static)
        events_widget = self.query_one("#events", Static)
        if found is None:
            summary.update(Text("This object no longer exists.", style=render.STYLE_BAD))
            events_widget.update("")
            return
        summary.update(render.key_value_text(content[0]))
        if not content[1]:
            events_widget.update(Text("No events.", style=render.STYLE_DIM))
            return
        table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
        table.add_column("TYPE", no_wrap=True, header_style="bold")
        table.add_column("REASON", no_wrap=True, header_style="bold")
        table.add_column("AGE", no_wrap=True, header_style="bold")
        table.add_column("FROM", no_wrap=True, header_style="bold", max_width=24, overflow="ellipsis")
        table.add_column("MESSAGE", ratio=1, header_style="bold")
        for cells in content[1]:
            table.add_row(*[Text(text, style=style) for text, style in cells])
        events_widget.update(table)


def event_cells(event: dict, now: float) -> tuple[render.Cell, ...]:
    etype = event.get("type") or "Normal"
    when = parse_time(event.get("lastTimestamp") or event.get("eventTime") or event.get("firstTimestamp")
                      or event.get("metadata", {}).get("creationTimestamp"))
    count = event.get("count") or (event.get("series") or {}).get("count") or 1
    age = "-" if when is None else human_age(max(0.0, now - when))
    if count and count > 1:
        age = f"{age} x{count}"
    source = event.get("reportingComponent") or (event.get("source") or {}).get("component") or "-"
    return (
        (etype, render.STYLE_WARN if etype == "Warning" else ""),
        (event.get("reason") or "-", "bold"),
        (age, ""),
        (source, render.STYLE_DIM),
        (event.get("message") or "", ""),
    )


def template_yaml(revision: dict | None) -> str:
    """The pod template recorded in a ControllerRevision, as YAML for diffing."""
    if revision is None:
        return ""
    data = revision.get("data") or {}
    template = ((data.get("spec") or {}).get("template")) or data
    return yaml.safe_dump(template, sort_keys=True, default_flow_style=False)


def template_diff(old: dict | None, new: dict | None) -> list[str]:
    old_name = (old or {}).get("metadata", {}).get("name", "none")
    new_name = (new or {}).get("metadata", {}).get("name", "none")
    return list(difflib.unified_diff(template_yaml(old).splitlines(), template_yaml(new).splitlines(),
                                     fromfile=old_name, tofile=new_name, lineterm=""))


def diff_text(lines: Sequence[str]) -> Text:
    text = Text()
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = P.info
        elif line.startswith("+"):
            style = P.ok
        elif line.startswith("-"):
            style = P.bad
        else:
            style = ""
        text.append(line, style=style)
    return text


def revision_images(revision: dict) -> str:
    data = revision.get("data") or {}
    spec = ((data.get("spec") or {}).get("template") or {}).get("spec") or {}
    return ", ".join(f"{c.get('name')}={c.get('image')}" for c in spec.get("containers") or ()) or "-"


class HistoryScreen(ViewScreen):
    """ControllerRevisions of a StatefulSet and the pod template diff between two of them.

    The diff starts as current -> update revision; highlighting another revision diffs
    that one against the update revision."""

    def __init__(self, title: str, revisions: list[dict], current: str | None, update: str | None) -> None:
        super().__init__(title)
        self.revisions = revisions
        self.current = current
        self.update = update

    def _by_name(self, name: str | None) -> dict | None:
        for revision in self.revisions:
            if revision["metadata"]["name"] == name:
                return revision
        return None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="view-body"):
            yield DataTable(id="revisions", cursor_type="row")
            yield Static("", id="diff-title", classes="section-title")
            yield Static("", id="diff")

    def on_mount(self) -> None:
        table = self.query_one("#revisions", DataTable)
        table.add_column("REV", key="rev", width=4)
        table.add_column("NAME", key="name")
        table.add_column("ROLE", key="role", width=14)
        table.add_column("IMAGES", key="images")
        for revision in reversed(self.revisions):
            name = revision["metadata"]["name"]
            roles = []
            if name == self.current:
                roles.append("current")
            if name == self.update:
                roles.append("update")
            role = "+".join(roles)
            style = render.REVISION_STYLES["update"] if name == self.update else (
                render.REVISION_STYLES["current"] if name == self.current else "")
            table.add_row(Text(str(revision.get("revision", "?"))), Text(name, style=style),
                          Text(role, style=style), Text(revision_images(revision)), key=name)
        if not self.revisions:
            table.add_row("-", Text("no ControllerRevisions found", style=render.STYLE_DIM), "", "")
        table.focus()
        self.show_diff(self.current, self.update)
        if self.current and self.current in {r["metadata"]["name"] for r in self.revisions}:
            table.move_cursor(row=table.get_row_index(self.current), scroll=False)

    def show_diff(self, old_name: str | None, new_name: str | None) -> None:
        title = self.query_one("#diff-title", Static)
        target = self.query_one("#diff", Static)
        old, new = self._by_name(old_name), self._by_name(new_name)
        title.update(Text(f"Pod template: {old_name or '-'} → {new_name or '-'}", style="bold"))
        if old is None or new is None:
            target.update(Text("That revision is not known.", style=render.STYLE_DIM))
            return
        if old_name == new_name:
            target.update(Text(f"{old_name} is both the current and the update revision: "
                               "every pod runs this template.", style=render.STYLE_DIM))
            return
        lines = template_diff(old, new)
        target.update(diff_text(lines) if lines else Text("The templates are identical.", style=render.STYLE_DIM))

    @on(DataTable.RowHighlighted, "#revisions")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value if event.row_key is not None else None
        if name is None or self._by_name(name) is None:
            return
        if name == self.update:
            self.show_diff(self.current, self.update)
        else:
            self.show_diff(name, self.update)


class ActionLogScreen(ViewScreen):
    """Every change made in this session, with its kubectl equivalent: each command whole,
    on one unwrapped line (left/right scroll sideways); `c` copies every command (OSC 52)."""

    BINDINGS = BACK_BINDINGS + [
        Binding("c", "copy_commands", "Copy kubectl", id="ststui.log.copy"),
    ]

    def __init__(self, entries: Sequence[Any], now: Callable[[], float], audit_path: str | None) -> None:
        super().__init__("Action log" + (f" (also appended to {audit_path})" if audit_path else ""))
        self.entries = list(entries)
        self.now = now

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="view-body"):
            yield Static(self._text(), id="log")

    def action_copy_commands(self) -> None:
        commands = [command for entry in self.entries for command in entry.kubectl]
        if not commands:
            self.app.notify("No kubectl command in the log yet.", severity="warning")
            return
        self.app.copy_to_clipboard("\n".join(commands))
        self.app.notify(f"Copied {len(commands)} kubectl command{'s' if len(commands) != 1 else ''} "
                        "to the clipboard (OSC 52).", timeout=3)

    def on_mount(self) -> None:
        self.query_one("#view-body").focus()

    def _text(self) -> Text:
        if not self.entries:
            return Text("No changes made yet in this session.", style=render.STYLE_DIM)
        text = Text(no_wrap=True, overflow="ignore")
        now = self.now()
        for index, entry in enumerate(reversed(self.entries)):
            if index:
                text.append("\n\n")
            text.append(f"{human_age(max(0.0, now - entry.when))} ago  ", style=render.STYLE_DIM)
            text.append("OK  " if entry.ok else "FAILED  ", style=render.STYLE_OK if entry.ok else render.STYLE_BAD)
            text.append(entry.title, style="bold")
            text.append(f"\n  {entry.message}")
            for command in entry.kubectl:
                text.append(f"\n  $ {command}", style=P.command)
        return text
