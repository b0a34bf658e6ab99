"""Text for people: `ststui get` output and small formatting helpers the TUI reuses.

Place in the flow: `ststui get` builds views with `topology.build_views` and prints
`format_text(views, now)` or `format_json(views)`. The TUI's renderers reuse
`human_age`, `parse_time`, `pod_status_text`, `node_text` and `rollout_summary` so the
panes and `ststui get` say the same thing in the same words. Pure: `now` is passed in.
"""
from __future__ import annotations

import json
import textwrap
from typing import Iterable, Sequence

from .model import PodSlot, RolloutView, StatefulSetView, VolumeView, to_json
from .times import human_age, parse_time

__all__ = ["format_text", "format_json", "human_age", "parse_time", "pod_status_text",
           "node_text", "rollout_summary", "revisions_text", "ready_text", "restarts_text"]


TEXT_WIDTH = 80


def pod_status_text(slot: PodSlot) -> str:
    """The STATUS kubectl would show: Terminating, a waiting reason (ContainerCreating,
    CrashLoopBackOff), the pod's reason (Evicted), else the phase; NotCreated for a hole."""
    if not slot.exists:
        return "Loading" if slot.loading else "NotCreated"
    if slot.terminating:
        return "Terminating"
    if slot.reason == "Error" and slot.exit_code is not None:
        return f"Error (exit {slot.exit_code})"
    return slot.reason or slot.phase


def restarts_text(slot: PodSlot) -> str:
    """"6 OOMKilled": restarts with the reason the container last stopped (the exit code is
    in the rollout reason and in describe)."""
    if not slot.exists:
        return "-"
    if slot.restarts and slot.last_termination:
        return f"{slot.restarts} {slot.last_termination.split(' (', 1)[0]}"
    return str(slot.restarts)


def node_text(slot: PodSlot) -> str:
    """"node-1", "node-3 NotReady", or "-" when the pod is not scheduled."""
    if not slot.node:
        return "-"
    if slot.node_ready is False:
        return f"{slot.node} NotReady"
    return slot.node


def ready_text(view: StatefulSetView) -> str:
    """Ready pods in spec over desired replicas, like kubectl's READY column: "3/4"."""
    ready = sum(1 for s in view.slots if s.in_spec and s.exists and s.ready and not s.terminating)
    return f"{ready}/{view.replicas}"


def revisions_text(rollout: RolloutView) -> str:
    """"web-5d8f9 (current = update)" or "current web-5d8f9, update web-7c4b2"."""
    cur, upd = rollout.current_revision, rollout.update_revision
    if cur is None and upd is None:
        return "unknown"
    if cur == upd:
        return f"{cur} (current = update)"
    return f"current {cur or '-'}, update {upd or '-'}"


def _pods(ordinals: Sequence[int], name: str) -> str:
    names = [f"{name}-{o}" for o in ordinals]
    if len(names) > 4:
        names = names[:3] + [f"{len(names) - 3} more"]
    return ", ".join(names)


def rollout_summary(view: StatefulSetView) -> str:
    """One line, the same everywhere: the rollout state's label, its reason, and the
    remedy when there is one: "paused p=3 2/5: partition 3 keeps web-0, web-1 and web-2
    on the current revision (2 of 5 updated); step (a) updates web-2"."""
    r = view.rollout
    line = f"{r.label}: {r.reason}" if r.reason else r.label
    if r.remedy:
        line += f"; {r.remedy}"
    return line


def _names_short(names: list[str]) -> str:
    if len(names) > 4:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return ", ".join(names)


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < len(row) - 1 else cell for i, cell in enumerate(row)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _volume_claim_text(volume: VolumeView) -> str:
    if not volume.claim:
        return "-"
    claim = volume.claim.split("/", 1)[1]
    return f"{claim} (reserved)" if volume.reserved else claim


