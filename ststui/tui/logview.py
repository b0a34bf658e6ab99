"""The log view: one pod's container log, or a StatefulSet's pods interleaved, live.

Place in the flow: the app pushes `LogScreen` with a list of `LogSource`s (`kube.logs`)
and, for a StatefulSet-wide view, a function giving the set's current view (to know
which pods are on the update or the current revision, and to follow pods that were
replaced). Each source gets a `LogStream` running in a thread worker; the streams write
into one bounded `LogRing` (`state.logring`); a 10 Hz timer takes a snapshot when the
ring moved and hands the lines to `LogLines`, a line-API scroll view that renders only
the visible rows. Nothing here waits on the network.

Keys: `f` follow (keep the newest line in view), `w` wrap, `t` timestamps, `/` search
(every match highlighted in reverse video, the current one also underlined), `n` / `N`
next / previous match, `c` container (when the pod has several), `r` revision filter of
a StatefulSet-wide view (all pods -> update revision -> current revision), `escape` back.
"""
from __future__ import annotations

from typing import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from ststui.kube.logs import LogSource, LogStream
from ststui.state.logring import DEFAULT_CAPACITY, LogLine, LogRing
from ststui.state.model import REV_CURRENT, REV_UPDATE
from ststui.tui import render
from ststui.tui.footer import RankedFooter

MATCH = Style(reverse=True)
CURRENT_MATCH = Style(reverse=True, bold=True, underline=True)
FILTERS = ("all", "update", "current")
FILTER_WORDS = {"all": "all pods", "update": "pods on the update revision", "current": "pods on the current revision"}


