"""Small helpers for integration tests: make and change objects over HTTP, and wait
(bounded) for the store to match the server."""
from __future__ import annotations

import time
from typing import Callable

import pytest

from ststui.kube.rest import request_json
from ststui.kube.watch import WATCHED


def wait_for(predicate, limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def wait_matches(expected_now: Callable[[], dict], got_now: Callable[[], dict], limit: float = 60.0) -> None:
    """Poll until `got_now()` equals `expected_now()` (per kind: key -> value); fail with
    the keys missing, extra (ghosts) and different."""
    deadline = time.monotonic() + limit
    expected = got = None
    while time.monotonic() < deadline:
        expected, got = expected_now(), got_now()
        if got == expected:
            return
        time.sleep(0.05)
    diff = {p: {"missing": sorted(set(expected[p]) - set(got[p]))[:5],
                "extra": sorted(set(got[p]) - set(expected[p]))[:5],
                "different": sorted(k for k in set(got[p]) & set(expected[p]) if got[p][k] != expected[p][k])[:5]}
            for p in WATCHED if expected[p] != got[p]}
    pytest.fail(f"store never matched a fresh LIST: {diff}")


def statefulset_manifest(name: str, replicas: int, image: str = "nginx:1.27",
                         service: str | None = None, claim: bool = True,
                         strategy: dict | None = None) -> dict:
    labels = {"app": name}
    spec: dict = {
        "replicas": replicas,
        "serviceName": service or name,
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels},
                     "spec": {"containers": [{"name": "main", "image": image,
                                              "ports": [{"containerPort": 80, "name": "web"}]}]}},
    }
    if claim:
        spec["volumeClaimTemplates"] = [{
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                     "resources": {"requests": {"storage": "1Gi"}}}}]
    if strategy:
        spec["updateStrategy"] = strategy
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name}, "spec": spec}


def make_statefulset(api, namespace: str, name: str, replicas: int, **kw) -> dict:
    return request_json(api, "POST", f"/apis/apps/v1/namespaces/{namespace}/statefulsets",
                        body=statefulset_manifest(name, replicas, **kw))


def make_headless_service(api, namespace: str, name: str) -> dict:
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"clusterIP": "None", "selector": {"app": name},
                     "ports": [{"port": 80, "name": "web"}]}}
    return request_json(api, "POST", f"/api/v1/namespaces/{namespace}/services", body=body)


def scale(api, namespace: str, name: str, replicas: int) -> dict:
    return request_json(api, "PATCH", f"/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale",
                        body={"spec": {"replicas": replicas}}, content_type="application/merge-patch+json")
