"""Render view models into table cells and Rich text.

Place in the flow: panes call these pure functions with a `StatefulSetView` (or one of
its parts) and the injected clock's `now`; they return plain `(text, style)` cells or
Rich `Text`. Nothing here decides StatefulSet behaviour: every fact comes from the view
built by `ststui.state.topology`; this module only chooses words, symbols and colours.
"""
from __future__ import annotations

from typing import Iterable

from rich.text import Text

from ststui.state.model import (
    REV_CURRENT,
    REV_OTHER,
    REV_UPDATE,
    ClaimView,
    PodSlot,
    StatefulSetView,
    VolumeView,
    Warning,
)
from ststui.tui.palette import P
from ststui.state.present import (human_age, node_text, pod_status_text, ready_text, restarts_text,
                                  rollout_summary)

# One table cell: the text and a Rich style string ("" for the table's default).
Cell = tuple[str, str]

# Colours come from the theme through `palette.P` (read at call time, so a theme change
# followed by a re-render recolours everything). The old constant names still resolve,
# through `__getattr__` below, to the current theme's values.
_REVISION_ROLES = {REV_CURRENT: "rev_current", REV_UPDATE: "rev_update", REV_OTHER: "rev_other"}
# The letter each revision kind carries in the strip, so the meaning survives without colour.
REVISION_LETTERS = {REV_CURRENT: "c", REV_UPDATE: "u", REV_OTHER: "o"}

_PHASE_ROLES = {
    "Running": "ok",
    "Bound": "ok",
    "Available": "info",
    "Pending": "warn",
    "ContainerCreating": "warn",
    "Terminating": "bad",
    "Unknown": "bad",
    "Failed": "bad",
    "Lost": "bad",
    "Released": "warn",
    "Missing": "bad",
    "NotCreated": "dim",
    "Loading": "dim",
    "Succeeded": "dim",
}


def revision_style(kind: str | None) -> str:
    role = _REVISION_ROLES.get(kind or "")
    return getattr(P, role) if role else ""


def phase_style(phase: str) -> str:
    role = _PHASE_ROLES.get(phase)
    return getattr(P, role) if role else ""


def __getattr__(name: str):
    """STYLE_OK, STYLE_WARN, STYLE_BAD, STYLE_DIM, REVISION_STYLES, PHASE_STYLES and
    STRIP_LEGEND, as the current theme draws them (kept for callers of the old names)."""
    simple = {"STYLE_OK": "ok", "STYLE_WARN": "warn", "STYLE_BAD": "bad", "STYLE_DIM": "dim"}
    if name in simple:
        return getattr(P, simple[name])
    if name == "REVISION_STYLES":
        return {kind: getattr(P, role) for kind, role in _REVISION_ROLES.items()}
    if name == "PHASE_STYLES":
        return {phase: getattr(P, role) for phase, role in _PHASE_ROLES.items()}
    if name == "STRIP_LEGEND":
        return strip_legend()
    raise AttributeError(name)


FAILURE_WORDS = frozenset({"CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
                           "Error", "OOMKilled", "Evicted", "CreateContainerConfigError"})


def age(created: float | None, now: float) -> str:
    """Age of an object as kubectl prints it, '-' when unknown."""
    if created is None:
        return "-"
    return human_age(max(0.0, now - created))


def short_revision(revision: str | None, sts_name: str) -> str:
    """`web-7d9f8c6b5` -> `7d9f8c6b5`: the hash part, which is what tells revisions apart."""
    if not revision:
        return "-"
    prefix = f"{sts_name}-"
    return revision[len(prefix):] if revision.startswith(prefix) else revision


def strategy_label(strategy: str) -> str:
    return {"RollingUpdate": "Rolling", "OnDelete": "OnDelete"}.get(strategy, strategy)


# --- StatefulSets table -------------------------------------------------------------

