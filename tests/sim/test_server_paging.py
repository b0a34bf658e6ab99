"""LIST pagination over HTTP: limit/continue serve one consistent snapshot; stale tokens are 410."""
from __future__ import annotations

from ststui.kube.rest import HttpError, request_json


def make_configless_pods(sim, n: int) -> None:
    for i in range(n):
        sim.store.create("pods", {"metadata": {"name": f"p-{i:03d}", "namespace": "default"},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})


def test_pages_cover_the_list_once_from_one_snapshot(sim):
    make_configless_pods(sim, 25)
    api = sim.api()
    first = request_json(api, "GET", "/api/v1/namespaces/default/pods", query=[("limit", "10")])
    rv = first["metadata"]["resourceVersion"]
    assert len(first["items"]) == 10 and first["metadata"]["remainingItemCount"] == 15
    # Changes after the first page do not leak into later pages.
    sim.store.create("pods", {"metadata": {"name": "p-zzz", "namespace": "default"},
                              "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    names = [p["metadata"]["name"] for p in first["items"]]
    token = first["metadata"]["continue"]
    while token:
        page = request_json(api, "GET", "/api/v1/namespaces/default/pods",
                            query=[("limit", "10"), ("continue", token)])
        assert page["metadata"]["resourceVersion"] == rv
        names += [p["metadata"]["name"] for p in page["items"]]
        token = page["metadata"].get("continue")
    assert names == [f"p-{i:03d}" for i in range(25)]


def test_an_unknown_continue_token_is_410(sim):
    api = sim.api()
    import base64
    token = base64.urlsafe_b64encode(b'{"s":999,"o":5}').decode().rstrip("=")
    try:
        request_json(api, "GET", "/api/v1/pods", query=[("limit", "5"), ("continue", token)])
    except HttpError as e:
        assert e.status == 410 and e.reason == "Expired"
    else:
        raise AssertionError("an unknown continue token was accepted")


def test_a_garbled_continue_token_is_400(sim):
    api = sim.api()
    try:
        request_json(api, "GET", "/api/v1/pods", query=[("limit", "5"), ("continue", "%%%")])
    except HttpError as e:
        assert e.status == 400
    else:
        raise AssertionError("a garbled continue token was accepted")


def test_later_pages_show_the_versions_of_the_snapshot_after_a_status_write(sim):
    from kubernetes import client
    core = client.CoreV1Api(sim.api())
    for i in range(25):
        core.create_namespaced_pod("default", {"metadata": {"name": f"p-{i:03d}"},
                                               "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    sim.settle()            # manual clock: nothing changes now until the test writes
    api = sim.api()
    listed = request_json(api, "GET", "/api/v1/namespaces/default/pods")
    created = {p["metadata"]["name"]: p["metadata"]["resourceVersion"] for p in listed["items"]}
    first = request_json(api, "GET", "/api/v1/namespaces/default/pods", query=[("limit", "10")])
    assert first["metadata"]["resourceVersion"] == listed["metadata"]["resourceVersion"]
    # A status-only write: the new version's metadata differs from the old one only in its
    # resourceVersion; the old version (in the snapshot) must keep its own.
    core.patch_namespaced_pod_status("p-020", "default", {"status": {"message": "patched"}})
    seen = {p["metadata"]["name"]: p for p in first["items"]}
    token = first["metadata"]["continue"]
    while token:
        page = request_json(api, "GET", "/api/v1/namespaces/default/pods",
                            query=[("limit", "10"), ("continue", token)])
        seen.update((p["metadata"]["name"], p) for p in page["items"])
        token = page["metadata"].get("continue")
    assert {name: p["metadata"]["resourceVersion"] for name, p in seen.items()} == created
    assert "message" not in seen["p-020"]["status"]
    now = core.read_namespaced_pod_status("p-020", "default")
    assert now.status.message == "patched" and now.metadata.resource_version != created["p-020"]
