"""Asking the server what the user may do: whoami, SelfSubjectRulesReview, SelfSubjectAccessReview.

Place in the flow: the app runs `probe(api, namespace)` in a thread worker when it
connects and when a namespace's StatefulSets are first shown (and again after a 403),
and records the answers in `state.access.Access`. One SelfSubjectRulesReview answers
every namespaced need; if the server cannot list rules (404/403, or `incomplete`), each
need is asked with a SelfSubjectAccessReview. Cluster-scoped needs are always asked with
a SelfSubjectAccessReview (rules of a namespace mix in bindings that do not reach the
cluster scope). Failures give "unknown" (no answer), never an exception.
"""
from __future__ import annotations

from ststui.kube.rest import request_json
from ststui.state.access import ACTION_NEEDS, Need, rules_allow

TIMEOUT = 10


def whoami(api) -> str | None:
    """The user name the server sees (authentication.k8s.io/v1 SelfSubjectReview), or None."""
    try:
        answer = request_json(api, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                              body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
                              timeout=TIMEOUT)
    except Exception:
        return None
    return ((answer or {}).get("status") or {}).get("userInfo", {}).get("username") or None


def access_review(api, need: Need, namespace: str) -> bool | None:
    attrs = {"verb": need.verb, "group": need.group, "resource": need.resource}
    if need.subresource:
        attrs["subresource"] = need.subresource
    if not need.cluster_scoped and namespace:
        attrs["namespace"] = namespace
    try:
        answer = request_json(api, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                              body={"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                                    "spec": {"resourceAttributes": attrs}}, timeout=TIMEOUT)
    except Exception:
        return None
    status = (answer or {}).get("status") or {}
    return bool(status.get("allowed")) if "allowed" in status else None


def rules_review(api, namespace: str) -> list[dict] | None:
    try:
        answer = request_json(api, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                              body={"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                                    "spec": {"namespace": namespace}}, timeout=TIMEOUT)
    except Exception:
        return None
    status = (answer or {}).get("status") or {}
    if status.get("incomplete") or "resourceRules" not in status:
        return None
    return list(status.get("resourceRules") or [])


def probe(api, namespace: str) -> tuple[dict[Need, bool], dict[Need, bool]]:
    """(answers in `namespace`, answers at the cluster scope) for every action's need."""
    needs = set(ACTION_NEEDS.values())
    namespaced = [n for n in needs if not n.cluster_scoped]
    cluster = [n for n in needs if n.cluster_scoped]
    here: dict[Need, bool] = {}
    rules = rules_review(api, namespace)
    for need in namespaced:
        answer = rules_allow(rules, need) if rules is not None else access_review(api, need, namespace)
        if answer is not None:
            here[need] = answer
    scope: dict[Need, bool] = {}
    for need in cluster:
        answer = access_review(api, need, "")
        if answer is not None:
            scope[need] = answer
    return here, scope
