"""Looking at the pod in front of you: logs, previous logs, a StatefulSet's logs, events,
and the hand-offs to kubectl (shell, edit, port-forward).

Place in the flow: `StsTuiApp` mixes this in. Each `action_*` takes the selected view and
pod from the app and pushes a view (`tui.logview.LogScreen`, `tui.eventsview.EventsScreen`)
or builds a `tui.handoff.Handoff` and runs kubectl while the app is suspended. None of
these change the cluster through ststui: read-only mode hides the shell and edit keys
(what kubectl would do there is a change), and keeps logs, events and port-forward.
"""
from __future__ import annotations

from typing import Iterable

from textual.app import SuspendNotSupported, SystemCommand
from textual.screen import Screen

from ststui.kube.logs import LogSource
from ststui.state.events import gather, targets_of
from ststui.tui import handoff
from ststui.tui.eventsview import EventsScreen
from ststui.tui.logview import LogScreen
from ststui.tui.modals import ChoiceModal, ValueModal

# Hidden in read-only mode (a shell or an editor can change anything).
HANDOFF_CHANGES = frozenset({"shell", "edit"})
MAX_STATEFULSET_STREAMS = 30    # log streams of one StatefulSet-wide view (one connection each)
INSPECT_ACTIONS = frozenset({"logs", "previous_logs", "statefulset_logs", "events", "events_namespace",
                             "shell", "edit", "port_forward"})


