"""Query parameters as kube-apiserver parses them (Go's strconv), with its 400 wording.

Place in the flow: `server.py` (watch, force, gracePeriodSeconds, limit, ...) and
`logs.py` (follow, previous, tailLines, ...) read their query values through these two
functions, so a bad value gets the same sentence wherever it is sent.
"""
from __future__ import annotations

from typing import Any

from .objects import bad_request

_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def parse_bool(text: str | None, name: str = "value") -> bool:
    """Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; empty is false."""
    if text is None or text == "":
        return False
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise bad_request(f'strconv.ParseBool: parsing "{text}": invalid syntax')


def parse_int(text: Any, name: str) -> int | None:
    """Go's strconv.ParseInt; empty or absent is None."""
    if text is None or text == "":
        return None
    try:
        return int(text)
    except (TypeError, ValueError):
        raise bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None
