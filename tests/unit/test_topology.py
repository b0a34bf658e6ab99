"""Topology: raw objects in a store -> StatefulSetView (slots, claims, volumes, rollout, warnings)."""
from __future__ import annotations

import factories as f
from ststui.state import model as m
from ststui.state.topology import build_view, build_views

OLD = f.revision_name("web", "nginx:1.25")
NEW = f.revision_name("web", "nginx:1.27")


def kinds(view):
    return [w.kind for w in view.warnings]


def settled(**kw):
    return f.store_with(f.family("web", **kw), f.node("node-1"), f.service("nginx"))


def test_a_settled_statefulset():
    view = build_view(settled(replicas=3), "default", "web", f.NOW)
    assert [s.name for s in view.slots] == ["web-0", "web-1", "web-2"]
    s0 = view.slots[0]
    assert s0.exists and s0.phase == "Running" and s0.ready and s0.ready_containers == "1/1"
    assert s0.revision == OLD and s0.revision_kind == m.REV_CURRENT
    assert s0.node == "node-1" and s0.node_ready is True and not s0.terminating and not s0.stuck
    assert s0.dns_name == "web-0.nginx.default.svc.cluster.local"
    assert s0.created == f.T0 and s0.ip == "10.244.0.2"
    assert [(c.name, c.phase, c.orphan) for c in view.claims] == [
        ("data-web-0", "Bound", False), ("data-web-1", "Bound", False), ("data-web-2", "Bound", False)]
    assert [v.claim for v in view.volumes] == ["default/data-web-0", "default/data-web-1", "default/data-web-2"]
    assert view.volumes[0].ordinal == 0 and view.volumes[0].template == "data"
    assert view.claims[0].volume == view.volumes[0].name
    assert view.service == m.ServiceView("nginx", True, True)
    assert view.rollout.complete and not view.rollout.in_progress
    assert view.warnings == ()
    assert view.images == (("nginx", "nginx:1.25"),) and view.templates == ("data",)


def test_ordinals_past_nine_sort_numerically():
    view = build_view(settled(replicas=12), "default", "web", f.NOW)
    assert [s.ordinal for s in view.slots] == list(range(12))
    assert [s.name for s in view.slots][9:] == ["web-9", "web-10", "web-11"]
    assert [c.name for c in view.claims][9:] == ["data-web-9", "data-web-10", "data-web-11"]


def test_non_zero_ordinals_start():
    store = f.store_with(
        f.family("web", replicas=3, start=5), f.node("node-1"), f.service("nginx"),
        f.claim("data", "web", 4),                 # below the start: retained, unused
        f.pod("web", 9, rv="77"),                  # above the range: being scaled away
    )
    view = build_view(store, "default", "web", f.NOW)
    assert view.ordinals_start == 5
    assert [(s.ordinal, s.exists, s.in_spec) for s in view.slots] == [
        (5, True, True), (6, True, True), (7, True, True), (8, False, False), (9, True, False)]
    orphans = [c.name for c in view.claims if c.orphan]
    assert orphans == ["data-web-4"]
    assert "data-web-5" in [c.name for c in view.claims if not c.orphan]


def test_missing_slots_and_missing_claims():
    fam = f.family("web", replicas=4)
    fam["pods"] = [p for p in fam["pods"] if p["metadata"]["name"] != "web-2"]
    fam["persistentvolumeclaims"] = [c for c in fam["persistentvolumeclaims"]
                                     if c["metadata"]["name"] not in ("data-web-2", "data-web-3")]
    store = f.store_with(fam, f.node("node-1"), f.service("nginx"))
    view = build_view(store, "default", "web", f.NOW)
    hole = view.slot(2)
    assert not hole.exists and hole.phase == "NotCreated" and hole.revision_kind is None and hole.in_spec
    assert hole.dns_name is None
    missing = {c.name: c for c in view.claims if not c.exists}
    assert set(missing) == {"data-web-2", "data-web-3"} and missing["data-web-3"].phase == "Missing"
    # a pod without its claim is worth a warning, a hole without one is not
    assert [w.message for w in view.warnings if w.kind == m.W_MISSING_CLAIM] == [
        "claim data-web-3 of pod web-3 does not exist"]


