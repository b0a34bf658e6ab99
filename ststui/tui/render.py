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
from ststui.state.present import human_age, node_text, pod_status_text, ready_text, rollout_summary

# One table cell: the text and a Rich style string ("" for the table's default).
Cell = tuple[str, str]

REVISION_STYLES = {
    REV_CURRENT: "bold #5fafff",
    REV_UPDATE: "bold #5fd787",
    REV_OTHER: "bold #d787ff",
}
# Background colours of the rollout strip's cells, by revision.
STRIP_BACKGROUNDS = {
    REV_CURRENT: "#1f4e79",
    REV_UPDATE: "#2e6b34",
    REV_OTHER: "#6a2b7a",
}
STYLE_OK = "#5fd787"
STYLE_WARN = "bold #ffd75f"
STYLE_BAD = "bold #ff5f5f"
STYLE_DIM = "#808080"

PHASE_STYLES = {
    "Running": STYLE_OK,
    "Bound": STYLE_OK,
    "Available": "#5fafff",
    "Pending": STYLE_WARN,
    "ContainerCreating": STYLE_WARN,
    "Terminating": STYLE_BAD,
    "Unknown": STYLE_BAD,
    "Failed": STYLE_BAD,
    "Lost": STYLE_BAD,
    "Released": STYLE_WARN,
    "Missing": STYLE_BAD,
    "NotCreated": STYLE_DIM,
    "Succeeded": STYLE_DIM,
}


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

def statefulset_cells(view: StatefulSetView, now: float, *, with_namespace: bool) -> tuple[Cell, ...]:
    r = view.rollout
    ready = ready_text(view)
    ready_style = STYLE_OK if ready == f"{view.replicas}/{view.replicas}" else STYLE_WARN
    updated_style = STYLE_OK if r.updated_replicas >= view.replicas else STYLE_WARN
    if r.strategy == "OnDelete":
        partition: Cell = ("-", STYLE_DIM)
    else:
        partition = (str(r.partition), STYLE_WARN if r.partition > 0 else "")
    cur = short_revision(r.current_revision, view.name)
    upd = short_revision(r.update_revision, view.name)
    if cur == upd:
        revisions: Cell = (cur, REVISION_STYLES[REV_UPDATE])
    else:
        revisions = (f"{cur}→{upd}", STYLE_WARN)
    svc = view.service
    if not svc.name:
        service: Cell = ("none", STYLE_BAD)
    elif not svc.exists:
        service = (f"{svc.name} ✗", STYLE_BAD)
    elif not svc.headless:
        service = (f"{svc.name} !", STYLE_WARN)
    else:
        service = (svc.name, "")
    if r.halted:
        status: Cell = ("halted", STYLE_BAD)
    elif r.in_progress:
        status = ("rolling", STYLE_WARN)
    elif r.complete:
        status = ("ok", STYLE_OK)
    else:
        status = ("-", STYLE_DIM)
    count = len(view.warnings)
    warn: Cell = (f"⚠ {count}", STYLE_WARN) if count else ("", "")
    cells: list[Cell] = []
    if with_namespace:
        cells.append((view.namespace, ""))
    cells += [
        (view.name, "bold"),
        (ready, ready_style),
        (f"{r.updated_replicas}/{view.replicas}", updated_style),
        partition,
        (strategy_label(r.strategy), ""),
        status,
        warn,
        service,
        (age(view.created, now), ""),
        revisions,
    ]
    return tuple(cells)


# --- pods ---------------------------------------------------------------------------

def node_cell(slot: PodSlot) -> Cell:
    text = node_text(slot)
    if not slot.node:
        return (text, STYLE_DIM)
    if slot.node_ready is None:
        return (f"{text} ?", STYLE_WARN)
    return (text, "" if slot.node_ready else STYLE_BAD)


def phase_cell(slot: PodSlot, now: float) -> Cell:
    """kubectl's STATUS word; Terminating adds how long ago deletion was asked, `!` if stuck."""
    status = pod_status_text(slot)
    if not slot.exists:
        return (status, STYLE_DIM)
    if slot.terminating:
        since = ""
        if slot.terminating_since is not None:
            since = f" {human_age(max(0.0, now - slot.terminating_since))}"
        return (f"{status}{since}{'!' if slot.stuck else ''}", STYLE_BAD)
    style = PHASE_STYLES.get(status)
    if style is None:
        style = STYLE_BAD if status in FAILURE_WORDS else STYLE_WARN if not slot.ready else ""
    return (status, style)


def revision_cell(slot: PodSlot, sts_name: str) -> Cell:
    if not slot.exists or not slot.revision_kind:
        return ("-", STYLE_DIM)
    return (f"{slot.revision_kind} {short_revision(slot.revision, sts_name)}",
            REVISION_STYLES.get(slot.revision_kind, ""))


def pod_cells(slot: PodSlot, sts_name: str, now: float) -> tuple[Cell, ...]:
    if not slot.exists:
        ready: Cell = ("-", STYLE_DIM)
    else:
        ready = (slot.ready_containers, STYLE_OK if slot.ready else STYLE_WARN)
    return (
        (str(slot.ordinal), "" if slot.in_spec else STYLE_DIM),
        (slot.name, "bold" if slot.exists else STYLE_DIM),
        phase_cell(slot, now),
        ready,
        revision_cell(slot, sts_name),
        node_cell(slot),
        (str(slot.restarts) if slot.exists else "-", STYLE_WARN if slot.restarts else ""),
        (age(slot.created, now) if slot.exists else "-", ""),
        (slot.dns_name or "-", STYLE_DIM if not slot.dns_name else ""),
    )


# --- claims and volumes -------------------------------------------------------------

