"""Hand-built StatefulSetView objects for unit tests of pure planning and rendering.

`make_view()` gives a healthy StatefulSet `shop/web` (3 replicas, one claim template
`data`, volumes `pv-data-web-N` with reclaim policy Retain); keyword arguments change
what a test is about. Pods, claims and volumes can be overridden per ordinal or given whole.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ststui.state.model import (REV_CURRENT, REV_OTHER, REV_UPDATE, ClaimView, PodSlot, RolloutView,
                                ServiceView, StatefulSetView, VolumeView)

T0 = 1_700_000_000.0        # a fixed "now" for tests


def make_slot(name: str, ordinal: int, *, revision: str | None = "web-rev1",
              revision_kind: str | None = REV_CURRENT, **kw: Any) -> PodSlot:
    fields: dict[str, Any] = dict(
        ordinal=ordinal, name=name, exists=True, phase="Running", ready=True,
        ready_containers="1/1", restarts=0, revision=revision, revision_kind=revision_kind,
        node="node-1", node_ready=True, terminating=False, terminating_since=None,
        deletion_grace_seconds=None, ip=f"10.0.0.{ordinal + 10}", dns_name=None,
        created=T0 - 3600, uid=f"uid-{name}", resource_version="100", in_spec=True)
    fields.update(kw)
    return PodSlot(**fields)


def make_view(*, name: str = "web", namespace: str = "shop", replicas: int = 3, start: int = 0,
              strategy: str = "RollingUpdate", partition: int = 0, policy: str = "OrderedReady",
              current: str = "web-rev1", update: str = "web-rev1",
              updated: set[int] | None = None, pods: dict[int, dict] | None = None,
              extra_ordinals: tuple[int, ...] = (), templates: tuple[str, ...] = ("data",),
              claims: dict[int, dict] | None = None, orphan_ordinals: tuple[int, ...] = (),
              volumes: dict[str, dict] | None = None, extra_volumes: tuple[VolumeView, ...] = (),
              retention_when_scaled: str = "Retain", images: tuple[tuple[str, str], ...] = (("nginx", "nginx:1.25"),),
              max_unavailable: int = 1, halted: bool = False, halted_reason: str | None = None,
              uid: str = "uid-sts-web") -> StatefulSetView:
    """A StatefulSetView; `updated` = ordinals at the update revision (default: all when
    current == update, else none). Revision kinds follow model.py: "update" only when the
    update revision differs from the current one, "current" for the current revision.
    `pods[o]` overrides PodSlot fields of ordinal o
    (`{"exists": False}` makes a hole); `claims[o]` overrides that ordinal's claim fields;
    `orphan_ordinals` adds retained claims beyond replicas; `volumes[name]` overrides a volume."""
    pods = pods or {}
    claims = claims or {}
    volumes = volumes or {}
    ordinals = list(range(start, start + replicas)) + list(extra_ordinals)
    if updated is None:
        updated = set(ordinals) if current == update else set()
    slots = []
    for o in ordinals:
        pod_name = f"{name}-{o}"
        at_update = o in updated
        revision = update if at_update else current
        kind = REV_CURRENT if revision == current else REV_UPDATE if revision == update else REV_OTHER
        kw = dict(revision=revision, revision_kind=kind, in_spec=start <= o < start + replicas)
        kw.update(pods.get(o, {}))
        if kw.get("exists") is False:
            kw.setdefault("phase", "NotCreated")
            kw.update(ready=False, ready_containers="0/1", revision=None, revision_kind=None,
                      node=None, node_ready=None, ip=None, uid=None)
        slots.append(make_slot(pod_name, o, **kw))
    claim_views, volume_views = [], []
    for o in sorted(set(ordinals) | set(orphan_ordinals)):
        for t in templates:
            cname = f"{t}-{name}-{o}"
            ckw: dict[str, Any] = dict(name=cname, template=t, ordinal=o, exists=True, phase="Bound",
                                      volume=f"pv-{cname}", capacity="1Gi", storage_class="standard",
                                      orphan=o >= start + replicas, access_modes=("ReadWriteOnce",),
                                      uid=f"uid-{cname}", created=T0 - 3600)
            ckw.update(claims.get(o, {}))
            claim = ClaimView(**ckw)
            claim_views.append(claim)
            if claim.exists and claim.volume:
                vkw: dict[str, Any] = dict(name=claim.volume, phase="Bound", reclaim_policy="Retain",
                                          claim=f"{namespace}/{cname}", claim_uid=claim.uid,
                                          storage_class="standard", capacity="1Gi", ordinal=o, template=t)
                vkw.update(volumes.get(claim.volume, {}))
                volume_views.append(VolumeView(**vkw))
    volume_views.extend(extra_volumes)
    old = tuple(s.ordinal for s in slots if s.exists and s.in_spec and s.revision != update)
    in_spec = [s for s in slots if s.in_spec]
    rollout = RolloutView(
        strategy=strategy, partition=partition, max_unavailable=max_unavailable, replicas=replicas,
        ready_replicas=sum(1 for s in in_spec if s.exists and s.ready),
        available_replicas=sum(1 for s in in_spec if s.exists and s.ready),
        current_replicas=sum(1 for s in in_spec if s.exists and s.revision == current),
        updated_replicas=sum(1 for s in in_spec if s.exists and s.revision == update),
        current_revision=current, update_revision=update, observed_generation=2, generation=2,
        in_progress=bool(old) and strategy == "RollingUpdate",
        complete=not old and all(s.exists and s.ready for s in in_spec),
        next_ordinal=None, next_step_ordinal=None, halted=halted, halted_reason=halted_reason,
        old_revision_ordinals=old, pod_management_policy=policy)
    return StatefulSetView(
        namespace=namespace, name=name, uid=uid, replicas=replicas, ordinals_start=start,
        selector={"app": name}, service=ServiceView(name=name, exists=True, headless=True),
        rollout=rollout, slots=tuple(slots), claims=tuple(claim_views), volumes=tuple(volume_views),
        warnings=(), templates=templates, retention_when_scaled=retention_when_scaled,
        retention_when_deleted="Retain", images=images, created=T0 - 7200, resource_version="200")


def released(volume: VolumeView, **kw: Any) -> VolumeView:
    """The volume after its claim was deleted under Retain."""
    fields = dict(phase="Released")
    fields.update(kw)
    return replace(volume, **fields)


def volume_of(view: StatefulSetView, name: str) -> VolumeView:
    return next(v for v in view.volumes if v.name == name)
