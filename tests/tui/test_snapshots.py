"""Snapshots of the main screen, each modal, help, YAML, describe and history views, at
80x24 and 160x50, on a hand-filled store and a frozen clock (no watch thread).

Refresh with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs
in tests/tui/__snapshots__/ before keeping them."""
from __future__ import annotations

import pytest

from tui_scene import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]


def prepare(select: str = "shop/web", pane: str | None = None, row: str | None = None, wait_workers: bool = False):
    async def run_before(pilot):
        app = pilot.app
        await pilot.pause()
        app.sts_pane.select_key(select)
        await pilot.pause()
        if pane:
            target = app.query_one(f"#{pane}")
            target.focus()
            if row:
                target.select_key(row)
        await pilot.pause()
    return run_before


async def settle(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare())


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_halted_rollout_pods_focused(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare("shop/broken", "pods"))


def test_main_screen_read_only(snap_compare):
    assert snap_compare(make_app(read_only=True), terminal_size=(80, 24), run_before=prepare())


@pytest.mark.parametrize("size", SIZES)
def test_confirm_step(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare(), press=["a"])


@pytest.mark.parametrize("size", SIZES)
def test_confirm_force_delete_typed(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare("shop/web", "pods", "web-1"),
                        press=["ctrl+k", "w", "e", "b"])


@pytest.mark.parametrize("size", SIZES)
def test_value_partition_error(snap_compare, size):
    async def run_before(pilot):
        await prepare()(pilot)
        await pilot.press("P")
        await pilot.pause()
        pilot.app.screen.query_one("#value-input").value = "9"
        await pilot.pause()
    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_choice_reclaim(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare("shop/web", "volumes", "pv-old-5"),
                        press=["r"])


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare(), press=["question_mark"])


@pytest.mark.parametrize("size", SIZES)
def test_yaml_view(snap_compare, size):
    async def run_before(pilot):
        await prepare()(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_history_view(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare(), press=["v"])


@pytest.mark.parametrize("size", SIZES)
def test_describe_pod(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare("data/db", "pods", "db-2"),
                        press=["d"])


# --- colour-poor terminals: the meaning must survive without colour ---------------------

def _sixteen_colour_app():
    from colour_filters import SixteenColours
    app = make_app()
    app._filters.append(SixteenColours())   # what TERM=xterm (no COLORTERM) draws
    return app


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_no_color(snap_compare, size, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")      # read by the App when it is built
    assert snap_compare(make_app(), terminal_size=size, run_before=prepare("data/db", "pods", "db-2"))


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_16_colours(snap_compare, size):
    assert snap_compare(_sixteen_colour_app(), terminal_size=size, run_before=prepare())


def test_force_delete_16_colours(snap_compare):
    assert snap_compare(_sixteen_colour_app(), terminal_size=(80, 24),
                        run_before=prepare("data/db", "pods", "db-2"), press=["ctrl+k"])


def test_main_screen_volumes_focused_80x24(snap_compare):
    """The selected StatefulSet is named above the panes while its row is scrolled away."""
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=prepare("shop/web", "volumes", "pv-old-5"))


def test_main_screen_light_theme(snap_compare):
    async def run_before(pilot):
        pilot.app.theme = "textual-light"
        await prepare()(pilot)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
