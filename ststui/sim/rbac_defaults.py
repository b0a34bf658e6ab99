"""The default roles every cluster starts with, and the demo scenario's users and bindings.

Place in the flow: `scenarios.build` calls `install_defaults(store)` for every scenario
(kube-apiserver's bootstrap policy, cut to the kinds the sim serves) and `build_demo`
calls `bind_demo_users(store)`. `rbac.AggregationController` then fills `view`, `edit`
and `admin` from the `system:aggregate-to-*` roles, as upstream does.

Demo users (tokens in `authn.USERS`, contexts written by `kubeconfig`):
- `ststui-sim` is in `system:masters` (cluster admin, needs no binding);
- `viewer` holds `view` cluster-wide;
- `shop-operator` holds `edit` in namespace `shop` only.
Both also hold `ststui-sim:node-reader` (get/list/watch nodes, persistent volumes and
storage classes), which `view` does not grant and which a StatefulSet tool needs to show
where pods run and what their volumes are; real clusters give operators such a role.
"""
from __future__ import annotations

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
AGG = "rbac.authorization.k8s.io/aggregate-to-"
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}


def _rule(groups, resources, verbs, names=None) -> dict:
    r = {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}
    if names:
        r["resourceNames"] = list(names)
    return r


def _cluster_role(name: str, rules: list[dict], labels: dict | None = None, aggregate_from: str | None = None,
                  annotations: dict | None = None) -> dict:
    meta = {"name": name, "labels": dict(BOOTSTRAP_LABELS, **(labels or {})),
            "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true", **(annotations or {})}}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta,
            "rules": rules}
    if aggregate_from:
        role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {AGG + aggregate_from: "true"}}]}
        role["rules"] = []
    return role


def _binding(kind: str, name: str, role_kind: str, role: str, subjects: list[dict],
             namespace: str | None = None) -> dict:
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
            "subjects": subjects}


def _user(name: str) -> dict:
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}


def _group(name: str) -> dict:
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}


VIEW_RULES = [
    _rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                 "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                 "services/status"], READ),
    _rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                 "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], READ),
    _rule([""], ["namespaces"], READ),
    _rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                     "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                     "statefulsets/scale", "statefulsets/status"], READ),
    _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
    _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
    _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
    _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
]

EDIT_RULES = [
    _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
          ["get", "list", "watch"]),
    _rule([""], ["serviceaccounts"], ["impersonate"]),
    _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
          ["create", "delete", "deletecollection", "patch", "update"]),
    _rule([""], ["pods/eviction"], ["create"]),
    _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                 "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], WRITE),
    _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                     "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
    _rule(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
    _rule(["batch"], ["cronjobs", "jobs"], WRITE),
    _rule(["policy"], ["poddisruptionbudgets"], WRITE),
    _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
]

ADMIN_RULES = [
    _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    _rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], WRITE + READ),
]

DISCOVERY_URLS = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                  "/readyz", "/version", "/version/"]
PUBLIC_INFO_URLS = ["/healthz", "/livez", "/readyz", "/version", "/version/"]


def default_objects() -> list[tuple[str, dict]]:
    """(plural, object) of kube-apiserver's bootstrap policy for the kinds served."""
    roles = [
        _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
        _cluster_role("admin", [], None, aggregate_from="admin"),
        _cluster_role("edit", [], {AGG + "admin": "true"}, aggregate_from="edit"),
        _cluster_role("view", [], {AGG + "edit": "true"}, aggregate_from="view"),
        _cluster_role("system:aggregate-to-admin", ADMIN_RULES, {AGG + "admin": "true"}),
        _cluster_role("system:aggregate-to-edit", EDIT_RULES, {AGG + "edit": "true"}),
        _cluster_role("system:aggregate-to-view", VIEW_RULES, {AGG + "view": "true"}),
        _cluster_role("system:discovery", [{"nonResourceURLs": DISCOVERY_URLS, "verbs": ["get"]}]),
        _cluster_role("system:public-info-viewer", [{"nonResourceURLs": PUBLIC_INFO_URLS, "verbs": ["get"]}]),
        _cluster_role("system:basic-user", [
            _rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]),
    ]
    auto = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    bindings = []
    for name, subjects in (("cluster-admin", [_group("system:masters")]),
                           ("system:discovery", [_group("system:authenticated")]),
                           ("system:basic-user", [_group("system:authenticated")]),
                           ("system:public-info-viewer", [_group("system:authenticated"),
                                                          _group("system:unauthenticated")])):
        b = _binding("ClusterRoleBinding", name, "ClusterRole", name, subjects)
        b["metadata"].update(labels=dict(BOOTSTRAP_LABELS), annotations=dict(auto))
        bindings.append(b)
    return [("clusterroles", r) for r in roles] + [("clusterrolebindings", b) for b in bindings]


NODE_READER = _cluster_role("ststui-sim:node-reader",
                            [_rule([""], ["nodes", "persistentvolumes"], READ),
                             _rule(["storage.k8s.io"], ["storageclasses"], READ)])
NODE_READER["metadata"]["labels"] = {}
NODE_READER["metadata"]["annotations"] = {}


def demo_user_objects() -> list[tuple[str, dict]]:
    return [
        ("clusterroles", NODE_READER),
        ("clusterrolebindings", _binding("ClusterRoleBinding", "viewer-view", "ClusterRole", "view", [_user("viewer")])),
        ("clusterrolebindings", _binding("ClusterRoleBinding", "operators-node-reader", "ClusterRole",
                                         "ststui-sim:node-reader", [_user("viewer"), _user("shop-operator")])),
        ("rolebindings", _binding("RoleBinding", "shop-operator-edit", "ClusterRole", "edit",
                                  [_user("shop-operator")], namespace="shop")),
    ]


def _create_missing(store, objects) -> None:
    for plural, obj in objects:
        meta = obj["metadata"]
        if store.find(plural, meta.get("namespace"), meta["name"]) is None:
            store.create(plural, obj, meta.get("namespace"))


def install_defaults(store) -> None:
    _create_missing(store, default_objects())


def bind_demo_users(store) -> None:
    """The demo's viewer and shop-operator bindings (namespace `shop` must exist)."""
    _create_missing(store, demo_user_objects())
