"""The list+watch worker keeps the store equal to a fresh LIST, through every fault.

Everything goes over HTTP to the simulated cluster through the real `kubernetes`
client's transport; faults are injected with the sim's own controls, time moves with
the sim's manual clock. Waiting for the worker to catch up polls with a generous limit:
that is liveness, not a timed assertion.
"""
from __future__ import annotations


import pytest

from ststui.kube.rest import request_json
from ststui.kube.watch import FORBIDDEN, RETRYING, SYNCED, WATCHED, WatchManager, list_path
from ststui.state.store import Store

from tests.integration.helpers import make_statefulset, scale, wait_for, wait_matches


def fresh_lists(api) -> dict[str, dict[tuple[str, str], str]]:
    out = {}
    for plural in WATCHED:
        body = request_json(api, "GET", list_path(plural, None))
        out[plural] = {((o["metadata"].get("namespace") or ""), o["metadata"]["name"]):
                       o["metadata"]["resourceVersion"] for o in body["items"]}
    return out


def store_versions(store: Store) -> dict[str, dict[tuple[str, str], str]]:
    return {plural: dict(store.resource_versions(plural)) for plural in WATCHED}


def wait_equal(store: Store, api, limit: float = 60.0) -> None:
    """Poll until the store equals a fresh LIST of every kind; fail with the difference."""
    wait_matches(lambda: fresh_lists(api), lambda: store_versions(store), limit)


@pytest.fixture
def watched(sim):
    api = sim.api()
    store = Store()
    seen_states: set[str] = set()
    mgr = WatchManager(api, store, None, watch_timeout=5, read_slack=5,
                       backoff_base=0.05, backoff_cap=0.5)
    mgr.on_state = lambda: seen_states.update(s.state for s in mgr.states().values())
    mgr.start()
    assert mgr.wait_synced(60), mgr.states()
    yield sim, api, store, mgr, seen_states
    mgr.stop()
    mgr.join()
    assert not any(loop.thread.is_alive() for loop in mgr.loops), "a watch thread outlived stop()"


def test_store_follows_a_sequence_of_changes(watched):
    sim, api, store, mgr, _ = watched
    make_statefulset(api, "default", "web", replicas=3)
    sim.settle()
    wait_equal(store, api)
    assert len([k for k in store_versions(store)["pods"] if k[0] == "default"]) == 3
    scale(api, "default", "web", 1)
    sim.settle()
    wait_equal(store, api)
    pods = store_versions(store)["pods"]
    assert ("default", "web-1") not in pods and ("default", "web-0") in pods


def test_dropped_watches_resume_without_loss(watched):
    sim, api, store, mgr, _ = watched
    make_statefulset(api, "default", "web", replicas=2)
    sim.settle()
    wait_equal(store, api)
    lists_before = {l.plural: l.state.lists for l in mgr.loops}
    assert sim.cluster.faults.drop_watches() > 0
    scale(api, "default", "web", 4)
    sim.settle()
    wait_equal(store, api)
    # A dropped connection resumes from the last resourceVersion: no relist needed.
    assert {l.plural: l.state.lists for l in mgr.loops} == lists_before


def test_expired_history_relists_and_removes_ghosts(watched):
    sim, api, store, mgr, seen = watched
    make_statefulset(api, "default", "web", replicas=3)
    sim.settle()
    wait_equal(store, api)
    pods = next(l for l in mgr.loops if l.plural == "pods")
    lists_before = pods.state.lists
    # Stop the client's watches, change things (deleting pods), and forget history:
    # the next watch from the old resourceVersion must get 410 and relist.
    sim.cluster.faults.expire_history()
    sim.cluster.faults.drop_watches()
    scale(api, "default", "web", 1)
    sim.settle()
    sim.cluster.faults.expire_history()
    wait_equal(store, api)
    assert pods.state.lists > lists_before, "no relist after 410 Expired"
    assert ("default", "web-2") not in store_versions(store)["pods"]


def test_a_30s_run_of_5xx(watched):
    sim, api, store, mgr, seen = watched
    make_statefulset(api, "default", "web", replicas=1)
    sim.settle()
    wait_equal(store, api)
    sim.cluster.faults.fail_for(30, 503)
    sim.cluster.faults.drop_watches()
    # The API answers 503 now; change state behind its back through the cluster itself.
    sim.cluster.store.patch("statefulsets", "default", "web", "merge", {"spec": {"replicas": 3}})
    sim.cluster.run_pending()
    assert wait_for(lambda: any(s.state == RETRYING and "503" in s.message
                                for s in mgr.states().values()))
    assert mgr.summary()[0] == RETRYING
    sim.advance(31)          # the fault window passes on the sim's clock
    sim.settle()
    wait_equal(store, api)
    assert wait_for(mgr.all_synced)
    assert {RETRYING, SYNCED} <= seen


def test_api_server_restart_on_the_same_port(watched):
    sim, api, store, mgr, seen = watched
    make_statefulset(api, "default", "web", replicas=1)
    sim.settle()
    wait_equal(store, api)
    port = sim.server.port
    sim.server.restart()
    assert sim.server.port == port
    scale(api, "default", "web", 2)
    sim.settle()
    wait_equal(store, api)
    assert wait_for(mgr.all_synced)


def test_forbidden_stops_only_that_resource(sim):
    """A 403 on one kind stops that loop with a sentence; the other kinds stay live."""
    api = sim.api()
    store = Store()
    sim.cluster.faults.forbid("events")
    mgr = WatchManager(api, store, None, plurals=("pods", "events"), watch_timeout=5,
                       backoff_base=0.05, backoff_cap=0.5)
    mgr.start()
    try:
        assert mgr.wait_synced(60)
        states = mgr.states()
        assert states["events"].state == FORBIDDEN
        assert "events" in states["events"].message
        assert states["pods"].state == SYNCED
        assert mgr.summary()[0] == FORBIDDEN
    finally:
        mgr.stop()
        mgr.join()