# Style of the ROLLOUT column by state (the word says it too: never colour alone).
_STATE_ROLES = {
    "complete": "ok", "rolling": "warn", "paused": "warn", "held": "warn",
    "halted": "bad", "blocked": "bad", "ondelete": "warn", "scaling": "warn",
    "updating": "warn", "unknown": "dim",
}


def state_style(state: str) -> str:
    role = _STATE_ROLES.get(state)
    return getattr(P, role) if role else ""


def rollout_cell(view: StatefulSetView) -> Cell:
    """The ROLLOUT column: the state label from state.rollout (never '-')."""
    r = view.rollout
    return (r.label, state_style(r.state))


def policy_label(policy: str) -> str:
    return {"OrderedReady": "Ordered", "Parallel": "Parallel"}.get(policy, policy)


def statefulset_cells(view: StatefulSetView, now: float, *, with_namespace: bool) -> tuple[Cell, ...]:
    r = view.rollout
    ready = ready_text(view)
    ready_style = P.ok if ready == f"{view.replicas}/{view.replicas}" else P.warn
    updated_style = P.ok if r.updated_pods >= view.replicas else P.warn
    if "pods" in view.loading:
        ready, ready_style = "…", P.dim
    if r.counts_pending:
        ready += "…"
        ready_style = P.dim
    if r.strategy == "OnDelete":
        partition: Cell = ("-", P.dim)
    else:
        partition = (str(r.partition), P.warn if r.partition > 0 else "")
    cur = short_revision(r.current_revision, view.name)
    upd = short_revision(r.update_revision, view.name)
    if cur == upd:
        revisions: Cell = (cur, P.rev_update)
    else:
        revisions = (f"{cur}→{upd}", P.warn)
    svc = view.service
    if not svc.name:
        service: Cell = ("none", P.bad)
    elif not svc.known:
        service = (f"{svc.name} …", P.dim)
    elif not svc.exists:
        service = (f"{svc.name} ✗", P.bad)
    elif not svc.headless:
        service = (f"{svc.name} !", P.warn)
    else:
        service = (svc.name, "")
    status = rollout_cell(view)
    count = len(view.warnings)
    warn: Cell = (f"⚠ {count}", P.warn) if count else ("", "")
    cells: list[Cell] = []
    if with_namespace:
        cells.append((view.namespace, ""))
    cells += [
        (view.name, "bold"),
        (ready, ready_style),
        ("…" if "pods" in view.loading else
         f"{r.updated_pods}/{view.replicas}" + ("…" if r.counts_pending else ""), updated_style),
        partition,
        (strategy_label(r.strategy), ""),
        status,
        warn,
        service,
        (age(view.created, now), ""),
        revisions,
        (policy_label(view.pod_management_policy), ""),
        (", ".join(image for _, image in view.images) or "-", ""),
    ]
    return tuple(cells)


def selected_line(view: StatefulSetView, now: float) -> Text:
    """One line naming the selected StatefulSet and its state, pinned above the panes
    when its row has scrolled out of sight (a lower pane has focus on a small terminal)."""
    _name, ready, updated, partition, strategy, status, warn, *_rest = \
        statefulset_cells(view, now, with_namespace=False)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("▸ StatefulSet ", style=P.dim)
    text.append(view.key, style="bold")
    text.append("  ready ", style=P.dim)
    text.append(*ready)
    text.append("  updated ", style=P.dim)
    text.append(*updated)
    text.append("  partition ", style=P.dim)
    text.append(*partition)
    text.append(f"  {strategy[0]} ")
    text.append(*status)
    if warn[0]:
        text.append("  ")
        text.append(*warn)
    return text


# --- pods ---------------------------------------------------------------------------

def node_cell(slot: PodSlot) -> Cell:
    text = node_text(slot)
    if not slot.node:
        return (text, P.dim)
    if slot.node_ready is None:
        return (f"{text} ?", P.warn)
    return (text, "" if slot.node_ready else P.bad)


