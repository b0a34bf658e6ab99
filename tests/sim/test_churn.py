"""The churn control: every call changes something real, so N touches give N watch events."""
import json
import threading
import urllib.request

from kubernetes import client

from ststui.sim import scenarios
from ststui.sim.churn import ANNOTATION, churner


def _watch_lines(sim, rv: str, want: int, out: list) -> threading.Thread:
    """Read a raw pods watch from `rv` until `want` non-bookmark events arrived."""
    def run() -> None:
        url = f"{sim.url}/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds=30"
        with urllib.request.urlopen(url, timeout=60) as r:
            while len(out) < want:
                line = r.readline()
                if not line:
                    return
                ev = json.loads(line)
                if ev["type"] != "BOOKMARK":
                    out.append(ev)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_each_churn_call_gives_count_events_even_when_repeated(cluster, sim):
    scenarios.build_scale(cluster, 3, 2)          # 6 pods
    sim.settle()
    rv = sim.control("state", method="GET")["resourceVersion"]
    events: list = []
    reader = _watch_lines(sim, rv, 3 * 10, events)
    for _ in range(3):                            # the same call three times
        answer = sim.control("churn", plural="pods", count=10)
        assert answer["touched"] == 10
    reader.join(30)
    assert len(events) == 30
    assert {e["type"] for e in events} == {"MODIFIED"}
    values = [int(e["object"]["metadata"]["annotations"][ANNOTATION]) for e in events]
    assert values == sorted(values) and len(set(values)) == 30
    # round-robin: all six pods were touched five times each
    names = [e["object"]["metadata"]["name"] for e in events]
    assert sorted({names.count(n) for n in names}) == [5]
    pods = client.CoreV1Api(sim.api()).list_pod_for_all_namespaces().items
    assert max(int(p.metadata.annotations[ANNOTATION]) for p in pods) == 30


def test_rate_form_makes_exactly_rate_times_seconds_touches_then_stops(cluster, sim):
    scenarios.build_scale(cluster, 2, 2)
    sim.settle()
    rv_before = cluster.store.rv
    answer = sim.control("churn", plural="pods", rate=500, seconds=0.2)
    assert answer["running"] is True and answer["total"] == 100
    assert churner(cluster).join(30)
    assert churner(cluster).rate_touched == 100
    assert cluster.store.rv - rv_before >= 100
    assert churner(cluster).status()["running"] is False


def test_churn_rejects_bad_input_with_one_sentence(cluster, sim):
    import pytest
    import urllib.error
    for query in ({"plural": "pods", "rate": 10**7, "seconds": 1},
                  {"plural": "pods", "count": "many"},
                  {"plural": "widgets", "count": 1}):
        with pytest.raises(urllib.error.HTTPError) as err:
            sim.control("churn", **query)
        assert err.value.code in (400, 404)
        assert json.loads(err.value.read())["message"]
