"""When a kind completes its first LIST, every view may say more: the rows on screen are
rebuilt at once, the others a bounded slice per drain (the UI thread is never held for a
rebuild of every StatefulSet), and the header says "updating N StatefulSets" until the
last one is done. Over HTTP against the demo sim, pods held back by a latency fault."""
from __future__ import annotations

import asyncio

from ststui.state.topology import build_views

from test_sim_pilot import demo, wait_for


def test_views_off_screen_catch_up_a_slice_per_drain(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        cluster.faults.set_latency(3.0, "pods")

        async def scenario(pilot):
            await wait_for(pilot, lambda: len(app.views) == 9 and app.loading == {"pods"} and not app._pending,
                           "every kind but pods listed and shown")
            for timer in app._refresh_timers:       # the test drives the drains itself
                timer.stop()
            app.CATCH_UP_MIN, app.CATCH_UP_BUDGET, app.CATCH_UP_BUDGET_TYPING = 1, 0.0, 0.0
            cluster.faults.clear()
            await wait_for(pilot, lambda: not app.session.loading_kinds(), "pods listed (not yet drained)")
            on_screen = {f"{ns}/{name}" for ns, name in app._on_screen()}
            off_screen = set(app.views) - on_screen
            assert on_screen and len(off_screen) >= 2, (on_screen, off_screen)

            app.drain_changes()
            await pilot.pause()
            for key in on_screen:                      # rebuilt at once: pods are known
                assert app.views[key].rollout.state != "unknown", key
            stale = [k for k in off_screen if app.views[k].rollout.state == "unknown"]
            assert len(stale) == len(off_screen) - 1    # one more per drain, the rest wait
            assert f"updating {len(app._pending)} StatefulSets" in app.query_one("#status").content.plain

            for _ in range(len(off_screen)):
                if not app._pending:
                    break
                app.drain_changes()
                await pilot.pause()
            assert not app._pending
            assert "updating" not in app.query_one("#status").content.plain
            assert "loading" not in app.query_one("#status").content.plain
            fresh = {v.key: v for v in build_views(app.session.store, app.render_now, app.session.namespaces)}
            assert {k: v.rollout.state for k, v in app.views.items()} == \
                   {k: v.rollout.state for k, v in fresh.items()}
            assert all(v.rollout.state != "unknown" for v in app.views.values())

        async def main():
            async with app.run_test(size=(80, 24)) as pilot:
                await scenario(pilot)
                await pilot.press("q")
        asyncio.run(main())


def test_changes_of_listed_kinds_do_not_hold_the_catch_up_while_another_kind_loads(tmp_path):
    """Events never finish their first LIST (a latency fault) while pod labels change
    several times a second over HTTP: a change to an off-screen StatefulSet still reaches
    its view (only pages of a kind still loading hold the catch-up back)."""
    import threading

    from test_sim_pilot import apps_api, core_api

    with demo(tmp_path) as (cluster, app, client, _):
        cluster.faults.set_latency(1000.0, "events")

        async def scenario(pilot):
            await wait_for(pilot, lambda: len(app.views) == 9 and app.loading == {"events"} and not app._pending,
                           "every kind but events listed and caught up")
            core = core_api(client)
            pods = [(p.metadata.namespace, p.metadata.name) for p in core.list_pod_for_all_namespaces().items]
            stop = threading.Event()

            def churn():
                i = 0
                while not stop.is_set():
                    i += 1
                    ns, name = pods[i % len(pods)]
                    core.patch_namespaced_pod(name, ns, {"metadata": {"labels": {"churn": str(i)}}})
                    stop.wait(0.03)

            thread = threading.Thread(target=churn, daemon=True)
            thread.start()
            try:
                await pilot.pause(0.5)
                on_screen = {f"{ns}/{name}" for ns, name in app._on_screen()}
                target = sorted(set(app.views) - on_screen)[-1]
                ns, name = target.split("/")
                replicas = app.views[target].replicas
                apps_api(client).patch_namespaced_stateful_set(name, ns, {"spec": {"replicas": replicas + 2}})
                await wait_for(pilot, lambda: app.views[target].replicas == replicas + 2,
                               f"the off-screen {target} to show its new replicas")
                assert "events" in app.loading          # events were still loading all along
            finally:
                stop.set()
                thread.join()

        async def main():
            async with app.run_test(size=(80, 24)) as pilot:
                await scenario(pilot)
        asyncio.run(main())