def test_orphan_claims_after_a_scale_down():
    fam = f.family("web", replicas=4)
    fam["statefulsets"] = [f.statefulset("web", replicas=2)]
    fam["pods"] = fam["pods"][:2]
    view = build_view(f.store_with(fam, f.node("node-1"), f.service("nginx")), "default", "web", f.NOW)
    assert [s.ordinal for s in view.slots] == [0, 1]
    assert [(c.name, c.orphan) for c in view.claims] == [
        ("data-web-0", False), ("data-web-1", False), ("data-web-2", True), ("data-web-3", True)]
    orphan_warnings = [w for w in view.warnings if w.kind == m.W_ORPHAN_CLAIM]
    assert [w.ordinal for w in orphan_warnings] == [2, 3]
    assert orphan_warnings[0].message == ("claim data-web-2 is an orphan: statefulset web has ordinals 0..1, "
                                          "so it is retained but unused")
    # their volumes stay Bound and are still shown
    assert {v.claim for v in view.volumes} >= {"default/data-web-2", "default/data-web-3"}


def test_released_volumes_free_and_reserved():
    store = f.store_with(
        f.family("web", replicas=2), f.node("node-1"), f.service("nginx"),
        f.volume("pv-7", claim_name="data-web-7", phase="Released", policy="Retain"),
        f.volume("pv-8", claim_name="data-web-8", claim_uid=None, phase="Available"),
        f.volume("pv-db", claim_name="data-db-0", phase="Released"),          # another set's
        f.volume("pv-ns", claim_ns="prod", claim_name="data-web-0", phase="Released"),   # another namespace
        f.volume("pv-free", claim_name=None, phase="Available"),
    )
    view = build_view(store, "default", "web", f.NOW)
    by_name = {v.name: v for v in view.volumes}
    assert "pv-db" not in by_name and "pv-ns" not in by_name and "pv-free" not in by_name
    released = by_name["pv-7"]
    assert released.phase == "Released" and released.ordinal == 7 and released.template == "data"
    assert released.claim == "default/data-web-7" and released.claim_uid and not released.reserved
    reserved = by_name["pv-8"]
    assert reserved.reserved and reserved.claim_uid is None and reserved.phase == "Available"
    assert [w.message for w in view.warnings if w.kind == m.W_RELEASED_VOLUME] == [
        "volume pv-7 is Released (Retain): it keeps the data of claim data-web-7 and no claim can bind it "
        "until it is reclaimed"]
    assert view.volumes[-1].name == "pv-8"   # sorted by ordinal


def test_on_delete_shows_the_pods_still_on_the_old_revision():
    store = f.store_with(
        f.statefulset("web", replicas=3, strategy="OnDelete", current=OLD, update=NEW, templates=()),
        f.pod("web", 0, revision=OLD, templates=()), f.pod("web", 1, revision=NEW, templates=()),
        f.pod("web", 2, revision=OLD, templates=()), f.node("node-1"), f.service("nginx"),
    )
    view = build_view(store, "default", "web", f.NOW)
    assert [s.revision_kind for s in view.slots] == ["current", "update", "current"]
    r = view.rollout
    assert r.strategy == "OnDelete" and r.old_revision_ordinals == (0, 2)
    assert r.next_ordinal is None and not r.halted
    assert kinds(view) == [m.W_ONDELETE_PENDING]
    assert view.warnings[0].message == ("web-0 and web-2 still run an old revision: statefulset web uses OnDelete, "
                                        "so a pod is updated only when it is deleted")


def test_partition_greater_than_replicas():
    store = f.store_with(
        f.statefulset("web", replicas=3, partition=5, current=OLD, update=NEW, templates=()),
        [f.pod("web", i, revision=OLD, templates=()) for i in range(3)], f.node("node-1"), f.service("nginx"),
    )
    view = build_view(store, "default", "web", f.NOW)
    assert kinds(view) == [m.W_PARTITION_TOO_LARGE]
    assert view.warnings[0].message == ("partition 5 of statefulset web is greater than its 3 replicas, "
                                        "so no pod will be updated")
    assert view.rollout.next_ordinal is None and not view.rollout.in_progress


