"""The main screen's panes: StatefulSets, pods, claims, volumes, warnings, rollout strip.

Place in the flow: the app hands each pane the `StatefulSetView`s built by
`state.topology`; a pane turns them into rows with `tui.render` and reconciles its
table. Each pane declares the keys that act on it (the Footer shows the focused pane's
keys); the actions themselves live on the app (`app.<action>`), which checks read-only
mode in `check_action` and builds plans with `state.actions`.
"""
from __future__ import annotations

from typing import ClassVar, Iterable, Mapping

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ststui.state.model import StatefulSetView
from ststui.tui import render
from ststui.tui.keyed_table import Column, KeyedTable, Row

# Actions that change the cluster: hidden or greyed in read-only mode.
MUTATING_ACTIONS = frozenset({
    "step", "set_partition", "hold", "scale", "restart", "undo", "set_image",
    "delete_pod", "force_delete_pod", "delete_claim", "reclaim",
    "staged_plan", "plan_pause", "plan_promote", "plan_abort",
})

ROLLOUT_BINDINGS = [
    Binding("a", "app.step", "Step", id="ststui.step", tooltip="Lower the partition by one: the next ordinal updates"),
    Binding("P", "app.set_partition", "Partition", id="ststui.partition"),
    Binding("h", "app.hold", "Hold/release", id="ststui.hold"),
    Binding("s", "app.scale", "Scale", id="ststui.scale"),
    Binding("u", "app.undo", "Undo", id="ststui.undo"),
    Binding("i", "app.set_image", "Image", id="ststui.image"),
]


