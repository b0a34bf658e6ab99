"""A table kept in step with a list of keyed rows, without jumping.

Place in the flow: every tabular pane (StatefulSets, pods, claims, volumes) subclasses
`KeyedTable` and calls `reconcile(rows)` with `(key, cells)` pairs rendered by
`tui.render`. Reconciling touches only what changed: cells are compared before a row is
replaced (a replaced row on screen redraws one line), rows gone are removed, new rows
added, and rows that came out of order are put in order in place (the table is a
`LineTable`: rows are plain cells, drawn only when on screen). The cursor follows its row
key, not its position, and rows whose cells changed are highlighted for a moment.
"""
from __future__ import annotations

import time
from typing import ClassVar, Sequence

from textual.binding import Binding

from ststui.tui.line_table import Cell, Column, LineTable
from ststui.tui.palette import P
from ststui.tui.sorting import row_sort_key

FLASH_SECONDS = 1.5
# A changed row's highlight is the palette's `flash` role (the theme's warning-muted background).

Row = tuple[str, tuple[Cell, ...]]


class KeyedTable(LineTable):
    """A LineTable whose rows are reconciled with the rows a pane gives it."""

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
        super().__init__(id=id, classes=classes)
        self._flash_until: dict[str, float] = {}
        self._flash_timer = None
        self.border_title = self.TITLE
        self.sort_by: tuple[str, bool] | None = None     # (field, reversed); None: as given
        self._given: list[Row] | None = []                # the rows as the pane gave them

    # --- columns ---------------------------------------------------------------------

    def columns_for(self) -> tuple[Column, ...]:
        """The columns to show now; subclasses may vary them (e.g. a namespace column)."""
        return self.COLUMNS

    def _ensure_columns(self) -> None:
        wanted = self.columns_for()
        if wanted != self._columns_in_use:
            self.set_columns(wanted)

    # --- rows ------------------------------------------------------------------------

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
        given = self._given if self._given is not None else [(k, self._cells[k]) for k in self._order]
        self.reconcile(given, flash=False)
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
        with self.batch():
            return self._reconcile(rows, flash)

    def _reconcile(self, rows: Sequence[Row], flash: bool) -> bool:
        self._given = list(rows)
        rows = self._sorted(rows)
        self._ensure_columns()
        cells_now = self._cells
        wanted_order = [key for key, _ in rows]
        cursor_key = self.selected_key
        cursor_index = self.cursor_row
        had_rows = bool(self._order)
        changed = False
        if len(wanted_order) != len(rows) or len(set(wanted_order)) != len(wanted_order):
            raise ValueError("row keys must be unique")

        wanted = dict(rows)
        gone = [key for key in self._order if key not in wanted]
        if gone:
            self.remove_rows(gone)
            for key in gone:
                self._flash_until.pop(key, None)
            changed = True
        now = time.monotonic()
        new_keys = []
        for key, cells in rows:
            old = cells_now.get(key)
            if old is None:
                new_keys.append(key)
            elif old is not cells and old != cells:
                if flash:
                    self._flash_until[key] = now + FLASH_SECONDS
                self.update_row(key, cells)
                changed = True
        for key in new_keys:
            self.add_row(key, wanted[key])
            if had_rows and flash:
                self._flash_until[key] = now + FLASH_SECONDS
            changed = True
        if self._order != wanted_order:
            # Rows came out of order (a sync filling in, a sort): put them in order in
            # place; nothing is re-added.
            self.set_order(wanted_order)
            changed = True
        if changed:
            self._restore_cursor(cursor_key, cursor_index)
        if self._flash_until:
            self._arm_flash_timer()
        return changed

    def update_one(self, key: str, cells: tuple[Cell, ...], *, flash: bool = True) -> bool:
        """Replace one row already shown, in place (the order is kept: only for tables
        not sorted by a column). Returns True if its cells changed."""
        old = self._cells.get(key)
        if old is None or old is cells or old == cells:
            return False
        if flash:
            self._flash_until[key] = time.monotonic() + FLASH_SECONDS
            self._arm_flash_timer()
        self.update_row(key, cells)
        self._given = None          # rebuilt from the rows shown if a sort asks for it
        return True

    def _restore_cursor(self, cursor_key: str | None, cursor_index: int) -> None:
        if not self._order:
            self.cursor_row = 0
            self.announce_cursor()
            return
        if cursor_key is not None and cursor_key in self._cells:
            row = self.get_row_index(cursor_key)
        else:
            row = min(max(cursor_index, 0), len(self._order) - 1)
        self.move_cursor(row=row, scroll=False)

    # --- highlight of changed rows ------------------------------------------------------

    def row_flashing(self, key: str) -> bool:
        return key in self._flash_until

    def flash_style(self) -> str:
        return P.flash

    def _arm_flash_timer(self) -> None:
        if self._flash_timer is None and self.is_mounted:
            self._flash_timer = self.set_interval(0.25, self._expire_flashes)

    def _expire_flashes(self) -> None:
        now = time.monotonic()
        expired = [key for key, until in self._flash_until.items() if until <= now]
        for key in expired:
            del self._flash_until[key]
            if key in self._cells:
                self.refresh_row(self.get_row_index(key))
        if not self._flash_until and self._flash_timer is not None:
            self._flash_timer.stop()
            self._flash_timer = None

    @property
    def flashing_keys(self) -> set[str]:
        return set(self._flash_until)