def _format_view(view: StatefulSetView, now: float) -> list[str]:
    r = view.rollout
    strategy = r.strategy
    if strategy == "RollingUpdate":
        strategy += f" partition {r.partition}"
        if r.max_unavailable > 1:
            strategy += f" maxUnavailable {r.max_unavailable}"
    age = human_age(now - view.created) if view.created is not None else "-"
    pending = " (pending: the controller has not seen the new spec yet)" if r.counts_pending else ""
    lines = [f"{view.namespace}/{view.name}  ready {ready_text(view)}{pending}  {strategy}  "
             f"{r.pod_management_policy}  age {age}"]
    if view.service.name:
        state = ("loading" if not view.service.known else "headless" if view.service.headless
                 else ("not headless" if view.service.exists else "missing"))
        service = f"{view.service.name} ({state})"
    else:
        service = "none"
    lines.append(f"  images:    {', '.join(f'{c}={i}' for c, i in view.images) or '-'}")
    lines.append(f"  revisions: {revisions_text(r)}")
    lines.append(f"  service:   {service}")
    if view.service.name and view.service.known and view.service.exists and view.service.headless:
        lines.append(f"  dns:       <pod>.{view.service.name}.{view.namespace}.svc.cluster.local")
    elif view.service.name and view.service.known:
        lines.append(f"  dns:       none: service {view.service.name} is "
                     f"{'not headless' if view.service.exists else 'missing'}, so pod names do not resolve")
    lines.extend(textwrap.wrap(rollout_summary(view), width=TEXT_WIDTH, initial_indent="  rollout:   ",
                               subsequent_indent=" " * 13, break_on_hyphens=False))

    rows = [["ORD", "POD", "STATUS", "READY", "REV", "NODE", "RESTARTS", "AGE"]]
    marker = view.ordinals_start + r.partition if r.strategy == "RollingUpdate" else None
    pod_lines: list[str] = []
    marker_row = None
    shown = [s for s in view.slots if s.exists or s.in_spec]
    for slot in shown:
        if marker is not None and 0 < r.partition < view.replicas and slot.ordinal == marker:
            marker_row = len(rows)
        ordinal = str(slot.ordinal) if slot.in_spec else f"{slot.ordinal}*"
        rows.append([
            ordinal, slot.name, pod_status_text(slot) + ("!" if slot.stuck else ""),
            slot.ready_containers, slot.revision_kind or "-", node_text(slot), restarts_text(slot),
            human_age(now - slot.created) if slot.created is not None else "-",
        ])
    if len(rows) > 1:
        table = _table(rows)
        if marker_row is not None:
            table.insert(marker_row, f"  ---- partition {r.partition}: ordinals >= {marker} update ----")
        pod_lines = [""] + table
    lines.extend(pod_lines)
    by_image: dict[str, list[str]] = {}
    for slot in shown:
        if slot.exists and slot.image:
            by_image.setdefault(slot.image, []).append(slot.name)
    if by_image:
        runs = "; ".join(f"{image} on {_names_short(names)}" for image, names in by_image.items())
        lines.extend(textwrap.wrap(f"pods run: {runs}", width=TEXT_WIDTH, initial_indent="  ",
                                   subsequent_indent="    ", break_on_hyphens=False))
    if any(not s.in_spec for s in shown):
        lines.append("  (* ordinal outside the spec: being removed)")
    if any(s.stuck for s in shown):
        lines.append("  (! stuck Terminating)")

    volumes = {v.name: v for v in view.volumes}
    if view.claims:
        rows = [["CLAIM", "PHASE", "CAPACITY", "VOLUME", "POLICY", ""]]
        for claim in view.claims:
            bound = volumes.get(claim.volume or "")
            rows.append([claim.name, claim.phase, claim.capacity or "-", claim.volume or "-",
                         bound.reclaim_policy if bound else "-", "orphan" if claim.orphan else ""])
        lines.append("")
        lines.extend(_table(rows))
    shown_volumes = {c.volume for c in view.claims if c.volume}
    others = [v for v in view.volumes if v.name not in shown_volumes]
    if others:
        rows = [["VOLUME", "PHASE", "POLICY", "CLAIM", "CAPACITY"]]
        for volume in others:
            rows.append([volume.name, volume.phase, volume.reclaim_policy, _volume_claim_text(volume),
                         volume.capacity or "-"])
        lines.append("")
        lines.extend(_table(rows))
    if view.warnings:
        lines.append("")
        lines.append("  WARNINGS")
        for warning in view.warnings:
            lines.extend(textwrap.wrap(warning.message, width=TEXT_WIDTH, initial_indent="  ! ",
                                       subsequent_indent="    ", break_on_hyphens=False))
    return lines


def format_text(views: Iterable[StatefulSetView], now: float) -> str:
    """A compact block per StatefulSet, blocks separated by a blank line, no trailing
    newline: a header (ready/replicas, strategy and partition, revisions, service,
    rollout), the pods in ordinal order with the partition marked, the claims with their
    volumes, the other volumes that name this set's claims (Released, reserved), and the
    warnings."""
    blocks = ["\n".join(_format_view(view, now)) for view in views]
    if not blocks:
        return "No StatefulSets found."
    return "\n\n".join(blocks)


def format_json(views: Iterable[StatefulSetView]) -> str:
    """The `ststui get -o json` document: a list of `model.to_json(view)`, indent 2."""
    return json.dumps([to_json(view) for view in views], indent=2)
