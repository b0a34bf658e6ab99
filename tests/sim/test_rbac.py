"""Users, RBAC, access reviews and impersonation over HTTP with the official client.

The `sim` fixture's cluster is the empty scenario: default roles only. `demo_users`
creates namespace `shop` and the demo scenario's bindings through the API as admin.
"""
from __future__ import annotations

import json

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from ststui.sim.kubeconfig import SHOP_OPERATOR_CONTEXT, VIEWER_CONTEXT
from ststui.sim.rbac_defaults import demo_user_objects
from ststui.sim.scenarios import statefulset

from rawhttp import Raw


def _api_for(sim, context: str | None = None):
    api = config.new_client_from_config(config_file=str(sim.kubeconfig), context=context)
    sim._clients.append(api)
    return api


@pytest.fixture
def demo_users(sim):
    admin = sim.api()
    core, rbac_api = client.CoreV1Api(admin), client.RbacAuthorizationV1Api(admin)
    core.create_namespace({"metadata": {"name": "shop"}})
    for plural, obj in demo_user_objects():
        if plural == "clusterroles":
            rbac_api.create_cluster_role(obj)
        elif plural == "clusterrolebindings":
            rbac_api.create_cluster_role_binding(obj)
        else:
            rbac_api.create_namespaced_role_binding(obj["metadata"]["namespace"], obj)
    for ns in ("shop", "default"):
        client.AppsV1Api(admin).create_namespaced_stateful_set(ns, statefulset("web", "nginx:1.25", 2, service="web"))
    sim.settle()
    return {"admin": admin, "viewer": _api_for(sim, VIEWER_CONTEXT),
            "shop-operator": _api_for(sim, SHOP_OPERATOR_CONTEXT)}


def _status(call) -> tuple[int, dict]:
    try:
        call()
    except ApiException as e:
        return e.status, json.loads(e.body)
    return 200, {}


def test_viewer_reads_everywhere_and_changes_nothing(demo_users):
    viewer = demo_users["viewer"]
    assert client.CoreV1Api(viewer).list_namespaced_pod("shop").items
    assert client.AppsV1Api(viewer).read_namespaced_stateful_set_scale("web", "default").spec.replicas == 2
    assert client.CoreV1Api(viewer).list_node().items
    code, body = _status(lambda: client.AppsV1Api(viewer).patch_namespaced_stateful_set(
        "web", "shop", {"spec": {"replicas": 3}}))
    assert code == 403
    assert body["message"] == ('statefulsets.apps "web" is forbidden: User "viewer" cannot patch resource '
                               '"statefulsets" in API group "apps" in the namespace "shop"')
    assert body["reason"] == "Forbidden" and body["details"] == {"name": "web", "group": "apps",
                                                                 "kind": "statefulsets"}
    code, body = _status(lambda: client.AppsV1Api(viewer).patch_namespaced_stateful_set_scale(
        "web", "shop", {"spec": {"replicas": 3}}))
    assert code == 403 and 'cannot patch resource "statefulsets/scale"' in body["message"]
    code, body = _status(lambda: client.CoreV1Api(viewer).create_namespaced_pod_eviction(
        "web-0", "shop", {"metadata": {"name": "web-0", "namespace": "shop"}}))
    assert code == 403 and body["message"] == (
        'pods "web-0" is forbidden: User "viewer" cannot create resource "pods/eviction" in API group "" '
        'in the namespace "shop"')
    code, body = _status(lambda: client.RbacAuthorizationV1Api(viewer).list_cluster_role())
    assert code == 403 and body["message"] == (
        'clusterroles.rbac.authorization.k8s.io is forbidden: User "viewer" cannot list resource "clusterroles" '
        'in API group "rbac.authorization.k8s.io" at the cluster scope')
    assert client.AppsV1Api(demo_users["admin"]).read_namespaced_stateful_set("web", "shop").spec.replicas == 2


def test_shop_operator_edits_shop_only(demo_users):
    op = demo_users["shop-operator"]
    apps = client.AppsV1Api(op)
    apps.patch_namespaced_stateful_set_scale("web", "shop", {"spec": {"replicas": 3}})
    assert apps.read_namespaced_stateful_set("web", "shop").spec.replicas == 3
    code, body = _status(lambda: apps.patch_namespaced_stateful_set("web", "default", {"spec": {"replicas": 3}}))
    assert code == 403 and body["message"] == (
        'statefulsets.apps "web" is forbidden: User "shop-operator" cannot patch resource "statefulsets" '
        'in API group "apps" in the namespace "default"')
    code, _ = _status(lambda: client.CoreV1Api(op).list_namespaced_pod("default"))
    assert code == 403
    code, _ = _status(lambda: client.RbacAuthorizationV1Api(op).create_namespaced_role(
        "shop", {"metadata": {"name": "mine"}, "rules": []}))
    assert code == 403          # edit does not grant RBAC objects (admin does)


