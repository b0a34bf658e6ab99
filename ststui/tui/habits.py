"""What operators' hands expect, for StsTuiApp: quitting, the config file, protected contexts.

Place in the flow: `StsTuiApp` mixes this in (its BINDINGS name the actions here).
- `q` and `ctrl+c` quit at once; only while a change is being sent (an "ops" worker is
  running) they ask first, and a second `ctrl+c` then quits anyway.
- `apply_config()` (at mount): `[keymap]` through `App.set_keymap`, the saved `theme`,
  and the context rules; picking a theme later saves it back to the config file.
- `with_connection(plan)`: every plan passes here before it is shown, run or logged: its
  kubectl equivalent gets the session's `--context`/`--kubeconfig`/`--as` flags, and on
  a protected context a destructive plan asks to type the context name.
- `hint_unbound_key()`: a key that acts on another pane says so instead of doing nothing.
"""
from __future__ import annotations

import dataclasses
import time
from types import SimpleNamespace
from typing import Any

from textual.worker import WorkerState

from ststui.config import Config, save_theme

_IN_FLIGHT = (WorkerState.PENDING, WorkerState.RUNNING)
HINT_SECONDS = 4.0


class HabitsMixin:
    """Needs `session`, `read_only`, `notify`, `push_screen`, `exit`, `workers`."""

    config: Config
    cli_read_only: bool
    _quit_asked: bool = False
    _last_hint: tuple[str, float] = ("", 0.0)

    # --- config and context rules ------------------------------------------------------

    def apply_config(self) -> None:
        config = self.config
        if config.max_replicas is not None:
            self.replicas_ceiling = config.max_replicas
        if config.keymap:
            from ststui.commands.keys import all_bindings
            unknown = sorted(set(config.keymap) - {row[0] for row in all_bindings()})
            if unknown:
                self.notify(f"The config's [keymap] names {', '.join(unknown)}, which "
                            f"{'is no binding id' if len(unknown) == 1 else 'are no binding ids'} "
                            "(`ststui keys` lists them); ignored.", severity="warning", timeout=10)
            self.set_keymap(dict(config.keymap))
        if config.theme:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                self.notify(f"The config's theme '{config.theme}' is not one of this version's themes; "
                            f"using {self.theme}.", severity="warning")
        self._theme_loaded = True
        self.apply_context_rules()

    def apply_context_rules(self) -> None:
        """Read-only and protected follow the current context (they change with `c`)."""
        self.read_only = self.cli_read_only or self.config.read_only_for(self.session.context)
        self.protected = self.config.protected_for(self.session.context)

    def watch_theme(self, theme: str) -> None:
        if not getattr(self, "_theme_loaded", False) or self.config.path is None:
            return
        if theme == self.config.theme:
            return
        try:
            save_theme(self.config.path, theme)
            self.config.theme = theme
        except OSError as e:
            self.notify(f"Could not save the theme to {self.config.path}: {e.strerror}.", severity="error")

    # --- plans ---------------------------------------------------------------------------

    def with_connection(self, plan: Any) -> Any:
        plan = self.session.kubectl_flags.apply(plan)
        if (getattr(self, "protected", False) and getattr(plan, "destructive", False)
                and not getattr(plan, "refused", None) and dataclasses.is_dataclass(plan)):
            context = self.session.context
            existing = getattr(plan, "confirm_text", None)
            if not existing:
                plan = dataclasses.replace(plan, confirm_text=context)
            elif existing != context and not existing.startswith(f"{context} "):
                plan = dataclasses.replace(plan, confirm_text=f"{context} {existing}")
        return plan

    # --- quitting ------------------------------------------------------------------------

    def changes_in_flight(self) -> int:
        return sum(1 for w in self.workers if w.group == "ops" and w.state in _IN_FLIGHT)

    async def action_quit(self) -> None:
        if self.changes_in_flight() and not self._quit_asked:
            self._ask_quit()
            return
        self.session.stop()
        self.exit()

    async def action_interrupt(self) -> None:
        """ctrl+c: quit (from any screen); while a change is in flight ask once, then quit."""
        if self._quit_asked or not self.changes_in_flight():
            self.session.stop()
            self.exit()
            return
        self._ask_quit()

    def _ask_quit(self) -> None:
        from ststui.tui.modals import ConfirmModal
        self._quit_asked = True
        n = self.changes_in_flight()
        question = SimpleNamespace(
            title="Quit while a change is being sent?",
            effect=(f"{n} change{'s are' if n != 1 else ' is'} still being sent to the API server; "
                    "quitting now does not cancel a request already sent, but you will not see its result.",
                    "Press y (or ctrl+c again) to quit now, n to stay and wait."),
            warnings=(), kubectl="", destructive=False, refused=None, confirm_text=None)

        def answered(yes: bool | None) -> None:
            self._quit_asked = False
            if yes:
                self.session.stop()
                self.exit()

        self.push_screen(ConfirmModal(question), answered)

    # --- keys that belong to another pane ---------------------------------------------

    def hint_unbound_key(self, key: str, pane: Any, panes: list[Any]) -> bool:
        """If `key` does nothing on the focused `pane` but acts on others, say so (once per
        press burst) and return True."""
        elsewhere = []
        for other in panes:
            if other is pane:
                continue
            for binding in type(other).BINDINGS:
                keys = [k.strip() for k in getattr(binding, "key", "").split(",")]
                if key in keys:
                    elsewhere.append(f"{binding.description.lower()} on the {other.TITLE} pane")
        if not elsewhere:
            return False
        message = f"{key} does nothing on the {pane.TITLE} pane; it is " + "; ".join(elsewhere) + "."
        last, when = self._last_hint
        now = time.monotonic()
        if last != message or now - when > HINT_SECONDS:
            self.notify(message, timeout=HINT_SECONDS)
        self._last_hint = (message, now)
        return True
