"""Dialogs: confirm a plan, type a value, pick one choice.

Place in the flow: an action key makes the app build a `Plan` with `state.actions`;
these modals show it (effect, warnings, equivalent kubectl command) and return the
user's answer through `dismiss`. They never build requests themselves: the value modals
call the plan function they are given on every keystroke and show its `PlanError`
message inline, so validation lives in one place.

- `ConfirmModal(plan)` -> bool. Default No: the No button has focus; `y` confirms,
  `n`/`escape` cancel. With `plan.confirm_text` set (force delete on a Ready node), the user
  must type that text before Yes is enabled. A refused plan shows the reason and, when
  `override_label` is given, lets the user ask for the override (returns True).
  The kubectl equivalent sits below the effect, one unwrapped line per command that
  scrolls sideways (left/right); `c` copies it (OSC 52). The effect text scrolls
  (up/down) in what is left of the screen, so the buttons and the kubectl line always
  show, at 80x24 too.
- `ValueModal(title, prompt, initial, make_plan)` -> Plan | None. The input takes at most
  `MAX_INPUT_CHARS` characters, and any error from planning becomes a sentence.
- `ChoiceModal(title, prompt, choices)` -> chosen value | None. Typing filters the
  choices (backspace undoes); with `allow_other`, a filter nothing matches moves to the
  free-text field, so enter takes it as typed.

Every dialog answers once: keys that arrive after the first answer (two Enters in one
read over a slow link) are ignored, so a dialog is never dismissed twice.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ststui.state.actions import MAX_INPUT_CHARS, PlanError
from ststui.tui.palette import P


class _AnswerOnce:
    """Mixin for modal screens: the first answer dismisses, later ones are ignored."""

    _answered = False

    def answer(self, value: Any) -> None:
        if self._answered:
            return
        self._answered = True
        self.dismiss(value)


def kubectl_lines(plan: Any) -> list[str]:
    commands = plan.kubectl
    if not commands:
        return []
    if isinstance(commands, str):
        return [commands]
    return [str(c) for c in commands]


def effect_lines(plan: Any) -> list[str]:
    effect = plan.effect
    if not effect:
        return []
    if isinstance(effect, str):
        return [effect]
    return [str(e) for e in effect]


def warning_lines(plan: Any) -> list[str]:
    warnings = getattr(plan, "warnings", None) or []
    if isinstance(warnings, str):
        return [warnings]
    return [str(w) for w in warnings]


def plan_text(plan: Any, *, with_kubectl: bool = True) -> Text:
    """The body of a confirmation: effect, warnings, refusal, kubectl equivalent (the
    dialogs show the kubectl lines apart, in a `KubectlLines`: pass with_kubectl=False)."""
    text = Text()
    refused = getattr(plan, "refused", None)
    if refused:
        text.append("Refused: ", style=P.bad)
        text.append(str(refused), style=P.bad)
        text.append("\n")
    for line in effect_lines(plan):
        text.append("• ", style="bold")
        text.append(line)
        text.append("\n")
    for line in warning_lines(plan):
        text.append("⚠ ", style=P.warn)
        text.append(line, style=P.warn)
        text.append("\n")
    commands = kubectl_lines(plan) if with_kubectl else []
    if commands:
        text.append("kubectl equivalent:\n", style="bold")
        for command in commands:
            text.append(f"  {command}\n", style=P.command)
    text.rstrip()
    return text


def kubectl_block(commands: Sequence[str]) -> Text:
    """The commands one per line, never wrapped (a wrapped command cannot be pasted)."""
    text = Text(no_wrap=True, overflow="ignore")
    for index, command in enumerate(commands):
        if index:
            text.append("\n")
        text.append("$ ", style=P.dim)
        text.append(command, style=P.command)
    return text


class KubectlLines(Vertical):
    """The kubectl equivalent: a title naming the copy key, then each command on one
    unwrapped line that scrolls sideways (left/right, or the dialog's `<`/`>`)."""

    def __init__(self, commands: Sequence[str], *, typing: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.commands = list(commands)
        self.typing = typing      # an Input has focus: letters go to it, ctrl+y still copies

    def compose(self) -> ComposeResult:
        keys = "  ctrl+y copy" if self.typing else "  c copy · ←/→ scroll"
        yield Label(Text.assemble(("kubectl equivalent", "bold"), (keys, P.dim)), id="kubectl-title")
        with HorizontalScroll(id="kubectl-scroll", can_focus=False):
            yield Static(kubectl_block(self.commands), id="kubectl-text")

    def scroll_by(self, cells: int) -> None:
        scroll = self.query_one("#kubectl-scroll", HorizontalScroll)
        scroll.scroll_to(x=max(0, scroll.scroll_x + cells), animate=False)

    @property
    def text(self) -> str:
        return "\n".join(self.commands)


def copy_commands(screen: ModalScreen, commands: Sequence[str]) -> None:
    """Put the commands on the clipboard (OSC 52: reaches the local terminal over ssh)."""
    if not commands:
        screen.app.notify("No kubectl command to copy.", severity="warning")
        return
    screen.app.copy_to_clipboard("\n".join(commands))
    what = "the kubectl command" if len(commands) == 1 else f"{len(commands)} kubectl commands"
    screen.app.notify(f"Copied {what} to the clipboard (OSC 52).", timeout=3)


class FitBody:
    """Mixin for dialogs: the scrolling body gets what is left of the screen's height after
    the other parts (kubectl line, typed confirmation, buttons), so those stay on screen."""

    def fit_body(self) -> None:
        try:
            box = self.query_one("#dialog", Vertical)
            body = self.query_one("#dialog-body", VerticalScroll)
        except Exception:
            return
        others = sum(child.outer_size.height for child in box.children
                     if child is not body and child.display)
        chrome = box.outer_size.height - box.content_size.height   # borders and padding
        room = self.size.height - chrome - others
        body.styles.max_height = max(3, room)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_body)


class ConfirmModal(_AnswerOnce, FitBody, ModalScreen[bool]):
    """Show a plan and ask yes/no; No is the default."""

    BINDINGS = [
        Binding("y", "confirm", "Yes", id="ststui.modal.yes"),
        Binding("n", "cancel", "No", id="ststui.modal.no"),
        Binding("escape", "cancel", "Cancel", id="ststui.modal.cancel"),
        Binding("up", "scroll_body(-1)", "Scroll", show=False),
        Binding("down", "scroll_body(1)", "Scroll", show=False),
        Binding("pageup", "scroll_body(-10)", "Scroll", show=False),
        Binding("pagedown", "scroll_body(10)", "Scroll", show=False),
        Binding("c,ctrl+y", "copy_kubectl", "Copy kubectl", id="ststui.modal.copy"),
        Binding("left", "scroll_kubectl(-8)", "Scroll", show=False),
        Binding("right", "scroll_kubectl(8)", "Scroll", show=False),
        Binding("less_than_sign", "scroll_kubectl(-40)", "Scroll", show=False),
        Binding("greater_than_sign", "scroll_kubectl(40)", "Scroll", show=False),
    ]

    def __init__(self, plan: Any, *, override_label: str | None = None, notice: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.plan = plan
        self.notice = notice               # e.g. what changed since a refused attempt
        self.override_label = override_label
        self.refused = bool(getattr(plan, "refused", None))
        self.confirm_text = None if self.refused else (getattr(plan, "confirm_text", None) or None)

    def compose(self) -> ComposeResult:
        destructive = bool(getattr(self.plan, "destructive", False))
        with Vertical(id="dialog", classes="destructive" if destructive else "") as box:
            box.border_title = self.plan.title
            with VerticalScroll(id="dialog-body", can_focus=False):
                if self.notice:
                    yield Static(Text(f"⚠ {self.notice}", style=P.warn), id="plan-notice")
                yield Static(plan_text(self.plan, with_kubectl=False), id="plan-text")
            commands = kubectl_lines(self.plan)
            if commands:
                yield KubectlLines(commands, typing=bool(self.confirm_text), id="kubectl")
            if self.confirm_text:
                yield Label(Text.assemble("Type ", (self.confirm_text, "bold"), " to confirm:"),
                            id="typed-prompt")
                yield Input(placeholder=self.confirm_text, id="typed-confirm", compact=True)
            with Horizontal(id="dialog-buttons"):
                yield Button("No (n)", id="no", variant="primary", compact=True)
                if self.refused:
                    if self.override_label:
                        yield Button(f"{self.override_label} (y)", id="yes", variant="warning", compact=True)
                else:
                    yes = Button("Yes (y)", id="yes", variant="error" if destructive else "success",
                                 compact=True)
                    yes.disabled = bool(self.confirm_text)
                    yield yes

    def on_mount(self) -> None:
        if self.confirm_text:
            self.query_one("#typed-confirm", Input).focus()
        else:
            self.query_one("#no", Button).focus()
        self.call_after_refresh(self.fit_body)

    def action_copy_kubectl(self) -> None:
        copy_commands(self, kubectl_lines(self.plan))

    def action_scroll_kubectl(self, cells: int) -> None:
        for block in self.query(KubectlLines):
            block.scroll_by(cells)

    def action_scroll_body(self, lines: int) -> None:
        """The effect text can be longer than a small terminal: up/down scroll it."""
        body = self.query_one("#dialog-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + lines, animate=False)

    @property
    def can_confirm(self) -> bool:
        if self.refused:
            return self.override_label is not None
        if self.confirm_text:
            return self.query_one("#typed-confirm", Input).value == self.confirm_text
        return True

    @on(Input.Changed, "#typed-confirm")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value != self.confirm_text

    @on(Input.Submitted, "#typed-confirm")
    def _typed_submit(self) -> None:
        if not self._answered and self.can_confirm:
            self.answer(True)

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        if not self._answered and self.can_confirm:
            self.answer(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.answer(False)


def next_cancel_buttons() -> Horizontal:
    """The buttons of a dialog that asks for input first: Cancel (esc, the default) and Next."""
    return Horizontal(Button("Cancel (esc)", id="no", variant="primary", compact=True),
                      Button("Next (enter)", id="yes", variant="success", compact=True), id="dialog-buttons")


class ValueModal(_AnswerOnce, FitBody, ModalScreen[Any]):
    """Ask for one value; `make_plan(text)` validates it (PlanError -> shown inline)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ststui.modal.cancel")]

    def __init__(self, title: str, prompt: str, initial: str,
                 make_plan: Callable[[str], Any], *, placeholder: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.prompt = prompt
        self.initial = initial
        self.make_plan = make_plan
        self.placeholder = placeholder
        self.plan: Any = None
        self.error: str | None = None
        self.submitted = ""                # the text the returned plan was made from

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            yield Label(self.prompt, id="value-prompt")
            yield Input(value=self.initial[:MAX_INPUT_CHARS], placeholder=self.placeholder, id="value-input",
                        select_on_focus=True, compact=True, max_length=MAX_INPUT_CHARS)
            yield Static("", id="value-error")
            with VerticalScroll(id="dialog-body", can_focus=False):
                yield Static("", id="plan-text")
            with HorizontalScroll(id="kubectl-scroll", can_focus=False):
                yield Static("", id="kubectl-text")
            yield next_cancel_buttons()

    def on_mount(self) -> None:
        self._validate(self.initial)
        self.query_one("#value-input", Input).focus()
        self.call_after_refresh(self.fit_body)

    def _validate(self, text: str) -> None:
        error_widget = self.query_one("#value-error", Static)
        preview = self.query_one("#plan-text", Static)
        try:
            self.plan = self.make_plan(text)
            bind = getattr(self.app, "with_connection", None)   # --context etc. on its kubectl
            if bind is not None:
                self.plan = bind(self.plan)
            self.error = getattr(self.plan, "refused", None) or None
        except PlanError as exc:
            self.plan, self.error = None, str(exc)
        except Exception as exc:   # every input answers with a sentence, never a traceback
            self.plan, self.error = None, f"That value cannot be used ({type(exc).__name__})."
        # The dialog opens on the current value: that is not refused input, so say nothing
        # until the user types; a refusal is shown once (not again in the preview).
        if text.strip() != self.initial.strip():
            self.touched = True
        quiet = not getattr(self, "touched", False)
        if self.error and not quiet:
            error_widget.update(Text(self.error, style=P.bad))
            error_widget.display = True
        else:
            error_widget.update("")
            error_widget.display = False
        shown = self.plan if self.plan is not None and not self.error else None
        preview.update(plan_text(shown, with_kubectl=False) if shown is not None else "")
        commands = kubectl_lines(shown) if shown is not None else []
        self.query_one("#kubectl-text", Static).update(kubectl_block(commands))
        self.query_one("#kubectl-scroll", HorizontalScroll).display = bool(commands)
        self.query_one("#yes", Button).disabled = self.plan is None or bool(self.error)

    @on(Input.Changed, "#value-input")
    def _changed(self, event: Input.Changed) -> None:
        self._validate(event.value)

    @on(Input.Submitted, "#value-input")
    @on(Button.Pressed, "#yes")
    def _submit(self) -> None:
        if self._answered:
            return
        text = self.query_one("#value-input", Input).value
        self._validate(text)
        if self.plan is not None and not self.error:
            self.submitted = text
            self.answer(self.plan)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.answer(None)


class ChoiceModal(_AnswerOnce, ModalScreen[Any]):
    """Pick one of a few choices (reclaim mode, revision, namespace, context)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ststui.modal.cancel")]

    def __init__(self, title: str, prompt: str | Text, choices: Sequence[tuple[Any, str | Text]],
                 *, initial: Any = None, allow_other: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.prompt = prompt
        self.choices = list(choices)
        self.initial = initial
        self.allow_other = allow_other  # placeholder of a free-text input, or None
        self.typed = ""                 # type-to-filter text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            yield Static(self.prompt, id="choice-prompt")
            yield Static("type to filter", id="choice-filter")
            yield OptionList(*[Option(label, id=str(index)) for index, (_, label) in enumerate(self.choices)],
                             id="choices")
            if self.allow_other:
                yield Input(placeholder=self.allow_other, id="choice-other", compact=True,
                            select_on_focus=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel (esc)", id="no", variant="primary", compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        for index, (value, _) in enumerate(self.choices):
            if value == self.initial:
                options.highlighted = index
                break
        else:
            options.highlighted = 0 if self.choices else None
        options.focus()

    def on_key(self, event) -> None:
        """Type-to-filter while the list has focus."""
        options = self.query_one("#choices", OptionList)
        if self.focused is not options:
            return
        if event.key == "backspace":
            if not self.typed:
                return
            self.typed = self.typed[:-1]
        elif event.character and len(event.character) == 1 and event.character.isprintable() \
                and event.key != "space":
            self.typed += event.character
        else:
            return
        event.stop()
        event.prevent_default()
        self._apply_filter()

    def _apply_filter(self) -> None:
        options = self.query_one("#choices", OptionList)
        needle = self.typed.lower()
        shown = [(index, label) for index, (_, label) in enumerate(self.choices)
                 if needle in (label.plain if isinstance(label, Text) else str(label)).lower()]
        options.clear_options()
        options.add_options([Option(label, id=str(index)) for index, label in shown])
        options.highlighted = 0 if shown else None
        status = self.query_one("#choice-filter", Static)
        if not self.typed:
            status.update("type to filter")
        elif shown:
            status.update(Text.assemble("filter ", (self.typed, "bold"), f"  ({len(shown)} of {len(self.choices)})"))
        elif self.allow_other:
            other = self.query_one("#choice-other", Input)
            other.value = self.typed
            other.focus()
            other.cursor_position = len(self.typed)
            status.update(Text.assemble("no choice matches ", (self.typed, "bold"), "; enter uses it as typed"))
        else:
            status.update(Text.assemble("no choice matches ", (self.typed, "bold"), " (backspace)"))

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.answer(self.choices[int(event.option.id)][0])

    @on(Input.Submitted, "#choice-other")
    def _other(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.answer(event.value.strip()[:MAX_INPUT_CHARS])

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.answer(None)