class InspectActions:
    """Mixin for StsTuiApp: needs `session`, `read_only`, `clock`, `views`, `_need_view()`,
    `_view_and_selected()`."""

    log_capacity = None          # None: the ring's default (tests may lower it)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Pod logs", "The selected pod's log, followed (l in Pods)", self.action_logs)
        yield SystemCommand("Previous pod logs", "The run before the last restart (p in Pods)",
                            self.action_previous_logs)
        yield SystemCommand("StatefulSet logs", "Every pod's lines interleaved (l in StatefulSets)",
                            self.action_statefulset_logs)
        yield SystemCommand("Events", "The selected StatefulSet's events (E)", self.action_events)
        yield SystemCommand("Namespace events", "Every event of the namespace (:events)",
                            self.action_events_namespace)
        if not self.read_only:
            yield SystemCommand("Shell in pod", "kubectl exec -it (s in Pods)", self.action_shell)
            yield SystemCommand("Edit pod", "kubectl edit (e in Pods)", self.action_edit)
        yield SystemCommand("Port-forward", "kubectl port-forward (F in Pods)", self.action_port_forward)
        yield from super().get_system_commands(screen)

    # --- logs ------------------------------------------------------------------------

    def stop_log_streams(self) -> None:
        """Close every open log stream (quitting with a log view open)."""
        for screen in list(getattr(self, "screen_stack", ())):
            if isinstance(screen, LogScreen):
                screen.stop_streams()

    def _pod_containers(self, namespace: str, pod: str) -> list[str]:
        obj = self.session.store.get("pods", namespace, pod) or {}
        return [c.get("name", "") for c in (obj.get("spec") or {}).get("containers") or []]

    def _with_container(self, containers: list[str], title: str, then) -> None:
        if not containers:
            self.notify("The pod has no containers to read.", severity="warning")
        elif len(containers) == 1:
            then(containers[0])
        else:
            self.push_screen(ChoiceModal(title, "Container:", [(c, c) for c in containers]),
                             lambda chosen: chosen is not None and then(chosen))

    def _open_pod_log(self, view, slot, container: str, previous: bool) -> None:
        containers = self._pod_containers(view.namespace, slot.name)
        what = "Previous log" if previous else "Log"
        title = f"{what} · Pod {view.namespace}/{slot.name} · container {container}"
        if previous:
            title += " (the run before the last restart)"
        source = LogSource(view.namespace, slot.name, container, previous=previous, follow=not previous,
                           uid=slot.uid)

        def switch(other: str) -> None:
            self.pop_screen()
            self._open_pod_log(view, slot, other, previous)

        kwargs = {"capacity": self.log_capacity} if self.log_capacity else {}
        self.push_screen(LogScreen(title, self.session.api_client, [source], containers=containers,
                                   on_container=switch, **kwargs))

    def _pod_log(self, previous: bool) -> None:
        if (chosen := self._view_and_selected("slot", "pod")) is None:
            return
        view, slot = chosen
        if not slot.exists:
            self.notify(f"{slot.name} does not exist: there is no log to read.", severity="warning")
            return
        containers = self._pod_containers(view.namespace, slot.name)
        self._with_container(containers, f"{'Previous log' if previous else 'Log'} · {slot.name}",
                             lambda container: self._open_pod_log(view, slot, container, previous))

    def action_logs(self) -> None:
        self._pod_log(previous=False)

    def action_previous_logs(self) -> None:
        self._pod_log(previous=True)

    def action_statefulset_logs(self) -> None:
        view = self._need_view()
        if view is None:
            return
        containers = [name for name, _ in view.images]
        key = view.key

        def open_with(container: str) -> None:
            current = self.views.get(key, view)
            pods = [s for s in current.slots if s.exists]
            total = len(pods)
            if total > MAX_STATEFULSET_STREAMS:       # bounded: update-revision pods first, then by ordinal
                pods = sorted(pods, key=lambda s: (s.revision_kind != "update", s.ordinal))[:MAX_STATEFULSET_STREAMS]
                pods.sort(key=lambda s: s.ordinal)
            sources = [LogSource(current.namespace, s.name, container, uid=s.uid) for s in pods
                       if s.phase not in ("Pending", "NotCreated")]     # a pending pod gets one once it runs
            shown = f"{len(pods)} pods" if len(pods) == total else \
                f"{len(pods)} of {total} pods (the update revision's first)"
            title = f"Logs · StatefulSet {key} · container {container} · {shown}"
            kwargs = {"capacity": self.log_capacity} if self.log_capacity else {}
            self.push_screen(LogScreen(title, self.session.api_client, sources, prefix=True,
                                       view_source=lambda: self.views.get(key),
                                       follow_pods={s.name for s in pods}, container=container, **kwargs))

        self._with_container(containers, f"Logs · {key}", open_with)

    # --- events ----------------------------------------------------------------------

    def action_events(self) -> None:
        view = self._need_view()
        if view is None:
            return
        key, store = view.key, self.session.store

        def source():
            current = self.views.get(key)
            if current is None:
                return None
            events = []
            for kind, name in targets_of(current):
                events.extend(store.events_for(kind, None if kind == "PersistentVolume" else current.namespace, name))
            return gather(events)

        self.push_screen(EventsScreen(f"Events · StatefulSet {key} (its pods, claims and volumes)", source,
                                      self.clock))

    def action_events_namespace(self, namespace: str | None = None) -> None:
        """`:events` (the command line calls this): the events of a namespace, or of the
        selected StatefulSet's namespace, or of the session's; all namespaces when watching
        all and nothing is selected."""
        if namespace is None:
            view = self.selected_view()
            namespace = self.session.namespace or (view.namespace if view is not None else None)
        store = self.session.store
        title = f"Events · namespace {namespace}" if namespace else "Events · all namespaces"
        self.push_screen(EventsScreen(title, lambda: gather(store.items("events", namespace)), self.clock))

    # --- hand-offs to kubectl --------------------------------------------------------

    def _kubectl_base(self, namespace: str) -> list[str]:
        return handoff.kubectl_base(self.session.context, getattr(self.session, "kubeconfig", None), namespace)

    def run_handoff(self, command: handoff.Handoff) -> int | None:
        """Suspend the TUI, run kubectl in the terminal, come back; None if it could not run."""
        if handoff.kubectl_missing():
            self.notify(handoff.NO_KUBECTL, severity="error")
            return None
        try:
            with self.suspend():
                code = handoff.run_in_terminal(command)
        except SuspendNotSupported:
            self.notify(f"This terminal cannot be handed to kubectl; run it yourself: {command.kubectl}",
                        severity="warning", timeout=10)
            return None
        except OSError as exc:
            self.notify(f"kubectl could not be started: {exc.strerror or exc}.", severity="error")
            return None
        if code != 0:
            self.notify(f"{command.title}: kubectl exited with code {code}.", severity="warning")
        self.refresh()
        return code

    def action_shell(self) -> None:
        if (chosen := self._view_and_selected("slot", "pod")) is None:
            return
        view, slot = chosen
        if not slot.exists:
            self.notify(f"{slot.name} does not exist: there is nothing to open a shell in.", severity="warning")
            return
        containers = self._pod_containers(view.namespace, slot.name)
        if not containers:
            self.notify(f"{slot.name} has no containers.", severity="warning")
            return
        self.run_handoff(handoff.shell(self._kubectl_base(view.namespace), slot.name, containers[0]))

    def action_edit(self) -> None:
        if (chosen := self._view_and_selected("slot", "pod")) is None:
            return
        view, slot = chosen
        if not slot.exists:
            self.notify(f"{slot.name} does not exist: there is nothing to edit.", severity="warning")
            return
        self.run_handoff(handoff.edit(self._kubectl_base(view.namespace), "pod", slot.name))

    def action_port_forward(self) -> None:
        if (chosen := self._view_and_selected("slot", "pod")) is None:
            return
        view, slot = chosen
        if not slot.exists:
            self.notify(f"{slot.name} does not exist: there is nothing to forward to.", severity="warning")
            return
        obj = self.session.store.get("pods", view.namespace, slot.name) or {}
        ports = [str(p.get("containerPort")) for c in (obj.get("spec") or {}).get("containers") or []
                 for p in c.get("ports") or [] if p.get("containerPort")]
        initial = " ".join(f"{p}:{p}" for p in ports[:1])
        base = self._kubectl_base(view.namespace)
        self.push_screen(ValueModal(f"Port-forward · {slot.name}",
                                    "Ports, LOCAL:REMOTE (several separated by spaces):", initial,
                                    lambda text: handoff.port_forward(base, slot.name, text),
                                    placeholder="8080:80"),
                         lambda command: command is not None and self.run_handoff(command))
