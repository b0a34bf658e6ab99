"""RBAC: may this user do this verb on this resource? Answered from the stored roles and bindings.

Place in the flow: `gate.authorize` builds an `Attributes` for each request and calls
`authorize(store, attrs)`; `reviews` calls the same for SelfSubjectAccessReview and
`rules_for` for SelfSubjectRulesReview. `AggregationController` (installed by
`install(cluster)`) fills the rules of ClusterRoles that carry an `aggregationRule`
(the default `view`, `edit` and `admin`) from the ClusterRoles their selectors match.

Semantics follow kube-apiserver's RBAC authorizer: ClusterRoleBindings grant their
ClusterRole everywhere; RoleBindings grant a Role or ClusterRole inside their own
namespace; a rule matches when verb, API group, resource (`pods/log` names a
subresource, `*` everything, `*/scale` a subresource of anything) and resourceNames
match; the `system:masters` group may do everything. Nothing denies: no matching rule
means "no opinion", which is a 403.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .authn import MASTERS, User
from .selectors import SelectorError, selector_from_object

RBAC_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class Attributes:
    user: User
    verb: str
    namespace: str = ""
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""            # set for non-resource requests (then resource is "")

    @property
    def is_resource(self) -> bool:
        return not self.path


# ---------------------------------------------------------------- rule matching

def _has(values, wanted: str) -> bool:
    return "*" in (values or ()) or wanted in (values or ())


def rule_allows(rule: dict, a: Attributes) -> bool:
    if not _has(rule.get("verbs"), a.verb):
        return False
    if not a.is_resource:
        for url in rule.get("nonResourceURLs") or ():
            if url == "*" or url == a.path or (url.endswith("*") and a.path.startswith(url[:-1])):
                return True
        return False
    if not _has(rule.get("apiGroups"), a.api_group):
        return False
    combined = f"{a.resource}/{a.subresource}" if a.subresource else a.resource
    resources = rule.get("resources") or ()
    if not any(r == "*" or r == combined or (a.subresource and r == f"*/{a.subresource}") for r in resources):
        return False
    names = rule.get("resourceNames") or ()
    return not names or a.name in names


def subject_matches(subject: dict, user: User, binding_ns: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == user.name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_ns
        return user.name == f"system:serviceaccount:{ns}:{name}"
    return False


def _role_rules(store, ref: dict, binding_ns: str) -> list[dict]:
    kind, name = ref.get("kind"), ref.get("name")
    if kind == "ClusterRole":
        role = store.find("clusterroles", None, name)
    elif kind == "Role" and binding_ns:
        role = store.find("roles", binding_ns, name)
    else:
        role = None
    return list((role or {}).get("rules") or [])


def _bindings(store, user: User, namespace: str):
    """(binding kind, binding, rules) for every binding naming this user that applies in `namespace`."""
    for b in store.items("clusterrolebindings"):
        if any(subject_matches(s, user, "") for s in b.get("subjects") or ()):
            yield "ClusterRoleBinding", b, _role_rules(store, b.get("roleRef") or {}, "")
    if namespace:
        for b in store.items("rolebindings", namespace):
            if any(subject_matches(s, user, namespace) for s in b.get("subjects") or ()):
                yield "RoleBinding", b, _role_rules(store, b.get("roleRef") or {}, namespace)


def _who(user: User, binding: dict) -> str:
    for s in binding.get("subjects") or ():
        if s.get("kind") == "User" and s.get("name") == user.name:
            return f'User "{user.name}"'
        if s.get("kind") == "Group" and s.get("name") in user.groups:
            return f'Group "{s["name"]}"'
        if s.get("kind") == "ServiceAccount":
            return f'ServiceAccount "{s.get("name")}"'
    return f'User "{user.name}"'


def authorize(store, a: Attributes) -> tuple[bool, str]:
    """(allowed, reason): the reason names the binding that allowed it, as RBAC's does."""
    if MASTERS in a.user.groups:
        return True, ""
    with store.lock:
        for kind, b, rules in _bindings(store, a.user, a.namespace if a.is_resource else ""):
            if any(rule_allows(r, a) for r in rules):
                meta, ref = b["metadata"], b.get("roleRef") or {}
                binding = f'{meta["name"]}/{meta["namespace"]}' if kind == "RoleBinding" else meta["name"]
                return True, (f'RBAC: allowed by {kind} "{binding}" of {ref.get("kind")} "{ref.get("name")}" '
                              f'to {_who(a.user, b)}')
    return False, ""


def rules_for(store, user: User, namespace: str) -> tuple[list[dict], list[dict]]:
    """(resource rules, non-resource rules) this user holds in `namespace`, as SelfSubjectRulesReview lists them."""
    if MASTERS in user.groups:
        return ([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                [{"verbs": ["*"], "nonResourceURLs": ["*"]}])
    resource: list[dict] = []
    non_resource: list[dict] = []
    with store.lock:
        for _kind, _b, rules in _bindings(store, user, namespace):
            for r in rules:
                if r.get("nonResourceURLs"):
                    entry = {"verbs": list(r.get("verbs") or ()), "nonResourceURLs": list(r["nonResourceURLs"])}
                    if entry not in non_resource:
                        non_resource.append(entry)
                    continue
                entry = {"verbs": list(r.get("verbs") or ()), "apiGroups": list(r.get("apiGroups") or ()),
                         "resources": list(r.get("resources") or ())}
                if r.get("resourceNames"):
                    entry["resourceNames"] = list(r["resourceNames"])
                if entry not in resource:
                    resource.append(entry)
    return resource, non_resource


# ---------------------------------------------------------------- aggregation

class AggregationController:
    """Keeps each aggregated ClusterRole's rules equal to the union of the roles its selectors pick."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self._dirty = True
        self._lock = threading.Lock()

    def observe(self, change) -> None:
        if change.plural == "clusterroles":
            self._dirty = True

    def next_wakeup(self) -> float | None:
        return None

    def reconcile(self) -> bool:
        if not self._dirty:
            return False
        self._dirty = False
        store = self.cluster.store
        wrote = False
        roles = store.items("clusterroles")
        for role in roles:
            rule = role.get("aggregationRule")
            if not rule:
                continue
            wanted: list[dict] = []
            for sel in rule.get("clusterRoleSelectors") or ():
                try:
                    selector = selector_from_object(sel)
                except (SelectorError, ValueError):
                    continue
                for other in sorted(roles, key=lambda r: r["metadata"]["name"]):
                    if other is role or not selector.matches(other["metadata"].get("labels") or {}):
                        continue
                    for r in other.get("rules") or ():
                        if r not in wanted:
                            wanted.append(r)
            if wanted != (role.get("rules") or []):
                store.mutate("clusterroles", None, role["metadata"]["name"],
                             lambda o, w=wanted: o.__setitem__("rules", w))
                wrote = True
        return wrote


def install(cluster) -> None:
    cluster.rbac_aggregation = AggregationController(cluster)
    cluster.add_controller(cluster.rbac_aggregation)
