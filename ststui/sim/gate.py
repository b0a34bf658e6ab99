"""The door every API request passes: who is asking (authn), as whom (impersonation), may they (RBAC).

Place in the flow: `server._dispatch` calls `identify(handler)` once per request, which
authenticates and applies impersonation and returns the `User` the request acts as;
`server._api` then calls `check_path` for non-resource paths (discovery, /version,
/openapi) or `check_target` for a resource request, which raise kube-apiserver's 403.
The `/_sim/faults/forbid` control still makes every verb on a plural 403 for tests.
"""
from __future__ import annotations

import json

from . import rbac
from .authn import User, authenticate, impersonated, impersonation_request
from .objects import ApiError

METHOD_VERBS = {"HEAD": "get", "POST": "create", "PUT": "update", "PATCH": "patch"}


def request_verb(method: str, name: str | None, watching: bool) -> str:
    if method in ("GET", "HEAD"):
        return "watch" if watching else ("get" if name else "list")
    if method == "DELETE":
        return "delete" if name else "deletecollection"
    return METHOD_VERBS.get(method, method.lower())


def forbidden(a: rbac.Attributes, reason: str = "") -> ApiError:
    """kube-apiserver's 403 for a denied request (responsewriters.ForbiddenStatusError)."""
    who = f'User "{a.user.name}"'
    tail = f": {reason}" if reason else ""
    if not a.is_resource:
        return ApiError(403, "Forbidden", f'forbidden: {who} cannot {a.verb} path "{a.path}"{tail}', {})
    resource = f"{a.resource}/{a.subresource}" if a.subresource else a.resource
    where = f' in the namespace "{a.namespace}"' if a.namespace else " at the cluster scope"
    qualified = f"{a.resource}.{a.api_group}" if a.api_group else a.resource
    subject = f"{qualified} {json.dumps(a.name)}" if a.name else qualified
    details: dict = {"kind": a.resource}
    if a.name:
        details["name"] = a.name
    if a.api_group:
        details["group"] = a.api_group
    return ApiError(403, "Forbidden",
                    f'{subject} is forbidden: {who} cannot {a.verb} resource "{resource}" in API group '
                    f'"{a.api_group}"{where}{tail}', details)


def identify(headers, store) -> User:
    """Authenticate, then impersonate if asked and allowed (401 / 403 otherwise)."""
    user = authenticate(headers)
    name, groups, uid = impersonation_request(headers)
    if name is None or (name == user.name and not groups and not uid):
        return user          # no impersonation, or "as myself" (a kubeconfig `as:` naming its own user)
    checks = [("users", name)] + [("groups", g) for g in groups]
    if uid:
        checks.append(("uids", uid))
    for resource, target in checks:
        group = "authentication.k8s.io" if resource == "uids" else ""
        a = rbac.Attributes(user, "impersonate", "", group, resource, "", target)
        if name.startswith("system:serviceaccount:") and resource == "users" and name.count(":") == 3:
            _, _, ns, sa = name.split(":")
            a = rbac.Attributes(user, "impersonate", ns, "", "serviceaccounts", "", sa)
        allowed, _ = rbac.authorize(store, a)
        if not allowed:
            raise forbidden(a)
    return impersonated(name, groups, uid)


def check_path(store, user: User, method: str, path: str) -> None:
    verb = {"GET": "get", "HEAD": "head"}.get(method, method.lower())
    a = rbac.Attributes(user, "get" if verb == "head" else verb, path=path)
    allowed, _ = rbac.authorize(store, a)
    if not allowed:
        raise forbidden(a)


def attributes_for(user: User, method: str, target, watching: bool) -> rbac.Attributes:
    rt = target.rt
    return rbac.Attributes(user, request_verb(method, target.name, watching), target.namespace or "",
                           rt.group, rt.plural, target.sub or "", target.name or "")


def check_target(cluster, user: User, method: str, target, watching: bool) -> None:
    a = attributes_for(user, method, target, watching)
    is_forbidden = getattr(cluster.faults, "is_forbidden", None)
    if is_forbidden is not None and is_forbidden(target.rt.plural):
        raise forbidden(a)
    allowed, _ = rbac.authorize(cluster.store, a)
    if not allowed:
        raise forbidden(a)