class Pane(KeyedTable):
    """A focusable table pane; `enter` drills in (handled by the app). j/k/g/G, Home/End and
    PageUp/PageDown move the row cursor (vi and k9s habits)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="ststui.row_down"),
        Binding("k", "cursor_up", "Up", show=False, id="ststui.row_up"),
        Binding("g,home", "scroll_top", "First row", show=False, id="ststui.row_first"),
        Binding("G,end", "scroll_bottom", "Last row", show=False, id="ststui.row_last"),
    ]

    class DrillIn(Message):
        def __init__(self, pane: "Pane", key: str | None) -> None:
            super().__init__()
            self.pane = pane
            self.key = key

    def action_select_cursor(self) -> None:  # enter
        self.post_message(self.DrillIn(self, self.selected_key))

    # Wide terminals (>= WIDE_COLUMNS cells): the columns of a pane with FIT = True grow to
    # their content (a pod's rows are bounded by its replicas, so measuring is cheap), so
    # `ContainerCreating` or a 40-character volume name is not cut. Widths only grow while
    # wide (each growth rebuilds the table once); narrow terminals keep the fixed widths
    # that put the essential columns on screen.
    FIT: ClassVar[bool] = False
    WIDE_COLUMNS: ClassVar[int] = 120
    FIT_MAX: ClassVar[int] = 64

    def _is_wide(self) -> bool:
        return self.FIT and self.is_attached and self.app.size.width >= self.WIDE_COLUMNS

    def columns_for(self) -> tuple[Column, ...]:
        return self._fitted(super().columns_for())

    def _fitted(self, columns: tuple[Column, ...]) -> tuple[Column, ...]:
        if not self._is_wide():
            self._fit_widths = {}
            return columns
        widths = getattr(self, "_fit_widths", {})
        return tuple(Column(c.key, c.label, max(widths.get(c.key, 0), c.width or 0, len(c.label)))
                     for c in columns)

    def reconcile(self, rows, *, flash: bool = True) -> bool:
        keep = self.selected_key
        rebuilt = False
        if self._is_wide():
            widths = dict(getattr(self, "_fit_widths", {}))
            columns = super().columns_for()
            for _key, cells in rows:
                for column, (text, _style) in zip(columns, cells):
                    need = min(self.FIT_MAX, len(text))
                    if need > widths.get(column.key, 0):
                        widths[column.key] = need
                        rebuilt = True
            self._fit_widths = widths
        changed = super().reconcile(rows, flash=flash)
        if rebuilt and keep is not None and keep != self.selected_key:
            self.select_key(keep, scroll=False)
        return changed


class StatefulSetsPane(Pane):
    TITLE = "StatefulSets"
    BINDINGS = ROLLOUT_BINDINGS + [
        Binding("r", "app.restart", "Restart", id="ststui.restart"),
        Binding("l", "app.statefulset_logs", "Logs", id="ststui.statefulset_logs",
                tooltip="The pods' logs interleaved (r in the view: update / current revision only)"),
        Binding("o", "app.staged_plan", "Plan", id="ststui.staged_plan",
                tooltip="Staged rollout: a plan of partition steps with soak and checks"),
        Binding("space", "app.plan_pause", "Pause/resume plan", show=False, id="ststui.plan_pause"),
        Binding("plus", "app.plan_promote", "Promote", show=False, id="ststui.plan_promote"),
        Binding("x", "app.plan_abort", "Abort plan", show=False, id="ststui.plan_abort"),
    ]
    BASE_COLUMNS = (
        Column("name", "NAME"),
        Column("ready", "READY", 5),
        Column("updated", "UPD", 5),
        Column("partition", "PART", 4),
        Column("strategy", "STRATEGY", 8),
        Column("status", "ROLLOUT", 14),
        Column("warnings", "WARN", 4),
        Column("service", "SERVICE"),
        Column("age", "AGE", 5),
        Column("revisions", "REVISIONS"),
        Column("policy", "POLICY", 8),
        Column("images", "IMAGES"),
    )

    _AGE_INDEX = [c.key for c in BASE_COLUMNS].index("age")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.with_namespace = True
        # key -> (view, with_namespace, age text, cells, now): views are immutable and
        # replaced when they change, so a row is rendered again only when its view or the
        # columns change; a new `now` only recomputes the age text (and the row if that
        # differs); the same `now` (a filter typed, a sort) recomputes nothing.
        self._cell_cache: dict[str, tuple[StatefulSetView, bool, str, tuple, float]] = {}

    def columns_for(self) -> tuple[Column, ...]:
        if self.with_namespace:
            return (Column("namespace", "NAMESPACE"),) + self.BASE_COLUMNS
        return self.BASE_COLUMNS

    def forget_cells(self) -> None:
        """Drop the cell cache (the styles changed, e.g. a new theme)."""
        self._cell_cache = {}

    def _view_cells(self, view: StatefulSetView, now: float, cache: dict) -> tuple:
        with_ns = self.with_namespace
        key = view.key
        hit = cache.get(key)
        if hit is not None and hit[0] is view and hit[1] == with_ns:
            if hit[4] == now:
                return hit[3]
            age = render.age(view.created, now)
            if age == hit[2]:
                cache[key] = (view, with_ns, age, hit[3], now)
                return hit[3]
            cells = list(hit[3])
            cells[self._age_index(with_ns)] = (age, "")
            cells = tuple(cells)
        else:
            cells = render.statefulset_cells(view, now, with_namespace=with_ns)
            age = cells[self._age_index(with_ns)][0]
        cache[key] = (view, with_ns, age, cells, now)
        return cells

    def _age_index(self, with_ns: bool) -> int:
        return self._AGE_INDEX + (1 if with_ns else 0)

    def show_changed(self, views: Iterable[StatefulSetView], now: float) -> None:
        """Write the rows of these views, which are already in the table in their place."""
        for view in views:
            self.update_one(view.key, self._view_cells(view, now, self._cell_cache))

    def show(self, views: Iterable[StatefulSetView], now: float, *, flash: bool = True,
             keep: Mapping[str, StatefulSetView] | None = None) -> bool:
        """Show exactly these rows. Cached cells of rows not shown are kept while their
        view is still the current one in `keep` (the app's views: a filter closing then
        finds 4,900 of its 5,000 rows' cells ready); the others are dropped."""
        old, fresh = self._cell_cache, {}
        rows: list[Row] = []
        for view in views:
            cells = self._view_cells(view, now, old)
            fresh[view.key] = old[view.key]
            rows.append((view.key, cells))
        if keep and len(fresh) < len(old):
            for key, hit in old.items():
                if key not in fresh and keep.get(key) is hit[0]:
                    fresh[key] = hit
        self._cell_cache = fresh
        return self.reconcile(rows, flash=flash)


class PodsPane(Pane):
    TITLE = "Pods"
    FIT = True
    BINDINGS = [
        Binding("l", "app.logs", "Logs", id="ststui.logs"),
        Binding("ctrl+d", "app.delete_pod", "Delete pod", id="ststui.delete_pod"),
        Binding("ctrl+k", "app.force_delete_pod", "Force delete", id="ststui.force_delete"),
    ] + ROLLOUT_BINDINGS[:3] + [
        Binding("p", "app.previous_logs", "Previous log", id="ststui.previous_logs"),
        Binding("s", "app.shell", "Shell", id="ststui.shell", tooltip="kubectl exec -it (bash, ash or sh)"),
        Binding("e", "app.edit", "Edit", id="ststui.edit", tooltip="kubectl edit pod"),
        Binding("F", "app.port_forward", "Port-forward", id="ststui.port_forward",
                tooltip="kubectl port-forward (asks for ports)"),
    ]
    COLUMNS = (
        Column("ordinal", "#", 3),
        Column("name", "NAME"),
        Column("phase", "PHASE", 17),   # "ContainerCreating" whole
        Column("ready", "READY", 5),
        Column("revision", "REVISION", 18),
        Column("node", "NODE", 16),
        Column("restarts", "RESTARTS", 12),
        Column("age", "AGE", 5),
        Column("dns", "DNS NAME"),
        Column("image", "IMAGE"),
    )

    def show(self, view: StatefulSetView | None, now: float, *, flash: bool = True) -> bool:
        rows: list[Row] = []
        if view is not None:
            rows = [(slot.name, render.pod_cells(slot, view.name, now)) for slot in view.slots]
        return self.reconcile(rows, flash=flash)


class ClaimsPane(Pane):
    FIT = True
    TITLE = "Claims"
    BINDINGS = [
        Binding("ctrl+d", "app.delete_claim", "Delete claim", id="ststui.delete_claim"),
    ]
    COLUMNS = (
        Column("ordinal", "#", 3),
        Column("name", "CLAIM"),
        Column("phase", "PHASE", 11),
        Column("volume", "VOLUME", 16),
        Column("capacity", "SIZE", 6),
        Column("orphan", "ORPHAN", 6),
        Column("template", "TEMPLATE"),
    )

    def show(self, view: StatefulSetView | None, now: float, *, flash: bool = True) -> bool:
        rows: list[Row] = []
        if view is not None:
            rows = [(claim.name, render.claim_cells(claim)) for claim in view.claims]
        return self.reconcile(rows, flash=flash)


class VolumesPane(Pane):
    FIT = True
    TITLE = "Volumes"
    BINDINGS = [
        Binding("r", "app.reclaim", "Reclaim", id="ststui.reclaim"),
    ]
    COLUMNS = (
        Column("name", "VOLUME", 20),
        Column("phase", "PHASE", 11),
        Column("reclaim", "RECLAIM", 7),
        Column("claim", "CLAIM"),
        Column("class", "CLASS"),
        Column("capacity", "SIZE", 6),
    )

    def show(self, view: StatefulSetView | None, now: float, *, flash: bool = True) -> bool:
        rows: list[Row] = []
        if view is not None:
            rows = [(volume.name, render.volume_cells(volume)) for volume in view.volumes]
        return self.reconcile(rows, flash=flash)


class WarningsPane(OptionList):
    """The selected StatefulSet's warnings, wrapped to the pane's width; `enter` jumps to
    the object a warning is about."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Warnings"
        self._shown: tuple = ()
        self._warnings: list = []

    @staticmethod
    def warning_key(warning, index: int) -> str:
        return f"{warning.kind}:{warning.obj or index}"

    def show(self, view: StatefulSetView | None, now: float, *, flash: bool = True) -> bool:
        warnings = list(view.warnings) if view is not None else []
        loading = view.loading if view is not None else ()
        shown = tuple(warnings) + tuple(loading)
        if shown == self._shown:
            return False
        keep = self.selected_key
        self._shown = shown
        self._warnings = warnings
        self.clear_options()
        options = []
        for index, warning in enumerate(warnings):
            icon, style = render.warning_cells(warning)[0]
            prompt = Text.assemble((f"{icon} ", style), warning.message)
            options.append(Option(prompt, id=self.warning_key(warning, index)))
        if not options and loading:
            words = ", ".join({"persistentvolumeclaims": "claims", "persistentvolumes": "volumes",
                               "controllerrevisions": "revisions"}.get(k, k) for k in loading)
            options.append(Option(Text(f"Warnings wait until every kind is loaded (still loading {words}).",
                                       style=render.STYLE_DIM), id="-", disabled=True))
        elif not options:
            options.append(Option(Text("No warnings.", style=render.STYLE_DIM), id="-", disabled=True))
        self.add_options(options)
        keys = [self.warning_key(w, i) for i, w in enumerate(warnings)]
        if keep in keys:
            self.highlighted = keys.index(keep)
        elif warnings:
            self.highlighted = 0
        self.border_title = f"Warnings ({len(warnings)})" if warnings else "Warnings"
        return True

    def redraw(self) -> None:
        """Forget what is shown, so the next `show` draws it again (new theme colours)."""
        self._shown = (None,)

    @property
    def selected_key(self) -> str | None:
        if self.highlighted is None or not self._warnings:
            return None
        option = self.get_option_at_index(self.highlighted)
        return option.id

    @property
    def row_count(self) -> int:
        return len(self._warnings)

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        if self._warnings:
            self.highlighted = row

    def warning_at_cursor(self, view: StatefulSetView | None):
        key = self.selected_key
        if view is None or key is None:
            return None
        for index, warning in enumerate(view.warnings):
            if self.warning_key(warning, index) == key:
                return warning
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(Pane.DrillIn(self, event.option.id))


class RolloutStrip(Static):
    """One coloured cell per ordinal, the partition marked, and what happens next."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.border_title = "Rollout"
        self._shown: StatefulSetView | None = None
        self._empty = False

    def redraw(self) -> None:
        """Forget what is shown, so the next `show` draws it again (new theme colours)."""
        self._shown, self._empty = None, False

    def show(self, view: StatefulSetView | None) -> None:
        if view is None:
            if not self._empty:
                self._shown, self._empty = None, True
                self.update(Text("No StatefulSet selected.", style=render.STYLE_DIM))
            return
        if view == self._shown:
            return
        self._shown, self._empty = view, False
        self.update(render.rollout_strip(view))
