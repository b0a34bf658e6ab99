"""The app knows what the user may do: probes the server, greys what is denied, says why.

Place in the flow: `StsTuiApp` mixes this in. When a namespace's StatefulSets are shown
(at start, after a context or namespace switch, when the selection moves to another
namespace) `ensure_access()` starts one thread worker (`kube.permissions.probe`) for
that namespace; its answers land in `self.access` (`state.access.Access`), and the
footer is refreshed. `action_denial(action)` is what `check_action`, the help screen,
the palette and the key-press sentence use. A change answered 403 anyway calls
`access_forbidden()`, which forgets the namespace's answers and asks again.

Without an API client (tests with a hand-filled store) nothing is asked and every action
stays enabled.
"""
from __future__ import annotations

from textual import work
from textual.app import SystemCommand
from textual.worker import Worker, WorkerState

from ststui.state.access import Access

# Palette command titles (tui/changes.py) -> the action they run.
PALETTE_ACTIONS = (("Step rollout", "step"), ("Set partition", "set_partition"), ("Hold rollout", "hold"),
                   ("Release rollout", "release"), ("Scale", "scale"), ("Rollout restart", "restart"),
                   ("Undo rollout", "undo"), ("Set image", "set_image"), ("Force delete pod", "force_delete_pod"),
                   ("Delete pod", "delete_pod"), ("Delete orphan claim", "delete_claim"),
                   ("Reclaim volume", "reclaim"))


class PermissionsMixin:
    """Needs `session`, `selected_view()`, `notify`, `refresh_bindings`, `_update_status`."""

    def _access_init(self) -> None:
        self.access = Access()
        self._access_session = None
        self._access_asking: set[str] = set()
        self._access_shown: tuple | None = None

    def access_namespace(self) -> str | None:
        view = self.selected_view()
        if view is not None:
            return view.namespace
        return self.session.namespace

    def action_denial(self, action: str) -> str | None:
        return self.access.denial(action, self.access_namespace())

    def denials(self) -> dict[str, str]:
        """action -> sentence, for every denied change action in the current namespace."""
        from ststui.state.access import ACTION_NEEDS
        out = {}
        for action in ACTION_NEEDS:
            sentence = self.action_denial(action)
            if sentence:
                out[action] = sentence
        return out

    def get_system_commands(self, screen):
        """The palette: a denied action stays listed, marked not allowed, and says why when chosen."""
        for command in super().get_system_commands(screen):
            action = next((a for prefix, a in PALETTE_ACTIONS if command.title.startswith(prefix)), None)
            denial = self.action_denial(action) if action else None
            if denial:
                yield SystemCommand(f"{command.title} (not allowed)", denial,
                                    lambda d=denial, t=command.title: self.notify(
                                        f"{t}: {d}; nothing was sent.", severity="warning"))
            else:
                yield command

    def ensure_access(self) -> None:
        """Ask about the namespace in view if nobody has yet; refresh the footer when answers change."""
        session = self.session
        if session is not self._access_session:
            self._access_session = session
            self.access = Access()
            self._access_asking = set()
        if session.api_client is None:
            return
        namespace = self.access_namespace()
        if namespace is not None and not self.access.known(namespace) and namespace not in self._access_asking:
            self._access_asking.add(namespace)
            self._probe_access(session, namespace)
        shown = (namespace, self.access.generation)
        if shown != self._access_shown:
            self._access_shown = shown
            self.refresh_bindings()

    @work(thread=True, exit_on_error=False, group="access")
    def _probe_access(self, session, namespace: str):
        from ststui.kube import permissions
        user = self.access.user or permissions.whoami(session.api_client)
        here, cluster = permissions.probe(session.api_client, namespace)
        return session, namespace, user, here, cluster

    def access_worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if event.state == WorkerState.ERROR:
            return
        session, namespace, user, here, cluster = event.worker.result
        self._access_asking.discard(namespace)
        if session is not self.session:
            return
        if user:
            self.access.user = user
        self.access.record(namespace, here)
        self.access.record("", cluster)
        self.ensure_access()
        self._update_status()

    @staticmethod
    def _was_forbidden(result) -> bool:
        """Whether an ops worker's (plan, OpResult, error) says the server answered 403."""
        if not isinstance(result, tuple) or len(result) != 3:
            return False          # a conflict re-plan worker's answer, not a change's
        _plan, op, error = result
        message = (op.message if op is not None else error) or ""
        return "Forbidden: " in message

    def access_forbidden(self) -> None:
        """A change was refused with 403: the answers we had are old; ask again."""
        namespace = self.access_namespace()
        if namespace is None:
            return
        self.access.forget(namespace)
        self.access.forget("")
        self.ensure_access()
