"""Colours come from the theme, read on every theme, and never carry meaning alone."""
from __future__ import annotations

import asyncio
import re
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.color import Color

from ststui.tui import palette, render
from ststui.tui.palette import P, contrast

from tui_scene import make_app

TUI = Path(render.__file__).parent


def test_no_hex_colour_outside_the_palette():
    found = []
    for path in sorted(TUI.glob("*.py")):
        if path.name == "palette.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def _glyphs_in(path: Path) -> set[str]:
    text = path.read_text()
    return {ch for ch in text if ord(ch) > 0x7F}


@pytest.mark.parametrize("name", ["render.py", "header.py", "modals.py", "panes.py", "help.py", "views.py", "app.py"])
def test_only_single_width_glyphs(name):
    wide = {ch for ch in _glyphs_in(TUI / name)
            if unicodedata.east_asian_width(ch) in ("W", "F") or cell_len(ch) != 1}
    assert not wide, f"{name}: {sorted(wide)}"


def _fg(style: str) -> Color:
    return Color.parse(style.split(" on ")[0].replace("bold", "").strip())


async def _variables(theme: str) -> dict[str, str]:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        await pilot.pause()
        return dict(app.get_css_variables())


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "solarized-light", "nord", "gruvbox"])
def test_every_role_reads_on_the_theme(theme):
    variables = asyncio.run(_variables(theme))
    try:
        palette.apply(variables)
        surface = Color.parse(variables["surface"])
        for role in ("ok", "warn", "bad", "dim", "info", "command", "key", "rev_current", "rev_update", "rev_other",
                     "marker"):
            assert contrast(_fg(getattr(P, role)), surface) >= 4.5, (theme, role, getattr(P, role))
        filled = list(P.strip.values()) + [P.strip_terminating, P.strip_absent, P.brand, P.badge_warn]
        for style in filled:
            fg, bg = style.replace("bold ", "").split(" on ")
            assert contrast(Color.parse(fg), Color.parse(bg)) >= 4.5, (theme, style)
    finally:
        palette.apply({})


def test_theme_change_recolours_the_rows():
    asyncio.run(_theme_change())


async def _theme_change():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        dark = P.warn
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = P.warn
        assert light != dark
        # A cell styled with the warning role now carries the light theme's colour.
        cells = app.sts_pane._cells["shop/web"]
        assert any(style == light for _, style in cells)
        assert not any(style == dark for _, style in cells)
    palette.apply({})


def test_strip_letters_tell_revisions_apart_without_colour():
    from ststui.state.model import REV_CURRENT, REV_UPDATE
    from tui_scene import make_app as _make
    app = _make()
    view = None
    store = app.session.store
    from ststui.state.topology import build_views
    from tui_scene import NOW
    for v in build_views(store, NOW, app.session.namespaces):
        if v.name == "web":
            view = v
    assert view is not None
    plain = render.rollout_strip(view).plain
    cells = {slot.ordinal: render.strip_cell(slot).plain for slot in view.slots}
    kinds = {slot.ordinal: slot.revision_kind for slot in view.slots}
    assert REV_CURRENT in kinds.values() and REV_UPDATE in kinds.values()
    for ordinal, kind in kinds.items():
        letter = render.REVISION_LETTERS[kind]
        assert cells[ordinal].strip().startswith(f"{ordinal}{letter}"), (cells, kinds)
    # Rendered with no colour at all, current and updated cells still differ.
    console = Console(color_system=None, width=80, record=True, file=open("/dev/null", "w"))
    console.print(render.rollout_strip(view))
    text = console.export_text()
    assert "0c✓" in text and "3u✓" in text, text
    assert plain
