"""The one-line header: context, namespace, connection state, read-only badge, filter.

Place in the flow: the app calls `StatusBar.show(...)` when any of these change (the
connection state is polled ~10 times a second, so a lost connection shows at once and
the data is marked stale).
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ststui.tui.palette import P
from ststui.tui.session import ConnectionState

# Connection level -> (glyph, palette role): the glyph and the words say it without colour.
LEVEL_STYLES = {
    "live": ("● ", "ok"),
    "syncing": ("◐ ", "warn"),
    "stale": ("✕ ", "bad"),
    "forbidden": ("⊘ ", "warn"),
    "offline": ("○ ", "dim"),
}


def status_text(*, context: str, namespace: str, connection: ConnectionState, read_only: bool,
                count: int, total: int, filter_text: str, loading: str = "") -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ststui ", style=P.brand)
    if read_only:
        text.append(" READ-ONLY ", style=P.badge_warn)
    text.append("  ctx ", style=P.dim)
    text.append(context, style="bold")
    text.append("  ns ", style=P.dim)
    text.append(namespace, style="bold")
    text.append("  ")
    icon, role = LEVEL_STYLES.get(connection.level, ("? ", ""))
    text.append(icon + connection.text, style=getattr(P, role) if role else "")
    if connection.stale:
        text.append(" (data may be stale)", style=P.bad)
    if loading:
        text.append(f"  {loading}…", style=P.warn)
    shown = f"{count}" if count == total else f"{count}/{total}"
    text.append(f"  {shown} sts", style=P.dim)
    if filter_text:
        text.append("  filter ", style=P.dim)
        text.append(filter_text, style=P.warn)
    return text


class StatusBar(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.shown: Text | None = None

    def show(self, text: Text) -> None:
        if self.shown is not None and text.plain == self.shown.plain and text.spans == self.shown.spans:
            return
        self.shown = text
        self.update(text)
