"""The DOMAIN.md behaviours over HTTP, with the official `kubernetes` client against the sim.

Time is moved with the sim's manual clock (sim.settle / sim.advance), never by sleeping;
node readiness goes through the sim's own control endpoint (/_sim/nodes/<name>/notready).
"""
import json

import pytest
from kubernetes import client

from ststui.sim.scenarios import statefulset

from controller_kit import kubectl_rollout_status

NS = "default"


@pytest.fixture
def api(sim):
    c = sim.api()
    return client.AppsV1Api(c), client.CoreV1Api(c)


def create_sts(apps, name="web", replicas=3, image="nginx:1.25", **kw):
    kw.setdefault("service", name)
    kw.setdefault("container", "app")
    return apps.create_namespaced_stateful_set(NS, statefulset(name, image, replicas, **kw))


def pods(core, name="web"):
    out = {}
    for p in core.list_namespaced_pod(NS, label_selector=f"app={name}").items:
        out[int(p.metadata.labels["apps.kubernetes.io/pod-index"])] = p
    return dict(sorted(out.items()))


def is_ready(p):
    return p.status.phase == "Running" and any(c.type == "Ready" and c.status == "True"
                                               for c in p.status.conditions or [])


def rev(p):
    return p.metadata.labels["controller-revision-hash"]


def claims(core):
    return {c.metadata.name: c for c in core.list_namespaced_persistent_volume_claim(NS).items}


def sts_events(core, reason):
    evs = [e for e in core.list_namespaced_event(NS).items
           if e.reason == reason and e.involved_object.kind == "StatefulSet"]
    return [e.message for e in sorted(evs, key=lambda e: (e.first_timestamp, e.metadata.name))]


def rollout_status(apps, name="web"):
    raw = apps.read_namespaced_stateful_set(name, NS, _preload_content=False)
    return kubectl_rollout_status(json.loads(raw.data))


def set_image(apps, image, name="web"):
    apps.patch_namespaced_stateful_set(name, NS, {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "image": image}]}}}})


def scale(apps, replicas, name="web"):
    apps.patch_namespaced_stateful_set_scale(name, NS, {"spec": {"replicas": replicas}})


def test_ordered_creation_and_health_gated_ordered_scale_down(sim, api):
    apps, core = api
    create_sts(apps, replicas=4)
    sim.settle()
    ps = pods(core)
    assert sorted(ps) == [0, 1, 2, 3] and all(is_ready(p) for p in ps.values())
    for n in range(1, 4):
        prev_ready = next(c.last_transition_time for c in ps[n - 1].status.conditions if c.type == "Ready")
        assert ps[n].metadata.creation_timestamp >= prev_ready
    assert sts_events(core, "SuccessfulCreate")[:2] == [
        "create Claim data-web-0 Pod web-0 in StatefulSet web success",
        "create Pod web-0 in StatefulSet web successful"]
    # health gate: web-0's node stops reporting, nothing is scaled down
    node = ps[0].spec.node_name
    sim.control(f"nodes/{node}/notready")
    scale(apps, 1)
    sim.advance(120)
    assert sorted(pods(core)) == [0, 1, 2, 3]
    assert all(p.metadata.deletion_timestamp is None for p in pods(core).values())
    sim.control(f"nodes/{node}/ready")
    sim.settle()
    assert sorted(pods(core)) == [0]
    deletes = sts_events(core, "SuccessfulDelete")
    assert deletes == [f"delete Pod web-{n} in StatefulSet web successful" for n in (3, 2, 1)]
    times = sorted(e.first_timestamp for e in core.list_namespaced_event(NS).items if e.reason == "SuccessfulDelete")
    assert times[0] < times[1] < times[2]           # one at a time, each gone before the next
    s = apps.read_namespaced_stateful_set("web", NS)
    assert (s.status.replicas, s.status.ready_replicas) == (1, 1)


