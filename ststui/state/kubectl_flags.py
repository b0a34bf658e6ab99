"""The connection flags every kubectl equivalent carries: `--context`, `--kubeconfig`, `--as`.

Place in the flow: `state.actions.plan_*` build a Plan whose `kubectl` command names the
object and the change only. The UI applies the session's `KubectlFlags` to the plan once,
before it is shown, run and logged (`tui.changes`), so a command pasted into a shell
pointed at another cluster still changes the cluster the dialog described. Pure: no I/O,
no environment lookups (the session decides which kubeconfig is "not the default").
"""
from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KubectlFlags:
    context: str | None = None        # None: in-cluster (kubectl there has no context to name)
    kubeconfig: str | None = None     # only when it is not the one kubectl would read anyway
    as_user: str | None = None
    as_groups: tuple[str, ...] = ()

    def words(self) -> list[str]:
        words: list[str] = []
        if self.kubeconfig:
            words.append(f"--kubeconfig={self.kubeconfig}")
        if self.context:
            words.append(f"--context={self.context}")
        if self.as_user:
            words.append(f"--as={self.as_user}")
        words.extend(f"--as-group={group}" for group in self.as_groups)
        return words

    def command(self, command: str) -> str:
        """`kubectl VERB ...` -> `kubectl --kubeconfig=.. --context=.. VERB ...` (idempotent)."""
        if not command.startswith("kubectl ") or not self.words():
            return command
        prefix = " ".join(shlex.quote(w) for w in self.words())
        rest = command[len("kubectl "):]
        if rest.startswith(prefix):
            return command
        return f"kubectl {prefix} {rest}"

    def apply(self, plan: Any) -> Any:
        """The plan with every kubectl command carrying the flags (a str or a sequence of str)."""
        commands = getattr(plan, "kubectl", None)
        if not commands or not dataclasses.is_dataclass(plan) or not self.words():
            return plan
        if "kubectl" not in {f.name for f in dataclasses.fields(plan) if f.init}:
            return plan       # derived (e.g. a hand-off's argv already carries the flags)
        if isinstance(commands, str):
            new: Any = self.command(commands)
        else:
            new = type(commands)(self.command(str(c)) for c in commands)
        return dataclasses.replace(plan, kubectl=new)
