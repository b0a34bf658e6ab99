"""Events of a StatefulSet (the set, its pods, claims and volumes) or of a namespace,
gathered, repeated ones collapsed with their count, newest first.

Place in the flow: the TUI's events view (`E`, `:events`) hands the store's slim event
objects to `gather()` with the objects it wants (`targets_of(view)`); the rows it gets
back are rendered as they are. Pure functions: no I/O, no Textual.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ststui.state.times import parse_time


@dataclass(frozen=True)
class EventRow:
    type: str                  # Normal / Warning
    reason: str
    kind: str                  # involvedObject.kind
    name: str                  # involvedObject.name
    message: str
    count: int                 # occurrences, summed over the collapsed events
    first: float | None
    last: float | None
    source: str = ""

    @property
    def warning(self) -> bool:
        return self.type == "Warning"

    @property
    def obj(self) -> str:
        return f"{self.kind}/{self.name}"


def targets_of(view) -> set[tuple[str, str]]:
    """(kind, name) of the objects whose events belong to a StatefulSetView."""
    targets = {("StatefulSet", view.name)}
    targets.update(("Pod", slot.name) for slot in view.slots if slot.exists)
    targets.update(("PersistentVolumeClaim", claim.name) for claim in view.claims if claim.exists)
    targets.update(("PersistentVolume", volume.name) for volume in view.volumes)
    return targets


def _count(event: dict) -> int:
    series = event.get("series") or {}
    for value in (series.get("count"), event.get("count")):
        if isinstance(value, int) and value > 0:
            return value
    return 1


def _times(event: dict) -> tuple[float | None, float | None]:
    md = event.get("metadata") or {}
    last = parse_time((event.get("series") or {}).get("lastObservedTime")) or parse_time(event.get("lastTimestamp")) \
        or parse_time(event.get("eventTime")) or parse_time(event.get("firstTimestamp")) \
        or parse_time(md.get("creationTimestamp"))
    first = parse_time(event.get("firstTimestamp")) or parse_time(event.get("eventTime")) or last
    return first, last


def gather(events: Iterable[dict], targets: set[tuple[str, str]] | None = None, *,
           limit: int = 1000) -> list[EventRow]:
    """Collapse events with the same type, reason, object and message into one row with
    their summed count and first/last times; newest first; at most `limit` rows.
    `targets` (kind, name) keeps only events about those objects (None: all)."""
    groups: dict[tuple[str, str, str, str, str], list] = {}
    for event in events:
        inv = event.get("involvedObject") or {}
        kind, name = inv.get("kind") or "", inv.get("name") or ""
        if targets is not None and (kind, name) not in targets:
            continue
        key = (event.get("type") or "Normal", event.get("reason") or "", kind, name, event.get("message") or "")
        first, last = _times(event)
        source = (event.get("source") or {}).get("component") or event.get("reportingComponent") or ""
        group = groups.get(key)
        if group is None:
            groups[key] = [_count(event), first, last, source]
        else:
            group[0] += _count(event)
            if first is not None and (group[1] is None or first < group[1]):
                group[1] = first
            if last is not None and (group[2] is None or last > group[2]):
                group[2] = last
                group[3] = source or group[3]
    rows = [EventRow(type=k[0], reason=k[1], kind=k[2], name=k[3], message=k[4], count=g[0],
                     first=g[1], last=g[2], source=g[3]) for k, g in groups.items()]
    rows.sort(key=lambda r: (-(r.last or 0.0), r.kind, r.name, r.reason))
    return rows[:limit]
