"""The terminal driver: Textual's Linux driver, with a lone Escape delivered on time.

Place in the flow: `StsTuiApp.get_driver_class()` returns `PromptEscapeDriver` where
Textual would pick its `LinuxDriver` (a real terminal on Linux or macOS; Pilot tests
use Textual's headless driver and never come here).

Why: the driver's input thread waits for input with `select(0.1)` and only asks its
parser for timeouts (a lone Escape is told from the start of an arrow key's sequence by
waiting ESCAPE_DELAY for more bytes) after that select returns. A lone Escape therefore
reached the app up to 100 ms after its byte whatever ESCAPE_DELAY said: the slowest key
in the pty benchmark (p50 124-167 ms, every other key 30-80 ms). Here the select waits
no longer than the parser's pending timeout, so Escape costs ESCAPE_DELAY and no more.
Everything else (reading, decoding, feeding the parser, dispatching) is the base loop's.
"""
from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

try:
    from textual._time import get_time as _now        # the parser's clock
except ImportError:                                    # pragma: no cover - another Textual layout
    from time import monotonic as _now

IDLE_WAIT = 0.1      # seconds: Textual's own select timeout when nothing is pending


def select_timeout(deadline: float | None, now: float, idle: float = IDLE_WAIT) -> float:
    """How long the input thread may wait for bytes: until the parser's pending timeout
    (a lone Escape's deadline) if there is one, never longer than `idle`, never negative."""
    if deadline is None:
        return idle
    return max(0.0, min(idle, deadline - now))


class PromptEscapeDriver(LinuxDriver):
    """LinuxDriver whose input loop wakes when the parser's timeout is due."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def deadline() -> float | None:
            # The parser's pending timeout, in its clock (textual._time.get_time is
            # monotonic); absent in another Textual version: behave as the base loop.
            return getattr(parser, "_timeout_time", None)

        def process(events, final: bool = False) -> None:
            for index, (_key, mask) in enumerate(events):
                if mask & selectors.EVENT_READ:
                    data = decode(os.read(fileno, 1024 * 4), final=final and index == len(events) - 1)
                    if not data:
                        break
                    for message in parser.feed(data):
                        self.process_message(message)
            for message in parser.tick():
                self.process_message(message)

        try:
            while not self.exit_event.is_set():
                process(selector.select(select_timeout(deadline(), _now())))
            selector.unregister(self.fileno)
            process(selector.select(IDLE_WAIT), final=True)
        finally:
            selector.close()
            try:
                for _ in parser.feed(""):
                    pass
            except Exception:       # EOF or a parse error on the way out: nothing to deliver
                pass