def phase_cell(slot: PodSlot, now: float) -> Cell:
    """kubectl's STATUS word; Terminating adds how long ago deletion was asked, `!` if stuck."""
    status = pod_status_text(slot)
    if not slot.exists:
        return (status, P.dim)
    if slot.terminating:
        since = ""
        if slot.terminating_since is not None:
            since = f" {human_age(max(0.0, now - slot.terminating_since))}"
        return (f"{status}{since}{'!' if slot.stuck else ''}", P.bad)
    style = phase_style(status) if status in _PHASE_ROLES else None
    if style is None:
        style = P.bad if status in FAILURE_WORDS else P.warn if not slot.ready else ""
    return (status, style)


def revision_cell(slot: PodSlot, sts_name: str) -> Cell:
    if not slot.exists or not slot.revision_kind:
        return ("-", P.dim)
    return (f"{slot.revision_kind} {short_revision(slot.revision, sts_name)}",
            revision_style(slot.revision_kind))


def pod_cells(slot: PodSlot, sts_name: str, now: float) -> tuple[Cell, ...]:
    if not slot.exists:
        ready: Cell = ("-", P.dim)
    else:
        ready = (slot.ready_containers, P.ok if slot.ready else P.warn)
    return (
        (str(slot.ordinal), "" if slot.in_spec else P.dim),
        (slot.name, "bold" if slot.exists else P.dim),
        phase_cell(slot, now),
        ready,
        revision_cell(slot, sts_name),
        node_cell(slot),
        restarts_cell(slot),
        (age(slot.created, now) if slot.exists else "-", ""),
        dns_cell(slot),
        (slot.image or "-", "" if slot.image else P.dim),
    )


def restarts_cell(slot: PodSlot) -> Cell:
    """Restarts and, when it restarted, why it last stopped: "6 OOMKilled" (exit code in describe)."""
    text = restarts_text(slot)
    if not slot.exists:
        return (text, P.dim)
    return (text, P.warn if slot.restarts else "")


def dns_cell(slot: PodSlot) -> Cell:
    """The pod's DNS name, only when it resolves; else why not ("none: service x missing")."""
    if slot.dns_name:
        return (slot.dns_name, "")
    if not slot.exists:
        return ("-", P.dim)
    if slot.dns_note:
        return (f"none: {slot.dns_note}", P.warn if "loading" not in slot.dns_note else P.dim)
    return ("-", P.dim)


# --- claims and volumes -------------------------------------------------------------

def claim_cells(claim: ClaimView) -> tuple[Cell, ...]:
    phase = claim.phase
    return (
        (str(claim.ordinal), ""),
        (claim.name, "bold" if claim.exists else P.dim),
        (phase, phase_style(phase)),
        (claim.volume or "-", "" if claim.volume else P.dim),
        (claim.capacity or "-", ""),
        ("orphan", P.warn) if claim.orphan else ("", ""),
        (claim.template, ""),
    )


def volume_cells(volume: VolumeView) -> tuple[Cell, ...]:
    claim = volume.claim.split("/", 1)[-1] if volume.claim else "-"
    if volume.reserved and volume.claim:
        claim = f"{claim} (reserved)"
    return (
        (volume.name, "bold"),
        (volume.phase, phase_style(volume.phase)),
        (volume.reclaim_policy, P.warn if volume.reclaim_policy == "Delete" else ""),
        (claim, "" if volume.claim else P.dim),
        (volume.storage_class or "-", ""),
        (volume.capacity or "-", ""),
    )


WARNING_ICONS = {
    "stuck-terminating": "◷",
    "node-not-ready": "✗",
    "orphan-claim": "◌",
    "released-volume": "◍",
    "service-missing": "✗",
    "service-not-headless": "!",
    "partition-exceeds-replicas": "!",
    "rollout-halted": "■",
    "missing-claim": "?",
    "ondelete-old-revision": "↻",
}


def warning_cells(warning: Warning) -> tuple[Cell, ...]:
    return (
        (WARNING_ICONS.get(warning.kind, "⚠"), P.warn),
        (warning.obj or "-", ""),
        (warning.message, ""),
    )


# --- rollout strip ------------------------------------------------------------------