def test_a_halted_rollout_with_a_broken_image():
    store = f.store_with(
        f.statefulset("web", replicas=3, current=OLD, update=NEW, templates=()),
        f.pod("web", 0, revision=OLD, templates=()), f.pod("web", 1, revision=OLD, templates=()),
        f.pod("web", 2, revision=NEW, image="nginx:1.27", templates=(), ready=False, created=f.NOW - 30,
              ready_since=f.NOW - 30, waiting_reason="ImagePullBackOff"),
        f.node("node-1"), f.service("nginx"),
    )
    view = build_view(store, "default", "web", f.NOW)
    slot2 = view.slot(2)
    assert slot2.revision_kind == m.REV_UPDATE and slot2.reason == "ImagePullBackOff" and not slot2.ready
    r = view.rollout
    assert r.in_progress and r.halted and r.next_ordinal == 1
    assert r.halted_reason == "updated pod web-2 is not Ready (ImagePullBackOff)"
    assert kinds(view) == [m.W_ROLLOUT_HALTED]
    assert view.warnings[0].message == ("rollout of statefulset web is halted: updated pod web-2 is not Ready "
                                        "(ImagePullBackOff); remedy: undo (u), then delete web-2 (ctrl+d)")
    assert r.state == "halted" and r.remedy == "undo (u), then delete web-2 (ctrl+d)"


def test_an_updating_pod_that_is_starting_is_waited_for_not_halted():
    store = f.store_with(
        f.statefulset("web", replicas=3, current=OLD, update=NEW, templates=()),
        f.pod("web", 0, revision=OLD, templates=()), f.pod("web", 1, revision=OLD, templates=()),
        f.pod("web", 2, revision=NEW, templates=(), ready=False, created=f.NOW - 5, ready_since=f.NOW - 5),
        f.node("node-1"), f.service("nginx"),
    )
    view = build_view(store, "default", "web", f.NOW)
    assert view.rollout.in_progress and not view.rollout.halted
    assert view.rollout.waiting_for == "waiting for updated pod web-2 to become Ready"
    assert m.W_ROLLOUT_HALTED not in kinds(view)
    # with a tighter threshold the same state counts as halted
    assert build_view(store, "default", "web", f.NOW, halt_after=1).rollout.halted


def test_a_pod_on_a_notready_node():
    store = f.store_with(
        f.family("web", replicas=3, templates=()), f.service("nginx"),
        f.node("node-1", ready=None, since=f.NOW - 300),
    )
    view = build_view(store, "default", "web", f.NOW)
    assert all(s.node_ready is False for s in view.slots)
    warnings = [w for w in view.warnings if w.kind == m.W_NODE_NOT_READY]
    assert [w.obj for w in warnings] == ["node/node-1"] * 3
    assert warnings[0].message == "node node-1 of pod web-0 has been NotReady for 5m"


def test_stuck_terminating_on_a_notready_node_and_after_the_grace_period():
    store = f.store_with(
        f.statefulset("web", replicas=4, templates=()), f.service("nginx"),
        f.node("node-1"), f.node("node-3", ready=False, since=f.NOW - 900),
        f.pod("web", 0, templates=()),
        f.pod("web", 1, templates=(), deleted_at=f.NOW - 10, grace=30),            # just asked: graceful
        f.pod("web", 2, templates=(), node="node-3", deleted_at=f.NOW - 12 * 60 + 30, grace=30),
        f.pod("web", 3, templates=(), deleted_at=f.NOW - 120, grace=30),           # past deadline + grace
        f.pod("web", 4, templates=(), node="node-3", deleted_at=f.NOW - 5, grace=30),   # no kubelet to finish
    )
    view = build_view(store, "default", "web", f.NOW)
    s1, s2, s3, s4 = view.slot(1), view.slot(2), view.slot(3), view.slot(4)
    assert s1.terminating and s1.phase == "Terminating" and not s1.stuck
    assert s1.terminating_since == f.NOW - 40 and s1.deletion_grace_seconds == 30
    assert s2.stuck and s3.stuck and s4.stuck and not s4.in_spec
    stuck = [w.message for w in view.warnings if w.kind == m.W_STUCK_TERMINATING]
    assert stuck == ["pod web-2 has been Terminating for 12m on NotReady node node-3",
                     "pod web-3 has been Terminating for 2m30s",
                     "pod web-4 has been Terminating for 35s on NotReady node node-3"]
    assert [w.message for w in view.warnings if w.kind == m.W_NODE_NOT_READY] == [
        "node node-3 of pod web-2 has been NotReady for 15m", "node node-3 of pod web-4 has been NotReady for 15m"]


