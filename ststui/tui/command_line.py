"""The `:` command line (k9s habit): `:sts`, `:pods`, `:pvc`, `:pv`, `:events`, `:ns NAME`,
`:ctx NAME`, `:sts NAME`, `:pod NAME`, `:q`, with completion.

Place in the flow: `:` (binding `ststui.command_line`) opens `CommandLine`, a one-line
dialog at the bottom; tab (or right) accepts the completion shown, enter runs the line
through `run_command_line`, which looks the first word up in `COMMANDS` and calls its
handler with the app and the rest of the line. A handler says in one sentence what is
wrong (unknown command, no such StatefulSet) and changes nothing then.

Other modules add commands with `register(Command(...))` (e.g. the events view replaces
the `:events` stub); a later registration of the same name wins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[Any, str], None]                 # (app, argument) -> None
    aliases: tuple[str, ...] = ()
    arg: str = ""                                   # e.g. "NAME"; "" when it takes none
    complete: Callable[[Any], list[str]] | None = None   # argument candidates
    arg_required: bool = False


COMMANDS: dict[str, Command] = {}
_ALIASES: dict[str, str] = {}


def register(command: Command) -> None:
    COMMANDS[command.name] = command
    _ALIASES[command.name] = command.name
    for alias in command.aliases:
        _ALIASES[alias] = command.name


def lookup(word: str) -> Command | None:
    name = _ALIASES.get(word.lower())
    return COMMANDS.get(name) if name else None


def candidates(app: Any, line: str) -> list[str]:
    """Every completion of `line` (whole lines, sorted, commands first)."""
    text = line.lstrip(":")
    if " " not in text:
        # The commands' own names first; their aliases only when no name matches.
        names = [n for n in COMMANDS if n.startswith(text.lower())]
        return names or sorted(a for a in _ALIASES if a.startswith(text.lower()))
    word, _, rest = text.partition(" ")
    command = lookup(word)
    if command is None or command.complete is None:
        return []
    try:
        options = command.complete(app)
    except Exception:
        return []
    rest = rest.lstrip()
    return [f"{word} {o}" for o in sorted(set(options)) if o.startswith(rest)]


def run_command_line(app: Any, line: str) -> None:
    text = line.strip().lstrip(":").strip()
    if not text:
        return
    word, _, rest = text.partition(" ")
    command = lookup(word)
    if command is None:
        known = " ".join(f":{c}" for c in COMMANDS)
        app.notify(f"Unknown command ':{word}'; known: {known}.", severity="warning")
        return
    rest = rest.strip()
    if command.arg_required and not rest:
        app.notify(f":{command.name} needs a {command.arg}: {command.help}.", severity="warning")
        return
    if rest and not command.arg:
        app.notify(f":{command.name} takes no argument.", severity="warning")
        return
    command.run(app, rest)


class _CommandSuggester(Suggester):
    def __init__(self, app: Any) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._app = app

    async def get_suggestion(self, value: str) -> str | None:
        found = candidates(self._app, value)
        return found[0] if found and found[0] != value else None


class CommandLine(ModalScreen[str | None]):
    """One line at the bottom: type a command, tab completes, enter runs, escape closes."""

    DEFAULT_CSS = """
    CommandLine { align: left bottom; background: $background 0%; }
    CommandLine > Vertical { height: auto; width: 100%; background: $panel; }
    CommandLine #command-input { width: 100%; border: none; height: 1; padding: 0 1; }
    CommandLine #command-matches { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="ststui.command_line.close"),
        Binding("tab", "complete", "Complete", id="ststui.command_line.complete", priority=True),
    ]

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._owner = app

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="command-matches")
            yield Input(placeholder=":sts :pods :pvc :pv :events :ns NAME :ctx NAME :sts NAME :pod NAME :q",
                        id="command-input", compact=True, suggester=_CommandSuggester(self._owner))

    def on_mount(self) -> None:
        self.query_one("#command-input", Input).focus()
        self._show_matches("")

    def _show_matches(self, value: str) -> None:
        found = candidates(self._owner, value)
        matches = self.query_one("#command-matches", Static)
        if not value.strip():
            matches.update(Text(" ".join(f":{c}" for c in COMMANDS), style="dim"))
        elif found:
            shown = "  ".join(f":{f}" for f in found[:12]) + ("  …" if len(found) > 12 else "")
            matches.update(Text(shown))
        else:
            matches.update(Text("no completion", style="dim"))

    @on(Input.Changed, "#command-input")
    def _changed(self, event: Input.Changed) -> None:
        self._show_matches(event.value)

    def action_complete(self) -> None:
        field_ = self.query_one("#command-input", Input)
        found = candidates(self._owner, field_.value)
        if not found:
            return
        common = found[0]
        for other in found[1:]:
            while not other.startswith(common):
                common = common[:-1]
        if len(found) == 1:
            common += " " if lookup(common.split(" ")[0]) and " " not in common and lookup(common).arg else ""
        if len(common) > len(field_.value.lstrip(":")):
            field_.value = common
            field_.cursor_position = len(common)

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_close(self) -> None:
        self.dismiss(None)


