"""The ststui App: layout, keys, the watch worker, and the action flow.

Place in the flow:
  session.store  --(10 Hz: take_changed_statefulsets)-->  topology.build_view
      --> self.views --> panes (keyed rows, only changed cells written)
  key --> state.actions.plan_* --> modal (effect, kubectl, default No)
      --> thread worker: session.execute(plan) --> notify + action log (+ audit file)
      (the change actions and the command palette live in `tui.changes`)
The server's answer comes back through the watch into the store: the app never edits its
own copy of the cluster, and never computes StatefulSet logic (it renders views and plans).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from ststui.config import Config
from ststui.state.model import StatefulSetView
from ststui.state.topology import build_view, build_views
from ststui.tui import memory, palette, render
from ststui.tui.age_schedule import next_change
from ststui.tui.audit import ActionLog
from ststui.tui.changes import ChangeActions
from ststui.tui.command_line import CommandLineMixin
from ststui.tui.habits import HabitsMixin
from ststui.tui.header import StatusBar, status_text
from ststui.tui.footer import RankedFooter
from ststui.tui.help import HelpScreen
from ststui.tui.inspect import HANDOFF_CHANGES, INSPECT_ACTIONS, InspectActions
from ststui.tui.messages import MessageLine
from ststui.tui.modals import ChoiceModal
from ststui.tui.keyed_table import KeyedTable
from ststui.tui.panes import (
    MUTATING_ACTIONS,
    ClaimsPane,
    Pane,
    PodsPane,
    RolloutStrip,
    StatefulSetsPane,
    VolumesPane,
    WarningsPane,
)
from ststui.tui.permits import PermissionsMixin
from ststui.tui.session import Session
from ststui.tui.staged import PlanProgress, StagedActions

# How the header and pane titles name the kinds still loading, in the order they are told.
KIND_WORDS = {"statefulsets": "statefulsets", "pods": "pods", "persistentvolumeclaims": "claims",
              "persistentvolumes": "volumes", "nodes": "nodes", "services": "services",
              "controllerrevisions": "revisions", "storageclasses": "storage classes", "events": "events"}
LOADING_ORDER = tuple(KIND_WORDS)
from ststui.tui.views import ActionLogScreen, DescribeScreen, HistoryScreen, YamlScreen

# Package data (pyproject: [tool.setuptools.package-data]), so an installed wheel finds it too.
CSS_FILE = Path(__file__).resolve().with_name("ststui.tcss")

ALL_NAMESPACES = ""   # choice value meaning "all namespaces"

# App keys that act on the main screen only (hidden while a dialog or view is open).
MAIN_SCREEN_ACTIONS = frozenset({"back", "help", "filter", "yaml", "describe", "history", "namespace",
                                 "context", "action_log", "quit", "command_line"}) | MUTATING_ACTIONS | INSPECT_ACTIONS

# Which object each pane's rows are, for y/d.
_PANE_PLURALS = {
    "statefulsets": "statefulsets",
    "pods": "pods",
    "claims": "persistentvolumeclaims",
    "volumes": "persistentvolumes",
}
_KINDS = {
    "statefulsets": "StatefulSet",
    "pods": "Pod",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "persistentvolumes": "PersistentVolume",
}
_OBJ_PREFIX_TO_PANE = {"pod": "pods", "pvc": "claims", "claim": "claims", "persistentvolumeclaim": "claims",
                       "pv": "volumes", "volume": "volumes", "persistentvolume": "volumes",
                       "statefulset": "statefulsets", "sts": "statefulsets"}


def _depends_on_time(view: StatefulSetView) -> bool:
    """A view the 1 Hz tick rebuilds: a rollout that may come to count as halted, or a
    pod Terminating (its grace period runs out)."""
    return (view.rollout.in_progress and not view.rollout.halted) or any(s.terminating for s in view.slots)


class StsTuiApp(PermissionsMixin, HabitsMixin, CommandLineMixin, StagedActions, ChangeActions, InspectActions, App):
    """Four live panes and keyboard actions for StatefulSets."""

    CSS_PATH = str(CSS_FILE)
    TITLE = "ststui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    BINDINGS = [
        Binding("tab", "focus_next", "Next pane", show=False, id="ststui.next_pane"),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="ststui.previous_pane"),
        Binding("escape", "back", "Back", show=False, id="ststui.back"),
        Binding("question_mark", "help", "Help", id="ststui.help"),
        Binding("slash", "filter", "Filter", id="ststui.filter"),
        Binding("y", "yaml", "YAML", id="ststui.yaml"),
        Binding("d", "describe", "Describe", id="ststui.describe"),
        Binding("v", "history", "History", id="ststui.history"),
        Binding("n", "namespace", "Namespace", id="ststui.namespace"),
        Binding("c", "context", "Context", id="ststui.context"),
        Binding("L", "action_log", "Change log", id="ststui.action_log"),
        Binding("E", "events", "Events", id="ststui.events"),
        Binding("q", "quit", "Quit", id="ststui.quit"),
        Binding("ctrl+r", "reconnect", "Reconnect", show=False, id="ststui.reconnect"),
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="ststui.interrupt"),
        Binding("colon", "command_line", "Command", show=False, id="ststui.command_line",
                tooltip=":sts :pods :pvc :pv :events :ns NAME :ctx NAME :sts NAME :pod NAME :q"),
    ]

    def __init__(self, session: Session, *, read_only: bool = False,
                 clock: Callable[[], float] | None = None, audit_log: str | Path | None = None,
                 notice: str | None = None, config: Config | None = None) -> None:
        super().__init__()
        self.config = config or Config()
        self.cli_read_only = read_only
        # No animated scrolling: over ssh every frame costs, and jumps are easier to follow.
        self.animation_level = "none"
        self.notice = notice            # shown once at start (e.g. the demo's kubeconfig)
        self.session = session
        self.read_only = read_only
        self.clock = clock or session.now
        self.action_log = ActionLog(audit_log)
        self.audit_path = str(audit_log) if audit_log else None
        self.views: dict[str, StatefulSetView] = {}
        self.loading: frozenset[str] = frozenset()   # kinds whose first LIST has not completed
        self.unreadable: frozenset[str] = frozenset()  # kinds refused (403) and never listed
        self.selected_key: str | None = None
        self.filter_text = ""
        self.namespace_filter: str | None = None      # display filter when watching all namespaces
        self._watch_version = -1
        self._last_connection = None
        self._sts_shown: list[str] = []
        # The keys visible in the StatefulSets pane (sorted, filtered) and what they were
        # computed from: recomputed only when views come or go or a filter changes.
        self._view_keys_version = 0
        self._visible_basis: tuple | None = None
        self._visible_keys: list[str] = []
        self._visible_set: frozenset[str] = frozenset()
        self._sorted: list[tuple[str, str, str]] = []    # (key, namespace, key lowered), sorted
        self._sorted_basis: tuple | None = None
        # Views whose facts depend on time (rebuilt by the 1 Hz tick), kept as views change.
        self._timed: set[str] = set()
        # Views to rebuild when there is time (off screen), in order; when the user last
        # pressed a key (the rebuilding yields to keys).
        self._pending: dict[tuple[str, str], None] = {}
        self._last_key_at = 0.0
        self.render_now = self.clock()        # the time rows are rendered at (moves on each tick)
        self._ages_change_at = 0.0            # when an age on screen next reads differently
        self._gc_frozen = False
        self._gc_early_frozen = False
        self._loading_progress = -1            # session.loading_progress() at the last drain
        self._main_widgets: dict[str, Any] = {}
        self._refresh_timers: list[Any] = []
        self._access_init()             # what the user may do (tui/permits.py)

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Input(placeholder="filter StatefulSets by namespace/name (enter keeps it, escape clears)",
                    id="filter")
        yield Static("", id="pinned")
        with VerticalScroll(id="body", can_focus=False):
            yield StatefulSetsPane(id="statefulsets")
            yield RolloutStrip(id="rollout")
            yield PlanProgress(id="plan")
            with Container(id="detail"):
                yield PodsPane(id="pods")
                with Container(id="storage"):
                    yield ClaimsPane(id="claims")
                    yield VolumesPane(id="volumes")
                yield WarningsPane(id="warnings")
        yield MessageLine(id="messages")
        yield RankedFooter()

    # The main screen's widgets, looked up once: `query_one` searches the *current*
    # screen, which is a modal or a view while one is open.
    @property
    def sts_pane(self) -> StatefulSetsPane:
        return self._widget("#statefulsets", StatefulSetsPane)

    @property
    def pods_pane(self) -> PodsPane:
        return self._widget("#pods", PodsPane)

    @property
    def claims_pane(self) -> ClaimsPane:
        return self._widget("#claims", ClaimsPane)

    @property
    def volumes_pane(self) -> VolumesPane:
        return self._widget("#volumes", VolumesPane)

    @property
    def warnings_pane(self) -> WarningsPane:
        return self._widget("#warnings", WarningsPane)

    @property
    def filter_input(self) -> Input:
        return self._widget("#filter", Input)

    def _widget(self, selector: str, kind):
        widget = self._main_widgets.get(selector)
        if widget is None:
            widget = self._main_widgets[selector] = self._main_screen().query_one(selector, kind)
        return widget

    def get_driver_class(self):
        """Textual's choice, except that its Linux driver becomes one that delivers a lone
        Escape after ESCAPE_DELAY instead of up to 100 ms late (tui/driver.py)."""
        chosen = super().get_driver_class()
        try:
            from textual.drivers.linux_driver import LinuxDriver

            from .driver import PromptEscapeDriver
        except ImportError:         # another Textual layout (driver.py uses its internals)
            return chosen
        return PromptEscapeDriver if chosen is LinuxDriver else chosen

    def on_mount(self) -> None:
        self.apply_config()
        if self.is_headless:
            self.filter_input.cursor_blink = False
        self.filter_input.display = False
        self._main_screen().set_class(self.size.width >= self.SIDE_BY_SIDE_COLUMNS, "-side-by-side")
        palette.apply(self.get_css_variables())
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.sts_pane.with_namespace = self.session.namespace is None
        self.load_all()
        self.sts_pane.focus()
        self._start_watch()
        self._start_terminal_guard()
        if self.notice:
            self.notify(self.notice, timeout=15)
        self.watch(self._widget("#body", VerticalScroll), "scroll_y", self._update_pinned, init=False)
        self._refresh_timers = [self.set_interval(0.1, self.drain_changes, name="drain"),
                        self.set_interval(1.0, self.tick, name="tick")]

    def _theme_changed(self, theme) -> None:
        """Colours come from the theme: recompute the palette and redraw every row."""
        if palette.apply(self.get_css_variables()) and self.screen_stack and self._main_widgets:
            self.redraw()

    def redraw(self) -> None:
        """Render every pane again from the views (after a theme change)."""
        self.warnings_pane.redraw()
        self._widget("#rollout", RolloutStrip).redraw()
        for footer in self.query(RankedFooter):
            footer.redraw()
        self.sts_pane.forget_cells()          # cached cells carry the old theme's styles
        with self.batch_update():
            self.render_all(flash=False)

    def _refresh_notifications(self) -> None:
        """Toasts would cover the rows being acted on: on the main screen messages go to
        the message line above the footer instead (dialogs and views keep toasts)."""
        if self.screen_stack and self._main_widgets:
            self._widget("#messages", MessageLine).show(self._notifications)
            if self.screen is self._main_screen():
                self.call_after_refresh(self._keep_focused_in_view)
                return
        super()._refresh_notifications()

    def _keep_focused_in_view(self) -> None:
        """The message line takes rows from the body: keep the focused pane (and so the
        row being acted on) in sight."""
        focused = self._main_screen().focused
        if isinstance(focused, (Pane, WarningsPane)):
            self._widget("#body", VerticalScroll).scroll_to_widget(focused, animate=False)

    SIDE_BY_SIDE_COLUMNS = 200   # claims and volumes side by side from this width

    def on_resize(self) -> None:
        """Wide terminals give the detail panes' columns the room of their content."""
        if self.screen_stack:
            self._main_screen().set_class(self.size.width >= self.SIDE_BY_SIDE_COLUMNS, "-side-by-side")
        if self._main_widgets:
            self.call_after_refresh(self.render_all, flash=False)

    def _start_watch(self) -> None:
        if self.session.watch is not None:
            self._run_watch(self.session)

    @work(thread=True, exit_on_error=False, group="watch")
    def _run_watch(self, session: Session) -> None:
        session.run_watch()

    # --- failures: our own crash line instead of Textual's (it prints local variables) ---

    def _handle_exception(self, error: Exception) -> None:
        self._crash_error = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        from ststui.tui.crash import crash_line
        error = getattr(self, "_crash_error", None) or RuntimeError("unknown error")
        self.bell()
        self._exit_renderables.append(crash_line(error))
        self._close_messages_no_wait()

    def _start_terminal_guard(self) -> None:
        if self.is_headless:
            return
        from ststui.tui.crash import TerminalGuard

        def gone(why: str) -> None:
            self.session.stop()
            if threading.current_thread() is threading.main_thread():
                self.exit(return_code=1, message=f"ststui: {why}; stopped.")
            else:
                self.call_from_thread(self.exit, None, 1, f"ststui: {why}; stopped.")

        self._terminal_guard = TerminalGuard(gone).start()

    def on_unmount(self) -> None:
        for timer in self._refresh_timers:
            timer.stop()
        self.stop_log_streams()
        self.session.stop()

    def action_reconnect(self) -> None:
        """ctrl+r: end every backoff wait and reconnect now."""
        if self.session.reconnect_now():
            self.notify("Reconnecting to the API server now.", timeout=3)
        else:
            self.notify("Not connected to a cluster: nothing to reconnect.", severity="warning")

    # --- data flow -------------------------------------------------------------------

    def load_all(self) -> None:
        """Build every view from the store (start, context or namespace switch)."""
        self.session.store.take_changes()
        self.render_now = self.clock()
        self.loading = self.session.loading_kinds()
        self.unreadable = self.session.unreadable_kinds()
        self._pending = {}
        views = build_views(self.session.store, self.render_now, self.session.namespaces, loading=self.loading,
                            unreadable=self.unreadable)
        self.views = {view.key: view for view in views}
        self._view_keys_version += 1
        self._timed = {view.key for view in views if _depends_on_time(view)}
        self.render_all(flash=False)

    def drain_changes(self) -> None:
        """~10 Hz: rebuild the views the store says changed, update only those rows.
        Rows are rendered with the time of the last tick, so ages never make a row flash."""
        if not self.screen_stack:       # the app is shutting down: a last timer tick
            return
        self._update_status()
        self._freeze_after_sync()
        store = self.session.store
        loading, unreadable = self.session.loading_kinds(), self.session.unreadable_kinds()
        if loading != self.loading or unreadable != self.unreadable:
            # A kind completed its first LIST (or became readable): every view may now say
            # more. They are all rebuilt, those on screen at once, the others a bounded
            # slice per drain (`_rebuild_pending`); the header says "updating" until then.
            self.loading, self.unreadable = loading, unreadable
            self._gc_frozen = False           # freeze again once this catch-up is done
            for key in store.statefulset_keys(self.session.namespaces):
                self._pending[key] = None
            for view in self.views.values():
                self._pending[(view.namespace, view.name)] = None
        keys, affected = store.take_changed_statefulsets()
        if not keys and not self._pending:
            return
        version = self._view_keys_version
        changed = self._rebuild(self._now_or_later(affected), self.clock())
        was_pending = bool(self._pending)
        progress = self.session.loading_progress()
        arriving, self._loading_progress = progress != self._loading_progress, progress
        changed |= self._rebuild_pending(arriving=arriving)
        if was_pending and not self._pending:
            self.render_all(flash=False)      # every view is up to date: titles and header say so
            return
        if not changed:
            return
        with self.batch_update():
            if version == self._view_keys_version and self._rows_in_place():
                self._render_changed(changed)
            else:
                self.render_all(flash=True, changed=changed)

    # Off-screen views rebuilt per drain: at least this many, then until this much time
    # has gone (less while the user is pressing keys, so keys are served first).
    CATCH_UP_MIN = 50
    CATCH_UP_WHILE_LOADING = 20
    CATCH_UP_BUDGET = 0.25
    CATCH_UP_BUDGET_TYPING = 0.03

    def _on_screen(self) -> set[tuple[str, str]]:
        """(namespace, name) of the StatefulSet rows in view, and of the selected one."""
        keys = self.sts_pane.keys_in_view()
        if self.selected_key:
            keys.append(self.selected_key)
        return {tuple(key.split("/", 1)) for key in keys}

    def _now_or_later(self, affected: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The affected views to rebuild now: new ones (rows appear as soon as their
        StatefulSet is known) and those on screen; the others join `_pending`."""
        on_screen = self._on_screen()
        now: list[tuple[str, str]] = []
        for pair in affected:
            if pair in on_screen or f"{pair[0]}/{pair[1]}" not in self.views:
                now.append(pair)
                self._pending.pop(pair, None)
            else:
                self._pending[pair] = None
        for pair in on_screen:
            if pair in self._pending:
                del self._pending[pair]
                now.append(pair)
        return now

    def _rebuild_pending(self, arriving: bool = False) -> set[str]:
        """Rebuild pending views, a bounded slice: returns the keys whose view changed.
        `arriving`: pages of a kind still loading came in since the last drain (changes
        of kinds already listed do not count: they must not hold the catch-up back)."""
        if not self._pending:
            return set()
        typing = time.monotonic() - self._last_key_at < 1.0
        if self.loading and arriving:
            # A loading kind's pages are arriving: a view rebuilt now would be rebuilt
            # again when that kind completes, and the work would only slow the list down
            # (one GIL).
            return set()
        if self.loading:
            # A list that has gone quiet (slow, stalled): a trickle, so views still catch up
            # if a kind never completes.
            least, budget = self.CATCH_UP_WHILE_LOADING, 0.0
        else:
            least, budget = self.CATCH_UP_MIN, (self.CATCH_UP_BUDGET_TYPING if typing else self.CATCH_UP_BUDGET)
        deadline = time.perf_counter() + budget
        changed: set[str] = set()
        done = 0
        now = self.clock()
        while self._pending and (done < least or time.perf_counter() < deadline):
            pair = next(iter(self._pending))
            del self._pending[pair]
            changed |= self._rebuild((pair,), now)
            done += 1
        return changed

    def _rows_in_place(self) -> bool:
        """Whether changed views can be written row by row: no set came or went, and
        the rows' order does not depend on their content (no sort, no -l selector)."""
        return (self.sts_pane.sort_by is None and self.session.selector is None
                and self._visible_basis == self._visible_basis_now())

    def _render_changed(self, changed: set[str]) -> None:
        """Write the rows of the views that changed, and the detail panes if the selected
        one did: work proportional to the change, not to the number of StatefulSets."""
        now = self.render_now
        shown = [self.views[key] for key in changed if key in self._visible_set and key in self.views]
        self.sts_pane.show_changed(shown, now)
        if self.selected_key in changed:
            self.show_detail(flash=True)
        self._update_status()
        self._schedule_ages(shown)

    def _freeze_after_sync(self) -> None:
        """Once a sync is complete (live, every kind listed, every view rebuilt), settle
        the heap (`tui.memory.settle`: collect, freeze, give free memory back): the
        cyclic collector then never rescans the store's objects and the views' (at 50k
        pods, full collections of views rebuilt after an early freeze were 100-300 ms
        pauses in filter typing and escape). A first freeze, without a collection, comes
        as soon as the connection is live, so the catch-up's own collections skip the
        store; a new catch-up (a relist, another namespace) settles again when done."""
        if self._gc_frozen or self.session.watch is None:
            return
        if self.session.connection_state().level != "live":
            return
        if self.loading or self._pending:
            if not self._gc_early_frozen:
                self._gc_early_frozen = True
                memory.freeze()
            return
        self._gc_frozen = True
        memory.settle()

    def _rebuild(self, keys: Iterable[tuple[str, str]], now: float) -> set[str]:
        """Rebuild the views of (namespace, name) pairs; returns the keys whose view changed."""
        changed: set[str] = set()
        scope = self.session.namespace
        for namespace, name in keys:
            if scope is not None and namespace != scope:
                continue
            key = f"{namespace}/{name}"
            view = build_view(self.session.store, namespace, name, now, loading=self.loading,
                              unreadable=self.unreadable)
            if view is None:
                if self.views.pop(key, None) is not None:
                    changed.add(key)
                    self._view_keys_version += 1
                    self._timed.discard(key)
                continue
            old = self.views.get(key)
            if old != view:
                if old is None:
                    self._view_keys_version += 1
                self.views[key] = view
                changed.add(key)
                if _depends_on_time(view):
                    self._timed.add(key)
                else:
                    self._timed.discard(key)
        return changed

    def tick(self) -> None:
        """1 Hz: views whose facts depend on time (a rollout waiting on a pod that may count
        as halted, pods Terminating) and the selected one are rebuilt; rows are re-rendered
        only if one of those changed or an age on screen now reads differently
        (`age_schedule`): idle, nothing is recomputed or written."""
        now = self.clock()
        keys = self._timed | ({self.selected_key} if self.selected_key else set())
        timed = [(v.namespace, v.name) for v in map(self.views.get, keys) if v is not None]
        changed = self._rebuild(timed, now)
        if not changed and now < self._ages_change_at:
            return
        self.render_now = now
        with self.batch_update():
            self.render_all(flash=False)

    def _schedule_ages(self, changed: Iterable[StatefulSetView] | None = None) -> None:
        """Note when the next age shown (StatefulSet rows, the selected set's pods) changes;
        given the views just changed, only those (and the selected one) are looked at."""
        now = self.render_now
        views = self.views.values() if changed is None else changed
        times = [v.created for v in views]
        view = self.views.get(self.selected_key) if self.selected_key else None
        if view is not None:
            times += [s.created for s in view.slots if s.exists]
            times += [s.terminating_since for s in view.slots if s.terminating_since is not None]
        soonest = next_change(now, times)
        self._ages_change_at = soonest if changed is None else min(self._ages_change_at, soonest)

    def _visible_basis_now(self) -> tuple:
        return (self._view_keys_version, len(self.views), self.namespace_filter, self.filter_text)

    def visible_views(self) -> list[StatefulSetView]:
        """The views the StatefulSets pane shows, in (namespace, name) order: the sorted,
        filtered keys are kept until a view comes or goes or a filter changes."""
        basis = self._visible_basis_now()
        views = self.views
        if basis != self._visible_basis or self.session.selector is not None:
            if self._sorted_basis != basis[:2]:
                ordered = sorted(views.values(), key=lambda v: (v.namespace, v.name))
                self._sorted = [(v.key, v.namespace, v.key.lower()) for v in ordered]
                self._sorted_basis = basis[:2]
            rows = self._sorted
            if self.namespace_filter is not None:
                rows = [r for r in rows if r[1] == self.namespace_filter]
            if self.session.selector is not None:      # -l/--selector: labels may change
                rows = [r for r in rows if r[0] in views and self.session.selects(views[r[0]])]
            if self.filter_text:
                needle = self.filter_text.lower()
                rows = [r for r in rows if needle in r[2]]
            self._visible_keys = [r[0] for r in rows]
            self._visible_set = frozenset(self._visible_keys)
            self._visible_basis = basis
        return [views[key] for key in self._visible_keys if key in views]

    def render_all(self, *, flash: bool, changed: set[str] | None = None) -> None:
        now = self.render_now
        visible = self.visible_views()
        self.sts_pane.show(visible, now, flash=flash, keep=self.views)
        self._sts_shown = [v.key for v in visible]
        selected = self.sts_pane.selected_key
        selection_moved = selected != self.selected_key
        self.selected_key = selected
        detail_flash = flash and not selection_moved and (changed is None or selected in changed)
        self.show_detail(flash=detail_flash, reset_cursor=selection_moved)
        self._update_status()
        self._schedule_ages()

    def show_detail(self, *, flash: bool, reset_cursor: bool = False) -> None:
        view = self.views.get(self.selected_key) if self.selected_key else None
        now = self.render_now
        panes = (self.pods_pane, self.claims_pane, self.volumes_pane, self.warnings_pane)
        for pane in panes:
            pane.show(view, now, flash=flash)
            if reset_cursor and pane.row_count:
                pane.move_cursor(row=0, scroll=False)
        suffix = f" · {view.name}" if view is not None else ""
        self.pods_pane.border_title = f"Pods{suffix}{self._loading_note('pods')}"
        self.claims_pane.border_title = f"Claims{suffix}{self._loading_note('persistentvolumeclaims')}"
        self.volumes_pane.border_title = f"Volumes{suffix}{self._loading_note('persistentvolumes')}"
        self.sts_pane.border_title = f"StatefulSets{self._loading_note('statefulsets')}"
        self._widget("#rollout", RolloutStrip).show(view)
        self._update_pinned()

    def selected_row_in_view(self) -> bool:
        """Whether the selected StatefulSet's row is inside the scrolling body's viewport."""
        body = self._widget("#body", VerticalScroll)
        pane = self.sts_pane
        if not pane.row_count or not pane.display:
            return True
        top = pane.virtual_region.y + pane.gutter.top + pane.header_height
        row_y = top + pane.cursor_row - round(pane.scroll_y)
        return body.scroll_y <= row_y < body.scroll_y + body.scrollable_content_region.height

    def _update_pinned(self, *_args) -> None:
        """Keep the selected StatefulSet in sight: when its row has scrolled away (a lower
        pane has focus on a small terminal), one line above the panes names it."""
        pinned = self._widget("#pinned", Static)
        view = self.views.get(self.selected_key) if self.selected_key else None
        show = view is not None and not self.selected_row_in_view()
        if show:
            text = render.selected_line(view, self.render_now)
            if getattr(pinned, "shown_text", None) != (text.plain, text.spans):
                pinned.shown_text = (text.plain, text.spans)
                pinned.update(text)
        if pinned.display != show:
            pinned.display = show

    def _loading_note(self, plural: str) -> str:
        """" (loading pods: 1,234 so far)" while that kind's first LIST runs, else ""."""
        if plural not in self.loading:
            return ""
        count = self.session.store.counts().get(plural, 0)
        return f" (loading {KIND_WORDS.get(plural, plural)}: {count:,} so far)"

    def loading_text(self) -> str:
        """The header's note on what is still loading: "loading pods 1,234, claims 0", and
        "updating 3,200 StatefulSets" while rows are still being rebuilt from what loaded."""
        parts = []
        if self.loading:
            counts = self.session.store.counts()
            parts = [f"{KIND_WORDS.get(p, p)} {counts.get(p, 0):,}" for p in LOADING_ORDER if p in self.loading]
        text = "loading " + ", ".join(parts) if parts else ""   # PDBs alone (optional) are not told
        if self._pending:
            text += (", " if text else "") + f"updating {len(self._pending):,} StatefulSets"
        return text

    def _update_status(self) -> None:
        if not self.screen_stack:        # shutting down: a timer fired after the screens went
            return
        self.ensure_access()
        connection = self.session.connection_state()
        stale = connection.stale
        self._main_screen().set_class(stale, "-stale")
        if self.session.namespace is None:
            namespace = "all" if self.namespace_filter is None else f"{self.namespace_filter} (of all)"
        else:
            namespace = self.session.namespace
        text = status_text(context=self.session.context, namespace=namespace, connection=connection,
                           read_only=self.read_only, count=len(self._sts_shown), total=len(self.views),
                           filter_text=self.filter_text, loading=self.loading_text(),
                           protected=getattr(self, "protected", False), user=self.access.user)
        self._widget("#status", StatusBar).show(text)

    def _main_screen(self) -> Screen:
        return self.screen_stack[0]

    @on(KeyedTable.RowHighlighted, "#statefulsets")
    def _statefulset_highlighted(self) -> None:
        selected = self.sts_pane.selected_key
        if selected != self.selected_key:
            self.selected_key = selected
            self.show_detail(flash=False, reset_cursor=True)

    # --- selection helpers -----------------------------------------------------------

    def selected_view(self) -> StatefulSetView | None:
        return self.views.get(self.selected_key) if self.selected_key else None

    def _need_view(self) -> StatefulSetView | None:
        view = self.selected_view()
        if view is None:
            self.notify("Select a StatefulSet first.", severity="warning")
        return view

    def _need_listed_view(self) -> StatefulSetView | None:
        """The selected view for a change, or None after saying why not: while pods,
        claims or volumes are still being listed, a plan would be computed from what is
        missing ("web-3 does not exist yet" when it is only not listed yet)."""
        view = self._need_view()
        if view is not None and view.loading:
            kinds = ", ".join(KIND_WORDS.get(k, k) for k in view.loading)
            self.notify(f"Not yet: ststui is still listing {kinds}; changes wait until the header "
                        "no longer says loading.", severity="warning")
            return None
        return view

    def _selected_slot(self, view: StatefulSetView):
        name = self.pods_pane.selected_key
        for slot in view.slots:
            if slot.name == name:
                return slot
        return None

    def _selected_claim(self, view: StatefulSetView):
        name = self.claims_pane.selected_key
        for claim in view.claims:
            if claim.name == name:
                return claim
        return None

    def _selected_volume(self, view: StatefulSetView):
        name = self.volumes_pane.selected_key
        for volume in view.volumes:
            if volume.name == name:
                return volume
        return None

    # --- read-only -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MAIN_SCREEN_ACTIONS and self.screen is not self._main_screen():
            return False       # dialogs and views have their own keys (q/escape close them)
        if action in MUTATING_ACTIONS and self.read_only:
            return None        # shown greyed in the Footer, and not run
        if action in HANDOFF_CHANGES and self.read_only:
            return False       # a shell or an editor could change anything: hidden
        if action in MUTATING_ACTIONS and self.action_denial(action):
            return None        # RBAC says no (tui/permits.py): greyed, and the key says why
        return True

    async def on_event(self, event) -> None:
        if isinstance(event, events.Key):
            self._last_key_at = time.monotonic()     # off-screen catch-up yields to keys
        await super().on_event(event)

    def on_key(self, event) -> None:
        """Say so when a change key is pressed in read-only mode or without permission (the
        binding is disabled), or when the key acts on another pane only."""
        if self.screen is not self._main_screen():
            return
        active = self.screen.active_bindings.get(event.key)
        if active is None and isinstance(self.focused, Pane):
            panes = [self.sts_pane, self.pods_pane, self.claims_pane, self.volumes_pane]
            self.hint_unbound_key(event.key, self.focused, panes)
            return
        if active is None or active.enabled:
            return
        action = active.binding.action.removeprefix("app.")
        if action not in MUTATING_ACTIONS:
            return
        if self.read_only:
            self.notify(f"Read-only mode: '{active.binding.description}' is disabled; nothing was changed.",
                        severity="warning")
        elif denial := self.action_denial(action):
            self.notify(f"{active.binding.description}: {denial}; nothing was sent.", severity="warning")

    # --- navigation ------------------------------------------------------------------

    def action_back(self) -> None:
        filter_input = self.filter_input
        if filter_input.has_focus:
            self._close_filter(clear=True)
            return
        if isinstance(self.focused, (Pane, WarningsPane)) and self.focused is not self.sts_pane:
            self.sts_pane.focus()
            return
        if self.filter_text:
            self._close_filter(clear=True)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(read_only=self.read_only, denied=self.denials()))

    def action_filter(self) -> None:
        filter_input = self.filter_input
        filter_input.display = True
        filter_input.value = self.filter_text
        filter_input.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text == self.filter_text:        # the echo of a clear already drawn (escape)
            return
        self.filter_text = text
        self.render_all(flash=False)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self._close_filter(clear=False)

    def _close_filter(self, *, clear: bool) -> None:
        filter_input = self.filter_input
        if clear:
            filter_input.value = ""
            self.filter_text = ""
            self.render_all(flash=False)
        filter_input.display = bool(self.filter_text)
        self.sts_pane.focus()

    @on(Pane.DrillIn)
    def _drill_in(self, event: Pane.DrillIn) -> None:
        pane_id = event.pane.id
        view = self.selected_view()
        if pane_id == "statefulsets":
            self.pods_pane.focus()
        elif pane_id == "pods":
            self.action_describe()
        elif pane_id == "claims" and view is not None:
            claim = self._selected_claim(view)
            self.volumes_pane.focus()
            if claim is not None and claim.volume:
                self.volumes_pane.select_key(claim.volume)
        elif pane_id == "volumes":
            self.action_describe()
        elif pane_id == "warnings" and view is not None:
            warning = self.warnings_pane.warning_at_cursor(view)
            if warning is not None and warning.obj:
                kind, _, name = warning.obj.partition("/")
                target_id = _OBJ_PREFIX_TO_PANE.get(kind.lower())
                if target_id and target_id != "statefulsets":
                    target = self._widget(f"#{target_id}", Pane)
                    target.focus()
                    target.select_key(name)
                elif target_id == "statefulsets":
                    self.sts_pane.focus()

    # --- views -----------------------------------------------------------------------

    def _focused_object(self) -> tuple[str, str | None, str] | None:
        """(plural, namespace, name) of the object under the cursor of the focused pane."""
        view = self.selected_view()
        if view is None:
            return None
        pane_id = self.focused.id if isinstance(self.focused, (Pane, WarningsPane)) else "statefulsets"
        if pane_id == "warnings":
            warning = self.warnings_pane.warning_at_cursor(view)
            if warning is not None and warning.obj:
                kind, _, name = warning.obj.partition("/")
                pane_id = _OBJ_PREFIX_TO_PANE.get(kind.lower(), "statefulsets")
                plural = _PANE_PLURALS[pane_id]
                if plural == "statefulsets":
                    return plural, view.namespace, view.name
                return plural, (None if plural == "persistentvolumes" else view.namespace), name
            pane_id = "statefulsets"
        if pane_id == "statefulsets":
            return "statefulsets", view.namespace, view.name
        key = self._widget(f"#{pane_id}", Pane).selected_key
        if key is None:
            return None
        plural = _PANE_PLURALS[pane_id]
        return plural, (None if plural == "persistentvolumes" else view.namespace), key

    def action_yaml(self) -> None:
        target = self._focused_object()
        if target is None:
            self.notify("Nothing selected.", severity="warning")
            return
        plural, namespace, name = target
        title = f"YAML · {_KINDS[plural]} {namespace + '/' if namespace else ''}{name}"
        self.push_screen(YamlScreen(title, lambda: self.session.fetch_yaml(plural, namespace, name),
                                    self.session.describe_error))

    def action_describe(self) -> None:
        target = self._focused_object()
        if target is None:
            self.notify("Nothing selected.", severity="warning")
            return
        plural, namespace, name = target
        sts_key = self.selected_key
        kind = _KINDS[plural]
        store = self.session.store

        def source():
            view = self.views.get(sts_key)
            if view is None:
                return None
            now = self.clock()
            if plural == "statefulsets":
                rows = render.describe_statefulset(view, now)
            elif plural == "pods":
                slot = next((s for s in view.slots if s.name == name), None)
                if slot is None:
                    return None
                rows = render.describe_pod(slot, view, now)
            elif plural == "persistentvolumeclaims":
                claim = next((c for c in view.claims if c.name == name), None)
                if claim is None:
                    return None
                rows = render.describe_claim(claim, now)
            else:
                volume = next((v for v in view.volumes if v.name == name), None)
                if volume is None:
                    return None
                rows = render.describe_volume(volume, now)
            return rows, store.events_for(kind, namespace, name)

        title = f"Describe · {kind} {namespace + '/' if namespace else ''}{name}"
        self.push_screen(DescribeScreen(title, source, self.clock))

    def action_history(self) -> None:
        view = self._need_view()
        if view is None:
            return
        revisions = self.session.store.revisions_of(view.namespace, view.name)
        self.push_screen(HistoryScreen(f"Revision history · StatefulSet {view.key}", revisions,
                                       view.rollout.current_revision, view.rollout.update_revision))

    def action_action_log(self) -> None:
        self.push_screen(ActionLogScreen(self.action_log.entries, self.clock, self.audit_path))

    # --- namespace and context -------------------------------------------------------

    def action_namespace(self) -> None:
        known = {v.namespace for v in self.views.values()}
        if self.session.namespace:
            known.add(self.session.namespace)
        known.add(self.session.default_namespace)
        current = self.namespace_filter if self.session.namespace is None else self.session.namespace
        choices = [(ALL_NAMESPACES, "all namespaces")] + [(ns, ns) for ns in sorted(known)]
        self.push_screen(ChoiceModal("Namespace", "Show StatefulSets of:", choices,
                                     initial=ALL_NAMESPACES if current is None else current,
                                     allow_other="or type a namespace and press enter"),
                         self._namespace_chosen)

    def _namespace_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        wanted = None if choice == ALL_NAMESPACES else choice
        if self.session.namespace is None:
            # Watching everything: switching is a display filter, instant.
            self.namespace_filter = wanted
            self.sts_pane.with_namespace = wanted is None
            self.render_all(flash=False)
            return
        if wanted == self.session.namespace:
            return
        self._reopen(None, wanted, wanted is None)

    def action_context(self) -> None:
        if not self.session.contexts:
            self.notify("No other contexts: this session does not come from a kubeconfig.", severity="warning")
            return
        choices = [(name, name + ("  (current)" if name == self.session.context else ""))
                   for name in self.session.contexts]
        self.push_screen(ChoiceModal("Context", "Switch to context:", choices, initial=self.session.context),
                         self._context_chosen)

    def _context_chosen(self, choice: str | None) -> None:
        if choice is None or choice == self.session.context:
            return
        self._reopen(choice, None, self.session.namespace is None)

    def _reopen(self, context: str | None, namespace: str | None, all_namespaces: bool) -> None:
        if self.session.reopen is None:
            self.notify("This session cannot switch context or namespace.", severity="warning")
            return
        self.notify("Connecting…", timeout=2)
        self._open_session(context, namespace, all_namespaces)

    @work(thread=True, exit_on_error=False, group="reopen", exclusive=True)
    def _open_session(self, context: str | None, namespace: str | None, all_namespaces: bool) -> Session:
        return self.session.reopen(context, namespace, all_namespaces)

    def switch_session(self, session: Session) -> None:
        old = self.session
        old.stop()
        # The old store's objects go now (a finishing worker may still hold the store);
        # what else the old session was frozen with (`_freeze_after_sync`) is given back
        # to the collector, and the new session's catch-up ends in a settle that
        # collects it (no early freeze this time: it would freeze that garbage again).
        old.store.release()
        memory.thaw()
        self._gc_early_frozen = True
        self.session = session
        self.apply_context_rules()
        self.namespace_filter = None
        self.sts_pane.with_namespace = session.namespace is None
        self.selected_key = None
        self.load_all()
        self._start_watch()
        self.notify(f"Context {session.context}, namespace {session.namespace or 'all'}.")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group in ("ops", "conflict"):
            self.ops_worker_changed(event)
            if event.state == WorkerState.SUCCESS and self._was_forbidden(worker.result):
                self.access_forbidden()
        elif worker.group == "access":
            self.access_worker_changed(event)
        elif worker.group == "reopen":
            if event.state == WorkerState.SUCCESS:
                self.switch_session(worker.result)
            elif event.state == WorkerState.ERROR:
                error = worker.error
                message = str(error) if type(error).__name__ == "ConnectError" else self.session.describe_error(error)
                self.notify(message, severity="error", timeout=8)
        elif worker.group == "watch" and event.state == WorkerState.ERROR:
            self.notify(f"The watch stopped: {self.session.describe_error(worker.error)}", severity="error")