def test_service_checks():
    fam = f.family("web", replicas=1, templates=())
    missing = build_view(f.store_with(fam, f.node("node-1")), "default", "web", f.NOW)
    assert missing.service == m.ServiceView("nginx", False, False)
    assert kinds(missing) == [m.W_SERVICE_MISSING]
    assert missing.warnings[0].message == ("service nginx named by statefulset web does not exist in namespace "
                                           "default, so its pods get no DNS names")
    # the name would not resolve: no DNS name, and the slot says why
    assert missing.slots[0].dns_name is None and missing.slots[0].dns_note == "service nginx missing"
    plain = build_view(f.store_with(fam, f.node("node-1"), f.service("nginx", headless=False)),
                       "default", "web", f.NOW)
    assert kinds(plain) == [m.W_SERVICE_NOT_HEADLESS]
    none = build_view(f.store_with(f.statefulset("web", replicas=0, service=None, templates=())),
                      "default", "web", f.NOW)
    assert none.service == m.ServiceView("", False, False) and none.warnings == () and none.slots == ()


def test_orphaned_pod_without_owner_keeps_its_slot_and_foreign_pods_do_not():
    store = f.store_with(
        f.statefulset("web", replicas=3, templates=()), f.node("node-1"), f.service("nginx"),
        f.pod("web", 0, templates=()), f.pod("web", 1, owner=False, templates=()),
        f.pod("web", 2, owner="ReplicaSet", templates=()),
    )
    view = build_view(store, "default", "web", f.NOW)
    assert view.slot(1).exists and not view.slot(1).controlled
    assert view.slot(0).controlled
    assert not view.slot(2).exists


def test_revision_kinds():
    store = f.store_with(
        f.statefulset("web", replicas=3, current=OLD, update=NEW, partition=3, templates=()),
        f.pod("web", 0, revision=OLD, templates=()), f.pod("web", 1, revision=NEW, templates=()),
        f.pod("web", 2, revision="web-ancient", templates=()), f.node("node-1"), f.service("nginx"),
    )
    view = build_view(store, "default", "web", f.NOW)
    assert [s.revision_kind for s in view.slots] == [m.REV_CURRENT, m.REV_UPDATE, m.REV_OTHER]


def test_update_revision_falls_back_to_the_newest_controller_revision():
    sts = f.statefulset("web", replicas=1, templates=())
    sts["status"] = {}
    store = f.store_with(sts, f.controller_revision("web", image="nginx:1.25", number=1),
                         f.controller_revision("web", image="nginx:1.27", number=2),
                         f.pod("web", 0, revision=NEW, templates=()), f.node("node-1"), f.service("nginx"))
    view = build_view(store, "default", "web", f.NOW)
    assert view.rollout.update_revision == NEW and view.slot(0).revision_kind == m.REV_CURRENT


def test_build_views_sorts_and_filters_and_build_view_follows_changes():
    store = f.store_with(f.family("web", "b"), f.family("db", "a", service="db"), f.family("api", "b"),
                         f.node("node-1"))
    views = build_views(store, f.NOW)
    assert [(v.namespace, v.name) for v in views] == [("a", "db"), ("b", "api"), ("b", "web")]
    assert [v.name for v in build_views(store, f.NOW, namespaces=["b"])] == ["api", "web"]
    assert build_view(store, "a", "missing", f.NOW) is None
    store.apply_event("pods", "MODIFIED", f.pod("web", 1, "b", ready=False, rv="9999"))
    assert not build_view(store, "b", "web", f.NOW).slot(1).ready


def test_get_json_schema_fields():
    view = build_view(settled(replicas=2), "default", "web", f.NOW)
    doc = m.to_json(view)
    for key in ("namespace", "name", "replicas", "strategy", "partition", "currentRevision", "updateRevision",
                "service", "pods", "claims", "volumes", "warnings"):
        assert key in doc
    assert doc["service"]["name"] == "nginx" and doc["service"]["headless"] is True
    assert set(doc["pods"][0]) >= {"ordinal", "name", "phase", "ready", "revision", "node", "nodeReady",
                                   "terminating"}
    assert doc["pods"][0]["revision"] == "current"
    assert set(doc["claims"][0]) >= {"name", "template", "ordinal", "phase", "volume", "orphan"}
    assert set(doc["volumes"][0]) >= {"name", "phase", "reclaimPolicy", "claim"}
    assert doc["warnings"] == []
