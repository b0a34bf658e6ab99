"""A one-line footer that ranks keys, so the important ones survive an 80-column terminal.

Place in the flow: the main screen and the full-screen views yield `RankedFooter` instead
of Textual's `Footer`. It listens to the screen's bindings-updated signal (focus moved,
a binding enabled or disabled) and to resizes, and writes one line of text:
`? Help` and `q Quit` (or the screen's own back/close key) always first, then the
focused pane's keys in the order the pane declares them, then the app's other keys,
as many as fit; keys disabled by read-only mode come after the usable ones, drawn dim. Bindings with
`show=False` stay out, as in Textual's Footer. Everything is still in `?` help.
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ststui.tui.palette import P

# Binding ids that always come first, in this order (when the screen has them).
PINNED = ("ststui.help", "ststui.quit", "ststui.back")
# Binding ids shown only if there is room after everything else.
LAST = ("ststui.next_pane", "ststui.previous_pane")
SEPARATOR = "  "


def footer_entries(screen) -> list[tuple[str, str, bool]]:
    """(key, description, enabled) of the screen's shown bindings, best first."""
    app = screen.app
    focused = screen.focused
    pinned: dict[str, tuple[str, str, bool]] = {}
    local: list[tuple[str, str, bool]] = []
    rest: list[tuple[str, str, bool]] = []
    last: list[tuple[str, str, bool]] = []
    seen_actions: set[str] = set()
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if not binding.show or binding.action in seen_actions:
            continue
        seen_actions.add(binding.action)
        entry = (app.get_key_display(binding), binding.description, enabled)
        if binding.id in PINNED:
            pinned[binding.id] = entry
        elif binding.id in LAST:
            last.append(entry)
        elif focused is not None and node is focused:
            local.append(entry)
        else:
            rest.append(entry)
    ranked = local + rest
    enabled = [entry for entry in ranked if entry[2]]
    disabled = [entry for entry in ranked if not entry[2]]    # read-only: dim, after the usable ones
    return [pinned[i] for i in PINNED if i in pinned] + enabled + disabled + last


def footer_text(entries: list[tuple[str, str, bool]], width: int) -> Text:
    """As many entries as fit in `width` cells, in order; the pinned ones always."""
    text = Text(no_wrap=True, overflow="crop")
    used = 0
    for index, (key, description, enabled) in enumerate(entries):
        piece = len(key) + 1 + len(description)
        extra = piece + (len(SEPARATOR) if index else 0)
        if index >= 2 and used + extra > width:
            continue    # skip this one, a shorter one further on may still fit
        if index:
            text.append(SEPARATOR)
        text.append(key, style=P.key if enabled else P.dim)
        text.append(" ")
        text.append(description, style="" if enabled else P.dim)
        used += extra
    return text


class RankedFooter(Static):
    """The keys of the current screen in one line, most important first."""

    DEFAULT_CSS = """
    RankedFooter {
        dock: bottom;
        height: 1;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._shown: tuple | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.refresh_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_keys()

    def on_resize(self) -> None:
        self.refresh_keys()

    def refresh_keys(self) -> None:
        if not self.is_attached:
            return
        entries = footer_entries(self.screen)
        width = max(0, self.size.width)
        shown = (tuple(entries), width, P.key, P.dim)
        if shown == self._shown:
            return
        self._shown = shown
        self.update(footer_text(entries, width))

    def redraw(self) -> None:
        self._shown = None
        self.refresh_keys()

    @property
    def plain(self) -> str:
        """The text shown (tests read it)."""
        return footer_text(list(self._shown[0]), self._shown[1]).plain if self._shown else ""

