"""Helpers for the TUI tests: run an app headless with Pilot, without an async plugin."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tui_scene import RecordingSession, make_app  # noqa: E402


def run_app(app, scenario: Callable[[Any], Awaitable[None]], size: tuple[int, int] = (120, 40)) -> None:
    """Run `app` headless at `size` and drive it with `scenario(pilot)`."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]  # noqa: SLF001 - test-only look at toasts


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def app(session):
    return make_app(session=session)
