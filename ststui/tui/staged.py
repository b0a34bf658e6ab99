"""Staged rollouts in the TUI: the plan dialog, the plan line under the rollout strip, the keys.

Place in the flow: `o` on the StatefulSets pane opens `PlanDialog` (steps, soak, step
timeout, check, image, pause-each, rollback-on-failure); its answer becomes a
confirmation (`plan_confirmation`: every step's pods, what stops it, what abort does, the
equivalent `ststui rollout run ...` line). Confirmed, a thread worker drives
`kube.staged_runner.Runner` (the same code as `ststui rollout run`); its events go
through a queue into the action log and the audit file. `PlanProgress` reads the plan
record from the store (the watch brings the annotation back) and shows it every second.
`space` pauses/resumes, `+` promotes (ends the soak), `x` aborts: they rewrite the
annotation, so they work on plans run by another ststui too.
"""
from __future__ import annotations

import queue
import shlex
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static
from textual.worker import get_current_worker

from ststui.kube import staged_runner as R
from ststui.state import staged as S
from ststui.state.model import StatefulSetView
from ststui.tui.audit import LogEntry
from ststui.tui.modals import ConfirmModal, next_cancel_buttons
from ststui.tui.palette import P

STAGED_ACTIONS = frozenset({"staged_plan", "plan_pause", "plan_promote", "plan_abort"})
KUBECTL_KINDS = frozenset({"start", "step", "aborted", "rollback"})
NOTIFY_KINDS = frozenset({"start", "resume", "step", "pause", "promote", "abort", "aborted", "rollback", "complete",
                          "note", "error"})
LOG_KINDS = NOTIFY_KINDS | {"soak", "check"}


# --------------------------------------------------------------------------- the dialog's content

@dataclass
class PlanForm:
    steps: str
    soak: str = "60s"
    step_timeout: str = "10m"
    check: str = ""
    image: str = ""
    pause_each: bool = False
    rollback_on_failure: bool = False


def default_form(view: StatefulSetView) -> PlanForm:
    """Defaults for this set: steps by size; no image when an update is pending and held."""
    r = view.rollout
    pending = r.update_revision is not None and r.update_revision != r.current_revision and r.partition > 0
    image = ""
    if not pending and len(view.images) == 1:
        container, current = view.images[0]
        image = f"{container}={current}"
    return PlanForm(steps=S.default_steps_text(view.replicas), image=image)


@dataclass
class StagedConfirm:
    """Plan-shaped, for ConfirmModal."""
    title: str
    effect: list[str]
    kubectl: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    refused: str | None = None
    destructive: bool = True
    confirm_text: str | None = None
    overridable: bool = False


def form_options(view: StatefulSetView, form: PlanForm) -> tuple[R.PlanOptions, tuple[S.Step, ...], int]:
    """(options, steps, pods already taken) for the form; PlanError says what is wrong."""
    steps = S.parse_steps(form.steps, view.replicas)
    soak = S.parse_duration(form.soak or "0", "soak")
    step_timeout = S.parse_duration(form.step_timeout or "10m", "step timeout")
    if step_timeout <= 0:
        raise S.PlanError("The step timeout must be above 0.")
    image = form.image.strip()
    r = view.rollout
    taken = 0
    if r.strategy != "RollingUpdate":
        raise S.PlanError(f"{view.key} uses {r.strategy}: partitions only stage RollingUpdate sets.")
    if image:
        container, sep, img = image.partition("=")
        images = dict(view.images)
        if not sep or not container.strip() or not img.strip():
            raise S.PlanError("The image is CONTAINER=IMAGE, e.g. "
                              f"{view.images[0][0] if view.images else 'app'}=registry/app:2.0.")
        if container not in images:
            raise S.PlanError(f"{view.key} has no container '{container}' (containers: "
                              f"{', '.join(images) or 'none'}).")
        if images[container] == img:
            pending = r.update_revision is not None and r.update_revision != r.current_revision
            hint = " Clear the image field to roll out the pending update." if pending else ""
            raise S.PlanError(f"Container {container} already has {img} in the template: give the new image.{hint}")
    else:
        if r.update_revision is None or r.update_revision == r.current_revision:
            raise S.PlanError(f"{view.key} has no pending update: give the new image as CONTAINER=IMAGE.")
        if r.partition <= 0:
            raise S.PlanError(f"The partition of {view.key} is 0: every pod is already updating; "
                              "hold it first (h) or give an image.")
        taken = max(0, view.replicas - min(r.partition, view.replicas))
        if not [s for s in steps if s.count > taken]:
            raise S.PlanError(f"Every step is already taken: the partition ({r.partition}) lets {taken} pod(s) update.")
    options = R.PlanOptions(steps=S.steps_text(steps), soak=soak, check=form.check.strip(),
                            step_timeout=step_timeout, pause_each=form.pause_each,
                            rollback_on_failure=form.rollback_on_failure, image=image)
    return options, steps, taken


