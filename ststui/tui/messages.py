"""The message line: notifications shown above the footer instead of floating toasts.

Place in the flow: every `App.notify` (results of changes, refusals, hints) ends in
Textual's `_refresh_notifications`; the app passes the live notifications to
`MessageLine.show`. On the main screen toasts are hidden (see the stylesheet), because a
toast floats over the panes and covers the very rows being acted on; the message line
takes its own row(s) at the bottom instead, and only while a message is live. Dialogs
and full-screen views keep Textual's toasts (nothing there is acted on behind them).
Each message starts with a glyph for its severity, so it reads without colour.
"""
from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from ststui.tui.palette import P

# severity -> (glyph, palette role)
SEVERITIES = {"information": ("›", "info"), "warning": ("!", "warn"), "error": ("✗", "bad")}
MAX_LINES = 2


def message_text(notifications: Iterable) -> Text:
    """The newest messages, newest last, one per line."""
    live = list(notifications)[-MAX_LINES:]
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, note in enumerate(live):
        if index:
            text.append("\n")
        glyph, role = SEVERITIES.get(note.severity, ("›", "info"))
        style = getattr(P, role)
        text.append(f"{glyph} ", style=style)
        if note.title:
            text.append(f"{note.title}: ", style="bold")
        text.append(_plain(note.message, note.markup), style=style if note.severity == "error" else "")
    return text


def _plain(message: str, markup: bool) -> str:
    """The words of a message; markup is dropped, and text that is not valid markup (an
    API error quoting `[spec.selector]`) is shown as it is."""
    if not markup:
        return message
    try:
        return Content.from_markup(message).plain
    except Exception:
        return message


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine {
        height: auto;
        max-height: 2;
        padding: 0 1;
        display: none;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._timer = None
        self.shown_plain = ""

    def show(self, notifications) -> None:
        live = [n for n in notifications if not n.has_expired]
        text = message_text(live)
        self.shown_plain = text.plain
        self.update(text)
        self.display = bool(live)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if live:
            soonest = min(n.time_left for n in live)
            self._timer = self.set_timer(max(0.05, soonest + 0.05), lambda: self.show(notifications))