def claim_cells(claim: ClaimView) -> tuple[Cell, ...]:
    phase = claim.phase if claim.exists else "Missing"
    return (
        (str(claim.ordinal), ""),
        (claim.name, "bold" if claim.exists else STYLE_DIM),
        (phase, PHASE_STYLES.get(phase, "")),
        (claim.volume or "-", "" if claim.volume else STYLE_DIM),
        (claim.capacity or "-", ""),
        ("orphan", STYLE_WARN) if claim.orphan else ("", ""),
        (claim.template, ""),
    )


def volume_cells(volume: VolumeView) -> tuple[Cell, ...]:
    claim = volume.claim.split("/", 1)[-1] if volume.claim else "-"
    if volume.reserved and volume.claim:
        claim = f"{claim} (reserved)"
    return (
        (volume.name, "bold"),
        (volume.phase, PHASE_STYLES.get(volume.phase, "")),
        (volume.reclaim_policy, STYLE_WARN if volume.reclaim_policy == "Delete" else ""),
        (claim, "" if volume.claim else STYLE_DIM),
        (volume.storage_class or "-", ""),
        (volume.capacity or "-", ""),
    )


WARNING_ICONS = {
    "stuck-terminating": "⏳",
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
        (WARNING_ICONS.get(warning.kind, "⚠"), STYLE_WARN),
        (warning.obj or "-", ""),
        (warning.message, ""),
    )


# --- rollout strip ------------------------------------------------------------------

def strip_cell(slot: PodSlot) -> Text:
    """One ordinal as a small coloured block: background = revision, mark = readiness."""
    label = str(slot.ordinal)
    if not slot.exists:
        return Text(f" {label}· ", style="#808080 on #262626")
    background = STRIP_BACKGROUNDS.get(slot.revision_kind or "", "#3a3a3a")
    if slot.terminating:
        return Text(f" {label}✗ ", style=f"bold #ffffff on #8b1e1e")
    if slot.ready:
        return Text(f" {label}✓ ", style=f"bold #ffffff on {background}")
    return Text(f" {label}! ", style=f"bold #ffd75f on {background}")


def rollout_strip(view: StatefulSetView) -> Text:
    """The rollout in three lines: summary, one cell per ordinal (partition marked), next step."""
    r = view.rollout
    text = Text()
    text.append(f"{view.name} ", style="bold")
    text.append(f"{strategy_label(r.strategy)}", style="bold")
    if r.strategy != "OnDelete":
        text.append(f"  partition {r.partition}", style=STYLE_WARN if r.partition else "")
    text.append(f"  updated {r.updated_replicas}/{view.replicas}  ready {r.ready_replicas}/{view.replicas}  ")
    text.append(short_revision(r.current_revision, view.name), style=REVISION_STYLES[REV_CURRENT])
    text.append(" → ")
    text.append(short_revision(r.update_revision, view.name), style=REVISION_STYLES[REV_UPDATE])
    text.append("\n")
    marked = r.strategy != "OnDelete" and r.partition > 0
    for slot in view.slots:
        if marked and slot.ordinal == view.ordinals_start + r.partition:
            text.append("┃", style="bold #ffd75f")
        else:
            text.append(" ")
        text.append_text(strip_cell(slot))
    if marked and view.slots and view.ordinals_start + r.partition > view.slots[-1].ordinal:
        text.append("┃", style="bold #ffd75f")
    text.append_text(budget_note(view))
    text.append("\n")
    text.append_text(rollout_status_line(view))
    return text


def budget_note(view: StatefulSetView) -> Text:
    """After the cells: the PodDisruptionBudget(s) covering the set and the disruptions they allow now."""
    note = Text()
    for budget in getattr(view, "budgets", ()) or ():
        note.append("   PDB ", style=STYLE_DIM)
        note.append(budget.name, style="bold")
        if not budget.observed:
            note.append(": not counted yet", style=STYLE_DIM)
            continue
        n = budget.disruptions_allowed
        note.append(f": {n} disruption{'s' if n != 1 else ''} allowed", style=STYLE_WARN if n <= 0 else "")
    return note


def rollout_status_line(view: StatefulSetView) -> Text:
    """What the controller does next, in `ststui get`'s words; why it is halted, in red."""
    r = view.rollout
    summary = rollout_summary(view)
    if r.halted:
        style = STYLE_BAD
    elif r.complete:
        style = STYLE_OK
    elif r.in_progress or r.old_revision_ordinals:
        style = STYLE_WARN
    else:
        style = ""
    line = Text(summary, style=style)
    if not r.halted and r.step_blocked_reason and r.strategy == "RollingUpdate" and r.partition > 0:
        line.append("  ·  step: ", style=STYLE_DIM)
        line.append(r.step_blocked_reason, style=STYLE_DIM)
    elif not r.halted and r.next_step_ordinal is not None and r.strategy == "RollingUpdate":
        line.append(f"  ·  step (a) updates {view.name}-{r.next_step_ordinal}", style=STYLE_DIM)
    return line


STRIP_LEGEND = Text.assemble(
    (" cur ", f"bold #ffffff on {STRIP_BACKGROUNDS[REV_CURRENT]}"), " ",
    (" upd ", f"bold #ffffff on {STRIP_BACKGROUNDS[REV_UPDATE]}"), " ",
    (" other ", f"bold #ffffff on {STRIP_BACKGROUNDS[REV_OTHER]}"), " ",
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
        ("Restarts", str(slot.restarts)),
        ("Revision", f"{slot.revision or '-'} ({slot.revision_kind or '-'})"),
        ("Node", node),
        ("IP", slot.ip or "-"),
        ("DNS", slot.dns_name or "-"),
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
        ("Phase", claim.phase if claim.exists else "Missing"),
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