def plan_sentences(view: StatefulSetView, options: R.PlanOptions, steps: tuple[S.Step, ...], taken: int) -> list[str]:
    return S.describe_plan(view.name, view.namespace, view.replicas, view.ordinals_start, steps, soak=options.soak,
                           check=options.check, check_timeout=options.check_timeout,
                           step_timeout=options.step_timeout, timeout=options.timeout,
                           pause_each=options.pause_each, rollback_on_failure=options.rollback_on_failure,
                           image=options.image, taken=taken)


def run_line(view: StatefulSetView, options: R.PlanOptions, context: str = "") -> str:
    extra = f"--context {shlex.quote(context)}" if context else ""
    return S.run_command_line(view.namespace, view.name, options.steps or "", soak=options.soak, check=options.check,
                              check_timeout=options.check_timeout, step_timeout=options.step_timeout,
                              timeout=options.timeout, pause_each=options.pause_each,
                              rollback_on_failure=options.rollback_on_failure, image=options.image,
                              context_args=extra)


def plan_confirmation(view: StatefulSetView, options: R.PlanOptions, steps: tuple[S.Step, ...], taken: int,
                      context: str = "") -> StagedConfirm:
    effect = plan_sentences(view, options, steps, taken)
    if not options.image:
        r = view.rollout
        effect.insert(0, f"Rolls out the pending update {r.update_revision} (pods now on {r.current_revision}); "
                         f"the partition stays at {r.partition} until step {_first_step(steps, taken)}.")
    effect.append(f"Each step equals {R.partition_kubectl(view.namespace, view.name, 0).replace(':0', ':N')} "
                  "(N = that step's partition).")
    effect.append(f"Headless equivalent: {run_line(view, options, context)}")
    return StagedConfirm(title=f"Staged rollout of {view.key}", effect=effect)


def _first_step(steps: tuple[S.Step, ...], taken: int) -> int:
    for i, s in enumerate(steps):
        if s.count > taken:
            return i + 1
    return len(steps)


# --------------------------------------------------------------------------- widgets

