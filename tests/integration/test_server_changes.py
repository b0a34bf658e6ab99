"""The store converges after the server itself changes: replaced by another server on the
same port (other data, other uids, lower resourceVersions, and resourceVersion strings
that collide with different content), frozen, or forbidding a kind for a while.

Over HTTP to the simulated cluster through the real `kubernetes` client. Every test ends
with the store equal to a fresh LIST of every kind by uid, resourceVersion AND content.
Waiting polls conditions with generous limits (liveness, not timed assertions).
"""
from __future__ import annotations

import re
import time

import pytest

from ststui.kube.rest import request_json
from ststui.kube.watch import FORBIDDEN, STALE, SYNCED, WATCHED, WatchManager, list_path
from ststui.state.slim import slim
from ststui.state.store import Store

from tests.integration.helpers import make_statefulset, scale, wait_for, wait_matches


def fresh_content(api) -> dict[str, dict[tuple[str, str], tuple]]:
    """{plural: {(ns, name): (uid, resourceVersion, slim content)}} from a fresh LIST."""
    out = {}
    for plural in WATCHED:
        body = request_json(api, "GET", list_path(plural, None))
        out[plural] = {((o["metadata"].get("namespace") or ""), o["metadata"]["name"]):
                       (o["metadata"].get("uid"), o["metadata"]["resourceVersion"], slim(plural, o))
                       for o in body["items"]}
    return out


def store_content(store: Store) -> dict[str, dict[tuple[str, str], tuple]]:
    out = {}
    for plural in WATCHED:
        out[plural] = {((o["metadata"].get("namespace") or ""), o["metadata"]["name"]):
                       (o["metadata"].get("uid"), o["metadata"].get("resourceVersion"), o)
                       for o in store.items(plural)}
    return out


def wait_converged(store: Store, api, limit: float = 60.0) -> None:
    """Poll until the store equals a fresh LIST by uid, rv and content; fail with the difference."""
    wait_matches(lambda: fresh_content(api), lambda: store_content(store), limit)


def manager(sim, api, store, **kw) -> WatchManager:
    options = dict(watch_timeout=5, read_slack=5, backoff_base=0.05, backoff_cap=0.5,
                   probe_interval=0.2, probe_timeout=0.5)
    options.update(kw)
    return WatchManager(api, store, None, **options)


@pytest.fixture
def watched(sim):
    api = sim.api()
    store = Store()
    mgr = manager(sim, api, store)
    mgr.start()
    assert mgr.wait_synced(60), mgr.states()
    yield sim, api, store, mgr
    mgr.stop()
    mgr.join()
    assert not any(loop.thread.is_alive() for loop in mgr.loops), "a watch thread outlived stop()"


def restart_with(sim, **query) -> None:
    """Another server on the same port, as the HTTP control /_sim/restart does."""
    port = sim.server.port
    answer = sim.control("restart", **query)
    assert answer["restarted"] and sim.server.port == port
    sim.cluster = sim.server.cluster


def test_replaced_server_with_other_data_and_lower_versions(watched):
    sim, api, store, mgr = watched
    make_statefulset(api, "default", "web", replicas=3)
    make_statefulset(api, "default", "db", replicas=2)
    sim.settle()
    wait_converged(store, api)
    old_rv = int(sim.cluster.store.rv)
    old_web = store.get("statefulsets", "default", "web")

    restart_with(sim, scenario="empty", seed=99)      # new uids, resourceVersions from the start
    make_statefulset(api, "default", "web", replicas=1, image="nginx:1.28")   # scaled, another image
    make_statefulset(api, "default", "cache", replicas=1)                     # new; db is gone
    sim.settle()
    assert int(sim.cluster.store.rv) < old_rv
    wait_converged(store, api)
    assert mgr.server_changes >= 1, "the server change went unnoticed"
    assert store.get("statefulsets", "default", "db") is None
    assert store.get("statefulsets", "default", "web")["metadata"]["uid"] != old_web["metadata"]["uid"]
    assert {k[1] for k in store.resource_versions("pods") if k[0] == "default"} == {"web-0", "cache-0"}
    assert wait_for(lambda: mgr.summary()[0] == SYNCED)


def test_restored_server_with_colliding_resource_versions(watched):
    """Same seed (same uids, same kube-system identity), fewer writes then other ones: the
    pods get the very resourceVersion strings the store holds, with other content."""
    sim, api, store, mgr = watched
    make_statefulset(api, "default", "web", replicas=2, image="nginx:1.27")
    sim.settle()
    scale(api, "default", "web", 3)
    sim.settle()
    wait_converged(store, api)
    old_rv = int(sim.cluster.store.rv)
    seen = {k: v[1] for k, v in store_content(store)["pods"].items()}

    restart_with(sim, scenario="empty", seed=sim.cluster.store.seed)
    make_statefulset(api, "default", "web", replicas=2, image="nginx:1.99")
    sim.settle()
    assert int(sim.cluster.store.rv) < old_rv
    fresh = fresh_content(api)["pods"]
    collide = [k for k, v in fresh.items() if seen.get(k) == v[1]]
    assert collide, "the scenario should produce equal resourceVersion strings"
    wait_converged(store, api)
    for key in collide:
        pod = store.get("pods", key[0], key[1])
        assert pod["spec"]["containers"][0]["image"] == "nginx:1.99"
    assert store.get("pods", "default", "web-2") is None


