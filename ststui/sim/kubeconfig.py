"""Kubeconfig files that point kubectl and ststui at a simulated cluster.

Place in the flow: `ststui sim` and `ststui --demo` write one after the server starts;
`kubectl --kubeconfig PATH` and `ststui --kubeconfig PATH` read it. The cluster is
named `ststui-sim`; there is one context per demo user (`authn.USERS`), each with its own
token: `ststui-sim` (cluster admin, the current context), `ststui-sim-viewer` (`view`
cluster-wide) and `ststui-sim-shop-operator` (`edit` in namespace `shop`). kubectl sends no
credentials over plain HTTP, so the non-admin users also carry `as:` (impersonation).
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

CONTEXT = "ststui-sim"
DUMMY_TOKEN = "ststui-sim-token"
VIEWER_CONTEXT = "ststui-sim-viewer"
SHOP_OPERATOR_CONTEXT = "ststui-sim-shop-operator"
# context -> (token, user name, namespace or None for the default one)
CONTEXTS = {
    CONTEXT: (DUMMY_TOKEN, None, None),
    VIEWER_CONTEXT: ("ststui-sim-viewer-token", "viewer", None),
    SHOP_OPERATOR_CONTEXT: ("ststui-sim-shop-operator-token", "shop-operator", "shop"),
}


def _user_entry(token: str, name: str | None) -> dict:
    # kubectl (client-go) sends no credentials over plain HTTP, only impersonation headers:
    # `as` makes it act as the user anyway (the sim lets credential-less requests impersonate).
    # The Python client sends the token, which names the same user.
    user: dict = {"token": token}
    if name:
        user["as"] = name
    return user


def kubeconfig_dict(server_url: str, namespace: str = "default") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": CONTEXT, "cluster": {"server": server_url}}],
        "users": [{"name": name, "user": _user_entry(token, user)} for name, (token, user, _) in CONTEXTS.items()],
        "contexts": [{"name": name, "context": {"cluster": CONTEXT, "user": name, "namespace": ns or namespace}}
                     for name, (_, _, ns) in CONTEXTS.items()],
        "current-context": CONTEXT,
    }


def write_kubeconfig(path: str | os.PathLike, server_url: str, namespace: str = "default") -> Path:
    """Write the kubeconfig (mode 0600, parent folders created) and return its path."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(kubeconfig_dict(server_url, namespace), sort_keys=False)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(target, 0o600)
    return target
