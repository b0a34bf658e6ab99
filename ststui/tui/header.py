"""The one-line header: context, namespace, connection state, read-only badge, filter.

Place in the flow: the app calls `StatusBar.show(...)` when any of these change (the
connection state is polled ~10 times a second, so a lost connection shows at once and
the data is marked stale).
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ststui.tui.session import ConnectionState

LEVEL_STYLES = {
    "live": ("● ", "bold #5fd787"),
    "syncing": ("◐ ", "bold #ffd75f"),
    "stale": ("✕ ", "bold #ff5f5f"),
    "forbidden": ("⊘ ", "bold #ff8700"),
    "offline": ("○ ", "#808080"),
}


def status_text(*, context: str, namespace: str, connection: ConnectionState, read_only: bool,
                count: int, total: int, filter_text: str, user: str | None = None) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" ststui ", style="bold #000000 on #5fafff")
    if read_only:
        text.append(" READ-ONLY ", style="bold #000000 on #ffd75f")
    text.append("  ctx ", style="#808080")
    text.append(context, style="bold")
    if user:
        text.append("  user ", style="#808080")
        text.append(user, style="bold")
    text.append("  ns ", style="#808080")
    text.append(namespace, style="bold")
    text.append("  ")
    icon, style = LEVEL_STYLES.get(connection.level, ("? ", ""))
    text.append(icon + connection.text, style=style)
    if connection.stale:
        text.append(" (data may be stale)", style="#ff5f5f")
    shown = f"{count}" if count == total else f"{count}/{total}"
    text.append(f"  {shown} sts", style="#808080")
    if filter_text:
        text.append("  filter ", style="#808080")
        text.append(filter_text, style="bold #ffd75f")
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
