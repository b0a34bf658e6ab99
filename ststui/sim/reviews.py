"""SelfSubjectAccessReview, SelfSubjectRulesReview ("may I?", asked of RBAC) and SelfSubjectReview ("who am I?").

Place in the flow: `server._api` hands a POST to either collection to `answer(...)`
(after `gate` allowed the `create`); the answer is computed from `rbac` for the user the
request acts as (impersonation included, so `kubectl auth can-i --as` works) and is never
stored, as on a real cluster. ststui's permission probe (`kube/permissions.py`) asks the
same questions.
"""
from __future__ import annotations

from . import rbac
from .authn import User
from .objects import bad_request

KINDS = {"selfsubjectaccessreviews": "SelfSubjectAccessReview",
         "selfsubjectrulesreviews": "SelfSubjectRulesReview",
         "selfsubjectreviews": "SelfSubjectReview"}


def _echo(kind: str, body: dict) -> dict:
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    return {"kind": kind, "apiVersion": "authorization.k8s.io/v1", "metadata": meta,
            "spec": body.get("spec") or {}}


def access_review(store, user: User, body: dict) -> dict:
    spec = body.get("spec") or {}
    ra, nra = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if bool(ra) == bool(nra):
        raise bad_request("exactly one of nonResourceAttributes or resourceAttributes must be specified")
    if ra:
        a = rbac.Attributes(user, ra.get("verb") or "", ra.get("namespace") or "", ra.get("group") or "",
                            ra.get("resource") or "", ra.get("subresource") or "", ra.get("name") or "")
    else:
        a = rbac.Attributes(user, nra.get("verb") or "", path=nra.get("path") or "/")
    allowed, reason = rbac.authorize(store, a)
    out = _echo("SelfSubjectAccessReview", body)
    out["status"] = {"allowed": allowed}
    if reason:
        out["status"]["reason"] = reason
    return out


def rules_review(store, user: User, body: dict) -> dict:
    namespace = (body.get("spec") or {}).get("namespace") or ""
    resource, non_resource = rbac.rules_for(store, user, namespace)
    out = _echo("SelfSubjectRulesReview", body)
    out["status"] = {"resourceRules": resource, "nonResourceRules": non_resource, "incomplete": False}
    return out


def self_review(user: User, body: dict) -> dict:
    """authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`)."""
    meta = dict(body.get("metadata") or {})
    meta.setdefault("creationTimestamp", None)
    info: dict = {"username": user.name, "groups": list(user.groups)}
    if user.uid:
        info["uid"] = user.uid
    return {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": meta,
            "status": {"userInfo": info}}


def answer(store, user: User, plural: str, body) -> dict:
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    if plural == "selfsubjectreviews":
        return self_review(user, body)
    if plural == "selfsubjectaccessreviews":
        return access_review(store, user, body)
    return rules_review(store, user, body)
