"""A line filter that draws what a 16-colour terminal shows (TERM=xterm without COLORTERM).

Textual composes in truecolor; on such a terminal Rich downgrades each colour to the
nearest of the 16 ANSI colours when writing. Snapshots are exported in truecolor, so this
filter does the same downgrade and maps each ANSI colour back to xterm's palette, so the
SVG shows what the user sees."""
from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor, ColorSystem
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.filter import LineFilter


@lru_cache(256)
def _sixteen(color: RichColor | None) -> RichColor | None:
    if color is None or color.is_default:
        return color
    number = color.downgrade(ColorSystem.STANDARD).number
    if number is None:
        return color
    triplet = DEFAULT_TERMINAL_THEME.ansi_colors[number]
    return RichColor.from_triplet(triplet)


@lru_cache(1024)
def _style(style: Style | None) -> Style | None:
    if style is None:
        return None
    return style + Style(color=_sixteen(style.color), bgcolor=_sixteen(style.bgcolor))


class SixteenColours(LineFilter):
    def apply(self, segments: list[Segment], background) -> list[Segment]:
        return [Segment(text, _style(style), control) for text, style, control in segments]
