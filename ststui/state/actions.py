"""Plan every user action on a StatefulSet: what will happen, the kubectl equivalent, the requests.

Place in the flow: a key press in the TUI calls one `plan_*` function with the selected
`StatefulSetView` (and what the user typed); the modal shows `Plan.title`, `effect`,
`warnings` and `kubectl`, asks for `confirm_text` when set, and refuses when `refused`
is set (offering an override when `overridable`). On "yes", `kube.ops.execute(plan)`
sends `Plan.requests`. Nothing here does I/O; time comes in as an argument (`now`;
only `plan_force_delete_pod` falls back to the wall clock when it is not given), so
tests build views by hand and assert the sentences and bodies.

Partition arithmetic follows the controller: pods whose index (ordinal minus
`.spec.ordinals.start`) is >= partition are updated, highest first.
"""
from __future__ import annotations

import copy
import json
import re
import shlex
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Iterable

from .model import (REV_UPDATE, ClaimView, PodSlot, StatefulSetView, VolumeView)
from .rollout import RolloutSpec, predict_replacements, step_target

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
JSON = "application/json"
FIELD_MANAGER = (("fieldManager", "ststui"),)
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
MAX_NAMES = 6                      # pod/claim names listed in one sentence before "and N more"

_IMAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict | list | None = None
    content_type: str | None = None
    query: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    action: str                    # step, partition, hold, release, scale, delete-pod, force-delete-pod,
                                   # reclaim-free, reclaim-keep, delete-claim, restart, undo, set-image
    title: str                     # short, e.g. "Step rollout of shop/web"
    effect: tuple[str, ...]        # sentences saying exactly what will happen
    warnings: tuple[str, ...]      # risks
    kubectl: str                   # the equivalent kubectl command, copy-pasteable
    requests: tuple[Request, ...]
    destructive: bool
    confirm_text: str | None = None    # the user must type this exactly to confirm
    refused: str | None = None         # the action must not run now, and why
    overridable: bool = False          # a refusal the user may override (re-plan with override=True)
    target: str = ""                   # "kind/namespace/name" of the object changed, for the audit log
    # What the plan was computed from, as (what, value) pairs ("partition", "3"): the
    # requests carry these as preconditions (JSON patch `test` ops, the scale's replicas,
    # delete preconditions), so the server refuses the change if any moved meanwhile;
    # `conflict_sentence` compares them with a fresh plan's to say what changed.
    based_on: tuple[tuple[str, str], ...] = ()


def conflict_sentence(old: Plan, new: Plan) -> str:
    """'the partition is now 0 (it was 3 when the dialog opened)': what moved between
    the plan the server refused and a plan made from the state after the conflict."""
    then = dict(old.based_on)
    moved = [f"the {what} is now {value} (it was {then[what]} when the dialog opened)"
             for what, value in new.based_on if what in then and then[what] != value]
    if not moved:
        return "it is not as it was when the dialog opened"
    return _join(moved)


class PlanError(ValueError):
    """Bad input for an action; str() is one readable sentence."""


MAX_INPUT_CHARS = 253              # longest text a value dialog plans with (a DNS name's limit)
DEFAULT_REPLICAS_CEILING = 1000    # replicas above this are refused (configurable per call)


# --------------------------------------------------------------------------- small helpers

def sts_path(view: StatefulSetView) -> str:
    return f"/apis/apps/v1/namespaces/{view.namespace}/statefulsets/{view.name}"


def pod_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{namespace}/pods/{name}"


def claim_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}"


def volume_path(name: str) -> str:
    return f"/api/v1/persistentvolumes/{name}"


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=False)


def _kubectl(*words: str) -> str:
    return " ".join(["kubectl", *(shlex.quote(w) for w in words)])


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, … and 7 more'."""
    items = list(items)
    if len(items) > MAX_NAMES:
        shown, rest = items[:MAX_NAMES - 1], len(items) - (MAX_NAMES - 1)
        return ", ".join(shown) + f" and {rest} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pod_name(view: StatefulSetView, ordinal: int) -> str:
    slot = view.slot(ordinal)
    return slot.name if slot else f"{view.name}-{ordinal}"


def _pod_names(view: StatefulSetView, ordinals: Iterable[int]) -> str:
    ordinals = list(ordinals)
    if len(ordinals) > MAX_NAMES:     # name only those shown: the rest are counted
        shown = [_pod_name(view, o) for o in ordinals[:MAX_NAMES - 1]]
        return ", ".join(shown) + f" and {len(ordinals) - (MAX_NAMES - 1)} more"
    return _join([_pod_name(view, o) for o in ordinals])


def _claim_names(view: StatefulSetView, ordinal: int) -> list[str]:
    return [f"{t}-{view.name}-{ordinal}" for t in view.templates]


_claims_index: tuple = ((), {})     # (claims tuple, {name: claim}) of the last view asked


def _claim(view: StatefulSetView, name: str) -> ClaimView | None:
    """The claim named `name` (an index built once per view: plans stay linear)."""
    global _claims_index
    claims, index = _claims_index          # one tuple, swapped whole: safe across threads
    if claims is not view.claims:
        index = {c.name: c for c in view.claims}
        _claims_index = (view.claims, index)
    return index.get(name)


def _volume(view: StatefulSetView, name: str | None) -> VolumeView | None:
    if not name:
        return None
    for v in view.volumes:
        if v.name == name:
            return v
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _index(view: StatefulSetView, ordinal: int) -> int:
    return ordinal - view.ordinals_start


def _spec_ordinals(view: StatefulSetView) -> list[int]:
    return list(range(view.ordinals_start, view.ordinals_start + view.replicas))


