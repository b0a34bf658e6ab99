"""The scale scenario built in bulk (scale_bulk / bulk.BulkWriter) equals the API path, object for object.

Two clusters on the same manual clock and seed: one built with `build_scale(bulk=True)` (what
`--scenario scale:SxR` runs), one with `bulk=False` (every claim, volume and pod created and
bound through `store.create` / `mutate`, admission included). Both are served over HTTP and
read through the official client: every kind's LIST must be the same bytes' worth of JSON,
uids, resourceVersions and creation times included. Then the same changes go to both over
HTTP (scale up and down, a pod deleted, a template changed) and, once the clocks have
settled, the clusters must still be equal: the controllers' indexes filled by the bulk
writes are those the API path leaves.
"""
from __future__ import annotations

import json

import pytest
from kubernetes import client

from ststui.sim import scenarios
from ststui.sim.cluster import Cluster
from ststui.sim.clock import ManualClock
from ststui.sim.kubeconfig import write_kubeconfig
from ststui.sim.resources import RESOURCE_TYPES
from ststui.sim.server import SimServer

from rawhttp import Raw

START = 1_800_000_000.0
SETS, REPLICAS = 7, 3


class Served:
    def __init__(self, bulk: bool, tmp_path) -> None:
        self.cluster = Cluster(ManualClock(START))
        with scenarios._manual_clock(self.cluster, scenarios.SCALE_HISTORY_SECONDS):
            scenarios.build_scale(self.cluster, SETS, REPLICAS, bulk=bulk)
        self.server = SimServer(self.cluster, "127.0.0.1", 0).start()
        path = write_kubeconfig(tmp_path / ("bulk" if bulk else "api") / "kubeconfig", self.server.url)
        from kubernetes import config
        self.api = config.new_client_from_config(config_file=str(path))
        self.raw = Raw(self.api)

    def everything(self) -> dict[str, list[dict]]:
        out = {}
        for rt in (t for t in RESOURCE_TYPES if "list" in t.verbs):
            status, body, _ = self.raw.get(rt.base_path(None))
            assert status == 200, (rt.plural, body)
            out[rt.plural] = body["items"]
        return out

    def settle(self) -> None:
        status, _, _ = self.raw.request("POST", "/_sim/settle")
        assert status == 200

    def close(self) -> None:
        self.api.close()
        self.server.stop()
        self.cluster.stop()


@pytest.fixture
def pair(tmp_path):
    bulk, api = Served(True, tmp_path), Served(False, tmp_path)
    yield bulk, api
    bulk.close()
    api.close()


def assert_same(bulk: Served, api: Served) -> None:
    a, b = bulk.everything(), api.everything()
    for plural in a:
        assert len(a[plural]) == len(b[plural]), plural
        for x, y in zip(a[plural], b[plural]):
            assert json.dumps(x) == json.dumps(y), (plural, x["metadata"]["name"])


def test_bulk_build_equals_the_api_path_object_for_object(pair):
    bulk, api = pair
    objs = bulk.everything()
    assert len(objs["pods"]) == len(objs["persistentvolumeclaims"]) == len(objs["persistentvolumes"]) \
        == SETS * REPLICAS
    assert len(objs["controllerrevisions"]) == SETS
    uids = [o["metadata"]["uid"] for items in objs.values() for o in items]
    assert len(set(uids)) == len(uids)
    rvs = [int(o["metadata"]["resourceVersion"]) for items in objs.values() for o in items]
    assert len(set(rvs)) == len(rvs)
    assert_same(bulk, api)


def test_bulk_built_cluster_behaves_like_the_api_built_one(pair):
    bulk, api = pair
    for side in pair:
        apps, core = client.AppsV1Api(side.api), client.CoreV1Api(side.api)
        apps.patch_namespaced_stateful_set_scale("app-0000", "scale-00", {"spec": {"replicas": 5}})
        apps.patch_namespaced_stateful_set_scale("app-0001", "scale-01", {"spec": {"replicas": 1}})
        core.delete_namespaced_pod("app-0002-1", "scale-02")
        core.delete_namespaced_persistent_volume_claim("data-app-0003-2", "scale-03")
        apps.patch_namespaced_stateful_set("app-0004", "scale-04", {"spec": {"template": {"spec": {
            "containers": [{"name": "nginx", "image": "nginx:1.28"}]}}}})
        side.settle()
    assert_same(bulk, api)
    pods = {p["metadata"]["name"]: p for p in bulk.everything()["pods"]}
    assert {"app-0000-3", "app-0000-4", "app-0002-1"} <= set(pods) and "app-0001-1" not in pods
    assert pods["app-0004-0"]["spec"]["containers"][0]["image"] == "nginx:1.28"
