"""Sim controls under /_sim/ (clock, nodes, faults, state), fault effects on API requests,
loopback-only binding and the `ststui sim` command line."""
import json
import subprocess
import sys
import urllib.error

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from rawhttp import Raw
from ststui.sim.server import SimServer
from test_server_crud import pod_body


def http_error(sim, path, method="POST", **query):
    with pytest.raises(urllib.error.HTTPError) as err:
        sim.control(path, method, **query)
    return err.value.code, json.loads(err.value.read())


def test_state_reports_version_clock_and_counts(sim):
    state = sim.control("state", method="GET")
    assert int(state["resourceVersion"]) == sim.store.rv
    assert state["clock"]["manual"] is True
    assert state["counts"]["namespaces"] >= 1 and state["counts"]["nodes"] >= 1
    assert state["server"]["url"] == sim.url


def test_fail_fault_answers_5xx_until_the_clock_passes_it(sim):
    core = client.CoreV1Api(sim.api())
    assert sim.control("faults/fail", seconds=30, code=503) == {"failing": 503, "seconds": 30.0}
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod("default")
    assert err.value.status == 503
    body = json.loads(err.value.body)
    assert body["kind"] == "Status" and body["reason"] == "ServiceUnavailable"
    # Controls keep working during the fault, and the fault ends with simulated time.
    sim.control("advance", seconds=31)
    assert core.list_namespaced_pod("default").items == []


def test_fail_fault_with_500_and_clear(sim):
    core = client.CoreV1Api(sim.api())
    sim.control("faults/fail", seconds=600, code=500)
    with pytest.raises(ApiException) as err:
        core.list_namespace()
    assert err.value.status == 500 and json.loads(err.value.body)["reason"] == "InternalError"
    sim.control("faults/clear")
    assert core.list_namespace().items


def test_latency_fault_is_reported_and_cleared(sim):
    assert sim.control("faults/latency", seconds=0.05) == {"latencySeconds": 0.05}
    assert client.CoreV1Api(sim.api()).list_namespace().items  # still answers, later
    assert sim.control("state", method="GET")["faults"]["latencySeconds"] == 0.05
    sim.control("faults/clear")
    assert sim.cluster.faults.latency_seconds == 0


def test_node_not_ready_and_ready_again(sim):
    name = sorted(n["metadata"]["name"] for n in sim.store.items("nodes"))[0]

    def ready_status():
        _, node, _ = Raw(sim.api()).get(f"/api/v1/nodes/{name}")
        return next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")

    assert sim.control(f"nodes/{name}/notready")["node"] == name
    assert ready_status() == "Unknown"
    sim.control(f"nodes/{name}/ready")
    assert ready_status() == "True"
    code, body = http_error(sim, "nodes/no-such-node/notready")
    assert code == 404 and body["kind"] == "Status"


def test_advance_and_settle_move_the_manual_clock(sim):
    before = sim.cluster.now()
    sim.control("advance", seconds=5)
    assert sim.cluster.now() == before + 5
    core = client.CoreV1Api(sim.api())
    core.create_namespaced_pod("default", pod_body("p", {"app": "x"}))
    state = sim.control("settle")
    assert state["settledSeconds"] > 0
    assert core.read_namespaced_pod("p", "default").status.phase == "Running"


def test_expire_history_control(sim):
    result = sim.control("faults/expire-history")
    assert result["expired"] is True
    status, body, _ = Raw(sim.api()).get("/api/v1/pods", query={"watch": "1", "resourceVersion": "2",
                                                                  "timeoutSeconds": "1"})
    assert status == 200 and '"code":410' in json.dumps(body, separators=(",", ":"))


def test_control_errors(sim):
    assert http_error(sim, "advance")[0] == 400                      # seconds missing
    assert http_error(sim, "advance", seconds="soon")[0] == 400
    assert http_error(sim, "faults/fail", seconds=5, code=404)[0] == 400
    assert http_error(sim, "no/such/control")[0] == 404
    assert http_error(sim, "settle", method="GET")[0] == 405


def test_server_refuses_non_loopback_hosts(cluster):
    for host in ("0.0.0.0", "192.168.1.10", "example.com"):
        with pytest.raises(ValueError, match="loopback"):
            SimServer(cluster, host, 0)


def test_cli_rejects_non_loopback_host():
    done = subprocess.run([sys.executable, "-m", "ststui", "sim", "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "loopback" in done.stderr and "Traceback" not in done.stderr


def test_sim_process_serves_and_stops_cleanly(sim_process):
    state = sim_process.state()
    assert state["clock"]["manual"] is True
    assert oct(sim_process.kubeconfig.stat().st_mode & 0o777) == "0o600"
    text = sim_process.kubeconfig.read_text()
    assert "ststui-sim" in text and sim_process.url in text
    assert any("export KUBECONFIG=" in line for line in sim_process.output)
    sim_process.process.terminate()
    assert sim_process.process.wait(15) == 0


def test_forbidden_resource_is_403_for_every_verb(sim):
    core = client.CoreV1Api(sim.api())
    assert sim.control("faults/forbid", resource="events") == {"forbidden": ["events"]}
    for call, args in [(core.list_namespaced_event, ("default",)), (core.list_event_for_all_namespaces, ()),
                       (core.read_namespaced_event, ("x", "default"))]:
        with pytest.raises(ApiException) as err:
            call(*args)
        body = json.loads(err.value.body)
        assert err.value.status == 403 and body["reason"] == "Forbidden"
        assert 'cannot' in body["message"] and '"events"' in body["message"]
    assert core.list_namespaced_pod("default").items == []   # other kinds are untouched
    sim.control("faults/allow", resource="events")
    core.list_namespaced_event("default")
    assert http_error(sim, "faults/forbid", resource="widgets")[0] == 400
