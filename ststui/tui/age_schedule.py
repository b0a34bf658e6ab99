"""When does an age on screen next read differently? So the app repaints only then.

Place in the flow: `app.tick` (1 Hz) asks `next_change(now, timestamps)` for the ages the
screen shows (StatefulSet rows, the selected set's pods, Terminating-since times) and
re-renders rows only when that moment has passed or a view changed: idle, a screen of
two-day-old objects is repainted once an hour, not every second. Pure; the formats are
those of `state.times.human_age` (kubectl's), which change only at whole seconds,
minutes, hours or days of the age.
"""
from __future__ import annotations

import math
from typing import Iterable

from ststui.state.times import human_age

_UNITS = (1, 60, 3600, 86400)


def seconds_to_change(age: float) -> float:
    """Seconds from now until `human_age(age)` gives another string (at most one day)."""
    if age < 0:                     # a clock behind the server: shown as 0s (render clamps)
        return 1.0 - age
    text = human_age(age)
    for unit in _UNITS:
        boundary = (math.floor(age / unit) + 1) * unit
        if human_age(boundary) != text:
            return max(1e-3, boundary - age)
    return max(1e-3, (math.floor(age / 86400) + 1) * 86400 - age)


def next_change(now: float, timestamps: Iterable[float | None]) -> float:
    """The earliest time after `now` at which an age `now - t` of one of `timestamps`
    reads differently (inf if there are none)."""
    ages = {now - t for t in timestamps if t is not None}
    if not ages:
        return math.inf
    # many rows share a creation second: each distinct age is computed once
    return now + min(seconds_to_change(a) for a in ages)
