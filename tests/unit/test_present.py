"""present: ages, timestamps, and the `ststui get` text and JSON output."""
from __future__ import annotations

import json

import pytest

import factories as f
from ststui.state import present
from ststui.state.present import format_json, format_text, human_age, parse_time
from ststui.state.topology import build_views

OLD = f.revision_name("web", "nginx:1.25")
NEW = f.revision_name("web", "nginx:1.27")


@pytest.mark.parametrize("seconds, text", [
    (None, "-"), (-5, "<invalid>"), (-0.5, "0s"), (0, "0s"), (45, "45s"), (119, "119s"), (120, "2m"),
    (192, "3m12s"), (599, "9m59s"), (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"),
    (5 * 3600, "5h"), (5 * 3600 + 20 * 60, "5h20m"), (30 * 3600, "30h"), (2 * 86400 + 3 * 3600, "2d3h"),
    (3 * 86400, "3d"), (12 * 86400, "12d"), (800 * 86400, "2y70d"), (3000 * 86400, "8y"),
])
def test_human_age_like_kubectl(seconds, text):
    assert human_age(seconds) == text


def test_parse_time():
    assert parse_time("2026-01-01T00:00:00Z") == f.T0
    assert parse_time("2026-01-01T00:00:00.250000Z") == f.T0 + 0.25
    assert parse_time("2026-01-01T01:00:00+01:00") == f.T0
    assert parse_time(None) is None and parse_time("") is None and parse_time("yesterday") is None


def _demo_store():
    return f.store_with(
        f.statefulset("web", replicas=12, partition=10, current=OLD, update=NEW),
        [f.pod("web", i, revision=OLD) for i in range(10)],
        f.pod("web", 10, revision=NEW), f.pod("web", 11, revision=NEW, node="node-3",
                                              deleted_at=f.NOW - 600),
        [f.claim("data", "web", i, volume=f"pv-{i}") for i in range(14)],
        [f.volume(f"pv-{i}", claim_name=f"data-web-{i}") for i in range(14)],
        f.volume("pv-old", claim_name="data-web-20", phase="Released"),
        f.node("node-1"), f.node("node-3", ready=False, since=f.NOW - 900), f.service("nginx"),
    )


def test_format_text_block():
    text = format_text(build_views(_demo_store(), f.NOW), f.NOW)
    lines = text.splitlines()
    assert lines[0] == "default/web  ready 11/12  RollingUpdate partition 10  OrderedReady  age 60m"
    assert f"  revisions: current {OLD}, update {NEW}" in lines
    assert "  service:   nginx (headless)" in lines
    pod_rows = [line.split()[1] for line in lines if line.startswith("  ") and line.split()[1:2]
                and line.split()[1].startswith("web-")]
    assert pod_rows == [f"web-{i}" for i in range(12)]      # numeric order: web-10 after web-9
    marker = lines.index("  ---- partition 10: ordinals >= 10 update ----")
    assert lines[marker - 1].split()[1] == "web-9" and lines[marker + 1].split()[1] == "web-10"
    row11 = next(line for line in lines if line.startswith("  11 "))
    assert "Terminating!" in row11 and "node-3 NotReady" in row11
    assert any(line.split()[:1] == ["data-web-13"] and line.endswith("orphan") for line in lines)
    assert any(line.split()[:2] == ["pv-old", "Released"] for line in lines)
    assert "  WARNINGS" in lines
    assert "  ! pod web-11 has been Terminating for 10m on NotReady node node-3" in lines
    assert max(len(line) for line in lines) <= 80


def test_format_text_without_statefulsets():
    assert format_text([], f.NOW) == "No StatefulSets found."


def test_format_json_is_the_to_json_list():
    views = build_views(_demo_store(), f.NOW)
    doc = json.loads(format_json(views))
    assert isinstance(doc, list) and len(doc) == 1
    web = doc[0]
    assert web["name"] == "web" and web["partition"] == 10 and web["updateRevision"] == NEW
    assert [p["name"] for p in web["pods"]][-3:] == ["web-9", "web-10", "web-11"]
    assert web["pods"][11]["terminating"] is True and web["pods"][11]["nodeReady"] is False
    assert "pod web-11 has been Terminating for 10m on NotReady node node-3" in web["warnings"]
    assert format_json([]) == "[]"
    assert format_json(views).startswith("[\n  {\n")


def test_rollout_summaries():
    views = {v.name: v for v in build_views(f.store_with(
        f.family("done"),
        f.statefulset("held", replicas=2, partition=2, current=OLD, update=NEW, templates=()),
        f.pod("held", 0, revision=OLD, templates=()), f.pod("held", 1, revision=OLD, templates=()),
        f.statefulset("od", replicas=2, strategy="OnDelete", current=OLD, update=NEW, templates=()),
        f.pod("od", 0, revision=OLD, templates=()), f.pod("od", 1, revision=NEW, templates=()),
        f.node("node-1")), f.NOW)}
    assert present.rollout_summary(views["done"]).startswith("complete: every pod runs done-")
    assert present.rollout_summary(views["held"]) == ("held p=2 0/2: partition 2 equals the replicas: no pod is "
                                                      "updated until it is lowered (0 of 2 updated); step (a) "
                                                      "updates held-1")
    assert present.rollout_summary(views["od"]) == ("ondelete 1 old: od-0 still runs an old revision: OnDelete "
                                                    "updates a pod only when it is deleted; delete od-0 (ctrl+d) "
                                                    "to update it, one pod at a time")