def strip_cell(slot: PodSlot) -> Text:
    """One ordinal as a small block: ordinal, revision letter (c current, u updated,
    o other), then readiness (✓ ready, ! not ready, ✗ terminating, · not created).
    The background colours the revision too, but the letter says it without colour."""
    label = str(slot.ordinal)
    if not slot.exists:
        return Text(f" {label} · ", style=P.strip_absent)
    kind = slot.revision_kind or ""
    letter = REVISION_LETTERS.get(kind, "?")
    if slot.terminating:
        return Text(f" {label}{letter}✗ ", style=P.strip_terminating)
    style = P.strip.get((kind, bool(slot.ready))) or P.strip[("", bool(slot.ready))]
    return Text(f" {label}{letter}{'✓' if slot.ready else '!'} ", style=style)


def rollout_strip(view: StatefulSetView) -> Text:
    """The rollout in three lines: summary, one cell per ordinal (partition marked), next step."""
    r = view.rollout
    text = Text()
    text.append(f"{view.name} ", style="bold")
    text.append(r.label, style=state_style(r.state))
    text.append("  ")
    text.append(f"{strategy_label(r.strategy)} {policy_label(r.pod_management_policy)}", style="bold")
    if r.strategy != "OnDelete":
        text.append(f"  partition {r.partition}", style=P.warn if r.partition else "")
    pending = " (pending)" if r.counts_pending else ""
    text.append(f"  updated {r.updated_pods}/{view.replicas}  ready {ready_text(view)}{pending}  ")
    text.append(short_revision(r.current_revision, view.name), style=P.rev_current)
    text.append(" → ")
    text.append(short_revision(r.update_revision, view.name), style=P.rev_update)
    if view.images:
        text.append("  " + ", ".join(image for _, image in view.images), style=P.dim)
    text.append("\n")
    marked = r.strategy != "OnDelete" and r.partition > 0
    for slot in view.slots:
        if marked and slot.ordinal == view.ordinals_start + r.partition:
            text.append("┃", style=P.marker)
        else:
            text.append(" ")
        text.append_text(strip_cell(slot))
    if marked and view.slots and view.ordinals_start + r.partition > view.slots[-1].ordinal:
        text.append("┃", style=P.marker)
    text.append("\n")
    text.append_text(rollout_status_line(view))
    return text


def rollout_status_line(view: StatefulSetView) -> Text:
    """The rollout state's reason and remedy, in `ststui get`'s words, then what a step
    (a) would do: the pod it updates, or why no step would update one."""
    r = view.rollout
    style = state_style(r.state)
    if r.state == "complete":
        style = P.ok
    line = Text(rollout_summary(view), style=style)
    if r.strategy != "RollingUpdate" or r.state in ("unknown", "halted", "blocked"):
        return line
    if r.next_pod is not None and f"step (a) updates {r.next_pod}" not in (r.remedy or ""):
        line.append(f"  ·  step (a) updates {r.next_pod}", style=P.dim)
    elif r.next_pod is None and r.step_none_reason and r.partition > 0:
        line.append(f"  ·  no step: {r.step_none_reason}", style=P.dim)
    return line


def strip_legend() -> Text:
    """The strip's key, in the current theme's colours (the letters carry the meaning)."""
    return Text.assemble(
        (" c ", P.strip[(REV_CURRENT, True)]), " current  ",
        (" u ", P.strip[(REV_UPDATE, True)]), " updated  ",
        (" o ", P.strip[(REV_OTHER, True)]), " other   ",
        "✓ ready  ! not ready  ✗ terminating  · not created  ┃ partition",
    )


# --- describe -----------------------------------------------------------------------

