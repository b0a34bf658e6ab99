"""A DataTable kept in step with a list of keyed rows, without jumping.

Place in the flow: every tabular pane (StatefulSets, pods, claims, volumes, warnings)
subclasses `KeyedTable` and calls `reconcile(rows)` with `(key, cells)` pairs rendered by
`tui.render`. Reconciling touches only what changed: cells are compared before
`update_cell` (each mutation costs a re-render), rows gone are removed, new rows added;
when the order itself changes the table is rebuilt once. The cursor follows its row key,
not its position, and rows whose cells changed are highlighted for a moment.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from ststui.tui.render import Cell
from ststui.tui.palette import P
from ststui.tui.sorting import row_sort_key

FLASH_SECONDS = 1.5
# A changed row's highlight is the palette's `flash` role (the theme's warning-muted background).


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None   # None: sized from the content present when rows are added


Row = tuple[str, tuple[Cell, ...]]


class KeyedTable(DataTable):
    """DataTable whose rows are identified by stable string keys."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    # Pane title shown in the border.
    TITLE: ClassVar[str] = ""
    # Sort field -> column key (the first key present in the columns is used).
    SORT_COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {
        "name": ("name",), "age": ("age",), "status": ("status", "phase"), "ready": ("ready",),
    }
    BINDINGS = [
        Binding("N", "sort('name')", "Sort by name", show=False, id="ststui.sort_name"),
        Binding("A", "sort('age')", "Sort by age", show=False, id="ststui.sort_age"),
        Binding("S", "sort('status')", "Sort by status", show=False, id="ststui.sort_status"),
        Binding("R", "sort('ready')", "Sort by ready", show=False, id="ststui.sort_ready"),
    ]
    SORT_HELP = "the same key again reverses; the cursor stays on its row"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False,
                         cursor_foreground_priority="renderable")
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self._order: list[str] = []
        self._flash_until: dict[str, float] = {}
        self._columns_in_use: tuple[Column, ...] = ()
        self._flash_timer = None
        self.border_title = self.TITLE
        self.sort_by: tuple[str, bool] | None = None     # (field, reversed); None: as given
        self._given: list[Row] = []                       # the rows as the pane gave them

    # --- columns ---------------------------------------------------------------------

    def columns_for(self) -> tuple[Column, ...]:
        """The columns to show now; subclasses may vary them (e.g. a namespace column)."""
        return self.COLUMNS

    def _ensure_columns(self) -> None:
        wanted = self.columns_for()
        if wanted == self._columns_in_use:
            return
        self.clear(columns=True)
        self._cells.clear()
        self._order.clear()
        for column in wanted:
            self.add_column(column.label, key=column.key, width=column.width)
        self._columns_in_use = wanted

    # --- rows ------------------------------------------------------------------------

    @property
    def row_keys(self) -> list[str]:
        return list(self._order)

    @property
    def selected_key(self) -> str | None:
        """Key of the row under the cursor, or None for an empty table."""
        if not self._order or self.cursor_row < 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except (CellDoesNotExist, RowDoesNotExist):
            return None
        return row_key.value

    def select_key(self, key: str, *, scroll: bool = True) -> bool:
        """Move the cursor to the row with this key; False if there is none."""
        if key not in self._cells:
            return False
        self.move_cursor(row=self.get_row_index(key), scroll=scroll)
        return True

    # --- sorting ---------------------------------------------------------------------

    def sort_column(self, field: str) -> str | None:
        keys = {c.key for c in self.columns_for()}
        return next((k for k in self.SORT_COLUMNS.get(field, ()) if k in keys), None)

    def action_sort(self, field: str) -> None:
        """Sort by `field`; pressing the same sort again reverses it."""
        column = self.sort_column(field)
        if column is None:
            self.notify(f"The {self.TITLE or 'focused'} pane has no {field} column to sort by.",
                        timeout=3)
            return
        reverse = self.sort_by is not None and self.sort_by == (field, False)
        self.sort_by = (field, reverse)
        key = self.selected_key
        self.reconcile(self._given, flash=False)
        if key is not None:
            self.select_key(key)
        label = next(c.label for c in self.columns_for() if c.key == column)
        self.border_subtitle = f"sorted by {label} {'↓' if reverse else '↑'}"

    def _sorted(self, rows: Sequence[Row]) -> Sequence[Row]:
        if self.sort_by is None:
            return rows
        field, reverse = self.sort_by
        column = self.sort_column(field)
        if column is None:
            return rows
        index = [c.key for c in self.columns_for()].index(column)
        return sorted(rows, key=lambda row: row_sort_key(field, row[1][index][0] if index < len(row[1]) else ""),
                      reverse=reverse)

    def reconcile(self, rows: Sequence[Row], *, flash: bool = True) -> bool:
        """Make the table show exactly `rows` (in that order, or in the chosen sort order).
        Returns True if anything changed."""
        self._given = list(rows)
        rows = self._sorted(rows)
        self._ensure_columns()
        wanted_order = [key for key, _ in rows]
        wanted = dict(rows)
        cursor_key = self.selected_key
        cursor_index = self.cursor_row
        had_rows = bool(self._order)
        changed = False

        gone = [key for key in self._order if key not in wanted]
        survivors = [key for key in self._order if key in wanted]
        new_keys = [key for key in wanted_order if key not in self._cells]
        # Order is kept if the survivors stay in order and new rows only come at the end.
        order_kept = survivors + new_keys == wanted_order

        if len(gone) > 20 or not had_rows or (not order_kept and len(new_keys) > len(survivors)):
            self._rebuild(rows, cursor_key, cursor_index)
            if had_rows and flash:
                for key in new_keys:
                    self._flash(key)
            return True

        for key in gone:
            self.remove_row(key)
            del self._cells[key]
            self._flash_until.pop(key, None)
            changed = True
        now = time.monotonic()
        for key in survivors:
            cells = wanted[key]
            old = self._cells[key]
            if cells == old:
                continue
            self._cells[key] = cells
            if flash:
                self._flash_until[key] = now + FLASH_SECONDS
            self._write_row(key, cells, None if flash else old)
            changed = True
        for key in new_keys:
            cells = wanted[key]
            self._cells[key] = cells
            self.add_row(*self._styled(key, cells), key=key)
            if had_rows and flash:
                self._flash(key)
            changed = True
        self._order = wanted_order
        if not order_kept:
            # Rows came out of order (a sync filling in, a sort): reorder the rows in place
            # instead of clearing and re-adding every one of them.
            self._reorder(wanted_order)
            changed = True
        if gone or not order_kept:
            self._restore_cursor(cursor_key, cursor_index)
        if self._flash_until:
            self._arm_flash_timer()
        return changed

    def _reorder(self, order: list[str]) -> None:
        """Put the rows in `order` with DataTable.sort, keyed by the identity of each row's
        first cell (every cell is a distinct Text object)."""
        first = self._columns_in_use[0].key
        position = {id(self.get_cell(key, first)): i for i, key in enumerate(order)}
        self.sort(first, key=lambda cell: position.get(id(cell), len(position)))

    def _rebuild(self, rows: Sequence[Row], cursor_key: str | None, cursor_index: int) -> None:
        self.clear()
        self._cells = {}
        keep = {key for key, _ in rows}
        self._flash_until = {key: t for key, t in self._flash_until.items() if key in keep}
        for key, cells in rows:
            self._cells[key] = cells
            self.add_row(*self._styled(key, cells), key=key)
        self._order = [key for key, _ in rows]
        self._restore_cursor(cursor_key, cursor_index)

    def _restore_cursor(self, cursor_key: str | None, cursor_index: int) -> None:
        if not self._order:
            return
        if cursor_key is not None and cursor_key in self._cells:
            row = self.get_row_index(cursor_key)
        else:
            row = min(max(cursor_index, 0), len(self._order) - 1)
        if row != self.cursor_row:
            self.move_cursor(row=row, scroll=False)

    # --- styling and highlight ---------------------------------------------------------

    def _styled(self, key: str, cells: tuple[Cell, ...]) -> list[Text]:
        flashing = key in self._flash_until
        return [self._cell_text(text, style, flashing) for text, style in cells]

    @staticmethod
    def _cell_text(text: str, style: str, flashing: bool) -> Text:
        if flashing:
            style = f"{style} {P.flash}".strip()
        return Text(text, style=style, no_wrap=True, overflow="ellipsis")

    def _write_row(self, key: str, cells: tuple[Cell, ...], old: tuple[Cell, ...] | None) -> None:
        """Write a row's cells; with `old` given, only the cells that differ from it."""
        flashing = key in self._flash_until
        for index, (column, (text, style)) in enumerate(zip(self._columns_in_use, cells)):
            if old is not None and index < len(old) and old[index] == (text, style):
                continue
            self.update_cell(key, column.key, self._cell_text(text, style, flashing))

    def _flash(self, key: str) -> None:
        self._flash_until[key] = time.monotonic() + FLASH_SECONDS
        self._write_row(key, self._cells[key], None)
        self._arm_flash_timer()

    def _arm_flash_timer(self) -> None:
        if self._flash_timer is None and self.is_mounted:
            self._flash_timer = self.set_interval(0.25, self._expire_flashes)

    def _expire_flashes(self) -> None:
        now = time.monotonic()
        expired = [key for key, until in self._flash_until.items() if until <= now]
        for key in expired:
            del self._flash_until[key]
            if key in self._cells:
                self._write_row(key, self._cells[key], None)
        if not self._flash_until and self._flash_timer is not None:
            self._flash_timer.stop()
            self._flash_timer = None

    @property
    def flashing_keys(self) -> set[str]:
        return set(self._flash_until)
