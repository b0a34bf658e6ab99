"""Large LISTs: chunked and encoded a slice of items (or Table rows) at a time.

The cluster is `scale:24x50` (1,200 pods: more than one slice of `server.LIST_SLICE_ITEMS`
and of `server.TABLE_SLICE_ROWS`), on a manual clock, served on 127.0.0.1 and read through
the official client and kubectl.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from kubernetes import client, config

from ststui.sim.kubeconfig import write_kubeconfig
from ststui.sim.main import build_cluster
from ststui.sim.server import LIST_SLICE_ITEMS, SimServer

from rawhttp import Raw, lines

PODS = 1200
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    cluster = build_cluster("scale:24x50", clock="manual")
    server = SimServer(cluster, "127.0.0.1", 0).start()
    kubeconfig = write_kubeconfig(tmp_path_factory.mktemp("large") / "kubeconfig", server.url)
    api = config.new_client_from_config(config_file=str(kubeconfig))
    yield api, kubeconfig
    api.close()
    server.stop()
    cluster.stop()


def test_a_list_bigger_than_a_slice_arrives_whole_and_equals_its_pages(served):
    api, _ = served
    response = client.CoreV1Api(api).list_pod_for_all_namespaces(_preload_content=False)
    assert response.headers["Transfer-Encoding"] == "chunked" and PODS > LIST_SLICE_ITEMS
    whole = json.loads(response.data)
    assert whole["kind"] == "PodList" and len(whole["items"]) == PODS
    paged, token = [], None
    while True:
        query = [("limit", "128")] + ([("continue", token)] if token else [])
        status, page, headers = Raw(api).get("/api/v1/pods", query=query)
        assert status == 200 and int(headers["Content-Length"]) > 0     # a page is one body
        paged += page["items"]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert paged == whole["items"]


def test_a_table_list_bigger_than_a_slice_has_every_row_once(served):
    api, _ = served
    raw = Raw(api)
    status, table, _ = raw.get("/api/v1/pods", query=[("limit", "200")], accept=TABLE)
    assert status == 200 and table["kind"] == "Table" and table["columnDefinitions"]
    assert "continue" not in table["metadata"]          # every row in one answer (see server._list_table)
    status, listed, _ = raw.get("/api/v1/pods")
    assert [r["object"]["metadata"]["name"] for r in table["rows"]] == \
        [p["metadata"]["name"] for p in listed["items"]]
    assert len(table["rows"]) == PODS
    assert {r["cells"][2] for r in table["rows"]} == {"Running"}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("chunk", ["500", "0"])
def test_kubectl_get_pods_all_namespaces_prints_every_pod_once(served, chunk, tmp_path):
    _, kubeconfig = served
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "pods", "-A",
                           f"--chunk-size={chunk}"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAMESPACE", "NAME"]
    rows = [line.split()[1] for line in lines[1:]]
    assert len(rows) == len(set(rows)) == PODS


def test_a_watch_from_now_starts_with_every_pod_then_follows_changes(served):
    api, _ = served
    raw = Raw(api)
    stream = raw.open("GET", "/api/v1/pods", query={"watch": "true", "timeoutSeconds": "30"}, timeout=30)
    try:
        events = lines(stream)
        first = [next(events) for _ in range(PODS)]
        assert {e["type"] for e in first} == {"ADDED"}
        assert len({e["object"]["metadata"]["name"] for e in first}) == PODS
        versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in first]
        assert versions == sorted(versions)
        status, _, _ = raw.request("POST", "/_sim/churn", query={"plural": "pods", "count": "1"})
        assert status == 200
        event = next(e for e in events if e["type"] != "BOOKMARK")
        assert event["type"] == "MODIFIED" and int(event["object"]["metadata"]["resourceVersion"]) > versions[-1]
    finally:
        stream.release_conn()
