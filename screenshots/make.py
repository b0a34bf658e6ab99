"""Make the README's screenshots: SVGs of ststui's main views on the demo scenario, and
the recording `tour.cast`.

Run with `make screenshots` (or `.venv/bin/python screenshots/make.py`; `--no-cast` skips
the recording). Starts the demo cluster in-process on a manual clock (so every run shows
the same ages), runs the app headless through the normal client path, presses keys as a
person would, and saves one SVG per view into this folder; then `record.py` runs the
real app in a pty on a fresh demo cluster and writes `tour.cast` (about a minute).
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ststui.sim.main import start_embedded, stop_embedded  # noqa: E402
from ststui.tui.app import StsTuiApp  # noqa: E402
from ststui.tui.session import open_session  # noqa: E402

WAIT = 30.0


async def wait_for(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def select(pilot, app, key: str, pane: str | None = None, row: str | None = None) -> None:
    app.sts_pane.focus()
    assert app.sts_pane.select_key(key), key
    await pilot.pause(0.2)
    if pane:
        target = app.query_one(f"#{pane}")
        target.focus()
        await wait_for(pilot, lambda: row in target.row_keys, f"{row} in {pane}")
        assert target.select_key(row)
        await pilot.pause(0.2)


def shot(app, name: str) -> None:
    app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"screenshots/{name}.svg")


async def back(pilot) -> None:
    await pilot.press("escape")
    await pilot.pause(0.2)


async def tour(app, size) -> None:
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: {"shop/web", "kafka/kafka", "db/postgres", "cache/redis"} <= set(app.views),
                       "the demo's StatefulSets")
        small = size[0] < 100
        suffix = "-80x24" if small else ""
        await select(pilot, app, "shop/web")
        shot(app, f"main{suffix}")
        if small:
            await select(pilot, app, "kafka/kafka", "pods", "kafka-1")
            await pilot.press("ctrl+k")
            await pilot.pause(0.3)
            shot(app, "force-delete-80x24")
            await back(pilot)
            await select(pilot, app, "db/postgres", "volumes", "pv-db-04")
            shot(app, "volumes-80x24")
            await pilot.press("q")
            return
        await pilot.press("a")
        await pilot.pause(0.3)
        shot(app, "step-rollout")
        await back(pilot)
        await select(pilot, app, "kafka/kafka", "pods", "kafka-1")
        shot(app, "stuck-pod")
        await pilot.press("ctrl+k")
        await pilot.pause(0.3)
        shot(app, "force-delete")
        await back(pilot)
        await select(pilot, app, "db/postgres", "volumes", "pv-db-04")
        await pilot.press("r")
        await pilot.pause(0.3)
        shot(app, "reclaim-volume")
        await back(pilot)
        await select(pilot, app, "cache/redis")
        await pilot.press("v")
        await pilot.pause(0.5)
        shot(app, "revision-history")
        await back(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        shot(app, "help")
        await back(pilot)
        await pilot.press("q")


def main() -> None:
    for size in ((160, 50), (80, 24)):
        with tempfile.TemporaryDirectory() as tmp:
            cluster, server, path = start_embedded("demo", clock="manual",
                                                   kubeconfig_out=str(Path(tmp) / "kubeconfig"))
            try:
                session = open_session(str(path), None, None, True, clock=cluster.now)
                app = StsTuiApp(session)
                asyncio.run(tour(app, size))
                session.stop()
            finally:
                stop_embedded(cluster, server)
    if "--no-cast" not in sys.argv[1:]:
        from record import record
        record(HERE / "tour.cast")


if __name__ == "__main__":
    main()