def test_reverse_order_update_stops_at_the_partition_and_lower_pods_keep_the_old_revision(sim, api):
    apps, core = api
    create_sts(apps, replicas=4)
    sim.settle()
    old = apps.read_namespaced_stateful_set("web", NS).status.current_revision
    apps.patch_namespaced_stateful_set("web", NS, {"spec": {"updateStrategy": {
        "type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}})
    set_image(apps, "nginx:1.27")
    sim.settle()
    s = apps.read_namespaced_stateful_set("web", NS)
    new = s.status.update_revision
    assert new != old and s.status.current_revision == old
    assert {o: rev(p) for o, p in pods(core).items()} == {0: old, 1: old, 2: new, 3: new}
    assert sts_events(core, "SuccessfulDelete") == ["delete Pod web-3 in StatefulSet web successful",
                                                    "delete Pod web-2 in StatefulSet web successful"]
    assert (s.status.updated_replicas, s.status.current_replicas) == (2, 2)
    assert rollout_status(apps) == ("partitioned roll out complete: 2 new pods have been updated...", True)
    history = client.AppsV1Api(core.api_client).list_namespaced_controller_revision(NS, label_selector="app=web")
    assert sorted(r.revision for r in history.items) == [1, 2]
    # below the partition a deleted pod comes back at the old revision
    core.delete_namespaced_pod("web-0", NS)
    sim.settle()
    p0 = pods(core)[0]
    assert rev(p0) == old and p0.spec.containers[0].image == "nginx:1.25" and is_ready(p0)


def test_on_delete_only_replaces_deleted_pods(sim, api):
    apps, core = api
    create_sts(apps, replicas=3, strategy={"type": "OnDelete"})
    sim.settle()
    old = apps.read_namespaced_stateful_set("web", NS).status.current_revision
    set_image(apps, "nginx:1.27")
    sim.advance(300)
    assert {rev(p) for p in pods(core).values()} == {old}
    core.delete_namespaced_pod("web-2", NS)
    sim.settle()
    s = apps.read_namespaced_stateful_set("web", NS)
    assert {o: rev(p) == s.status.update_revision for o, p in pods(core).items()} == {0: False, 1: False, 2: True}
    assert pods(core)[2].spec.containers[0].image == "nginx:1.27"


def test_claim_naming_orphans_and_retain_policy(sim, api):
    apps, core = api
    create_sts(apps, replicas=3, labels={"app": "web", "tier": "front"})
    sim.settle()
    cs = claims(core)
    assert sorted(cs) == ["data-web-0", "data-web-1", "data-web-2"]
    assert cs["data-web-1"].metadata.labels == {"app": "web", "tier": "front"}
    assert all(c.status.phase == "Bound" for c in cs.values())
    volume = cs["data-web-2"].spec.volume_name
    assert volume == f"pvc-{cs['data-web-2'].metadata.uid}"
    pv = core.read_persistent_volume(volume)
    assert (pv.spec.claim_ref.namespace, pv.spec.claim_ref.name, pv.spec.claim_ref.uid) == \
        (NS, "data-web-2", cs["data-web-2"].metadata.uid)
    scale(apps, 1)
    sim.settle()
    assert sorted(pods(core)) == [0]
    cs = claims(core)
    assert sorted(cs) == ["data-web-0", "data-web-1", "data-web-2"]      # orphans stay Bound
    assert cs["data-web-2"].status.phase == "Bound"
    scale(apps, 3)
    sim.settle()
    assert claims(core)["data-web-2"].metadata.uid == cs["data-web-2"].metadata.uid
    assert pods(core)[2].spec.volumes[0].persistent_volume_claim.claim_name == "data-web-2"


def test_delete_retention_policies(sim, api):
    apps, core = api
    create_sts(apps, replicas=3, extra_spec={"persistentVolumeClaimRetentionPolicy": {
        "whenScaled": "Delete", "whenDeleted": "Delete"}})
    sim.settle()
    s = apps.read_namespaced_stateful_set("web", NS)
    refs = claims(core)["data-web-0"].metadata.owner_references
    assert [(r.kind, r.uid) for r in refs] == [("StatefulSet", s.metadata.uid)]
    gone_volume = claims(core)["data-web-2"].spec.volume_name
    scale(apps, 1)
    sim.settle()
    assert sorted(claims(core)) == ["data-web-0"]
    assert gone_volume not in {v.metadata.name for v in core.list_persistent_volume().items}
    apps.delete_namespaced_stateful_set("web", NS)
    sim.settle()
    assert claims(core) == {} and pods(core) == {}
    assert core.list_persistent_volume().items == []


def test_released_volume_reclaimed_both_ways_and_reused_on_scale_up(sim, api):
    apps, core = api
    create_sts(apps, replicas=4, storage_class="retained")
    sim.settle()
    volumes = {n: c.spec.volume_name for n, c in claims(core).items()}
    scale(apps, 2)
    sim.settle()
    for name in ("data-web-2", "data-web-3"):
        core.delete_namespaced_persistent_volume_claim(name, NS)
    sim.settle()
    for name in ("data-web-2", "data-web-3"):
        pv = core.read_persistent_volume(volumes[name])
        assert pv.status.phase == "Released" and pv.spec.claim_ref.name == name
    # free one for anyone: claimRef removed (kubectl patch pv ... -p '{"spec":{"claimRef":null}}')
    core.patch_persistent_volume(volumes["data-web-2"], {"spec": {"claimRef": None}})
    # keep the other for its claim: only uid and resourceVersion removed
    core.patch_persistent_volume(volumes["data-web-3"], [
        {"op": "remove", "path": "/spec/claimRef/uid"},
        {"op": "remove", "path": "/spec/claimRef/resourceVersion"}])
    sim.settle()
    freed = core.read_persistent_volume(volumes["data-web-2"])
    reserved = core.read_persistent_volume(volumes["data-web-3"])
    assert freed.status.phase == "Available" and freed.spec.claim_ref is None
    assert reserved.status.phase == "Available" and reserved.spec.claim_ref.name == "data-web-3"
    scale(apps, 4)
    sim.settle()
    cs = claims(core)
    assert cs["data-web-3"].spec.volume_name == volumes["data-web-3"]
    assert cs["data-web-2"].spec.volume_name == volumes["data-web-2"]   # the freed one fits too
    assert core.read_persistent_volume(volumes["data-web-3"]).spec.claim_ref.uid == cs["data-web-3"].metadata.uid
    assert all(is_ready(p) for p in pods(core).values()) and sorted(pods(core)) == [0, 1, 2, 3]


def test_force_delete_on_a_not_ready_node_and_at_most_one(sim, api):
    apps, core = api
    create_sts(apps, replicas=3)
    sim.settle()
    victim = pods(core)[1]
    node = victim.spec.node_name
    sim.control(f"nodes/{node}/notready")
    sim.advance(301)                                            # evicted after tolerationSeconds
    stuck = pods(core)[1]
    assert stuck.metadata.uid == victim.metadata.uid and stuck.metadata.deletion_timestamp is not None
    assert not is_ready(stuck)
    sim.advance(1800)
    named = [p for p in core.list_namespaced_pod(NS).items if p.metadata.name == "web-1"]
    assert len(named) == 1 and named[0].metadata.uid == victim.metadata.uid
    core.delete_namespaced_pod("web-1", NS, grace_period_seconds=0)
    sim.settle()
    replacement = pods(core)[1]
    assert replacement.metadata.uid != victim.metadata.uid
    assert replacement.spec.node_name != node and is_ready(replacement)


def test_halted_rollout_and_recovery(sim, api):
    apps, core = api
    create_sts(apps, replicas=3)
    sim.settle()
    history = apps.list_namespaced_controller_revision(NS, label_selector="app=web").items
    [first] = history
    set_image(apps, "nginx:1.27-broken")
    sim.advance(900)
    ps = pods(core)
    assert not is_ready(ps[2]) and ps[2].status.phase == "Running"
    assert is_ready(ps[0]) and is_ready(ps[1])
    s = apps.read_namespaced_stateful_set("web", NS)
    assert s.status.updated_replicas == 1 and s.status.ready_replicas == 2
    assert rollout_status(apps) == ("Waiting for 1 pods to be ready...", False)
    # recovery: revert the template (what `kubectl rollout undo` sends), then delete the stuck pod
    apps.patch_namespaced_stateful_set("web", NS, first.data)
    sim.advance(600)
    assert pods(core)[2].metadata.uid == ps[2].metadata.uid      # not replaced by itself
    core.delete_namespaced_pod("web-2", NS)
    sim.settle(max_seconds=300)
    assert all(is_ready(p) for p in pods(core).values())
    s = apps.read_namespaced_stateful_set("web", NS)
    assert s.status.current_revision == s.status.update_revision == first.metadata.name
    revs = {r.metadata.name: r.revision for r in apps.list_namespaced_controller_revision(NS).items}
    assert revs[first.metadata.name] == 3 and len(revs) == 2
    assert rollout_status(apps)[1] is True