def test_frozen_server_goes_stale_then_recovers(sim):
    """Frozen for 60 s of sim time: `stale` (with how long it has been quiet) once more
    than 15 s passed without a word, then back to live by itself, with what changed."""
    api = sim.api()
    store = Store()
    mgr = manager(sim, api, store, clock=sim.cluster.now)    # liveness on the sim's clock
    mgr.start()
    try:
        assert mgr.wait_synced(60)
        make_statefulset(api, "default", "web", replicas=2)
        sim.settle()
        wait_converged(store, api)
        assert wait_for(lambda: mgr.summary()[0] == SYNCED)

        sim.cluster.faults.freeze()
        time.sleep(0.3)                       # let in-flight lines land before the clock moves
        sim.advance(14)
        assert mgr.summary()[0] != STALE, mgr.summary()
        sim.advance(2)                        # 16 s without a word
        assert wait_for(lambda: mgr.summary()[0] == STALE), mgr.summary()
        state, sentence = mgr.summary()
        assert re.search(r"no word from the API server for 1[67]s", sentence) and "next try in" in sentence
        # Behind the frozen front, the cluster changes.
        sim.cluster.store.patch("statefulsets", "default", "web", "merge", {"spec": {"replicas": 3}})
        sim.advance(44)                       # 60 s frozen in all
        sim.cluster.run_pending()
        assert mgr.summary()[0] == STALE
        sim.cluster.faults.thaw()
        sim.settle()
        wait_converged(store, api)
        assert wait_for(lambda: mgr.summary()[0] == SYNCED), mgr.summary()
        assert ("default", "web-2") in store.resource_versions("pods")
    finally:
        sim.cluster.faults.thaw()
        mgr.stop()
        mgr.join()


def test_forbidden_kind_is_checked_again_and_resumes(sim):
    api = sim.api()
    store = Store()
    sim.cluster.faults.forbid("pods")
    mgr = manager(sim, api, store, forbidden_base=0.05, forbidden_cap=0.2)
    mgr.start()
    try:
        assert mgr.wait_synced(60)
        assert mgr.states()["pods"].state == FORBIDDEN
        state, sentence = mgr.summary()
        assert state == FORBIDDEN and "pods" in sentence and "checking again" in sentence
        assert "pods" in mgr.unreadable()
        make_statefulset(api, "default", "web", replicas=2)
        sim.settle()
        sim.cluster.faults.forbid("pods", allowed=True)
        wait_converged(store, api)
        assert wait_for(lambda: mgr.states()["pods"].state == SYNCED)
        assert mgr.unreadable() == {}
    finally:
        mgr.stop()
        mgr.join()


def test_reconnect_now_cuts_a_backoff_short(sim):
    api = sim.api()
    store = Store()
    mgr = manager(sim, api, store, backoff_base=60, backoff_cap=60)
    mgr.start()
    try:
        assert mgr.wait_synced(60)
        sim.cluster.faults.fail_for(5, 503)
        sim.cluster.faults.drop_watches()
        assert wait_for(lambda: any(s.state == "retrying" for s in mgr.states().values()))
        assert "ctrl+r" in mgr.summary()[1]
        sim.advance(6)                         # the fault window is over, the backoff is not
        make_statefulset(api, "default", "web", replicas=1)
        sim.settle()
        mgr.reconnect_now()
        wait_converged(store, api, limit=30)   # far less than the 60 s backoff
        assert wait_for(lambda: mgr.summary()[0] == SYNCED)
    finally:
        mgr.stop()
        mgr.join()


def test_malformed_object_in_a_list_is_skipped_with_one_warning(sim):
    api = sim.api()
    make_statefulset(api, "default", "web", replicas=1)
    sim.settle()
    # An object the API would never serve, planted in the sim's storage.
    with sim.cluster.store.lock:
        sim.cluster.store._objects["pods"][("default", "broken")] = {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "broken", "namespace": "default", "resourceVersion": "5", "uid": "u-broken",
                         "ownerReferences": "not-a-list"},
            "spec": {"containers": []}}
    store = Store()
    from ststui.kube.watch import list_into
    list_into(api, store, "pods", None)
    names = {k[1] for k in store.resource_versions("pods")}
    assert "web-0" in names and "broken" not in names
    (note,) = store.skipped("pods")
    assert "default/broken" in note
    mgr = manager(sim, api, Store(), plurals=("pods",))
    mgr.start()
    try:
        assert mgr.wait_synced(60)
        state, sentence = mgr.summary()
        assert state == SYNCED and "skipped a malformed pod default/broken" in sentence
    finally:
        mgr.stop()
        mgr.join()
