"""The help overlay (`?`): every key by pane, read from the BINDINGS themselves, and the
meaning of the rollout strip's colours.

Place in the flow: pushed by the app; it lists what the bindings declare, so it cannot
drift from what the keys do. In read-only mode the change keys are marked as disabled.
"""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ststui.tui import render
from ststui.tui.inspect import HANDOFF_CHANGES
from ststui.tui.keyed_table import KeyedTable
from ststui.tui.palette import P
from ststui.tui.panes import MUTATING_ACTIONS, ClaimsPane, PodsPane, StatefulSetsPane, VolumesPane

EXTRA_GLOBAL = [
    ("ctrl+p", "Command palette: every action by name"),
    ("ctrl+r", "Reconnect to the API server now"),
    ("enter", "Drill in: StatefulSet → its pods, claim → its volume, pod/volume → describe, warning → its object"),
    ("up/down", "Move in the focused pane"),
    ("j/k g/G", "Down/up, first/last row (also Home/End, PageUp/PageDown)"),
]
MODAL_KEYS = [
    ("y", "Confirm (only after reading the effect; No is the default)"),
    ("n / escape", "Cancel"),
    ("enter", "Activate the focused button, or submit a value"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="ststui.help.close"),
        Binding("question_mark", "close", "Close", show=False, id="ststui.help.close2"),
        Binding("q", "close", "Close", show=False, id="ststui.help.close3"),
    ]

    def __init__(self, *, read_only: bool = False, denied: dict[str, str] | None = None) -> None:
        super().__init__(classes="dialog")
        self.read_only = read_only
        self.denied = denied or {}     # action -> why the user may not (tui/permits.py)

    def _section(self, title: str, rows: list[tuple[str, str, bool]]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style=P.key, min_width=12, no_wrap=True)
        table.add_column()
        table.title = title
        table.title_style = "bold"
        table.title_justify = "left"
        for key, description, disabled in rows:
            if isinstance(disabled, str):
                table.add_row(Text(key, style=P.dim), Text(f"{description} (not allowed: {disabled})", style=P.dim))
            elif disabled:
                table.add_row(Text(key, style=P.dim), Text(f"{description} (read-only: disabled)", style=P.dim))
            else:
                table.add_row(key, description)
        return table

    def _rows(self, bindings: list[Binding]) -> list[tuple[str, str, bool]]:
        rows = []
        for binding in bindings:
            action = binding.action.removeprefix("app.")
            key = self.app.get_key_display(binding)
            description = binding.description or action
            if binding.tooltip:
                description = f"{description}: {binding.tooltip}"
            disabled = self.read_only and action in MUTATING_ACTIONS | HANDOFF_CHANGES
            if not disabled and action in self.denied:
                disabled = self.denied[action]     # a sentence: shown as the reason
            rows.append((key, description, disabled))
        return rows

    def sections(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """(title, [(key, description, disabled)]) for each group of keys."""
        app_bindings = [b for b in type(self.app).BINDINGS if isinstance(b, Binding)]
        return [
            ("Everywhere", self._rows(app_bindings) + [(k, d, False) for k, d in EXTRA_GLOBAL]),
            ("StatefulSets pane", self._rows(StatefulSetsPane.BINDINGS)),
            ("Pods pane", self._rows(PodsPane.BINDINGS)),
            ("Claims pane", self._rows(ClaimsPane.BINDINGS)),
            ("Volumes pane", self._rows(VolumesPane.BINDINGS)),
            (f"Every table ({KeyedTable.SORT_HELP})", self._rows(KeyedTable.BINDINGS)),
            ("Dialogs", [(k, d, False) for k, d in MODAL_KEYS]),
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help") as box:
            box.border_title = "Help · ststui keys"
            with VerticalScroll(id="dialog-body"):
                for title, rows in self.sections():
                    yield Static(self._section(title, rows))
                legend = Text("Rollout strip\n", style="bold")
                legend.append_text(render.STRIP_LEGEND)
                yield Static(legend)
                if self.read_only:
                    yield Static(Text("Read-only mode: no change can be made from this session.",
                                      style=P.warn))

    def on_mount(self) -> None:
        self.query_one("#dialog-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
