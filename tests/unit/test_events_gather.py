"""Pure gathering of events (state.events) and the kubectl hand-off command lines (tui.handoff)."""
from __future__ import annotations

import os

import pytest

from ststui.state.actions import PlanError
from ststui.state.events import gather
from ststui.tui import handoff


def event(name, reason, kind="Pod", obj="web-0", etype="Normal", message="m", count=1, last="2026-01-01T00:00:10Z",
          first=None):
    return {"metadata": {"name": name, "namespace": "shop"}, "type": etype, "reason": reason, "message": message,
            "count": count, "firstTimestamp": first or last, "lastTimestamp": last,
            "involvedObject": {"kind": kind, "name": obj, "namespace": "shop"}}


def test_repeats_collapse_with_their_count_newest_first():
    rows = gather([
        event("a", "Unhealthy", etype="Warning", count=3, last="2026-01-01T00:01:00Z", first="2026-01-01T00:00:00Z"),
        event("b", "Unhealthy", etype="Warning", count=2, last="2026-01-01T00:03:00Z", first="2026-01-01T00:02:00Z"),
        event("c", "Started", last="2026-01-01T00:02:30Z"),
        event("d", "Unhealthy", etype="Warning", obj="web-1", last="2026-01-01T00:00:30Z"),
    ])
    assert [(r.reason, r.name, r.count) for r in rows] == [
        ("Unhealthy", "web-0", 5), ("Started", "web-0", 1), ("Unhealthy", "web-1", 1)]
    first = rows[0]
    assert first.warning and first.obj == "Pod/web-0"
    assert first.last - first.first == 180.0


def test_targets_keep_only_the_objects_asked_for_and_the_limit_bounds_the_rows():
    events = [event(f"e{i}", "Started", obj=f"web-{i}", message=str(i)) for i in range(50)]
    rows = gather(events, {("Pod", "web-3"), ("Pod", "web-7")})
    assert sorted(r.name for r in rows) == ["web-3", "web-7"]
    assert len(gather(events, limit=10)) == 10


def test_kubectl_base_spells_out_context_kubeconfig_and_namespace():
    assert handoff.kubectl_base("prod", None, "db") == ["kubectl", "--context", "prod", "-n", "db"]
    assert handoff.kubectl_base("prod", "/tmp/k", "db") == ["kubectl", "--kubeconfig", "/tmp/k",
                                                             "--context", "prod", "-n", "db"]
    default = os.path.join(os.path.expanduser("~"), ".kube", "config")
    assert "--kubeconfig" not in handoff.kubectl_base("prod", default, "db")


@pytest.mark.parametrize("text, expected", [("8080:80", ["8080:80"]), ("9090", ["9090"]),
                                            ("8080:80, 9090:9090", ["8080:80", "9090:9090"])])
def test_port_mappings(text, expected):
    assert handoff.parse_ports(text) == expected


@pytest.mark.parametrize("text, words", [("", "at least one port"), ("abc", "not a port mapping"),
                                         ("70000:80", "out of range"), (":80", "no local port"),
                                         ("0", "out of range")])
def test_bad_port_mappings_get_one_sentence(text, words):
    with pytest.raises(PlanError) as err:
        handoff.parse_ports(text)
    assert words in str(err.value)
