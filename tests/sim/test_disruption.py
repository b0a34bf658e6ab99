"""PodDisruptionBudget status, pods/eviction and protobuf DeleteOptions over HTTP with the official client."""
from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from ststui.sim.scenarios import pod_disruption_budget, statefulset

from rawhttp import Raw


def _varint(n: int) -> bytes:
    out = b""
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def _field(number: int, value) -> bytes:
    if isinstance(value, bool) or isinstance(value, int):
        return _varint(number << 3) + _varint(int(value))
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def protobuf_delete_options(grace: int) -> bytes:
    """What kubectl 1.32 sends: the k8s\\0 magic and a runtime.Unknown around a DeleteOptions."""
    raw = _field(1, grace) + _field(4, "Background")
    type_meta = _field(1, "v1") + _field(2, "DeleteOptions")
    return b"k8s\x00" + _field(1, type_meta) + _field(2, raw)


@pytest.fixture
def web(sim):
    api = sim.api()
    client.AppsV1Api(api).create_namespaced_stateful_set("default", statefulset("web", "nginx:1.25", 3, service="web"))
    sim.settle()
    return api


def _pdb(api, name: str = "web"):
    return client.PolicyV1Api(api).read_namespaced_pod_disruption_budget(name, "default").status


def test_status_counts_healthy_pods_against_int_and_percent(sim, web):
    policy = client.PolicyV1Api(web)
    policy.create_namespaced_pod_disruption_budget("default", pod_disruption_budget("web", {"app": "web"},
                                                                                    min_available=2))
    sim.settle()
    s = _pdb(web)
    assert (s.expected_pods, s.current_healthy, s.desired_healthy, s.disruptions_allowed) == (3, 3, 2, 1)
    assert s.observed_generation == 1 and s.conditions[0].reason == "SufficientPods"
    policy.patch_namespaced_pod_disruption_budget("web", "default", {"spec": {"minAvailable": "100%"}})
    sim.settle()
    s = _pdb(web)
    assert (s.expected_pods, s.desired_healthy, s.disruptions_allowed, s.observed_generation) == (3, 3, 0, 2)
    assert s.conditions[0].status == "False" and s.conditions[0].reason == "InsufficientPods"
    policy.replace_namespaced_pod_disruption_budget("web", "default", dict(
        pod_disruption_budget("web", {"app": "web"}, max_unavailable="50%"),
        metadata={"name": "web", "resourceVersion": policy.read_namespaced_pod_disruption_budget(
            "web", "default").metadata.resource_version}))
    sim.settle()
    s = _pdb(web)
    assert (s.expected_pods, s.desired_healthy, s.disruptions_allowed) == (3, 1, 2)   # 50% of 3 rounds up to 2


def test_both_fields_set_is_invalid(sim, web):
    body = pod_disruption_budget("web", {"app": "web"}, min_available=1, max_unavailable=1)
    with pytest.raises(ApiException) as e:
        client.PolicyV1Api(web).create_namespaced_pod_disruption_budget("default", body)
    assert e.value.status == 422 and "minAvailable and maxUnavailable cannot be both set" in e.value.body


def _evict(api, name: str):
    return client.CoreV1Api(api).create_namespaced_pod_eviction(
        name, "default", {"apiVersion": "policy/v1", "kind": "Eviction",
                          "metadata": {"name": name, "namespace": "default"}})


def test_eviction_allowed_then_refused_by_the_budget_then_allowed(sim, web):
    client.PolicyV1Api(web).create_namespaced_pod_disruption_budget(
        "default", pod_disruption_budget("web", {"app": "web"}, max_unavailable=1))
    sim.settle()
    uid = client.CoreV1Api(web).read_namespaced_pod("web-0", "default").metadata.uid
    _evict(web, "web-0")
    assert client.CoreV1Api(web).read_namespaced_pod("web-0", "default").metadata.deletion_timestamp
    assert _pdb(web).disruptions_allowed == 0        # the eviction itself took the one allowed disruption
    sim.cluster.run_pending()                        # the controller recounts (no time passes)
    assert _pdb(web).current_healthy == 2
    with pytest.raises(ApiException) as e:
        _evict(web, "web-1")
    body = json.loads(e.value.body)
    assert e.value.status == 429 and body["reason"] == "TooManyRequests"
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert body["details"]["causes"] == [{"reason": "DisruptionBudget",
                                          "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]
    assert not client.CoreV1Api(web).read_namespaced_pod("web-1", "default").metadata.deletion_timestamp
    sim.settle()
    assert client.CoreV1Api(web).read_namespaced_pod("web-0", "default").metadata.uid != uid   # replaced
    assert _pdb(web).disruptions_allowed == 1
    _evict(web, "web-1")
    assert client.CoreV1Api(web).read_namespaced_pod("web-1", "default").metadata.deletion_timestamp


def test_eviction_without_a_budget_deletes_the_pod(sim, web):
    _evict(web, "web-2")
    assert client.CoreV1Api(web).read_namespaced_pod("web-2", "default").metadata.deletion_timestamp


def test_protobuf_delete_options_are_read(sim, web):
    resp = Raw(web).open("DELETE", "/api/v1/namespaces/default/pods/web-1",
                         raw_body=protobuf_delete_options(0),
                         content_type="application/vnd.kubernetes.protobuf")
    assert resp.status == 200, resp.data
    resp.release_conn()
    names = [p.metadata.name for p in client.CoreV1Api(web).list_namespaced_pod("default").items
             if p.metadata.name == "web-1" and p.metadata.deletion_timestamp]
    assert names == []          # grace 0: gone at once, not terminating


def test_garbage_protobuf_is_415(sim, web):
    resp = Raw(web).open("DELETE", "/api/v1/namespaces/default/pods/web-1", raw_body=b"k8s\x00\xff\xff",
                         content_type="application/vnd.kubernetes.protobuf")
    assert resp.status == 415
    resp.release_conn()
    assert client.CoreV1Api(web).read_namespaced_pod("web-1", "default").metadata.deletion_timestamp is None