def _yes(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def describe_statefulset(view: StatefulSetView, now: float) -> list[tuple[str, str]]:
    r = view.rollout
    rows = [
        ("Name", f"{view.namespace}/{view.name}"),
        ("Age", age(view.created, now)),
        ("Replicas", f"{view.replicas} (ordinals from {view.ordinals_start})"),
        ("Pod management", r.pod_management_policy),
        ("Rollout state", f"{r.state}: {r.reason}" + (f" Remedy: {r.remedy}." if r.remedy else "")),
        ("Update strategy", r.strategy + ("" if r.strategy == "OnDelete" else f", partition {r.partition}, maxUnavailable {r.max_unavailable}")),
        ("Ready / available", f"{r.ready_replicas} / {r.available_replicas}"),
        ("Current / updated", f"{r.current_replicas} / {r.updated_replicas}"),
        ("Current revision", r.current_revision or "-"),
        ("Update revision", r.update_revision or "-"),
        ("Generation", f"{r.generation} (observed {r.observed_generation})"),
        ("Service", f"{view.service.name or '-'} (exists: {_yes(view.service.exists)}, headless: {_yes(view.service.headless)})"),
        ("Claim templates", ", ".join(view.templates) or "-"),
        ("Retention", f"whenScaled {view.retention_when_scaled}, whenDeleted {view.retention_when_deleted}"),
        ("Images", ", ".join(f"{c}={i}" for c, i in view.images) or "-"),
        ("Rollout", rollout_status_line(view).plain),
    ]
    return rows


def describe_pod(slot: PodSlot, view: StatefulSetView, now: float) -> list[tuple[str, str]]:
    node = slot.node or "-"
    if slot.node:
        node += f" (Ready: {_yes(slot.node_ready)})"
    rows = [
        ("Name", f"{view.namespace}/{slot.name}"),
        ("Ordinal", f"{slot.ordinal}" + ("" if slot.in_spec else " (beyond replicas)")),
        ("Exists", _yes(slot.exists)),
        ("Phase", phase_cell(slot, now)[0]),
        ("Ready", f"{_yes(slot.ready)} ({slot.ready_containers})"),
        ("Restarts", f"{slot.restarts}" + (f" (last terminated {slot.last_termination})"
                                            if slot.restarts and slot.last_termination else "")),
        ("Image", slot.image or "-"),
        ("Revision", f"{slot.revision or '-'} ({slot.revision_kind or '-'})"),
        ("Node", node),
        ("IP", slot.ip or "-"),
        ("DNS", slot.dns_name or (f"none: {slot.dns_note}" if slot.dns_note else "-")),
        ("Age", age(slot.created, now)),
    ]
    if slot.terminating:
        since = "-" if slot.terminating_since is None else human_age(max(0.0, now - slot.terminating_since))
        rows.append(("Terminating for", f"{since} (grace {slot.deletion_grace_seconds}s)"))
    return rows


def describe_claim(claim: ClaimView, now: float) -> list[tuple[str, str]]:
    return [
        ("Name", claim.name),
        ("Template / ordinal", f"{claim.template} / {claim.ordinal}"),
        ("Phase", claim.phase),
        ("Volume", claim.volume or "-"),
        ("Capacity", claim.capacity or "-"),
        ("Storage class", claim.storage_class or "-"),
        ("Access modes", ", ".join(claim.access_modes) or "-"),
        ("Orphan", _yes(claim.orphan)),
        ("Age", age(claim.created, now)),
    ]


def describe_volume(volume: VolumeView, now: float) -> list[tuple[str, str]]:
    return [
        ("Name", volume.name),
        ("Phase", volume.phase),
        ("Reclaim policy", volume.reclaim_policy),
        ("Claim", (volume.claim or "-") + (" (reserved, no uid)" if volume.reserved else "")),
        ("Claim uid", volume.claim_uid or "-"),
        ("Storage class", volume.storage_class or "-"),
        ("Capacity", volume.capacity or "-"),
        ("Age", age(volume.created, now)),
    ]


def key_value_text(rows: Iterable[tuple[str, str]]) -> Text:
    rows = list(rows)
    width = max((len(k) for k, _ in rows), default=0)
    text = Text()
    for index, (key, value) in enumerate(rows):
        if index:
            text.append("\n")
        text.append(f"{key:<{width}}  ", style="bold")
        text.append(value)
    return text
