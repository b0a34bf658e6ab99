"""Kubeconfig files that point kubectl and ststui at a simulated cluster.

Place in the flow: `ststui sim` and `ststui --demo` write one after the server starts;
`kubectl --kubeconfig PATH` and `ststui --kubeconfig PATH` read it. Context and cluster
are named `ststui-sim`; the user carries a dummy token (the sim checks no credentials).
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

CONTEXT = "ststui-sim"
DUMMY_TOKEN = "ststui-sim-token"


def kubeconfig_dict(server_url: str, namespace: str = "default") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": CONTEXT, "cluster": {"server": server_url}}],
        "users": [{"name": CONTEXT, "user": {"token": DUMMY_TOKEN}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}],
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
