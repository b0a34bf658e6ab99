"""The heap after a session switch (tui/memory.py): the app freezes the heap once a sync
is done; switching context or namespace must not keep the old session's objects (a couple
of hundred MB at 50,000 pods): its store is emptied and the heap given back to the
collector. Pilot over HTTP on the demo sim."""
from __future__ import annotations

import asyncio
import gc

from test_sim_pilot import demo, wait_for


def test_a_switched_away_session_is_freed_after_the_next_settle(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        stores: list = []

        async def settled(pilot):
            await wait_for(pilot, lambda: app._gc_frozen and not app.loading and not app._pending,
                           "the sync settled")

        async def scenario(pilot):
            await settled(pilot)
            for ns in ("shop", "db"):
                old = app.session
                app._reopen(None, ns, False)
                await wait_for(pilot, lambda: app.session is not old, f"switched to {ns}")
                await settled(pilot)
                stores.append(app.session.store)
                del old
            gc.collect()

        async def main():
            async with app.run_test(size=(80, 24)) as pilot:
                await scenario(pilot)
                assert app.session.namespace == "db"
                # "shop" was settled (frozen with the heap), then switched away from:
                old = stores[0]
                assert old is not app.session.store
                assert not any(old.items(p) for p in ("statefulsets", "pods", "persistentvolumeclaims",
                                                       "persistentvolumes", "events")), \
                    "the store of a session switched away from still holds its objects"
                assert app.session.store.items("statefulsets")     # the new one is filled
                assert gc.get_freeze_count() > 0                     # and the heap settled again
        asyncio.run(main())
