"""Sort keys for table rows by the text of one column: name, age, status, ready.

Place in the flow: `KeyedTable` (shift+N/A/S/R) orders the rows a pane hands it with
`row_sort_key(field, text)` before reconciling. Pure: it reads the cell texts as rendered
(`2d3h`, `10/10`, `Running`), so what is sorted is exactly what is shown.
"""
from __future__ import annotations

import re

FIELDS = ("name", "age", "status", "ready")

_AGE_PART = re.compile(r"(\d+)([ydhms])")
_AGE_UNIT = {"y": 365 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DIGITS = re.compile(r"(\d+)")


def natural(text: str) -> tuple:
    """web-2 before web-10: digit runs compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in _DIGITS.split(text) if p)


def age_seconds(text: str) -> float:
    """Seconds from a kubectl age (`45s`, `3m12s`, `5h20m`, `2d3h`, `2y30d`); unknown last."""
    parts = _AGE_PART.findall(text or "")
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return float("inf")
    return float(sum(int(n) * _AGE_UNIT[u] for n, u in parts))


def ready_fraction(text: str) -> tuple:
    """`3/5` sorts by the share ready, then by the count wanted; `-` and others last."""
    m = re.fullmatch(r"\s*(\d+)/(\d+)\s*", text or "")
    if not m:
        return (1, 0.0, 0)
    ready, want = int(m.group(1)), int(m.group(2))
    return (0, ready / want if want else 1.0, want)


def row_sort_key(field: str, text: str) -> tuple:
    if field == "age":
        return (age_seconds(text),)
    if field == "ready":
        return ready_fraction(text)
    return natural(text or "")
