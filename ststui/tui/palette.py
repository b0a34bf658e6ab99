"""Colours of the TUI, taken from the running Textual theme.

Place in the flow: `render`, `header`, `help`, `modals` and `views` build Rich styles from
the attributes of `P` (a role such as `P.warn` or `P.rev_update`), never from hex literals.
The app calls `apply(app.get_css_variables())` at start and whenever the theme changes
(e.g. to textual-light from the command palette) and then re-renders, so every colour
follows the theme. Each foreground role is nudged towards the theme's contrast text
colour until it reads against the surface it is drawn on (WCAG ratio >= 4.5 for text,
3 for the bold marks), which keeps the yellow legible on light themes.

Colour never carries meaning alone: the cells that use these roles also carry a word, a
letter or a glyph (see `render.strip_cell` and `render.WARNING_ICONS`), so NO_COLOR,
16-colour and monochrome terminals keep the message.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from textual.color import Color

# The variables of Textual's default dark theme, used until an app applies its own.
DEFAULT_VARIABLES = {
    "foreground": "#E0E0E0", "background": "#121212", "surface": "#1E1E1E", "panel": "#242F38",
    "primary": "#0178D4", "secondary": "#004578", "accent": "#FEA62B", "warning": "#FEA62B",
    "error": "#B93C5B", "success": "#4EBF71",
    "text-warning": "#FFC473", "text-success": "#8AD4A1", "text-error": "#D17E92",
    "text-primary": "#57A5E2", "text-secondary": "#5684A5", "text-accent": "#FFC473",
    "primary-muted": "#0C304C", "success-muted": "#24452E", "secondary-muted": "#0C2130",
    "error-muted": "#441E27", "warning-muted": "#593E19",
}

MIN_TEXT_CONTRAST = 4.5
MIN_MARK_CONTRAST = 3.0


def _parse(value: str | None, fallback: Color, under: Color | None = None) -> Color:
    """A theme value as an opaque colour (values like `#E0E0E099` are blended onto `under`)."""
    if not value or value.startswith("auto"):
        return fallback
    try:
        color = Color.parse(value)
    except Exception:
        return fallback
    if color.a < 1.0:
        base = under if under is not None else Color(0, 0, 0)
        color = base.blend(color.with_alpha(1.0), color.a)
    return color


def luminance(color: Color) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def readable(fg: Color, bg: Color, minimum: float) -> Color:
    """`fg`, moved towards black or white (whichever `bg` contrasts with) until it reads."""
    if contrast(fg, bg) >= minimum:
        return fg
    target = Color(0, 0, 0) if luminance(bg) > 0.18 else Color(255, 255, 255)
    for step in range(1, 21):
        moved = fg.blend(target, step / 20)
        if contrast(moved, bg) >= minimum:
            return moved
    return target


def contrast_text(bg: Color) -> Color:
    """Black or white, whichever reads better on `bg`."""
    black, white = Color(0, 0, 0), Color(255, 255, 255)
    return black if contrast(black, bg) >= contrast(white, bg) else white


@dataclass
class Palette:
    """Rich style strings by role; the values change with the theme."""
    ok: str = ""
    warn: str = ""
    bad: str = ""
    dim: str = ""
    info: str = ""            # neutral facts worth a colour (Available volumes)
    command: str = ""         # kubectl commands
    key: str = ""             # key names in the help
    rev_current: str = ""
    rev_update: str = ""
    rev_other: str = ""
    # Rollout strip cells, text on the revision's background: by (revision kind, ready?);
    # kinds "current", "update", "other", "" (unknown).
    strip: dict = field(default_factory=dict)
    strip_terminating: str = ""
    strip_absent: str = ""
    marker: str = ""           # the partition bar
    brand: str = ""            # the header's "ststui" badge
    badge_warn: str = ""       # READ-ONLY and other warning badges
    flash: str = ""            # background of a row that just changed ("on #...")


P = Palette()


def apply(variables: dict[str, str]) -> bool:
    """Recompute every role from a theme's CSS variables. True if anything changed."""
    def var(name: str) -> str | None:
        return variables.get(name) or DEFAULT_VARIABLES.get(name)

    background = _parse(var("background"), Color.parse(DEFAULT_VARIABLES["background"]))
    surface = _parse(var("surface"), background, background)
    foreground = _parse(var("foreground"), contrast_text(surface), surface)

    def fg(name: str, minimum: float = MIN_TEXT_CONTRAST) -> str:
        return readable(_parse(var(name), foreground, surface), surface, minimum).hex6

    def on(background_name: str) -> tuple[str, str]:
        """(text colour, background colour) for a filled cell."""
        bg = _parse(var(background_name), surface, surface)
        text = readable(foreground, bg, MIN_TEXT_CONTRAST)
        return text.hex6, bg.hex6

    dim = readable(surface.blend(foreground, 0.6), surface, MIN_TEXT_CONTRAST).hex6
    warn = fg("text-warning")
    new = Palette(
        ok=fg("text-success"),
        warn=f"bold {warn}",
        bad=f"bold {fg('text-error')}",
        dim=dim,
        info=fg("text-primary"),
        command=fg("text-primary"),
        key=f"bold {fg('text-primary')}",
        rev_current=f"bold {fg('text-primary')}",
        rev_update=f"bold {fg('text-success')}",
        rev_other=f"bold {fg('text-secondary')}",
    )
    warn_color = _parse(var("text-warning"), foreground, surface)
    for kind, name in (("current", "primary-muted"), ("update", "success-muted"),
                       ("other", "secondary-muted"), ("", "panel")):
        text, bg = on(name)
        not_ready = readable(warn_color, Color.parse(bg), MIN_TEXT_CONTRAST).hex6
        new.strip[(kind, True)] = f"bold {text} on {bg}"
        new.strip[(kind, False)] = f"bold {not_ready} on {bg}"
    text, bg = on("error-muted")
    new.strip_terminating = f"bold {text} on {bg}"
    panel = _parse(var("panel"), surface, surface)
    new.strip_absent = f"{readable(surface.blend(foreground, 0.6), panel, MIN_TEXT_CONTRAST).hex6} on {panel.hex6}"
    new.marker = f"bold {warn}"
    primary = _parse(var("primary"), foreground, surface)
    new.brand = f"bold {contrast_text(primary).hex6} on {primary.hex6}"
    warning = _parse(var("warning"), foreground, surface)
    new.badge_warn = f"bold {contrast_text(warning).hex6} on {warning.hex6}"
    new.flash = f"on {_parse(var('warning-muted'), surface, surface).hex6}"
    changed = False
    for role in fields(Palette):
        value = getattr(new, role.name)
        if getattr(P, role.name) != value:
            setattr(P, role.name, value)
            changed = True
    return changed


apply({})
