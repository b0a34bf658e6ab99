"""What the user may do: each change action's API permission, and the answers the server gave.

Place in the flow: `kube.permissions.probe` asks the server (SelfSubjectRulesReview per
namespace, SelfSubjectAccessReview per need where rules cannot say) and fills an
`Access`; the app asks `Access.denial(action, namespace)` in `check_action` (a denied
action is greyed in the footer, help and palette, and pressing its key says why). Pure:
no I/O, no Textual.

Unknown (not asked yet, or the server could not say) counts as allowed: the server still
decides, and a 403 that happens anyway makes the app ask again.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Need:
    verb: str
    group: str
    resource: str
    subresource: str = ""
    cluster_scoped: bool = False

    @property
    def resource_text(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


PATCH_STS = Need("patch", "apps", "statefulsets")

# App action name -> the permission its requests need (see state.actions' Request paths).
ACTION_NEEDS: dict[str, Need] = {
    "step": PATCH_STS,
    "set_partition": PATCH_STS,
    "hold": PATCH_STS,
    "release": PATCH_STS,
    "undo": PATCH_STS,
    "set_image": PATCH_STS,
    "restart": PATCH_STS,
    "scale": Need("patch", "apps", "statefulsets", "scale"),
    "delete_pod": Need("delete", "", "pods"),
    "force_delete_pod": Need("delete", "", "pods"),
    "delete_claim": Need("delete", "", "persistentvolumeclaims"),
    "reclaim": Need("patch", "", "persistentvolumes", cluster_scoped=True),
    # staged rollouts write the partition and the plan annotation on the StatefulSet
    "staged_plan": PATCH_STS,
    "plan_pause": PATCH_STS,
    "plan_promote": PATCH_STS,
    "plan_abort": PATCH_STS,
}


def _has(values, wanted: str) -> bool:
    return "*" in (values or ()) or wanted in (values or ())


def rules_allow(rules: list[dict], need: Need) -> bool:
    """Whether SelfSubjectRulesReview resource rules grant `need` (on any name)."""
    combined = need.resource_text
    for rule in rules:
        if rule.get("resourceNames"):
            continue          # granted for some names only: not for the action in general
        if not _has(rule.get("verbs"), need.verb) or not _has(rule.get("apiGroups"), need.group):
            continue
        for r in rule.get("resources") or ():
            if r == "*" or r == combined or (need.subresource and r == f"*/{need.subresource}"):
                return True
    return False


@dataclass
class Access:
    """The server's answers for one session: who the user is, and per namespace what they may do."""
    user: str | None = None
    # namespace ("" for cluster scope) -> Need -> allowed
    answers: dict[str, dict[Need, bool]] = field(default_factory=dict)
    generation: int = 0          # bumped on every change, so the UI knows to refresh

    def known(self, namespace: str) -> bool:
        return namespace in self.answers

    def record(self, namespace: str, answers: dict[Need, bool]) -> None:
        self.answers[namespace] = dict(answers)
        self.generation += 1

    def forget(self, namespace: str | None = None) -> None:
        if namespace is None:
            self.answers.clear()
        else:
            self.answers.pop(namespace, None)
        self.generation += 1

    def allowed(self, need: Need, namespace: str) -> bool | None:
        scope = "" if need.cluster_scoped else namespace
        return self.answers.get(scope, {}).get(need)

    def denial(self, action: str, namespace: str | None) -> str | None:
        """None when the action may be done (or nobody knows); else the sentence saying why not."""
        need = ACTION_NEEDS.get(action)
        if need is None or namespace is None:
            return None
        if self.allowed(need, namespace) is not False:
            return None
        where = "" if need.cluster_scoped else f" in {namespace}"
        who = f" (user {self.user})" if self.user else ""
        return f"you may not {need.verb} {need.resource_text}{where}{who}"
