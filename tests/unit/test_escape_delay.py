"""The TUI waits 50 ms (not Textual's 100) to tell a lone Escape from an escape sequence,
unless the user set ESCDELAY; Textual's parser reads the value at each Escape."""
from __future__ import annotations

import inspect

import textual.constants
from textual import _xterm_parser

from ststui.commands.tui import ESCAPE_DELAY_MS, set_escape_delay


def test_escape_delay_is_shortened_unless_the_user_set_escdelay():
    before = textual.constants.ESCAPE_DELAY
    try:
        textual.constants.ESCAPE_DELAY = 0.1
        assert set_escape_delay({}) == ESCAPE_DELAY_MS / 1000.0 == 0.05
        textual.constants.ESCAPE_DELAY = 0.3            # as Textual read ESCDELAY=300
        assert set_escape_delay({"ESCDELAY": "300"}) == 0.3
    finally:
        textual.constants.ESCAPE_DELAY = before


def test_textual_reads_the_delay_when_an_escape_arrives():
    # If Textual ever copies the constant at import, setting it later would do nothing.
    assert "constants.ESCAPE_DELAY" in inspect.getsource(_xterm_parser)
