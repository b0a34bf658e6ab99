"""Small helpers for integration tests: make and change objects over HTTP."""
from __future__ import annotations

from ststui.kube.rest import request_json


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
