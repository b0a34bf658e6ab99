"""A table widget that draws only the lines on screen, from plain `(text, style)` cells.

Place in the flow: `KeyedTable` (and so every pane) is a `LineTable`. Panes hand it rows
of cells rendered by `tui.render`; the table keeps them as they are (strings, not Rich
objects) and builds a line's segments only when the compositor asks for that line, so a
pane with 5,000 rows costs what its 10 visible rows cost. Adding, removing, replacing or
reordering rows is list and dict work; the screen is told which lines to redraw (a
changed row off screen redraws nothing, a cursor move redraws two lines).

Why not Textual's DataTable: it renders every cell through a Rich console (the largest
part of a key press at 1,000 StatefulSets), measures every cell it is given and
re-measures the whole table after a change, which made re-adding 5,000 rows (closing a
filter) take seconds.

The header line stays in place while the rows scroll. Auto-sized columns (width None)
grow to their content and never shrink while rows remain (no columns jumping as rows come
and go); text longer than its column ends in an ellipsis. Row cursor only; the cell styles'
colours win over the cursor's (the cursor sets the background).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ststui.tui.render import Cell   # one cell: (text, Rich style string)

PAD = 1          # blank cells on each side of a column (as DataTable's cell_padding)
ELLIPSIS = "…"


MEASURED_MIN = 20_000      # rows' cells remembered as measured, at least (hidden rows too)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None   # None: as wide as the widest content shown so far


def fit(text: str, width: int) -> str:
    """`text` padded or cut (with an ellipsis) to exactly `width` cells."""
    if text.isascii() and text.isprintable():
        n = len(text)
        if n <= width:
            return text + " " * (width - n)
        return text[:width - 1] + ELLIPSIS if width > 0 else ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + ELLIPSIS if width > 0 else ""


class _Batch:
    def __init__(self, table: "LineTable") -> None:
        self.table = table

    def __enter__(self) -> "LineTable":
        self.table._batching += 1
        return self.table

    def __exit__(self, *exc) -> None:
        table = self.table
        table._batching -= 1
        if not table._batching and table._size_dirty:
            table._size_dirty = False
            table._resized()


class LineTable(ScrollView, can_focus=True):
    """Rows of cells keyed by strings, a header, a row cursor; drawn line by line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-table--header", "line-table--cursor"}
    DEFAULT_CSS = """
    LineTable { height: auto; max-height: 100%; }
    LineTable > .line-table--header { text-style: bold; }
    LineTable > .line-table--cursor { background: $panel-lighten-1; text-style: bold; }
    LineTable:focus > .line-table--cursor { background: $accent 40%; }
    """
    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]
    header_height: ClassVar[int] = 1

    class RowHighlighted(Message):
        """The row under the cursor is another one (or the table became empty: key None)."""

        def __init__(self, table: "LineTable", cursor_row: int, row_key: str | None) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.row_key = row_key

        @property
        def control(self) -> "LineTable":
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._columns_in_use: tuple[Column, ...] = ()
        self._widths: list[int] = []
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._order: list[str] = []
        self._positions: dict[str, int] | None = {}
        self.cursor_row = 0
        self._announced: str | None = None
        self._styles: dict[tuple[str, int], Style] = {}
        self._style_basis: tuple | None = None
        self.writes = 0          # row mutations so far (tests pin that idle means none)
        self._batching = 0
        self._size_dirty = False
        self._measured: dict[str, tuple[Cell, ...]] = {}     # key -> cells counted in _widths

    # --- columns ---------------------------------------------------------------------

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show these columns (and no rows)."""
        self._columns_in_use = tuple(columns)
        self._widths = [c.width if c.width is not None else cell_len(c.label) for c in self._columns_in_use]
        self.clear()

    @property
    def column_widths(self) -> dict[str, int]:
        """Each column's content width in cells, by column key."""
        return {c.key: w for c, w in zip(self._columns_in_use, self._widths)}

    def _grow_widths(self, cells: tuple[Cell, ...], key: str) -> bool:
        """Widen auto-width columns to fit `cells`. Widths only grow until `clear()`, so
        cells already measured for `key` (a row hidden by a filter and shown again: 4,900
        rows when a filter closes at 5,000 StatefulSets) are not measured again."""
        if self._measured.get(key) is cells:
            return False
        if len(self._measured) > max(MEASURED_MIN, 4 * len(self._cells)):   # bounded
            self._measured = {k: c for k, c in self._measured.items() if k in self._cells}
        self._measured[key] = cells
        grew = False
        widths = self._widths
        for index, column in enumerate(self._columns_in_use):
            if column.width is None and index < len(cells):
                text = cells[index][0]
                n = len(text) if text.isascii() else cell_len(text)
                if n > widths[index]:
                    widths[index] = n
                    grew = True
        return grew

    # --- rows: the primitives every change goes through --------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def row_keys(self) -> list[str]:
        return list(self._order)

    def clear(self) -> None:
        """Remove every row (columns stay)."""
        self.writes += 1
        self._cells = {}
        self._order = []
        self._positions = {}
        self._widths = [c.width if c.width is not None else cell_len(c.label) for c in self._columns_in_use]
        self._measured = {}
        self.cursor_row = 0
        self._resized()

    def add_row(self, key: str, cells: tuple[Cell, ...]) -> None:
        """Append a row."""
        self.writes += 1
        self._cells[key] = cells
        self._order.append(key)
        if self._positions is not None:
            self._positions[key] = len(self._order) - 1
        self._grow_widths(cells, key)
        self._resized()

    def update_row(self, key: str, cells: tuple[Cell, ...]) -> None:
        """Replace a row's cells; redraws its line if it is on screen."""
        self.writes += 1
        self._cells[key] = cells
        if self._grow_widths(cells, key):
            self._resized()
        else:
            self.refresh_row(self.get_row_index(key))

    def remove_rows(self, keys: Iterable[str]) -> None:
        self.writes += 1
        gone = set(keys)
        for key in gone:
            del self._cells[key]
        self._order = [key for key in self._order if key not in gone]
        self._positions = None
        self._resized()

    def set_order(self, keys: list[str]) -> None:
        """Show the rows in this order (the same keys as now)."""
        self.writes += 1
        self._order = list(keys)
        self._positions = None
        self.refresh()

    def keys_in_view(self) -> list[str]:
        """The keys of the rows on screen now."""
        top = round(self.scroll_y)
        return self._order[top:top + self._rows_in_view()]

    def get_row_index(self, key: str) -> int:
        if self._positions is None:
            self._positions = {k: i for i, k in enumerate(self._order)}
        return self._positions[key]

    def row_cells(self, key: str) -> tuple[Cell, ...]:
        return self._cells[key]

    def get_cell(self, key: str, column_key: str) -> Text:
        """A cell as Rich text (for tests and copying)."""
        index = [c.key for c in self._columns_in_use].index(column_key)
        text, style = self._cells[key][index]
        return Text(text, style=style)

    def get_row(self, key: str) -> list[Text]:
        return [Text(text, style=style) for text, style in self._cells[key]]

    def get_row_at(self, index: int) -> list[Text]:
        return self.get_row(self._order[index])

    def batch(self) -> "_Batch":
        """`with table.batch():` many row changes, one size update and refresh at the end."""
        return _Batch(self)

    def _resized(self) -> None:
        if self._batching:
            self._size_dirty = True
            return
        width = sum(w + 2 * PAD for w in self._widths)
        size = Size(width, self.header_height + len(self._order))
        if size != self.virtual_size:
            self.virtual_size = size
            self.refresh(layout=True)
        else:
            self.refresh()

    # --- cursor ----------------------------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        """Key of the row under the cursor, or None for an empty table."""
        if not self._order:
            return None
        return self._order[min(max(self.cursor_row, 0), len(self._order) - 1)]

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        row = min(max(row, 0), max(len(self._order) - 1, 0))
        if row != self.cursor_row:
            old, self.cursor_row = self.cursor_row, row
            self.refresh_row(old)
            self.refresh_row(row)
        if scroll:
            self.scroll_to_cursor()
        self.announce_cursor()

    def announce_cursor(self) -> None:
        """Post RowHighlighted if the row under the cursor is not the one last announced."""
        key = self.selected_key
        if key != self._announced:
            self._announced = key
            self.post_message(self.RowHighlighted(self, self.cursor_row, key))

    def _rows_in_view(self) -> int:
        return max(1, self.scrollable_content_region.height - self.header_height)

    def scroll_to_cursor(self) -> None:
        """Scroll just enough to show the cursor's row (after the next layout if the
        table's size is still changing)."""
        def scroll() -> None:
            rows, top, row = self._rows_in_view(), round(self.scroll_y), self.cursor_row
            if row < top:
                self.scroll_to(y=row, animate=False, force=True)
            elif row >= top + rows:
                self.scroll_to(y=row - rows + 1, animate=False, force=True)
        scroll()
        self.call_after_refresh(scroll)

    def refresh_row(self, index: int) -> None:
        """Redraw one row's line if it is on screen."""
        y = self.header_height + index - round(self.scroll_y)
        if self.header_height <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._rows_in_view())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._rows_in_view())

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    def action_select_cursor(self) -> None:
        """enter: subclasses say what selecting a row means."""

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self.header_height:
            return
        row = round(self.scroll_y) + offset.y - self.header_height
        if 0 <= row < len(self._order):
            again = row == self.cursor_row
            self.move_cursor(row=row)
            if again:
                self.action_select_cursor()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- drawing ---------------------------------------------------------------------

    def row_flashing(self, key: str) -> bool:
        """Whether a row is highlighted as just changed (KeyedTable says)."""
        return False

    def flash_style(self) -> str:
        return ""

    def _style(self, style: str, kind: int) -> Style:
        """The Rich style of a cell: the table's, then the row's (1 cursor, 2 flash,
        3 both), then the cell's own (its colours win)."""
        found = self._styles.get((style, kind))
        if found is None:
            base, cursor, _header, flash = self._style_basis
            found = base
            if kind & 1:
                found = found + cursor
            if kind & 2 and flash:
                found = found + Style.parse(flash)
            if style:
                found = found + Style.parse(style)
            self._styles[(style, kind)] = found
        return found

    def render_lines(self, crop: Region) -> list[Strip]:
        basis = (self.rich_style, self.get_component_rich_style("line-table--cursor"),
                 self.get_component_rich_style("line-table--header"), self.flash_style())
        if basis != self._style_basis:
            self._style_basis = basis
            self._styles = {}
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = round(self.scroll_x)
        base = self._style_basis[0]
        if y < self.header_height:
            header = self._style_basis[0] + self._style_basis[2]
            strip = self._strip([(c.label, "") for c in self._columns_in_use], header, True)
            return strip.crop_extend(scroll_x, scroll_x + width, header)
        index = y - self.header_height + round(self.scroll_y)
        if index >= len(self._order):
            return Strip.blank(width, base)
        key = self._order[index]
        kind = (1 if index == self.cursor_row else 0) | (2 if self.row_flashing(key) else 0)
        row_style = self._style("", kind)
        strip = self._strip(self._cells[key], kind, False)
        return strip.crop_extend(scroll_x, scroll_x + width, row_style)

    def _strip(self, cells: Iterable[Cell], kind, header: bool) -> Strip:
        """One line as segments, neighbours of one style joined: Textual writes every
        segment with its own style sequence (40-odd bytes in true colour), so a row of
        plain cells is one segment, not three a column (a key's output shrinks by half)."""
        pad = " " * PAD
        if header:
            text = "".join(pad + fit(label, w) + pad for (label, _), w in zip(cells, self._widths))
            return Strip([Segment(text, kind)], sum(w + 2 * PAD for w in self._widths))
        row_style = self._style("", kind)
        pieces: list[tuple[str, Style]] = []
        for (text, style), w in zip(cells, self._widths):
            cell_style = self._style(style, kind) if style else row_style
            if cell_style is not row_style and cell_style == row_style:
                cell_style = row_style            # another name for the same look
            pieces += ((pad, row_style), (fit(text, w), cell_style), (pad, row_style))
        segments: list[Segment] = []
        run: list[str] = []
        run_style = row_style
        for text, style in pieces:
            if style is not run_style:
                if run:
                    segments.append(Segment("".join(run), run_style))
                run, run_style = [], style
            run.append(text)
        if run:
            segments.append(Segment("".join(run), run_style))
        return Strip(segments, sum(w + 2 * PAD for w in self._widths))