class PlanDialog(ModalScreen[Any]):
    """The plan's knobs with a live preview; returns (options, steps, taken) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ststui.modal.cancel")]
    DEFAULT_CSS = """
    PlanDialog .plan-row { height: 1; }
    PlanDialog .plan-label { width: 14; }
    PlanDialog .plan-row Input { width: 1fr; }
    """

    def __init__(self, view: StatefulSetView) -> None:
        super().__init__(classes="dialog")
        self.view = view
        self.form = default_form(view)
        self.result: tuple | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        f = self.form
        with Vertical(id="dialog") as box:
            box.border_title = f"Staged rollout plan · {self.view.key} ({self.view.replicas} replicas)"
            for key, label, value, hint in (
                    ("steps", "Steps", f.steps, "pods or % after each step, e.g. 1,25%,50%,100%; 'pause' waits"),
                    ("soak", "Soak", f.soak, "watch each step, e.g. 60s, 5m"),
                    ("step_timeout", "Step timeout", f.step_timeout, "abort if a step's pods are not Ready"),
                    ("check", "Check", f.check, "optional: command per updated pod, exit 0 = healthy"),
                    ("image", "Image", f.image, "CONTAINER=IMAGE, or blank to roll out the pending update")):
                with Horizontal(classes="plan-row"):
                    yield Label(f"{label}:", classes="plan-label")
                    yield Input(value=value, placeholder=hint, id=f"plan-{key.replace('_', '-')}", compact=True)
            yield Checkbox("Pause after each step", f.pause_each, id="plan-pause-each", compact=True)
            yield Checkbox("Roll back on failure", f.rollback_on_failure, id="plan-rollback", compact=True)
            yield Static("", id="value-error")
            with VerticalScroll(id="dialog-body", can_focus=False):
                yield Static("", id="plan-text")
            yield next_cancel_buttons()

    def on_mount(self) -> None:
        self._validate()
        self.query_one("#plan-steps", Input).focus()

    def _read(self) -> PlanForm:
        q = lambda i: self.query_one(f"#plan-{i}", Input).value  # noqa: E731
        return PlanForm(steps=q("steps"), soak=q("soak"), step_timeout=q("step-timeout"), check=q("check"),
                        image=q("image"), pause_each=self.query_one("#plan-pause-each", Checkbox).value,
                        rollback_on_failure=self.query_one("#plan-rollback", Checkbox).value)

    def _validate(self) -> None:
        error_widget = self.query_one("#value-error", Static)
        preview = self.query_one("#plan-text", Static)
        try:
            options, steps, taken = form_options(self.view, self._read())
            self.result, self.error = (options, steps, taken), None
            preview.update("\n".join(plan_sentences(self.view, options, steps, taken)))
        except S.PlanError as exc:
            self.result, self.error = None, str(exc)
            preview.update("")
        error_widget.update(Text(self.error, style=P.bad) if self.error else "")
        error_widget.display = bool(self.error)
        self.query_one("#yes", Button).disabled = self.result is None

    @property
    def preview_text(self) -> str:
        return str(self.query_one("#plan-text", Static).render())

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._validate()

    @on(Input.Submitted)
    @on(Button.Pressed, "#yes")
    def _submit(self) -> None:
        self._validate()
        if self.result is not None:
            self.dismiss(self.result)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PlanProgress(Static):
    """Under the rollout strip: the selected set's plan, refreshed every second."""

    DEFAULT_CSS = "PlanProgress { height: auto; padding: 0 1; }"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._text = ""            # hidden and empty: with no plan, refreshing changes nothing

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(1.0, self.refresh_plan, name="plan-progress")

    def refresh_plan(self) -> None:
        app = self.app
        lines = app.staged_lines() if hasattr(app, "staged_lines") else []
        text = "\n".join(lines)
        if text == self._text:
            return
        self._text = text
        self.display = bool(lines)
        out = Text(no_wrap=True, overflow="ellipsis")    # one screen line per fact, also at 80x24
        for i, line in enumerate(lines):
            if i:
                out.append("\n")
            out.append(line, style="bold" if i == 0 else "")
        self.update(out)


# --------------------------------------------------------------------------- the app's side

class _WorkerClock(R.RunnerClock):
    """The app's clock for time; sleeping waits on the worker's cancel event (quits at once)."""

    def __init__(self, now, cancelled) -> None:
        self._now = now
        self._cancelled = cancelled

    def now(self) -> float:
        return self._now()

    def sleep(self, seconds: float) -> None:
        self._cancelled.wait(seconds)


