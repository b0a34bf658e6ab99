"""Timestamps and ages: RFC 3339 strings from the API -> epoch seconds -> "3m12s".

Place in the flow: `topology` parses the API's timestamps with `parse_time`; `present`
(and the TUI through it) writes ages with `human_age`, the way kubectl prints its AGE
column. Pure functions: the current time is always passed in, never read here.
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache


@lru_cache(maxsize=4096)   # distinct timestamps on screen; 4,096 entries are ~0.5 MB
def _parse(text: str) -> float | None:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # The API always sends UTC; a bare timestamp is taken as UTC too.
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def parse_time(rfc3339: str | None) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp ("2026-01-01T00:00:00Z", fractions and
    offsets allowed); None for None, "" or text that is not a timestamp."""
    if not rfc3339 or not isinstance(rfc3339, str):
        return None
    return _parse(rfc3339)


def human_age(seconds: float | None) -> str:
    """A duration the way kubectl prints ages: 45s, 119s, 3m12s, 42m, 5h, 5h20m, 30h,
    2d3h, 12d, 2y30d. None gives "-"; small negative values (clock skew) give "0s",
    larger ones "<invalid>" as in kubectl."""
    if seconds is None:
        return "-"
    total = int(seconds)
    if total < -1:
        return "<invalid>"
    if total < 0:
        return "0s"
    if total < 120:
        return f"{total}s"
    minutes = total // 60
    if minutes < 10:
        rest = total % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = total // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    years = days // 365
    if hours < 24 * 365 * 8:
        rest = days % 365
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"