def test_a_token_nobody_holds_is_401(sim):
    cfg = client.Configuration(host=sim.url, api_key={"BearerToken": "not-a-token"},
                               api_key_prefix={"BearerToken": "Bearer"})
    api = client.ApiClient(cfg)
    sim._clients.append(api)
    code, body = _status(lambda: client.CoreV1Api(api).list_namespaced_pod("default"))
    assert code == 401 and body["reason"] == "Unauthorized" and body["message"] == "Unauthorized"


def _ssar(api, **attrs) -> dict:
    review = client.AuthorizationV1Api(api).create_self_subject_access_review(
        {"spec": {"resourceAttributes": attrs}})
    return review.status


def test_self_subject_access_review_answers_per_user(demo_users):
    assert _ssar(demo_users["viewer"], verb="list", resource="pods", namespace="shop").allowed
    assert not _ssar(demo_users["viewer"], verb="patch", group="apps", resource="statefulsets",
                     namespace="shop").allowed
    op = _ssar(demo_users["shop-operator"], verb="create", resource="pods", subresource="eviction",
               namespace="shop")
    assert op.allowed and op.reason == ('RBAC: allowed by RoleBinding "shop-operator-edit/shop" of ClusterRole '
                                        '"edit" to User "shop-operator"')
    assert not _ssar(demo_users["shop-operator"], verb="delete", resource="pods", namespace="db").allowed
    assert _ssar(demo_users["admin"], verb="delete", resource="nodes").allowed


def test_self_subject_rules_review_lists_the_rules_held(demo_users):
    rules = client.AuthorizationV1Api(demo_users["shop-operator"]).create_self_subject_rules_review(
        {"spec": {"namespace": "shop"}}).status
    assert not rules.incomplete
    patch_sts = [r for r in rules.resource_rules if "apps" in r.api_groups and "statefulsets" in r.resources
                 and "patch" in r.verbs]
    assert patch_sts
    elsewhere = client.AuthorizationV1Api(demo_users["shop-operator"]).create_self_subject_rules_review(
        {"spec": {"namespace": "db"}}).status
    assert not [r for r in elsewhere.resource_rules if "statefulsets" in r.resources]


def test_impersonation_is_the_admins_alone(demo_users):
    api = demo_users["admin"]
    api.set_default_header("Impersonate-User", "viewer")
    code, body = _status(lambda: client.AppsV1Api(api).patch_namespaced_stateful_set(
        "web", "shop", {"spec": {"replicas": 4}}))
    assert code == 403 and 'User "viewer" cannot patch' in body["message"]
    assert client.CoreV1Api(api).list_namespaced_pod("shop").items      # viewer may read
    viewer = demo_users["viewer"]
    viewer.set_default_header("Impersonate-User", "ststui-sim")
    code, body = _status(lambda: client.CoreV1Api(viewer).list_namespaced_pod("shop"))
    assert code == 403 and body["message"] == (
        'users "ststui-sim" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" '
        'at the cluster scope')


def test_rule_changes_apply_to_the_next_request(demo_users):
    op = demo_users["shop-operator"]
    client.AppsV1Api(op).read_namespaced_stateful_set("web", "shop")
    client.RbacAuthorizationV1Api(demo_users["admin"]).delete_namespaced_role_binding("shop-operator-edit", "shop")
    code, _ = _status(lambda: client.AppsV1Api(op).read_namespaced_stateful_set("web", "shop"))
    assert code == 403


def test_aggregation_fills_view_edit_and_admin(sim):
    rbac_api = client.RbacAuthorizationV1Api(sim.api())
    view = rbac_api.read_cluster_role("view")
    assert any("statefulsets" in r.resources for r in view.rules)
    edit = rbac_api.read_cluster_role("edit")
    assert any("statefulsets" in r.resources and "patch" in r.verbs for r in edit.rules)
    assert any("statefulsets" in r.resources and "watch" in r.verbs for r in edit.rules)   # view's, aggregated
    rbac_api.create_cluster_role({"metadata": {"name": "crontab-viewer",
                                               "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
                                  "rules": [{"apiGroups": ["example.com"], "resources": ["crontabs"],
                                             "verbs": ["get"]}]})
    sim.settle()
    for name in ("view", "edit", "admin"):
        assert any("crontabs" in r.resources for r in rbac_api.read_cluster_role(name).rules), name


def test_discovery_needs_an_authenticated_user_and_is_allowed_to_all(demo_users):
    status, doc, _ = Raw(demo_users["viewer"]).get("/apis")
    assert status == 200 and doc["kind"] == "APIGroupList"