class StagedActions:
    """Mixin for StsTuiApp: `o`, `space`, `+`, `x` and the background runner."""

    staged_poll = 1.0                          # seconds between runner ticks (tests make it shorter)

    def _staged_init(self) -> None:
        if not hasattr(self, "_staged_events"):
            self._staged_events: "queue.Queue[tuple]" = queue.Queue()
            self._staged_local: dict[str, Any] = {}     # sts key -> worker running its plan here
            self._staged_timer = None                    # the event drain, started with the first worker

    def staged_record(self, view: StatefulSetView | None) -> S.PlanRecord | None:
        if view is None:
            return None
        obj = self.session.store.get("statefulsets", view.namespace, view.name)
        if obj is None:
            return None
        try:
            return S.read_record(obj)
        except S.PlanError:
            return None

    def staged_lines(self) -> list[str]:
        self._staged_init()
        view = self.selected_view()
        rec = self.staged_record(view)
        if rec is None or view is None:
            return []
        worker = self._staged_local.get(view.key)
        local = worker is not None and worker.is_running
        return S.progress_lines(rec, view.name, self.clock(), local=local)

    # ---- keys

    def action_staged_plan(self) -> None:
        self._staged_init()
        view = self._need_listed_view()
        if view is None:
            return
        rec = self.staged_record(view)
        if rec is not None and not rec.done:
            if rec.lease_fresh(self.clock()) or self._running_here(view):
                self.notify(f"A plan is already running on {view.key} ({rec.holder}); use space, + or x.",
                            severity="warning")
                return
            confirm = StagedConfirm(
                title=f"Resume the staged rollout of {view.key}",
                effect=[f"The plan [{rec.steps_text}] is {rec.state} at step {min(rec.step + 1, len(rec.steps))}/"
                        f"{len(rec.steps)} and no runner holds it.",
                        "This ststui takes it over and drives it from there (a soak in progress starts again).",
                        f"Headless equivalent: ststui rollout run {view.namespace}/{view.name}"])
            self.push_screen(ConfirmModal(confirm), lambda yes: yes and self._start_runner(view, None))
            return

        def planned(answer: Any) -> None:
            if answer is None:
                return
            options, steps, taken = answer
            confirm = plan_confirmation(view, options, steps, taken, self.session.context)
            self.push_screen(ConfirmModal(confirm), lambda yes: yes and self._start_runner(view, options))

        self.push_screen(PlanDialog(view), planned)

    def get_system_commands(self, screen):
        """The command palette also offers the plan keys (after the change actions' own)."""
        from textual.app import SystemCommand
        yield from super().get_system_commands(screen)
        if self.read_only:
            return
        view = self.selected_view()
        target = f" of {view.key}" if view is not None else ""
        yield SystemCommand(f"Staged rollout plan{target}", "Steps, soak and checks, then run it (o)",
                            self.action_staged_plan)
        yield SystemCommand(f"Pause or resume the plan{target}", "Stop taking steps / take them again (space)",
                            self.action_plan_pause)
        yield SystemCommand(f"Promote the plan{target}", "End the current soak now (+)", self.action_plan_promote)
        yield SystemCommand(f"Abort the plan{target}", "Hold the partition where no further pod updates (x)",
                            self.action_plan_abort)

    def _ensure_drain(self) -> None:
        self._staged_init()
        if self._staged_timer is None:
            self._staged_timer = self.set_interval(0.2, self._drain_staged, name="staged-drain")

    def _running_here(self, view: StatefulSetView) -> bool:
        worker = self._staged_local.get(view.key)
        return worker is not None and worker.is_running

    def _running_plan(self):
        """(view, record) of the selected set's plan while it is not done; else says so, None."""
        self._staged_init()
        view = self._need_view()
        rec = self.staged_record(view)
        if view is None:
            return None
        if rec is None or rec.done:
            self.notify(f"No staged rollout plan is running on {view.key}.", severity="warning")
            return None
        return view, rec

    def action_plan_pause(self) -> None:
        if (running := self._running_plan()) is None:
            return
        view, rec = running
        self._ensure_drain()
        if rec.state == S.PAUSED:
            self._plan_call(view, "resume", R.resume_from_outside)
            if not rec.lease_fresh(self.clock()) and not self._running_here(view):
                self._start_runner(view, None)
        else:
            self._plan_call(view, "pause", R.pause_from_outside)

    def action_plan_promote(self) -> None:
        self._staged_init()
        view = self._need_view()
        if view is not None:
            self._ensure_drain()
            self._plan_call(view, "promote", lambda api, ns, name, by, clock: R.promote_from_outside(api, ns, name, by))

    def action_plan_abort(self) -> None:
        if (running := self._running_plan()) is None:
            return
        view, rec = running
        confirm = StagedConfirm(
            title=f"Abort the staged rollout of {view.key}",
            effect=[f"The plan [{rec.steps_text}] stops at step {min(rec.step + 1, len(rec.steps))}/{len(rec.steps)}.",
                    "The partition is set where no further pod updates; updated pods keep the new revision, "
                    "the others keep theirs (no rollback: use u to undo the template).",
                    f"Headless equivalent: ststui rollout abort {view.namespace}/{view.name}"])
        self._ensure_drain()
        self.push_screen(ConfirmModal(confirm), lambda yes: yes and self._plan_call(view, "abort",
                                                                                     R.abort_from_outside))

    # ---- workers

    @work(thread=True, exit_on_error=False, group="staged-ops")
    def _plan_call(self, view: StatefulSetView, what: str, fn) -> None:
        clock = _WorkerClock(self.clock, get_current_worker().cancelled_event)
        try:
            message = fn(self.session.api_client, view.namespace, view.name, R.who_am_i(), clock)
            ok = True
        except Exception as exc:  # RolloutError or API/network errors: one sentence
            message, ok = (str(exc) if isinstance(exc, (R.RolloutError, S.PlanError))
                           else self.session.describe_error(exc)), False
        self._staged_events.put((view.key, what, message, (), ok))

    def _start_runner(self, view: StatefulSetView, options: R.PlanOptions | None) -> None:
        if self.read_only:
            self.notify("Read-only mode: the plan was not started; nothing was changed.", severity="warning")
            return
        self._ensure_drain()
        self._staged_local[view.key] = self._run_staged(view, options)

    @work(thread=True, exit_on_error=False, group="staged")
    def _run_staged(self, view: StatefulSetView, options: R.PlanOptions | None) -> None:
        worker = get_current_worker()
        clock = _WorkerClock(self.clock, worker.cancelled_event)
        key = view.key
        runner: R.Runner | None = None

        def emit(kind: str, message: str) -> None:
            kubectl = runner.last_kubectl if runner is not None and kind in KUBECTL_KINDS else ()
            self._staged_events.put((key, kind, message, kubectl, kind not in ("error", "aborted")))

        runner = R.Runner(self.session.api_client, view.namespace, view.name, clock=clock, emit=emit)
        try:
            runner.start(options or R.PlanOptions(), resume_only=options is None)
        except Exception as exc:
            message = str(exc) if isinstance(exc, (R.RolloutError, S.PlanError)) else self.session.describe_error(exc)
            self._staged_events.put((key, "error", f"The plan was not started: {message}", (), False))
            return
        runner.run(poll=self.staged_poll, should_stop=lambda: worker.is_cancelled)

    def _drain_staged(self) -> None:
        while True:
            try:
                key, kind, message, kubectl, ok = self._staged_events.get_nowait()
            except queue.Empty:
                break
            title = f"Staged rollout of {key}"
            if kind in LOG_KINDS:
                self.action_log.record(LogEntry(when=self.clock(), context=self.session.context, title=title,
                                                ok=ok, message=f"{kind}: {message}", kubectl=tuple(kubectl)))
            if kind in NOTIFY_KINDS:
                self.notify(message, title=title, severity="information" if ok else "error", timeout=6)
        if getattr(self.action_log, "file_error", None):
            self.notify(self.action_log.file_error, severity="error")
            self.action_log.file_error = None
