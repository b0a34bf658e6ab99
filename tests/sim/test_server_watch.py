"""Watch streams over HTTP: events in order, resume, bookmarks, timeouts, 410 Expired,
selectors, Table events, and clients or faults that end a stream."""
import time

import pytest
import urllib3
from kubernetes import client

from rawhttp import Raw, lines, read_events

SERVICES = "/api/v1/namespaces/default/services"


def make_service(sim, name, labels=None):
    return client.CoreV1Api(sim.api()).create_namespaced_service(
        "default", {"metadata": {"name": name, "labels": labels or {}},
                    "spec": {"clusterIP": "None", "ports": [{"port": 80}]}})


def open_watch(sim, path=SERVICES, **query):
    query = {"watch": "true", "timeoutSeconds": "30", **{k: str(v) for k, v in query.items()}}
    raw = Raw(sim.api()).open("GET", path, query=query, timeout=(5, 30))
    assert raw.status == 200
    return raw


def wait_until(condition, seconds=10.0):
    """Wait for something another thread does (a server thread noticing a hang-up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_watch_from_list_version_sees_added_modified_deleted_in_order(sim):
    core = client.CoreV1Api(sim.api())
    make_service(sim, "before")
    listed = core.list_namespaced_service("default")
    raw = open_watch(sim, resourceVersion=listed.metadata.resource_version)
    make_service(sim, "s1")
    core.patch_namespaced_service("s1", "default", {"metadata": {"labels": {"x": "1"}}})
    core.delete_namespaced_service("s1", "default")
    events = read_events(raw, 3)
    raw.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == \
        [("ADDED", "s1"), ("MODIFIED", "s1"), ("DELETED", "s1")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and rvs[0] > int(listed.metadata.resource_version)
    assert events[1]["object"]["metadata"]["labels"] == {"x": "1"}


def test_watch_resumes_after_a_resource_version(sim):
    first = make_service(sim, "s1")
    make_service(sim, "s2")
    make_service(sim, "s3")
    raw = open_watch(sim, resourceVersion=first.metadata.resource_version)
    events = read_events(raw, 2)
    raw.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "s2"), ("ADDED", "s3")]


def test_watch_without_version_starts_with_current_objects(sim):
    make_service(sim, "s1")
    make_service(sim, "s2")
    raw = open_watch(sim)
    events = read_events(raw, 2)
    raw.close()
    assert sorted(e["object"]["metadata"]["name"] for e in events) == ["s1", "s2"]
    assert {e["type"] for e in events} == {"ADDED"}


def test_bookmarks_carry_the_current_resource_version(sim):
    sim.server.bookmark_interval = 0.05
    make_service(sim, "s1")
    rv = client.CoreV1Api(sim.api()).list_namespaced_service("default").metadata.resource_version
    raw = open_watch(sim, resourceVersion=rv, allowWatchBookmarks="true")
    bookmark = next(e for e in lines(raw) if e["type"] == "BOOKMARK")
    raw.close()
    assert bookmark["object"]["kind"] == "Service" and bookmark["object"]["apiVersion"] == "v1"
    assert int(bookmark["object"]["metadata"]["resourceVersion"]) >= int(rv)


def test_no_bookmarks_unless_asked(sim):
    sim.server.bookmark_interval = 0.01
    raw = open_watch(sim, timeoutSeconds=1)
    events = list(lines(raw))
    assert all(e["type"] != "BOOKMARK" for e in events)


def test_timeout_seconds_ends_the_stream_cleanly(sim):
    make_service(sim, "s1")
    raw = open_watch(sim, timeoutSeconds=1)
    events = list(lines(raw))  # returns: the server ended the chunked stream
    assert [e["object"]["metadata"]["name"] for e in events] == ["s1"]
    assert wait_until(lambda: sim.server.open_watch_streams() == 0)


def test_expired_version_gets_an_error_event_410(sim):
    first = make_service(sim, "s1")
    make_service(sim, "s2")
    sim.control("faults/expire-history")
    raw = open_watch(sim, resourceVersion=first.metadata.resource_version)
    events = list(lines(raw))
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    # The current version still works.
    rv = client.CoreV1Api(sim.api()).list_namespaced_service("default").metadata.resource_version
    raw = open_watch(sim, resourceVersion=rv)
    make_service(sim, "s3")
    assert read_events(raw, 1)[0]["object"]["metadata"]["name"] == "s3"
    raw.close()


def test_client_disconnect_releases_the_watcher(sim):
    sim.server.disconnect_check_interval = 0.05
    make_service(sim, "s1")
    raw = open_watch(sim)
    read_events(raw, 1)
    assert sim.server.open_watch_streams() == 1 and len(sim.store.watchers()) == 1
    raw.close()  # hang up without reading the rest
    assert wait_until(lambda: sim.server.open_watch_streams() == 0 and not sim.store.watchers())


def test_drop_watches_fault_cuts_streams(sim):
    make_service(sim, "s1")
    raw = open_watch(sim)
    events = lines(raw)
    next(events)
    assert sim.control("faults/drop-watches") == {"dropped": 1}
    with pytest.raises(urllib3.exceptions.ProtocolError):
        list(events)
    assert wait_until(lambda: sim.server.open_watch_streams() == 0 and not sim.store.watchers())


def test_restart_closes_streams_and_listens_on_the_same_port(sim):
    make_service(sim, "s1")
    port = sim.server.port
    raw = open_watch(sim)
    events = lines(raw)
    next(events)
    sim.server.restart()
    with pytest.raises(urllib3.exceptions.ProtocolError):
        list(events)
    assert sim.server.port == port
    assert [s.metadata.name for s in client.CoreV1Api(sim.api()).list_namespaced_service("default").items] == ["s1"]


@pytest.mark.parametrize("flag", ["true", "True", "1", "t"])
def test_watch_flag_parsed_like_go(sim, flag):
    make_service(sim, "s1")
    raw = Raw(sim.api()).open("GET", SERVICES, query={"watch": flag, "timeoutSeconds": "5"})
    assert read_events(raw, 1)[0]["type"] == "ADDED"
    raw.close()


def test_legacy_watch_paths(sim):
    make_service(sim, "s1")
    make_service(sim, "s2")
    raw = Raw(sim.api()).open("GET", "/api/v1/watch/namespaces/default/services/s2", query={"timeoutSeconds": "1"})
    events = list(lines(raw))
    assert [e["object"]["metadata"]["name"] for e in events] == ["s2"]
    raw = Raw(sim.api()).open("GET", "/api/v1/watch/services", query={"timeoutSeconds": "1"})
    assert sorted(e["object"]["metadata"]["name"] for e in lines(raw)) == ["s1", "s2"]


def test_label_selector_watch_sees_objects_leave_and_enter(sim):
    core = client.CoreV1Api(sim.api())
    make_service(sim, "s1", {"app": "web"})
    rv = core.list_namespaced_service("default").metadata.resource_version
    raw = open_watch(sim, resourceVersion=rv, labelSelector="app=web")
    make_service(sim, "other", {"app": "db"})
    core.patch_namespaced_service("s1", "default", {"metadata": {"labels": {"app": "db"}}})
    core.patch_namespaced_service("other", "default", {"metadata": {"labels": {"app": "web"}}})
    events = read_events(raw, 2)
    raw.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("DELETED", "s1"), ("ADDED", "other")]


def test_field_selector_watch_across_namespaces(sim):
    core = client.CoreV1Api(sim.api())
    core.create_namespace({"metadata": {"name": "other"}})
    raw = open_watch(sim, "/api/v1/services", fieldSelector="metadata.namespace=other")
    make_service(sim, "s1")
    core.create_namespaced_service("other", {"metadata": {"name": "s2"}, "spec": {"ports": [{"port": 80}]}})
    events = read_events(raw, 1)
    raw.close()
    assert (events[0]["object"]["metadata"]["namespace"], events[0]["object"]["metadata"]["name"]) == ("other", "s2")


def test_table_watch_events_carry_tables(sim):
    make_service(sim, "s1")
    raw = Raw(sim.api()).open("GET", SERVICES, query={"watch": "1", "timeoutSeconds": "5"},
                              accept="application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
    event = read_events(raw, 1)[0]
    raw.close()
    table = event["object"]
    assert table["kind"] == "Table"
    assert table["rows"][0]["cells"][0] == "s1"
    assert table["rows"][0]["object"]["metadata"]["name"] == "s1"


def test_invalid_resource_version_is_400(sim):
    status, body, _ = Raw(sim.api()).get(SERVICES, query={"watch": "true", "resourceVersion": "abc"})
    assert status == 400 and body["kind"] == "Status"