def _duration(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s" if s < 600 else f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def _parse_whole(text: Any, lo: int, hi: int | None, message: str) -> int:
    raw = str(text).strip() if text is not None else ""
    if len(raw) > 12:     # checked before parsing: int() of 5,000 digits is slow, then refused
        shown = raw[:12] + "…"
        raise PlanError(message.format(got=shown) + f" ({len(raw)} characters is far too large)")
    if not re.fullmatch(r"\+?\d+", raw):
        raise PlanError(message.format(got=str(text) if text is not None else ""))
    value = int(raw)
    if value < lo or (hi is not None and value > hi):
        raise PlanError(message.format(got=raw))
    return value


def _refused(action: str, title: str, reason: str, kubectl: str = "", *,
             overridable: bool = False, target: str = "") -> Plan:
    return Plan(action=action, title=title, effect=(), warnings=(), kubectl=kubectl, requests=(),
                destructive=False, refused=reason, overridable=overridable, target=target)


def _sts_target(view: StatefulSetView) -> str:
    return f"statefulset/{view.namespace}/{view.name}"


def _revision_for_index(view: StatefulSetView, index: int) -> str | None:
    """The revision a pod at this index is (re)created at, as the controller decides."""
    r = view.rollout
    if r.strategy == "RollingUpdate" and index < r.partition:
        return r.current_revision
    return r.update_revision


def _runs_update(view: StatefulSetView, slot: PodSlot | None) -> bool:
    """The pod exists and runs the update revision (compared by name: when current and
    update revisions are equal the model calls settled pods "current")."""
    if slot is None or not slot.exists:
        return False
    update = view.rollout.update_revision
    if update and slot.revision:
        return slot.revision == update
    return slot.revision_kind == REV_UPDATE


def _halted_note(view: StatefulSetView) -> list[str]:
    r = view.rollout
    if r.halted:
        return [f"The rollout is halted now: {r.halted_reason or 'an updated pod is not Ready'}."]
    return []


def _not_ready_in_spec(view: StatefulSetView) -> list[PodSlot]:
    return [s for s in view.slots if s.in_spec and s.exists and (not s.ready or s.terminating)]


# --------------------------------------------------------------------------- partition

PARTITION_POINTER = "/spec/updateStrategy/rollingUpdate/partition"


def _partition_patch(view: StatefulSetView, partition: int) -> tuple[str, tuple[Request, ...]]:
    """A JSON patch that sets the partition only if it, the strategy and the replicas the
    effect was computed from are still those shown (the API server defaults partition to
    0 and replicas to 1, so both paths always exist)."""
    body = [{"op": "test", "path": "/spec/updateStrategy/type", "value": "RollingUpdate"},
            {"op": "test", "path": PARTITION_POINTER, "value": view.rollout.partition},
            {"op": "test", "path": "/spec/replicas", "value": view.replicas},
            {"op": "replace", "path": PARTITION_POINTER, "value": partition}]
    kubectl = _kubectl("patch", "sts", view.name, "-n", view.namespace, "--type=json", "-p", _compact(body))
    return kubectl, (Request("PATCH", sts_path(view), body, JSON_PATCH, FIELD_MANAGER),)


def _partition_basis(view: StatefulSetView) -> tuple[tuple[str, str], ...]:
    r = view.rollout
    return (("update strategy", r.strategy), ("partition", str(r.partition)),
            ("number of replicas", str(view.replicas)))


def _ondelete_refusal(view: StatefulSetView) -> str:
    return (f"{view.key} uses the OnDelete strategy, which has no partition: "
            "pods take the new template only when you delete them.")


def _partition_effects(view: StatefulSetView, old: int, new: int) -> list[str]:
    """What the controller does once the partition is `new` (RollingUpdate)."""
    r = view.rollout
    effect = [f"The partition of {view.key} goes from {old} to {new}."]
    same_revision = not r.update_revision or r.update_revision == r.current_revision
    spec = _spec_ordinals(view)
    if same_revision:
        effect.append("Every pod already runs the update revision, so no pod restarts now; "
                      "the partition applies to the next template change.")
    else:
        def at_update(o: int) -> bool:
            return _runs_update(view, view.slot(o))

        to_update = [o for o in reversed(spec) if _index(view, o) >= new and not at_update(o)]
        if to_update:
            pace = ("up to %d at a time" % r.max_unavailable if r.max_unavailable > 1
                    else "one at a time, each after the previous one is Running and Ready")
            effect.append(f"The controller then replaces {_pod_names(view, to_update)} at the update "
                          f"revision {r.update_revision}, highest ordinal first, {pace}.")
        elif new < view.replicas:
            effect.append("No pod at or above the partition needs replacing: they already run the "
                          f"update revision {r.update_revision}.")
        below = [o for o in spec if _index(view, o) < new]
        staying = [o for o in below if not at_update(o)]
        kept = [o for o in below if at_update(o)]
        if staying:
            effect.append(f"{_pod_names(view, staying)} stay{'s' if len(staying) == 1 else ''} at the current "
                          f"revision {r.current_revision} until the partition is lowered further.")
        if kept:
            one = len(kept) == 1
            effect.append(f"{_pod_names(view, kept)} already run{'s' if one else ''} the update revision and "
                          f"keep{'s' if one else ''} it; deleted, {'it' if one else 'they'} would come back at "
                          "the current revision. A step (a) skips "
                          f"{'it' if one else 'them'}.")
    if new >= view.replicas:
        effect.append("This holds the rollout: no pod is updated until the partition is lowered.")
    return effect


def _rollout_spec(view: StatefulSetView) -> RolloutSpec:
    """The rollout arithmetic's input, from a view (what rollout.summarize was given)."""
    r = view.rollout
    return RolloutSpec(name=view.name, strategy=r.strategy, partition=r.partition,
                       max_unavailable=r.max_unavailable, replicas=view.replicas, start=view.ordinals_start,
                       pod_management_policy=r.pod_management_policy, min_ready_seconds=r.min_ready_seconds,
                       current_revision=r.current_revision, update_revision=r.update_revision)


def plan_step(view: StatefulSetView, override: bool = False) -> Plan:
    """One more pod updates: lower the partition to the highest position below it whose pod
    is not on the update revision (skipping pods already updated), as rollout.step_target says."""
    r = view.rollout
    title = f"Step rollout of {view.key}"
    target = _sts_target(view)
    if r.strategy != "RollingUpdate":
        return _refused("step", title, _ondelete_refusal(view), target=target)
    effective = min(r.partition, view.replicas)
    new, ordinal, why = step_target(view.slots, _rollout_spec(view))
    if effective <= 0:
        return _refused("step", title, f"The partition of {view.key} is already 0: "
                        "every ordinal is released to the update revision.", target=target)
    if new is None or ordinal is None:
        return _refused("step", title, f"No step: {why or 'no step would update a pod'}.", target=target)
    name = _pod_name(view, ordinal)
    kubectl, requests = _partition_patch(view, new)

    # The pods already released (index >= partition) must be updated and Ready first.
    blockers: list[str] = []
    if r.update_revision and r.update_revision != r.current_revision:
        for o in _spec_ordinals(view):
            if _index(view, o) < effective:
                continue
            s = view.slot(o)
            pod = _pod_name(view, o)
            if s is None or not s.exists:
                blockers.append(f"{pod} does not exist yet")
            elif s.terminating:
                blockers.append(f"{pod} is still Terminating")
            elif not _runs_update(view, s):
                blockers.append(f"{pod} is not at the update revision yet")
            elif not s.ready:
                blockers.append(f"{pod} is updated but not Ready yet")
    if blockers and not override:
        more = f" (and {_plural(len(blockers) - 1, 'more pod')})" if len(blockers) > 1 else ""
        return _refused("step", title,
                        f"Not stepping yet: {blockers[0]}{more}; wait for it, or override.",
                        kubectl, overridable=True, target=target)

    effect = [f"The partition of {view.key} goes from {r.partition} to {new}: {name} updates."]
    if r.partition > view.replicas:
        effect.append(f"(It was above the {view.replicas} replicas.)")
    skipped = [view.ordinals_start + i for i in range(effective - 1, new, -1)]
    if skipped:
        effect.append(f"{_pod_names(view, skipped)} already run{'s' if len(skipped) == 1 else ''} the update "
                      f"revision and {'is' if len(skipped) == 1 else 'are'} skipped.")
    slot = view.slot(ordinal)
    claims = _claim_names(view, ordinal)
    with_claims = f", keeping its claim{'s' if len(claims) > 1 else ''} {_join(claims)}" if claims else ""
    if slot is None or not slot.exists:
        effect.append(f"The controller then creates {name} at the update revision {r.update_revision}.")
    else:
        effect.append(f"The controller then deletes {name} and recreates it at the update revision "
                      f"{r.update_revision}{with_claims}.")
    below = [o for o in _spec_ordinals(view) if _index(view, o) < new]
    old_below = [o for o in below if not _runs_update(view, view.slot(o))]
    if old_below:
        effect.append(f"{_pod_names(view, old_below)} stay at the current revision until later steps.")
    else:
        effect.append("This is the last step: afterwards every pod runs the update revision.")
    warnings = []
    if blockers:
        warnings.append(f"Overriding: {_join(blockers)}. If the new revision is broken, "
                        f"{name} goes down with it.")
    return Plan("step", title, tuple(effect), tuple(warnings), kubectl, requests, False, target=target,
                based_on=_partition_basis(view))


def plan_set_partition(view: StatefulSetView, text: Any) -> Plan:
    """Set the partition to a number the user typed (0..replicas)."""
    title = f"Set partition of {view.key}"
    new = _parse_whole(text, 0, view.replicas,
                       f"Partition must be a whole number from 0 to {view.replicas}; got '{{got}}'.")
    r = view.rollout
    target = _sts_target(view)
    if r.strategy != "RollingUpdate":
        return _refused("partition", title, _ondelete_refusal(view), target=target)
    if new == r.partition:
        return _refused("partition", title, f"The partition of {view.key} is already {new}.", target=target)
    kubectl, requests = _partition_patch(view, new)
    return Plan("partition", title, tuple(_partition_effects(view, r.partition, new)),
                tuple(_halted_note(view)), kubectl, requests, False, target=target,
                based_on=_partition_basis(view))


def plan_hold(view: StatefulSetView) -> Plan:
    """Partition = replicas: no pod is updated until the partition is lowered."""
    title = f"Hold rollout of {view.key}"
    r = view.rollout
    target = _sts_target(view)
    if r.strategy != "RollingUpdate":
        return _refused("hold", title, _ondelete_refusal(view), target=target)
    if r.partition >= view.replicas:
        return _refused("hold", title, f"{view.key} is already held: its partition {r.partition} is not "
                        f"below its {view.replicas} replicas.", target=target)
    kubectl, requests = _partition_patch(view, view.replicas)
    effect = _partition_effects(view, r.partition, view.replicas)
    effect.append("Change the template next (set image, restart), then step with 'a' to update one ordinal at a time.")
    return Plan("hold", title, tuple(effect), (), kubectl, requests, False, target=target,
                based_on=_partition_basis(view))


def plan_release(view: StatefulSetView) -> Plan:
    """Partition = 0: every pod is updated."""
    title = f"Release rollout of {view.key}"
    r = view.rollout
    target = _sts_target(view)
    if r.strategy != "RollingUpdate":
        return _refused("release", title, _ondelete_refusal(view), target=target)
    if r.partition == 0:
        return _refused("release", title, f"The partition of {view.key} is already 0.", target=target)
    kubectl, requests = _partition_patch(view, 0)
    return Plan("release", title, tuple(_partition_effects(view, r.partition, 0)),
                tuple(_halted_note(view)), kubectl, requests, False, target=target,
                based_on=_partition_basis(view))


# --------------------------------------------------------------------------- scale

def _volume_fates(view: StatefulSetView, claim_names: list[str]) -> tuple[list[str], list[str]]:
    """Sentences about what happens to the volumes of claims that get deleted, and warnings."""
    lost, kept, unknown = [], [], []
    for name in claim_names:
        claim = _claim(view, name)
        if claim is None or not claim.volume:
            continue
        vol = _volume(view, claim.volume)
        if vol is None:
            unknown.append(claim.volume)
        elif vol.reclaim_policy == "Delete":
            lost.append(vol.name)
        else:
            kept.append(vol.name)
    effect, warnings = [], []
    if lost:
        effect.append(f"Volume{'s' if len(lost) > 1 else ''} {_join(lost)} (reclaim policy Delete) "
                      f"{'are' if len(lost) > 1 else 'is'} deleted with the data.")
        warnings.append(f"The data on {_join(lost)} is lost for good.")
    if kept:
        effect.append(f"Volume{'s' if len(kept) > 1 else ''} {_join(kept)} (reclaim policy Retain) "
                      f"become{'' if len(kept) > 1 else 's'} Released and keep the data.")
    if unknown:
        effect.append(f"Volume{'s' if len(unknown) > 1 else ''} {_join(unknown)} follow their reclaim "
                      "policy (Delete: removed with the data; Retain: Released, data kept).")
    return effect, warnings


def plan_scale(view: StatefulSetView, text: Any, ceiling: int = DEFAULT_REPLICAS_CEILING) -> Plan:
    """Scale to N replicas through the /scale subresource (refused above `ceiling`)."""
    title = f"Scale {view.key}"
    n = _parse_whole(text, 0, None, "Replicas must be a whole number of 0 or more; got '{got}'.")
    if n > ceiling and n > view.replicas:
        raise PlanError(f"{n} replicas is above the ceiling of {ceiling} set for this session; "
                        "nothing was planned (raise the ceiling to go higher).")
    old = view.replicas
    target = _sts_target(view)
    if n == old:
        return _refused("scale", title, f"{view.key} already has {_plural(n, 'replica')}.", target=target)
    # The scale changes only if the replicas are still those shown (kubectl --current-replicas).
    body = [{"op": "test", "path": "/spec/replicas", "value": old},
            {"op": "replace", "path": "/spec/replicas", "value": n}]
    kubectl = _kubectl("scale", "sts", view.name, "-n", view.namespace, f"--current-replicas={old}",
                       f"--replicas={n}")
    # On the StatefulSet, not /scale: a Scale object omits replicas 0, so a test op could not see it.
    requests = (Request("PATCH", sts_path(view), body, JSON_PATCH, FIELD_MANAGER),)
    start = view.ordinals_start
    parallel = view.rollout.pod_management_policy == "Parallel"
    effect = [f"Replicas of {view.key} go from {old} to {n}."]
    warnings: list[str] = []

    if n < old:
        removed = list(range(start + old - 1, start + n - 1, -1))         # highest first
        pace = "all at once (Parallel)" if parallel else \
            "highest ordinal first, one at a time, each fully gone before the next (OrderedReady)"
        effect.append(f"{_pod_names(view, removed)} {'are' if len(removed) > 1 else 'is'} removed, {pace}.")
        claims = [c for o in sorted(removed) for c in _claim_names(view, o)]
        if claims:
            if view.retention_when_scaled == "Delete":
                effect.append(f"Their claims {_join(claims)} are deleted (whenScaled: Delete).")
                more_effect, more_warn = _volume_fates(view, claims)
                effect += more_effect
                warnings += more_warn
            else:
                effect.append(f"Their claims {_join(claims)} stay behind as orphans with their volumes "
                              "and data (whenScaled: Retain), and are used again if you scale back up.")
        if n == 0:
            warnings.append(f"Scaling to 0 stops every pod of {view.key}.")
    else:
        created = list(range(start + old, start + n))
        pace = "all at once (Parallel)" if parallel else \
            "in ordinal order, each after the previous one is Running and Ready (OrderedReady)"
        effect.append(f"{_pod_names(view, created)} {'are' if len(created) > 1 else 'is'} created, {pace}.")
        r = view.rollout
        if r.update_revision and r.current_revision and r.update_revision != r.current_revision:
            at_update = [o for o in created if _revision_for_index(view, _index(view, o)) == r.update_revision]
            at_current = [o for o in created if o not in at_update]
            if at_current:
                effect.append(f"{_pod_names(view, at_current)} start at the current revision {r.current_revision} "
                              "(below the partition).")
            if at_update:
                effect.append(f"{_pod_names(view, at_update)} start at the update revision {r.update_revision}.")
        reused, new_claims = [], []
        for o in created:
            for name in _claim_names(view, o):
                c = _claim(view, name)
                (reused if c is not None and c.exists else new_claims).append(name)
        new_claim_set = set(new_claims)
        if reused:
            effect.append(f"The retained claims {_join(reused)} are used again, with their data.")
        if new_claims:
            effect.append(f"New claims {_join(new_claims)} are created, each with a new volume.")
        for vol in view.volumes:
            claim_name = vol.claim.split("/", 1)[-1] if vol.claim else None
            if not claim_name or claim_name not in new_claim_set:
                continue
            if vol.reserved:
                effect.append(f"{vol.name} is reserved for {claim_name} and binds to it with its old data.")
            elif vol.phase == "Released":
                warnings.append(f"{vol.name} (Released) still holds the old data of {claim_name} but will not "
                                f"bind to the new claim; reclaim it with 'keep' first to get that data back.")
    unhealthy = _not_ready_in_spec(view)
    if n < old:
        # The controller removes the first unhealthy pod being removed anyway; it waits on
        # an unhealthy pod that stays, and on any other unhealthy pod being removed.
        staying = [s for s in unhealthy if _index(view, s.ordinal) < n]
        going = sorted((s for s in unhealthy if _index(view, s.ordinal) >= n), key=lambda s: s.ordinal)
        unhealthy = staying + (going if staying else going[1:])
    if unhealthy and not parallel:
        warnings.append(f"{_join([s.name for s in unhealthy])} {'are' if len(unhealthy) > 1 else 'is'} not Ready: "
                        "under OrderedReady the controller waits for it before it goes on.")
    return Plan("scale", title, tuple(effect), tuple(warnings), kubectl, requests,
                destructive=n < old, target=target, based_on=(("number of replicas", str(old)),))


# --------------------------------------------------------------------------- pods

def _delete_options(uid: str | None, grace: int | None = None) -> dict:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions"}
    if grace is not None:
        body["gracePeriodSeconds"] = grace
    if uid:
        body["preconditions"] = {"uid": uid}   # never delete a replacement created meanwhile
    return body


def _comes_back(view: StatefulSetView, slot: PodSlot) -> str:
    claims = _claim_names(view, slot.ordinal)
    keeping = f", with the same claim{'s' if len(claims) > 1 else ''} {_join(claims)} and data" if claims else ""
    if not slot.in_spec:
        return f"It is not recreated: ordinal {slot.ordinal} is beyond the {view.replicas} replicas."
    revision = _revision_for_index(view, _index(view, slot.ordinal))
    at = f" at revision {revision}" if revision else ""
    r = view.rollout
    which = ""
    if revision and revision == r.update_revision and r.update_revision != r.current_revision:
        which = " (the update revision)"
    elif revision and revision == r.current_revision and r.update_revision != r.current_revision:
        which = " (the current revision: it is below the partition)"
    return f"The controller then recreates {slot.name}{at}{which}, same name and DNS name{keeping}."


def plan_delete_pod(view: StatefulSetView, ordinal: int) -> Plan:
    """Graceful delete; the controller recreates the pod (the OnDelete way to update it)."""
    slot = view.slot(ordinal)
    name = slot.name if slot else f"{view.name}-{ordinal}"
    title = f"Delete pod {view.namespace}/{name}"
    target = f"pod/{view.namespace}/{name}"
    kubectl = _kubectl("delete", "pod", name, "-n", view.namespace)
    if slot is None or not slot.exists:
        return _refused("delete-pod", title, f"Pod {name} does not exist.", kubectl, target=target)
    if slot.terminating:
        return _refused("delete-pod", title, f"{name} is already Terminating; if its node is gone, "
                        "force delete it (ctrl+k).", kubectl, target=target)
    effect = [f"{name} is deleted gracefully: its containers get their termination grace period "
              "(30 s unless the pod sets another) to stop.", _comes_back(view, slot)]
    warnings: list[str] = []
    r = view.rollout
    if r.strategy == "OnDelete" and slot.in_spec:
        if _runs_update(view, slot):
            effect.append(f"{name} already runs the update revision; it comes back unchanged.")
        remaining = [o for o in r.old_revision_ordinals if o != ordinal]
        if remaining:
            effect.append(f"Still on an old revision after this: {_pod_names(view, remaining)}.")
        else:
            effect.append("After this every pod runs the update revision.")
    if slot.node and slot.node_ready is False:
        warnings.append(f"Node {slot.node} is NotReady: a graceful delete waits for a kubelet that may never "
                        f"answer, so {name} may stay Terminating (then force delete it).")
    if slot.ready and len([s for s in view.slots if s.in_spec and s.exists and s.ready]) == 1:
        warnings.append(f"{name} is the only Ready pod of {view.key}.")
    request = Request("DELETE", pod_path(view.namespace, name), _delete_options(slot.uid), JSON)
    return Plan("delete-pod", title, tuple(effect), tuple(warnings), kubectl, (request,), True, target=target)


def plan_force_delete_pod(view: StatefulSetView, ordinal: int, now: float | None = None) -> Plan:
    """Grace period 0: remove the pod object without waiting for its kubelet."""
    slot = view.slot(ordinal)
    name = slot.name if slot else f"{view.name}-{ordinal}"
    title = f"Force delete pod {view.namespace}/{name}"
    target = f"pod/{view.namespace}/{name}"
    kubectl = _kubectl("delete", "pod", name, "-n", view.namespace, "--grace-period=0", "--force")
    if slot is None or not slot.exists:
        return _refused("force-delete-pod", title, f"Pod {name} does not exist.", kubectl, target=target)
    now = time.time() if now is None else now
    claims = _claim_names(view, ordinal)
    volume_words = f"the volume{'s' if len(claims) > 1 else ''} of {_join(claims)}" if claims else "its storage"
    effect = [f"{name} is removed from the API at once (grace period 0), without waiting for a kubelet "
              "to confirm that its containers stopped."]
    if slot.node:
        state = {True: "Ready", False: "NotReady"}.get(slot.node_ready, "in an unknown state")
        effect.append(f"It was scheduled on node {slot.node}, which is {state}.")
    else:
        effect.append("It is not scheduled on any node.")
    if slot.terminating and slot.terminating_since is not None:
        effect.append(f"It has been Terminating for {_duration(now - slot.terminating_since)}.")
    elif slot.terminating:
        effect.append("It is Terminating.")
    else:
        effect.append(f"It is not Terminating (phase {slot.phase}).")
    effect.append(_comes_back(view, slot).replace("The controller then recreates",
                                                  "The controller then at once creates a new", 1)
                  + (" It may land on another node." if slot.in_spec else ""))

    warnings: list[str] = []
    two_pods = (f"two pods may run as {name} at the same time and share {volume_words}, "
                "which can corrupt the data")
    if slot.node and slot.node_ready is True:
        warnings.append(f"Node {slot.node} is Ready: its kubelet is probably still running {name}. "
                        f"After a force delete {two_pods}.")
    elif slot.node and slot.node_ready is None:
        warnings.append(f"The state of node {slot.node} is unknown: if it still runs {name}, {two_pods}.")
    elif slot.node:
        warnings.append(f"Only force delete when node {slot.node} is really gone (powered off or removed): "
                        f"if it is merely cut off from the API server its containers keep running, and {two_pods}.")
    if not slot.terminating:
        warnings.append(f"{name} is not Terminating: a graceful delete (ctrl+d) is the safe way to replace it.")
    confirm = name if slot.node and slot.node_ready is not False else None
    request = Request("DELETE", pod_path(view.namespace, name), _delete_options(slot.uid, grace=0), JSON)
    return Plan("force-delete-pod", title, tuple(effect), tuple(warnings), kubectl, (request,), True,
                confirm_text=confirm, target=target)


# --------------------------------------------------------------------------- volumes and claims

def plan_reclaim_volume(view_or_volume: StatefulSetView | VolumeView, mode: str,
                        volume_name: str | None = None) -> Plan:
    """Make a Released volume Available: "free" for any claim, or "keep" for its old claim.

    Pass a VolumeView, or a StatefulSetView and the volume's name (then the effect can
    say how the StatefulSet gets the volume back)."""
    if mode not in ("free", "keep"):
        raise PlanError(f"Reclaim mode must be 'free' or 'keep'; got '{mode}'.")
    view: StatefulSetView | None = None
    if isinstance(view_or_volume, StatefulSetView):
        view = view_or_volume
        vol = _volume(view, volume_name)
        if vol is None:
            raise PlanError(f"{view.key} has no volume named '{volume_name}'.")
    else:
        vol = view_or_volume
    action = f"reclaim-{mode}"
    title = (f"Free volume {vol.name} for any claim" if mode == "free"
             else f"Keep volume {vol.name} for {vol.claim or 'its claim'}")
    target = f"persistentvolume/{vol.name}"
    basis = (("phase", vol.phase), ("claim", vol.claim or "none"), ("claim uid", vol.claim_uid or "none"))
    # JSON patch: change the volume only if it is still Released with the claim shown.
    # ("add" then "remove" removes a field whether or not it is there.)
    guard = [{"op": "test", "path": "/status/phase", "value": "Released"}]
    if vol.claim_uid:
        guard.append({"op": "test", "path": "/spec/claimRef/uid", "value": vol.claim_uid})
    if mode == "free":
        body: list = guard + [{"op": "remove", "path": "/spec/claimRef"}]
    else:
        # Merge patch with nulls removes uid and resourceVersion whether or not both are present
        # (a JSON patch "remove" fails on an absent field).
        body = guard + [op for field in ("uid", "resourceVersion") for op in (
            {"op": "add", "path": f"/spec/claimRef/{field}", "value": ""},
            {"op": "remove", "path": f"/spec/claimRef/{field}"})]
    kubectl = _kubectl("patch", "pv", vol.name, "--type=json", "-p", _compact(body))
    requests = (Request("PATCH", volume_path(vol.name), body, JSON_PATCH, FIELD_MANAGER),)
    if vol.phase != "Released":
        return replace(_refused(action, title, f"{vol.name} is {vol.phase}, not Released: only a Released volume "
                        "can be reclaimed.", kubectl, target=target), based_on=basis)
    claim_full = vol.claim
    claim_name = claim_full.split("/", 1)[-1] if claim_full else None
    if mode == "keep" and not claim_full:
        return replace(_refused(action, title, f"{vol.name} records no claim to keep it for; free it instead.",
                        kubectl, target=target), based_on=basis)
    if mode == "keep" and vol.reserved:
        return replace(_refused(action, title, f"{vol.name} is already reserved for {claim_full}.", kubectl, target=target), based_on=basis)

    sc = f"storage class {vol.storage_class}" if vol.storage_class else "no storage class"
    size = f", at least {vol.capacity}" if vol.capacity else ""
    effect: list[str] = []
    warnings: list[str] = []
    if mode == "free":
        effect.append(f"{vol.name} drops its claim reference and becomes Available to any claim that fits "
                      f"({sc}{size}, matching access modes).")
        if claim_full:
            effect.append(f"It is no longer kept for {claim_full}: a new {claim_name} may get another volume.")
        warnings.append(f"Any fitting claim, in any namespace, may bind {vol.name} and read the data left on it.")
    else:
        effect.append(f"{vol.name} forgets the uid of the deleted claim and becomes Available, reserved for "
                      f"{claim_full}: only a claim with that namespace and name can bind it.")
        if view is not None and claim_name:
            claim = _claim(view, claim_name)
            ordinal = vol.ordinal if vol.ordinal is not None else (claim.ordinal if claim else None)
            if claim is not None and claim.exists and claim.volume and claim.volume != vol.name:
                warnings.append(f"{claim_name} exists and is bound to {claim.volume}, so {vol.name} stays unused "
                                "until that claim is deleted.")
            elif claim is not None and claim.exists:
                effect.append(f"The existing claim {claim_name} binds it right away, with its data.")
            elif ordinal is not None and ordinal >= view.ordinals_start + view.replicas:
                effect.append(f"Scaling {view.name} to {ordinal - view.ordinals_start + 1} or more recreates "
                              f"{claim_name}, which then binds {vol.name} with its data.")
            elif ordinal is not None:
                effect.append(f"The controller recreates {claim_name} for {_pod_name(view, ordinal)}, which then "
                              f"binds {vol.name} with its data.")
    effect.append(f"Its data stays on the volume (reclaim policy {vol.reclaim_policy}).")
    if vol.reclaim_policy == "Delete":
        warnings.append(f"Its reclaim policy is Delete: when the next claim bound to {vol.name} is deleted, "
                        "the volume and its data are deleted.")
    return Plan(action, title, tuple(effect), tuple(warnings), kubectl, requests,
                destructive=mode == "free", target=target,
                based_on=basis)


def plan_delete_claim(view: StatefulSetView, claim_name: str) -> Plan:
    """Delete an orphan claim (ordinal >= replicas); say what becomes of its volume."""
    title = f"Delete claim {view.namespace}/{claim_name}"
    target = f"persistentvolumeclaim/{view.namespace}/{claim_name}"
    kubectl = _kubectl("delete", "pvc", claim_name, "-n", view.namespace)
    claim = _claim(view, claim_name)
    if claim is None or not claim.exists:
        return _refused("delete-claim", title, f"Claim {claim_name} does not exist.", kubectl, target=target)
    if not claim.orphan:
        return _refused("delete-claim", title,
                        f"{claim_name} belongs to {_pod_name(view, claim.ordinal)}, which is within the "
                        f"{view.replicas} replicas of {view.key}; only orphan claims can be deleted here.",
                        kubectl, target=target)
    if claim.phase == "Terminating":
        return _refused("delete-claim", title, f"{claim_name} is already being deleted.", kubectl, target=target)
    effect = [f"Claim {claim_name} is deleted."]
    warnings: list[str] = []
    vol = _volume(view, claim.volume)
    if not claim.volume:
        effect.append("It has no volume bound.")
    elif vol is None:
        effect.append(f"Its volume {claim.volume} follows its reclaim policy (Delete: removed with the data; "
                      "Retain: Released, data kept).")
    elif vol.reclaim_policy == "Delete":
        effect.append(f"Its volume {vol.name} (reclaim policy Delete) is deleted with its data.")
        warnings.append(f"The data on {vol.name} is lost for good.")
    elif vol.reclaim_policy == "Recycle":
        effect.append(f"Its volume {vol.name} (reclaim policy Recycle) is wiped and made Available.")
        warnings.append(f"The data on {vol.name} is lost for good.")
    else:
        effect.append(f"Its volume {vol.name} (reclaim policy {vol.reclaim_policy}) becomes Released and keeps "
                      f"its data; you can reclaim it later (free it, or keep it for {claim_name}).")
    back_at = claim.ordinal - view.ordinals_start + 1
    effect.append(f"Scaling {view.name} to {back_at} or more later creates a new, empty {claim_name}"
                  + (f" unless {vol.name} is kept for it." if vol is not None and vol.reclaim_policy == "Retain"
                     else "."))
    slot = view.slot(claim.ordinal)
    if slot is not None and slot.exists:
        warnings.append(f"{slot.name} still exists and uses it: the claim stays Terminating until that pod is gone.")
    request = Request("DELETE", claim_path(view.namespace, claim_name), _delete_options(claim.uid), JSON)
    return Plan("delete-claim", title, tuple(effect), tuple(warnings), kubectl, (request,), True, target=target)


# --------------------------------------------------------------------------- template changes

def _template_change_effects(view: StatefulSetView) -> list[str]:
    """What the controller does after the pod template changes."""
    r = view.rollout
    spec = _spec_ordinals(view)
    effect = ["This makes a new revision of the pod template."]
    if r.strategy == "OnDelete":
        effect.append("Under OnDelete no pod changes by itself: each pod takes the new template when you "
                      "delete it (ctrl+d).")
        return effect
    if not spec:
        effect.append(f"{view.key} has no replicas, so no pod changes now.")
        return effect
    pace = (f"up to {r.max_unavailable} at a time" if r.max_unavailable > 1
            else "one at a time, each after the previous one is Running and Ready")
    released = [o for o in reversed(spec) if _index(view, o) >= r.partition]
    held = [o for o in spec if _index(view, o) < r.partition]
    if not released:
        effect.append(f"The partition is {r.partition} (held): no pod is replaced until you lower it; "
                      f"step with 'a' to update {_pod_name(view, spec[-1])} first.")
    else:
        effect.append(f"{_pod_names(view, released)} {'are' if len(released) > 1 else 'is'} replaced, "
                      f"highest ordinal first, {pace}.")
        if held:
            effect.append(f"{_pod_names(view, held)} keep the current revision (below the partition "
                          f"{r.partition}).")
    return effect


def _iso_utc(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_restart(view: StatefulSetView, now: float) -> Plan:
    """`kubectl rollout restart`: stamp the template with restartedAt = now."""
    title = f"Restart {view.key}"
    stamp = _iso_utc(now)
    body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
    kubectl = _kubectl("rollout", "restart", f"sts/{view.name}", "-n", view.namespace)
    requests = (Request("PATCH", sts_path(view), body, STRATEGIC_PATCH, FIELD_MANAGER),)
    effect = [f"The pod template of {view.key} gets the annotation {RESTARTED_AT}={stamp}."]
    effect += _template_change_effects(view)
    warnings = []
    r = view.rollout
    if r.update_revision and r.current_revision and r.update_revision != r.current_revision:
        warnings.append(f"A rollout to {r.update_revision} is not finished; the restart replaces it with a "
                        "newer revision that includes the same changes.")
    warnings += _halted_note(view)
    return Plan("restart", title, tuple(effect), tuple(warnings), kubectl, requests, False,
                target=_sts_target(view))


def _revision_fields(rev: dict) -> tuple[int | None, str | None, dict | None, list[str]]:
    """(number, name, pod template, owner uids) of a raw or slim ControllerRevision dict."""
    meta = rev.get("metadata") or {}
    name = meta.get("name") or rev.get("name")
    number = rev.get("revision")
    try:
        number = int(number) if number is not None else None
    except (TypeError, ValueError):
        number = None
    data = rev.get("data") or {}
    template = None
    if isinstance(data, dict):
        template = (data.get("spec") or {}).get("template")
    if template is None:
        template = rev.get("template")
    owners = [o.get("uid") for o in (meta.get("ownerReferences") or rev.get("ownerReferences") or [])
              if isinstance(o, dict) and o.get("uid")]
    return number, name, template if isinstance(template, dict) else None, owners


def _template_images(template: dict) -> dict[str, str]:
    containers = ((template.get("spec") or {}).get("containers")) or []
    return {c.get("name"): c.get("image") for c in containers if isinstance(c, dict)}


def _images_unchanged(view: StatefulSetView) -> list[dict]:
    """JSON patch tests: the template's containers still have the names and images shown."""
    out: list[dict] = []
    for index, (container, image) in enumerate(view.images):
        out.append({"op": "test", "path": f"/spec/template/spec/containers/{index}/name", "value": container})
        out.append({"op": "test", "path": f"/spec/template/spec/containers/{index}/image", "value": image})
    return out


def plan_undo(view: StatefulSetView, revisions: list[dict], to_revision: int | None = None, *,
              now: float | None = None) -> Plan:
    """`kubectl rollout undo`: put a recorded revision's pod template back (None = the previous one).
    The effect is derived from the pods: the controller reuses that revision (renumbered),
    replaces the pods not on it in its own order, and waits forever on a never-Ready pod of
    the undone revision under OrderedReady (to be deleted by hand)."""
    title = f"Undo rollout of {view.key}"
    target = _sts_target(view)
    history = []
    for rev in revisions:
        number, name, template, owners = _revision_fields(rev)
        if number is None:
            continue
        if owners and view.uid and view.uid not in owners:
            continue
        history.append((number, name, template))
    history.sort(key=lambda h: h[0])
    numbers = ", ".join(str(h[0]) for h in history) or "none"
    if to_revision is None:
        if len(history) < 2:
            return _refused("undo", title, f"{view.key} has no previous revision to roll back to.", target=target)
        number, name, template = history[-2]
    else:
        try:
            wanted = int(str(to_revision).strip())
        except ValueError:
            raise PlanError(f"Revision must be a whole number; got '{to_revision}'.") from None
        match = [h for h in history if h[0] == wanted]
        if not match:
            raise PlanError(f"Revision {wanted} is not in the history of {view.key} (revisions: {numbers}).")
        number, name, template = match[0]
    kubectl = _kubectl("rollout", "undo", f"sts/{view.name}", "-n", view.namespace, f"--to-revision={number}")
    if name and name == view.rollout.update_revision:
        return _refused("undo", title, f"Revision {number} ({name}) is already the template of {view.key}; "
                        "nothing to undo.", kubectl, target=target)
    if template is None:
        return _refused("undo", title, f"Revision {number} holds no pod template.", kubectl, target=target)
    restored = copy.deepcopy(template)
    restored.pop("$patch", None)
    body = _images_unchanged(view) + [{"op": "replace", "path": "/spec/template", "value": restored}]
    requests = (Request("PATCH", sts_path(view), body, JSON_PATCH, FIELD_MANAGER),)
    effect = [f"The pod template of {view.key} goes back to revision {number}" + (f" ({name})." if name else ".")]
    now_images = dict(view.images)
    then_images = _template_images(restored)
    changes = [f"{c} {now_images.get(c, '(none)')} → {img}" for c, img in then_images.items()
               if now_images.get(c) != img]
    changes += [f"{c} {img} → (removed)" for c, img in now_images.items() if c not in then_images]
    effect.append(f"Images: {_join(changes)}." if changes else "The images stay the same; other template fields change.")
    effect += _undo_effects(view, number, name, history, now)
    warnings = _by_hand_warnings(view, number, name, now, "the undo")
    return Plan("undo", title, tuple(effect), tuple(warnings), kubectl, requests, False, target=target,
                based_on=tuple((f"image of container {c}", i) for c, i in view.images))


def _by_hand_warnings(view: StatefulSetView, number: int, name: str | None, now: float | None,
                      change: str) -> list[str]:
    """Never-Ready pods the controller will wait on forever once `name` is the update revision."""
    if view.rollout.strategy != "RollingUpdate":
        return []
    spec = replace(_rollout_spec(view), update_revision=name)
    walk = predict_replacements(view.slots, spec, name, float("inf") if now is None else now)
    if not walk.by_hand:
        return []
    pods = _pod_names(view, walk.by_hand)
    one = len(walk.by_hand) == 1
    return [f"{pods} {'is' if one else 'are'} not Ready on the revision being undone: the controller "
            f"waits on {'it' if one else 'them'} and never replaces {'it' if one else 'them'} by itself, "
            f"so delete {'it' if one else 'them'} after {change} (ctrl+d); "
            f"{'it comes' if one else 'they come'} back at revision {number}."]


def _undo_effects(view: StatefulSetView, number: int, name: str | None,
                  history: list[tuple[int, str | None, dict | None]], now: float | None) -> list[str]:
    """What the controller does after an undo to revision `number` (`name`)."""
    r = view.rollout
    top = max(h[0] for h in history) if history else number
    effect = [f"No new revision is made: the controller reuses revision {number}"
              + (f" ({name})" if name else "") + f" and renumbers it {top + 1}."]
    spec_ordinals = _spec_ordinals(view)
    on_target = [o for o in spec_ordinals if view.slot(o) is not None and view.slot(o).exists
                 and name is not None and view.slot(o).revision == name]
    if r.strategy != "RollingUpdate":
        others = [o for o in spec_ordinals if o not in on_target and view.slot(o) is not None and view.slot(o).exists]
        effect.append("Under OnDelete the controller replaces no pod by itself"
                      + (f": {_pod_names(view, others)} take revision {number} when you delete them (ctrl+d)."
                         if others else "."))
        if on_target:
            effect.append(f"{_pod_names(view, on_target)} already run{'s' if len(on_target) == 1 else ''} "
                          f"revision {number} and stay{'s' if len(on_target) == 1 else ''}.")
        return effect
    if not spec_ordinals:
        effect.append(f"{view.key} has no replicas, so no pod changes now.")
        return effect
    spec = replace(_rollout_spec(view), update_revision=name)
    walk = predict_replacements(view.slots, spec, name, float("inf") if now is None else now)
    if walk.replaced:
        pace = (f"up to {r.max_unavailable} at a time" if r.max_unavailable > 1
                else "one at a time, each after the previous one is Running and Ready")
        effect.append(f"The controller then replaces {_pod_names(view, walk.replaced)} at revision {number}, "
                      f"in this order, {pace}.")
    else:
        effect.append("The controller replaces no pod by itself.")
    stay_target = [o for o in walk.stay if o in on_target]
    stay_below = [o for o in walk.stay if o not in on_target and _index(view, o) < r.partition]
    stay_other = [o for o in walk.stay if o not in on_target and o not in stay_below]
    def verb(items: list[int], one: str, many: str) -> str:
        return one if len(items) == 1 else many

    if stay_target:
        effect.append(f"{_pod_names(view, stay_target)} already {verb(stay_target, 'runs', 'run')} revision "
                      f"{number} and {verb(stay_target, 'stays', 'stay')}.")
    if stay_below:
        effect.append(f"{_pod_names(view, stay_below)} {verb(stay_below, 'stays', 'stay')} on the current revision "
                      f"{r.current_revision} (below the partition {r.partition}).")
    if stay_other:
        effect.append(f"{_pod_names(view, stay_other)} {verb(stay_other, 'stays', 'stay')} as "
                      f"{verb(stay_other, 'it is', 'they are')} for now.")
    if walk.waits_on is not None:
        effect.append(f"It waits on {_pod_name(view, walk.waits_on)} first, which is not Ready.")
    return effect


def _history(view: StatefulSetView, revisions: Iterable[dict]) -> list[tuple[int, str | None, dict | None]]:
    """(number, name, template) of this set's recorded revisions, oldest first."""
    history = []
    for rev in revisions:
        number, name, template, owners = _revision_fields(rev)
        if number is None or (owners and view.uid and view.uid not in owners):
            continue
        history.append((number, name, template))
    history.sort(key=lambda h: h[0])
    return history


def _bare(template: dict | None) -> dict | None:
    if template is None:
        return None
    out = copy.deepcopy(template)
    out.pop("$patch", None)
    return out


def _reused_by_image(view: StatefulSetView, history: list, container: str, image: str):
    """The recorded revision whose template equals the update revision's with this image,
    or None (then the change makes a new revision)."""
    update = view.rollout.update_revision
    now_template = next((_bare(t) for _, n, t in history if n == update), None)
    if now_template is None:
        return None
    for c in (now_template.get("spec") or {}).get("containers") or ():
        if isinstance(c, dict) and c.get("name") == container:
            c["image"] = image
    for number, name, template in history:
        if name != update and _bare(template) == now_template:
            return number, name
    return None


def plan_set_image(view: StatefulSetView, container: str, image: str,
                   revisions: Iterable[dict] | None = None) -> Plan:
    """`kubectl set image`: change one container's image (starts a rollout). With the
    recorded `revisions`, an image that an earlier revision ran is recognised: the
    controller reuses that revision and pods already on it stay."""
    title = f"Set image of {view.key}"
    images = dict(view.images)
    if container not in images:
        known = ", ".join(images) or "none"
        raise PlanError(f"{view.key} has no container '{container}'; its containers: {known}.")
    new = (image or "").strip()
    if not new:
        raise PlanError("Image must not be empty.")
    if not _IMAGE_RE.match(new):
        raise PlanError(f"'{image}' is not a valid image reference.")
    kubectl = _kubectl("set", "image", f"sts/{view.name}", f"{container}={new}", "-n", view.namespace)
    target = _sts_target(view)
    if images[container] == new:
        return _refused("set-image", title, f"Container {container} already runs {new}.", kubectl, target=target)
    index = [name for name, _ in view.images].index(container)
    pointer = f"/spec/template/spec/containers/{index}"
    body = [{"op": "test", "path": f"{pointer}/name", "value": container},
            {"op": "test", "path": f"{pointer}/image", "value": images[container]},
            {"op": "replace", "path": f"{pointer}/image", "value": new}]
    requests = (Request("PATCH", sts_path(view), body, JSON_PATCH, FIELD_MANAGER),)
    effect = [f"Container {container} of {view.key} changes image from {images[container]} to {new}."]
    history = _history(view, revisions or ())
    reused = _reused_by_image(view, history, container, new)
    warnings = []
    if reused is not None:
        effect += _undo_effects(view, reused[0], reused[1], history, None)
        warnings += _by_hand_warnings(view, reused[0], reused[1], None, "the change")
    else:
        effect += _template_change_effects(view)
    r = view.rollout
    if r.strategy == "RollingUpdate" and r.partition == 0 and view.replicas > 1 and reused is None:
        warnings.append(f"The partition is 0: all {view.replicas} pods are replaced in turn. To try the image "
                        "on one pod first, hold the rollout (h) before changing the image.")
    warnings += _halted_note(view)
    return Plan("set-image", title, tuple(effect), tuple(warnings), kubectl, requests, False, target=target,
                based_on=((f"image of container {container}", images[container]),))