class CommandLineMixin:
    """For StsTuiApp: `action_command_line` and the built-in commands' helpers."""

    def action_command_line(self) -> None:
        def done(line: str | None) -> None:
            if line:
                run_command_line(self, line)

        self.push_screen(CommandLine(self), done)


# --- the built-in commands -------------------------------------------------------------

def _focus(pane_id: str) -> Callable[[Any, str], None]:
    def run(app: Any, arg: str) -> None:
        app._main_screen().query_one(f"#{pane_id}").focus()
    return run


def _sts(app: Any, arg: str) -> None:
    if not arg:
        app.sts_pane.focus()
        return
    namespace, _, name = arg.rpartition("/")
    found = [v for v in app.views.values() if v.name == name and (not namespace or v.namespace == namespace)]
    if not found:
        app.notify(f"No StatefulSet '{arg}' is loaded{' (still loading)' if not app.views else ''}.",
                   severity="warning")
        return
    visible = {v.key for v in app.visible_views()}
    found.sort(key=lambda v: (v.key not in visible, v.key))
    view = found[0]
    if view.key not in visible:
        # Shown only once the filters let it through: clear them, and say so.
        if app.filter_text:
            app._close_filter(clear=True)
        if app.namespace_filter is not None and app.namespace_filter != view.namespace:
            app.namespace_filter = None
            app.sts_pane.with_namespace = True
        app.render_all(flash=False)
    app.sts_pane.select_key(view.key)
    if app.selected_key != view.key:
        # Show its pods now, so the RowHighlighted that follows does not reset a pod
        # cursor that `:pod NAME` is about to place.
        app.selected_key = view.key
        app.show_detail(flash=False, reset_cursor=True)
    app.sts_pane.focus()
    if len(found) > 1:
        app.notify(f"'{name}' is in {len(found)} namespaces; showing {view.key}.")


def _pod(app: Any, arg: str) -> None:
    if not arg:
        app.pods_pane.focus()
        return
    namespace, _, name = arg.rpartition("/")
    for view in sorted(app.views.values(), key=lambda v: v.key):
        if namespace and view.namespace != namespace:
            continue
        if any(slot.name == name for slot in view.slots):
            _sts(app, view.key)
            app.pods_pane.focus()
            app.pods_pane.select_key(name)
            return
    app.notify(f"No pod '{arg}' belongs to a loaded StatefulSet.", severity="warning")


def _ns(app: Any, arg: str) -> None:
    if not arg:
        app.action_namespace()
        return
    from ststui.tui.app import ALL_NAMESPACES
    app._namespace_chosen(ALL_NAMESPACES if arg in ("all", "-A", "*") else arg)


def _ctx(app: Any, arg: str) -> None:
    if not arg:
        app.action_context()
        return
    if app.session.contexts and arg not in app.session.contexts:
        app.notify(f"Context '{arg}' is not in the kubeconfig (contexts: {', '.join(app.session.contexts)}).",
                   severity="warning")
        return
    app._context_chosen(arg)


def _events(app: Any, arg: str) -> None:
    """`:events [NAMESPACE]`: the events of a namespace (the selected set's by default)."""
    action = getattr(app, "action_events_namespace", None)
    if action is not None:
        action(arg.strip() or None)
    else:
        app.notify("Events come with the events view (E), which this build does not have yet; "
                   "d (describe) shows the events of the selected object.", severity="warning")


def _run_quit(app: Any, arg: str) -> None:
    app.call_later(app.action_quit)


def _namespaces(app: Any) -> list[str]:
    names = {v.namespace for v in app.views.values()} | {app.session.default_namespace, "all"}
    if app.session.namespace:
        names.add(app.session.namespace)
    return sorted(names)


def _sts_names(app: Any) -> list[str]:
    return sorted({v.name for v in app.views.values()} | {v.key for v in app.views.values()})


def _pod_names(app: Any) -> list[str]:
    return sorted({s.name for v in app.views.values() for s in v.slots})


for _command in (
    Command("sts", "the StatefulSets pane, or select one", _sts, ("statefulset", "statefulsets"),
            arg="NAME", complete=_sts_names),
    Command("pods", "the Pods pane, or select a pod", _pod, ("pod", "po"), arg="NAME", complete=_pod_names),
    Command("pvc", "the Claims pane", _focus("claims"), ("claims", "persistentvolumeclaims")),
    Command("pv", "the Volumes pane", _focus("volumes"), ("volumes", "persistentvolumes")),
    Command("events", "the events of a namespace", _events, ("ev", "event"), arg="NAMESPACE", complete=_namespaces),
    Command("ns", "switch namespace (all: every namespace)", _ns, ("namespace",), arg="NAME",
            complete=_namespaces),
    Command("ctx", "switch context", _ctx, ("context",), arg="NAME",
            complete=lambda app: list(app.session.contexts)),
    Command("q", "quit", _run_quit, ("quit", "q!")),
):
    register(_command)
