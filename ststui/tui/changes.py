"""The change actions: key -> plan -> dialog -> worker -> result, and the command palette.

Place in the flow: `StsTuiApp` mixes this in. Each `action_*` takes the selected view
(and pod, claim or volume) from the app, asks `state.actions` for a `Plan`, and shows it
in a dialog (value and choice dialogs first where the action needs input). A confirmed
plan runs in a thread worker through `session.execute`; the result is notified, kept in
the action log and appended to the audit file. Nothing here decides what a change does:
the plans say it, the server does it, and the watch brings it back.

Conflicts: every plan is sent with preconditions (what it was computed from). When the
server refuses because someone else changed the object since the dialog opened, nothing
was changed; the app waits until the store holds the server's new state, plans the same
change again from it (`Replan`: the same action with the same typed value) and reopens
the dialog with the new effect and a sentence saying what moved ("the partition is now
0 (it was 3 when the dialog opened)"). Each dialog accepts one answer only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ststui.state import actions
from ststui.state.actions import PlanError, conflict_sentence
from ststui.state.model import StatefulSetView
from ststui.tui.audit import LogEntry
from ststui.tui.modals import ChoiceModal, ConfirmModal, ValueModal, kubectl_lines
from ststui.tui.views import revision_images


@dataclass(frozen=True)
class Replan:
    """How to plan the same change again from a fresh view of one StatefulSet."""
    namespace: str
    name: str
    make: Callable[[StatefulSetView], Any]


def _replan_for(view: StatefulSetView | None, make: Callable[[StatefulSetView], Any]) -> Replan | None:
    return None if view is None else Replan(view.namespace, view.name, make)


class ChangeActions:
    """Mixin for StsTuiApp: needs `session`, `read_only`, `clock`, `action_log`,
    `_need_view()`, `_need_listed_view()`, `_selected_slot/claim/volume()`, `selected_view()`."""

    def run_plan_flow(self, make: Callable[[], Any], override: Callable[[], Any] | None = None,
                      replan: Replan | None = None, notice: str | None = None) -> None:
        """Build a plan; show a refusal (with an override if allowed) or ask to confirm it."""
        try:
            plan = self.with_connection(make())
        except PlanError as exc:
            self.notify(str(exc), severity="error")
            return
        except Exception as exc:      # a plan must never take the app down
            self.notify(f"Could not plan this change: {self.session.describe_error(exc)}", severity="error")
            return
        if plan.refused:
            if override is None or not plan.overridable:
                self.push_screen(ConfirmModal(plan, notice=notice))
                return

            def overridden(yes: bool | None) -> None:
                if yes:
                    self.run_plan_flow(override, replan=replan and Replan(
                        replan.namespace, replan.name, lambda v: replan.make(v, override=True)))

            self.push_screen(ConfirmModal(plan, override_label="Override", notice=notice), overridden)
            return
        self.confirm_and_execute(plan, replan, notice)

    def confirm_and_execute(self, plan: Any, replan: Replan | None = None, notice: str | None = None) -> None:
        plan = self.with_connection(plan)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._replans[id(plan)] = (plan, replan)
                self.execute_plan(plan)

        self.push_screen(ConfirmModal(plan, notice=notice), confirmed)

    @property
    def _replans(self) -> dict[int, tuple[Any, Replan | None]]:
        replans = self.__dict__.get("_replans_by_plan")
        if replans is None:
            replans = self.__dict__["_replans_by_plan"] = {}
        return replans

    def _value_flow(self, view: StatefulSetView, title: str, prompt: str, initial: str,
                    plan_for: Callable[[StatefulSetView, str], Any]) -> None:
        """A value dialog, then the confirmation; a conflict re-plans with the same value."""
        def done(plan: Any) -> None:
            if plan is not None:
                text = getattr(modal, "submitted", "")
                self.confirm_and_execute(plan, _replan_for(view, lambda v: plan_for(v, text)))

        modal = ValueModal(title, prompt, initial, lambda text: plan_for(view, text))
        self.push_screen(modal, done)

    @work(thread=True, exit_on_error=False, group="ops")
    def execute_plan(self, plan: Any) -> tuple[Any, Any, str | None]:
        """(plan, OpResult or None, error sentence or None); never raises."""
        try:
            return plan, self.session.execute(plan, self.read_only), None
        except Exception as exc:  # ops.execute turns API errors into results; this is the rest
            return plan, None, self.session.describe_error(exc)

    @work(thread=True, exit_on_error=False, group="conflict")
    def _catch_up(self, plan: Any, replan: Replan) -> tuple[Any, Replan]:
        """After a conflict: wait (bounded) until the store holds the server's new state."""
        try:
            self.session.wait_for_server_state(plan.target)
        except Exception:
            pass
        return plan, replan

    def _replan_after_conflict(self, plan: Any, replan: Replan) -> None:
        from ststui.state.topology import build_view
        view = build_view(self.session.store, replan.namespace, replan.name, self.clock())
        if view is None:
            self.notify(f"{replan.namespace}/{replan.name} no longer exists; nothing was changed.",
                        severity="error")
            return

        def make() -> Any:
            return replan.make(view)

        try:
            fresh = make()
        except PlanError as exc:
            self.notify(f"Not done, and cannot plan it again: {exc}", severity="error")
            return
        moved = conflict_sentence(plan, fresh)
        notice = (f"Not done: {moved}; someone else changed it, and nothing was changed. "
                  "Below is what confirming does now.")
        self.run_plan_flow(make, replan=_replan_for(view, replan.make), notice=notice)

    def _record(self, plan: Any, ok: bool, message: str, kubectl: Iterable[str]) -> None:
        title = getattr(plan, "title", "Change")
        self.action_log.record(LogEntry(when=self.clock(), context=self.session.context, title=title,
                                        ok=ok, message=message, kubectl=tuple(kubectl)))
        self.notify(message, title=title, severity="information" if ok else "error", timeout=6)
        if self.action_log.file_error:
            self.notify(self.action_log.file_error, severity="error")
            self.action_log.file_error = None

    # StatefulSet actions (StatefulSets and pods panes).

    def action_step(self) -> None:
        view = self._need_listed_view()
        if view is not None:
            self.run_plan_flow(lambda: actions.plan_step(view),
                               override=lambda: actions.plan_step(view, override=True),
                               replan=_replan_for(view, actions.plan_step))

    def action_set_partition(self) -> None:
        view = self._need_listed_view()
        if view is None:
            return
        self._value_flow(view, f"Set partition · {view.key}",
                         f"Partition (0..{view.replicas}): pods with an ordinal at or above it are updated.",
                         str(view.rollout.partition), actions.plan_set_partition)

    def action_hold(self) -> None:
        view = self._need_listed_view()
        if view is None:
            return
        if view.rollout.partition >= view.replicas and view.replicas > 0:
            self.run_plan_flow(lambda: actions.plan_release(view), replan=_replan_for(view, actions.plan_release))
        else:
            self.run_plan_flow(lambda: actions.plan_hold(view), replan=_replan_for(view, actions.plan_hold))

    def action_release(self) -> None:
        view = self._need_listed_view()
        if view is not None:
            self.run_plan_flow(lambda: actions.plan_release(view), replan=_replan_for(view, actions.plan_release))

    def action_scale(self) -> None:
        view = self._need_listed_view()
        if view is None:
            return
        ceiling = getattr(self, "replicas_ceiling", actions.DEFAULT_REPLICAS_CEILING)
        self._value_flow(view, f"Scale · {view.key}", f"Replicas (0..{ceiling}):", str(view.replicas),
                         lambda v, text: actions.plan_scale(v, text, ceiling))

    def action_restart(self) -> None:
        view = self._need_listed_view()
        if view is not None:
            now = self.clock()
            self.run_plan_flow(lambda: actions.plan_restart(view, now))

    def action_undo(self) -> None:
        view = self._need_listed_view()
        if view is None:
            return
        revisions = self.session.store.revisions_of(view.namespace, view.name)
        update = view.rollout.update_revision
        choices = []
        for revision in reversed(revisions):
            name = revision["metadata"]["name"]
            if name == update:
                continue
            role = " (current)" if name == view.rollout.current_revision else ""
            choices.append((revision.get("revision"),
                            f"{revision.get('revision')}  {name}{role}  {revision_images(revision)}"))
        if not choices:
            self.notify(f"{view.key} has no earlier revision to go back to.", severity="warning")
            return

        def chosen(number: Any) -> None:
            if number is not None:
                self.run_plan_flow(lambda: actions.plan_undo(view, revisions, number),
                                   replan=_replan_for(view, lambda v: actions.plan_undo(
                                       v, self.session.store.revisions_of(v.namespace, v.name), number)))

        self.push_screen(ChoiceModal(f"Undo rollout · {view.key}",
                                     "Roll the pod template back to revision:", choices), chosen)

    def action_set_image(self) -> None:
        view = self._need_listed_view()
        if view is None:
            return
        containers = list(view.images)
        if not containers:
            self.notify(f"{view.key} has no containers in its template.", severity="warning")
            return
        revisions = self.session.store.revisions_of(view.namespace, view.name)

        def ask_image(container: str | None) -> None:
            if container is None:
                return
            current = dict(containers).get(container, "")
            self._value_flow(view, f"Set image · {view.key}", f"Image of container {container}:", current,
                             lambda v, text: actions.plan_set_image(
                                 v, container, text, self.session.store.revisions_of(v.namespace, v.name)))

        if len(containers) == 1:
            ask_image(containers[0][0])
        else:
            self.push_screen(ChoiceModal(f"Set image · {view.key}", "Container:",
                                         [(name, f"{name}  ({image})") for name, image in containers]),
                             ask_image)

    # Pods pane.

    def _view_and_selected(self, pick: str, what: str):
        """(view, selected pod slot / claim / volume), or None after saying what is missing."""
        view = self._need_listed_view()
        if view is None:
            return None
        item = getattr(self, f"_selected_{pick}")(view)
        if item is None:
            self.notify(f"Select a {what} first.", severity="warning")
            return None
        return view, item

    def action_delete_pod(self) -> None:
        if (chosen := self._view_and_selected("slot", "pod")) is not None:
            view, slot = chosen
            self.run_plan_flow(lambda: actions.plan_delete_pod(view, slot.ordinal))

    def action_force_delete_pod(self) -> None:
        if (chosen := self._view_and_selected("slot", "pod")) is not None:
            view, slot = chosen
            now = self.clock()
            self.run_plan_flow(lambda: actions.plan_force_delete_pod(view, slot.ordinal, now))

    # Claims pane.

    def action_delete_claim(self) -> None:
        if (chosen := self._view_and_selected("claim", "claim")) is not None:
            view, claim = chosen
            self.run_plan_flow(lambda: actions.plan_delete_claim(view, claim.name))

    # Volumes pane.

    def action_reclaim(self) -> None:
        chosen = self._view_and_selected("volume", "volume")
        if chosen is None:
            return
        view, volume = chosen
        claim = volume.claim or "its old claim"
        choices = [
            ("keep", f"keep for {claim}: remove only claimRef.uid (that claim binds it again)"),
            ("free", "free for any claim: remove claimRef"),
        ]
        def chosen(mode: str | None) -> None:
            if mode is not None:
                self.run_plan_flow(lambda: actions.plan_reclaim_volume(volume, mode),
                                   replan=_replan_for(view, lambda v: actions.plan_reclaim_volume(
                                       self._volume_now(v, volume.name), mode)))

        self.push_screen(ChoiceModal(f"Reclaim volume · {volume.name}",
                                     f"{volume.name} is {volume.phase} (reclaim policy {volume.reclaim_policy}).",
                                     choices), chosen)

    def _volume_now(self, view: StatefulSetView, name: str):
        """The volume as the store has it now, whether or not it still belongs to `view`."""
        for volume in view.volumes:
            if volume.name == name:
                return volume
        from ststui.state.topology import _volume_view
        pv = self.session.store.get("persistentvolumes", None, name)
        if pv is None:
            raise PlanError(f"Volume {name} no longer exists.")
        return _volume_view(pv, None, None)

    def ops_worker_changed(self, event: Worker.StateChanged) -> None:
        """The result of a change: notify, action log, audit file."""
        worker = event.worker
        if event.state != WorkerState.SUCCESS:
            return
        if worker.group == "conflict":
            self._replan_after_conflict(*worker.result)
            return
        plan, result, error = worker.result
        _, replan = self._replans.pop(id(plan), (plan, None))
        if result is None:
            self._record(plan, False, error or "The change failed.", kubectl_lines(plan))
        else:
            self._record(plan, bool(result.ok), result.message, kubectl_lines(result) or kubectl_lines(plan))
            if getattr(result, "conflict", False) and replan is not None:
                self._catch_up(plan, replan)

    # --- command palette -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        view = self.selected_view()
        target = f" of {view.key}" if view is not None else ""
        if not self.read_only:
            yield SystemCommand(f"Step rollout{target}", "Lower the partition by one (a)", self.action_step)
            yield SystemCommand(f"Set partition{target}", "Choose the partition (P)", self.action_set_partition)
            yield SystemCommand(f"Hold rollout{target}", "Partition = replicas: nothing more updates",
                                lambda: view and self.run_plan_flow(lambda: actions.plan_hold(view)))
            yield SystemCommand(f"Release rollout{target}", "Partition 0: every pod updates",
                                self.action_release)
            yield SystemCommand(f"Scale{target}", "Change replicas (s)", self.action_scale)
            yield SystemCommand(f"Rollout restart{target}", "Restart every pod in order (r)", self.action_restart)
            yield SystemCommand(f"Undo rollout{target}", "Back to an earlier revision (u)", self.action_undo)
            yield SystemCommand(f"Set image{target}", "Change a container image (i)", self.action_set_image)
            yield SystemCommand("Delete pod", "Graceful delete of the selected pod (ctrl+d in Pods)",
                                self.action_delete_pod)
            yield SystemCommand("Force delete pod", "Grace period 0 (ctrl+k in Pods)", self.action_force_delete_pod)
            yield SystemCommand("Delete orphan claim", "The selected claim (ctrl+d in Claims)", self.action_delete_claim)
            yield SystemCommand("Reclaim volume", "Make a Released volume Available (r in Volumes)",
                                self.action_reclaim)
        yield SystemCommand("YAML", "The selected object as YAML (y)", self.action_yaml)
        yield SystemCommand("Describe", "Summary and events of the selected object (d)", self.action_describe)
        yield SystemCommand("Revision history", "Revisions and the template diff (v)", self.action_history)
        yield SystemCommand("Namespace", "Switch namespace (n)", self.action_namespace)
        yield SystemCommand("Context", "Switch context (c)", self.action_context)
        yield SystemCommand("Action log", "Changes made in this session (L)", self.action_action_log)
        yield SystemCommand("Help", "Keys and colours (?)", self.action_help)
        yield from super().get_system_commands(screen)