class LogLines(ScrollView, can_focus=True):
    """Lines of text, rendered row by row; wrapping and the search highlight are cheap to
    change because only visible rows are drawn."""

    DEFAULT_CSS = "LogLines { height: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.texts: list[str] = []
        self.wrap = False
        self.needle = ""
        self.current: int | None = None          # index of the current match's line
        self._rows: list[tuple[int, int]] = []   # (line index, start column) per row
        self._width = 0

    def set_texts(self, texts: list[str]) -> None:
        self.texts = texts
        self._layout()

    def _layout(self) -> None:
        width = max(1, self.scrollable_content_region.width or self.size.width or 80)
        self._width = width
        if self.wrap:
            rows = []
            for index, text in enumerate(self.texts):
                count = max(1, -(-len(text) // width))
                rows.extend((index, k * width) for k in range(count))
            self._rows = rows
            virtual_width = width
        else:
            self._rows = [(index, 0) for index in range(len(self.texts))]
            virtual_width = max((len(t) for t in self.texts), default=0)
        self.virtual_size = Size(virtual_width, len(self._rows))
        self.refresh()

    def on_resize(self) -> None:
        self._layout()

    def set_wrap(self, wrap: bool) -> None:
        self.wrap = wrap
        self._layout()

    def row_of(self, index: int) -> int:
        for row, (line, start) in enumerate(self._rows):
            if line == index and start == 0:
                return row
        return 0

    def show_line(self, index: int) -> None:
        row = self.row_of(index)
        height = self.scrollable_content_region.height or 1
        if not (self.scroll_y <= row < self.scroll_y + height):
            self.scroll_to(y=max(0, row - height // 2), animate=False)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        if row >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        index, start = self._rows[row]
        text = self.texts[index]
        shown = Text(text)
        if self.needle:
            needle = self.needle.lower()
            lowered = text.lower()
            style = CURRENT_MATCH if index == self.current else MATCH
            at = lowered.find(needle)
            while at >= 0:
                shown.stylize(style, at, at + len(needle))
                at = lowered.find(needle, at + len(needle))
        if self.wrap:
            shown = shown[start:start + self._width]
            strip = Strip(list(shown.render(self.app.console, end="")))
            return strip.crop_extend(0, width, self.rich_style)
        strip = Strip(list(shown.render(self.app.console, end="")))
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)


class LogScreen(Screen):
    """A live log: sources stream into one ring; the view filters, searches and follows."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="ststui.back"),
        Binding("q", "back", "Back", show=False, id="ststui.logs.back_q"),
        Binding("f", "toggle_follow", "Follow", id="ststui.logs.follow"),
        Binding("w", "toggle_wrap", "Wrap", id="ststui.logs.wrap"),
        Binding("t", "toggle_timestamps", "Timestamps", id="ststui.logs.timestamps"),
        Binding("slash", "search", "Search", id="ststui.logs.search"),
        Binding("n", "next_match", "Next", id="ststui.logs.next"),
        Binding("N", "previous_match", "Previous", id="ststui.logs.previous"),
        Binding("c", "container", "Container", id="ststui.logs.container"),
        Binding("r", "revision_filter", "Revision", id="ststui.logs.revision"),
        Binding("end", "follow_end", "Newest", show=False, id="ststui.logs.end"),
    ]

    def __init__(self, title: str, api_client, sources: list[LogSource], *,
                 prefix: bool = False, capacity: int = DEFAULT_CAPACITY,
                 view_source: Callable[[], object | None] | None = None,
                 containers: list[str] | None = None,
                 on_container: Callable[[str], None] | None = None,
                 follow_pods: set[str] | None = None, container: str | None = None) -> None:
        super().__init__(classes="view")
        self.log_title = title
        self.api_client = api_client
        self.sources = list(sources)
        self.prefix = prefix
        self.ring = LogRing(capacity)
        self.view_source = view_source
        self.containers = containers or []
        self.on_container = on_container
        self.streams: list[LogStream] = []
        self.container = container or (sources[0].container if sources else None)
        self.follow_pods = set(follow_pods) if follow_pods is not None else {s.pod for s in sources}
        self.follow = not any(s.previous for s in sources)
        self.timestamps = False
        self.revision_filter = "all"
        self.shown: list[LogLine] = []
        self.matches: list[int] = []
        self.match_at: int | None = None
        self._seen = (-1, None)

    # --- layout and life -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(self.log_title, style="bold"), classes="view-title")
        yield Static("", id="log-status")
        yield LogLines(id="log-lines")
        yield Input(placeholder="search the log (enter: find, escape: close)", id="log-search")
        yield RankedFooter()

    @property
    def lines_widget(self) -> LogLines:
        return self.query_one("#log-lines", LogLines)

    def on_mount(self) -> None:
        search = self.query_one("#log-search", Input)
        search.display = False
        if self.app.is_headless:
            search.cursor_blink = False
        self.lines_widget.focus()
        if self.api_client is None:
            self.query_one("#log-status", Static).update(
                Text("Not connected to a cluster: there is no log to read.", style=render.STYLE_WARN))
        else:
            for source in self.sources:
                self._start(source)
        self._refresh_status()
        self.set_interval(0.1, self.drain, name="log-drain")
        if self.view_source is not None:
            self.set_interval(1.0, self._restream_replaced, name="log-restream")

    def _start(self, source: LogSource) -> None:
        stream = LogStream(self.api_client, source, self.ring)
        self.streams.append(stream)
        self.run_worker(stream.run, thread=True, exit_on_error=False, group="logs",
                        name=f"log {source.pod}/{source.container}")

    def on_unmount(self) -> None:
        self.stop_streams()

    def stop_streams(self) -> None:
        for stream in self.streams:
            stream.stop()

    def action_back(self) -> None:
        search = self.query_one("#log-search", Input)
        if search.has_focus:
            search.display = False
            self.lines_widget.focus()
            return
        self.stop_streams()
        self.app.pop_screen()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "container" and len(self.containers) < 2:
            return False
        if action == "revision_filter" and self.view_source is None:
            return False
        return True

    # --- data ------------------------------------------------------------------------

    def _pods_in_filter(self) -> set[tuple[str, str]] | None:
        """(pod, uid) of the pods on the chosen revision now; None: no filter. A pod replaced
        by the rollout keeps its name, not its uid: the old one's lines stay out."""
        if self.revision_filter == "all" or self.view_source is None:
            return None
        view = self.view_source()
        if view is None:
            return set()
        kind = REV_UPDATE if self.revision_filter == "update" else REV_CURRENT
        return {(slot.name, slot.uid or "") for slot in view.slots if slot.exists and slot.revision_kind == kind}

    @staticmethod
    def _in_filter(line: LogLine, pods: set[tuple[str, str]]) -> bool:
        return (line.pod, line.uid) in pods or (not line.uid and any(line.pod == name for name, _ in pods))

    def _text(self, line: LogLine) -> str:
        parts = []
        if self.timestamps and line.time:
            parts.append(line.time)
        if self.prefix:
            parts.append(f"{line.pod} │")
        parts.append(line.text)
        return " ".join(parts)

    def drain(self, force: bool = False) -> None:
        """~10 Hz: take the ring's lines when it moved (or the filter did), show them."""
        version, lines = self.ring.version, None
        pods = self._pods_in_filter()
        key = (version, frozenset(pods) if pods is not None else None)
        if key != self._seen or force:
            self._seen = key
            _, lines = self.ring.snapshot()
            if pods is not None:
                lines = [line for line in lines if self._in_filter(line, pods)]
            self.shown = lines
            widget = self.lines_widget
            widget.set_texts([self._text(line) for line in lines])
            self._find_matches(keep=True)
            if self.follow:
                widget.scroll_end(animate=False)
        elif self.follow and self.lines_widget.scroll_y < self.lines_widget.max_scroll_y:
            self.lines_widget.scroll_end(animate=False)     # the size moved after the last lines came
        self._refresh_status()

    def _restream_replaced(self) -> None:
        """A StatefulSet-wide view follows the pods the set has now: a new pod (its uid
        changed, or it was created) gets a stream; the old one ended with its container."""
        view = self.view_source() if self.view_source else None
        if view is None or not self.follow or any(s.previous for s in self.sources):
            return
        container = self.container
        if container is None:
            return
        live = {(s.source.pod, s.source.uid) for s in self.streams if not s.done}
        known = {(s.source.pod, s.source.uid) for s in self.streams}
        for slot in view.slots:
            if slot.name not in self.follow_pods:           # the pods this view was opened for (bounded)
                continue
            if not slot.exists or slot.phase in ("Pending", "NotCreated") or (slot.name, slot.uid) in known:
                continue
            if any(pod == slot.name for pod, _ in live):
                continue
            source = LogSource(view.namespace, slot.name, container, uid=slot.uid)
            self._start(source)

    # --- status line -----------------------------------------------------------------

    def status_text(self) -> Text:
        text = Text()
        states = [s for s in self.streams]
        failed = [s for s in states if s.state == "failed"]
        if self.api_client is None:
            return Text("Not connected to a cluster: there is no log to read.", style=render.STYLE_WARN)
        if states and all(s.state == "connecting" for s in states):
            text.append("Loading the log…", style=render.STYLE_DIM)
        elif self.follow and any(s.state == "streaming" for s in states):
            text.append("● following", style=render.STYLE_OK)
        elif self.follow:
            text.append("following (no stream open)", style=render.STYLE_DIM)
        else:
            text.append("‖ follow off", style=render.STYLE_WARN)
        text.append(f" · {len(self.shown)} lines")
        if self.ring.dropped:
            text.append(f" (the oldest {self.ring.dropped} dropped: the view keeps {self.ring.capacity})",
                        style=render.STYLE_DIM)
        if self.view_source is not None:
            text.append(f" · {FILTER_WORDS[self.revision_filter]}")
        text.append(f" · wrap {'on' if self.lines_widget.wrap else 'off'}")
        text.append(f" · timestamps {'on' if self.timestamps else 'off'}")
        needle = self.lines_widget.needle
        if needle:
            if self.matches:
                position = (self.match_at or 0) + 1
                text.append(f" · “{needle}”: match {position} of {len(self.matches)}")
            else:
                text.append(f" · no line contains “{needle}”", style=render.STYLE_WARN)
        for stream in failed:
            who = f"{stream.source.pod}: " if self.prefix else ""
            text.append(f"\n✖ {who}{stream.message}", style=render.STYLE_BAD)
        ended = [s for s in states if s.state == "ended"]
        if ended and not failed and all(s.done for s in states):
            text.append(f"\n■ {ended[0].message}", style=render.STYLE_DIM)
        return text

    def _refresh_status(self) -> None:
        self.query_one("#log-status", Static).update(self.status_text())

    # --- keys ------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow:
            self.lines_widget.scroll_end(animate=False)
        self._refresh_status()

    def action_follow_end(self) -> None:
        self.follow = True
        self.lines_widget.scroll_end(animate=False)
        self._refresh_status()

    def action_toggle_wrap(self) -> None:
        widget = self.lines_widget
        widget.set_wrap(not widget.wrap)
        if self.follow:
            widget.scroll_end(animate=False)
        self._refresh_status()

    def action_toggle_timestamps(self) -> None:
        self.timestamps = not self.timestamps
        self.drain(force=True)

    def action_revision_filter(self) -> None:
        self.revision_filter = FILTERS[(FILTERS.index(self.revision_filter) + 1) % len(FILTERS)]
        self.drain(force=True)

    def action_container(self) -> None:
        if self.on_container is None or len(self.containers) < 2:
            return
        from ststui.tui.modals import ChoiceModal
        current = self.sources[0].container if self.sources else None
        self.app.push_screen(ChoiceModal("Container", "Show the log of container:",
                                         [(c, c) for c in self.containers], initial=current),
                             lambda chosen: chosen and chosen != current and self.on_container(chosen))

    def action_search(self) -> None:
        search = self.query_one("#log-search", Input)
        search.display = True
        search.value = self.lines_widget.needle
        search.focus()

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.search(event.value)
        event.input.display = False
        self.lines_widget.focus()

    def search(self, needle: str) -> None:
        """Highlight `needle` (case-insensitive) and go to its last match (the newest line)."""
        widget = self.lines_widget
        widget.needle = needle.strip()
        self._find_matches(keep=False)
        if self.matches:
            self.follow = False
            self.match_at = len(self.matches) - 1
            self._go_to_match()
        widget.refresh()
        self._refresh_status()

    def _find_matches(self, keep: bool) -> None:
        widget = self.lines_widget
        needle = widget.needle.lower()
        if not needle:
            self.matches, self.match_at, widget.current = [], None, None
            return
        current_line = self.shown[self.matches[self.match_at]] if (
            keep and self.match_at is not None and self.match_at < len(self.matches)
            and self.matches[self.match_at] < len(self.shown)) else None
        self.matches = [i for i, text in enumerate(widget.texts) if needle in text.lower()]
        if current_line is not None:
            try:
                self.match_at = self.matches.index(self.shown.index(current_line))
            except ValueError:
                self.match_at = len(self.matches) - 1 if self.matches else None
        elif not self.matches:
            self.match_at = None
        widget.current = self.matches[self.match_at] if self.match_at is not None and self.matches else None

    def _go_to_match(self) -> None:
        widget = self.lines_widget
        if self.match_at is None or not self.matches:
            return
        widget.current = self.matches[self.match_at]
        widget.show_line(widget.current)
        widget.refresh()

    def action_next_match(self) -> None:
        if not self.matches:
            self._refresh_status()
            return
        self.follow = False
        self.match_at = ((self.match_at if self.match_at is not None else -1) + 1) % len(self.matches)
        self._go_to_match()
        self._refresh_status()

    def action_previous_match(self) -> None:
        if not self.matches:
            self._refresh_status()
            return
        self.follow = False
        self.match_at = ((self.match_at if self.match_at is not None else 0) - 1) % len(self.matches)
        self._go_to_match()
        self._refresh_status()

    @property
    def current_match_text(self) -> str | None:
        widget = self.lines_widget
        if widget.current is None or widget.current >= len(widget.texts):
            return None
        return widget.texts[widget.current]


def segments_text(strip: Strip) -> str:
    """The characters of a rendered row (tests)."""
    return "".join(segment.text for segment in strip if isinstance(segment, Segment))
