"""Logs, events and kubectl hand-offs in the TUI, against the simulated cluster over HTTP
(manual clock, driven by the test): `l` on a pod shows its lines and follows new ones,
search, the StatefulSet-wide view filtered by revision, the events of the demo's halted
rollout, and a stub kubectl on PATH that records how the app handed over the terminal."""
from __future__ import annotations

import os
import stat
import sys

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from ststui.state.logring import LogLine, LogRing
from ststui.tui.eventsview import EventsScreen
from ststui.tui.logview import LogScreen
from ststui.tui.modals import ChoiceModal, ValueModal

from test_sim_pilot import demo, drive, select, wait_for


def log_texts(app) -> list[str]:
    screen = app.screen
    assert isinstance(screen, LogScreen), screen
    return list(screen.lines_widget.texts)


def test_l_on_a_pod_shows_its_lines_and_follows_new_ones(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web", "pods", "web-4")
            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and
                           any("starting nginx 1.27 (pod web-4" in t for t in app.screen.lines_widget.texts),
                           "web-4's start-up line")
            before = len(log_texts(app))
            last = log_texts(app)[-1]
            cluster.advance(60)
            await wait_for(pilot, lambda: len(app.screen.lines_widget.texts) >= before + 5, "new lines")
            texts = log_texts(app)
            assert texts[before - 1] == last            # appended, not replaced
            widget = app.screen.lines_widget
            await wait_for(pilot, lambda: widget.max_scroll_y > 0 and widget.scroll_y == widget.max_scroll_y,
                           "the newest line in view (following)")
            assert "following" in app.screen.status_text().plain
            # search finds a line
            await pilot.press("slash", *"readiness", "enter")
            await pilot.pause()
            screen = app.screen
            assert screen.matches and "readiness probe passed" in screen.current_match_text
            assert "match 1 of 1" in screen.status_text().plain
            row = widget.row_of(widget.current)
            assert widget.scroll_y <= row < widget.scroll_y + widget.scrollable_content_region.height
            await pilot.press("slash", *"no such words", "enter")
            await pilot.pause()
            assert "no line contains" in screen.status_text().plain
            await pilot.press("t")
            await pilot.pause()
            assert screen.lines_widget.texts[0][:4] == "2025" or screen.lines_widget.texts[0][:4] == "2026"
            assert "follow off" in screen.status_text().plain      # a search stops following
            await pilot.press("f")
            assert "following" in screen.status_text().plain
            await wait_for(pilot, lambda: widget.scroll_y == widget.max_scroll_y, "back at the newest line")
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, LogScreen)
        drive(app, scenario)


def test_container_picker_and_wrap(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        import kubernetes
        apps = kubernetes.client.AppsV1Api(client)
        apps.patch_namespaced_stateful_set("web", "shop", {"spec": {"template": {"spec": {"containers": [
            {"name": "sidecar", "image": "busybox:1.36"}]}}}})
        cluster.advance(120)

        async def scenario(pilot):
            await select(pilot, app, "shop/web", "pods", "web-4")
            await wait_for(pilot, lambda: len(app._pod_containers("shop", "web-4")) == 2, "web-4 with a sidecar")
            await pilot.press("l")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceModal)
            index = [value for value, _ in app.screen.choices].index("sidecar")
            await pilot.press(*["down"] * index, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and
                           any("container sidecar" in t for t in app.screen.lines_widget.texts), "the sidecar's log")
            screen = app.screen
            assert "container sidecar" in screen.log_title
            widget = screen.lines_widget
            rows = len(widget._rows)
            await pilot.press("w")
            await pilot.pause()
            assert widget.wrap and len(widget._rows) > rows        # long lines take several rows
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceModal)
            index = [value for value, _ in app.screen.choices].index("nginx")
            app.screen.query_one("#choices").highlighted = index
            await pilot.pause()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and app.screen is not screen and
                           any("container nginx" in t for t in app.screen.lines_widget.texts), "nginx's log")
        drive(app, scenario, size=(64, 30))          # narrow: the start-up line wraps


def test_previous_log_of_a_restarted_pod_and_a_refusal(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web", "pods", "web-4")
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and "not found" in
                           app.screen.status_text().plain, "the refusal")
            assert 'previous terminated container "nginx" in pod "web-4" not found' in app.screen.status_text().plain
            await pilot.press("escape")
            await select(pilot, app, "cache/redis", "pods", "redis-2")
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and
                           any("MiB resident" in t for t in app.screen.lines_widget.texts),
                           "the OOM-killed run's memory lines")
            assert "MiB resident" in app.screen.lines_widget.texts[-1]      # killed: no last word
        drive(app, scenario)


def test_statefulset_log_view_filtered_to_the_update_revision(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            view = app.views["shop/web"]
            update = {s.name for s in view.slots if s.revision_kind == "update"}
            current = {s.name for s in view.slots if s.revision_kind == "current"}
            assert update and current
            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and
                           {line.pod for line in app.screen.shown} == update | current, "every pod's lines")
            screen = app.screen
            assert all(" │ " in t for t in screen.lines_widget.texts)       # per-pod prefix
            times = [line.time for line in screen.shown]
            assert times == sorted(times)                                   # interleaved in time order
            await pilot.press("r")
            await pilot.pause()
            assert {line.pod for line in screen.shown} == update
            assert all(t.split(" │ ")[0] in update for t in screen.lines_widget.texts)
            assert "pods on the update revision" in screen.status_text().plain
            await pilot.press("r")
            await pilot.pause()
            assert {line.pod for line in screen.shown} == current
        drive(app, scenario)


def test_statefulset_log_view_follows_the_pod_a_step_replaces(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        import kubernetes
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            view = app.views["shop/web"]
            partition = view.rollout.partition
            stepped = f"web-{partition - 1}"
            assert view.slot(partition - 1).revision_kind == "current"
            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, LogScreen) and
                           stepped in {line.pod for line in app.screen.shown}, f"{stepped}'s lines")
            screen = app.screen
            await pilot.press("r")                                   # update revision only
            await pilot.pause()
            assert stepped not in {line.pod for line in screen.shown}
            old_uid = view.slot(partition - 1).uid
            kubernetes.client.AppsV1Api(client).patch_namespaced_stateful_set(
                "web", "shop", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": partition - 1}}}})
            cluster.advance(60)
            await wait_for(pilot, lambda: stepped in {line.pod for line in screen.shown}
                           and sum(1 for t in screen.lines_widget.texts
                                   if t.startswith(f"{stepped} │ INFO  starting")) >= 1,
                           f"the new {stepped} on the update revision, with its start-up")
            new_slot = app.views["shop/web"].slot(partition - 1)
            assert new_slot.revision_kind == "update" and new_slot.uid != old_uid
            assert {line.uid for line in screen.shown if line.pod == stepped} == {new_slot.uid}   # not the old pod's
            assert sum(1 for t in screen.lines_widget.texts if t.startswith(f"{stepped} │ INFO  starting")) == 1
        drive(app, scenario)


def test_events_view_of_the_halted_rollout_shows_the_back_off_warnings(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "cache/redis")
            cluster.advance(180)
            await pilot.press("E")
            await wait_for(pilot, lambda: isinstance(app.screen, EventsScreen) and app.screen.rows, "events")
            screen = app.screen
            warnings = [r for r in screen.rows if r.warning]
            assert warnings and any(r.reason == "BackOff" and r.name == "redis-2" for r in warnings)
            unhealthy = next(r for r in warnings if r.reason == "BackOff")
            assert unhealthy.count >= 2                              # repeats collapsed with their count
            lasts = [r.last for r in screen.rows]
            assert lasts == sorted(lasts, reverse=True)              # newest first
            assert f"⚠ Warning BackOff Pod/redis-2 ×{unhealthy.count}" in screen.plain_text()
            await pilot.press("escape")
            app.action_events_namespace("cache")
            await pilot.pause()
            assert isinstance(app.screen, EventsScreen) and any(r.reason == "BackOff" for r in app.screen.rows)
        drive(app, scenario)


# --------------------------------------------------------------------------- hand-off to kubectl

@pytest.fixture
def stub_kubectl(tmp_path, monkeypatch):
    """A `kubectl` on PATH that writes its arguments (one per line) to a file."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "kubectl-args"
    script = folder / "kubectl"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(record)!r}, 'a').write('\\n'.join(sys.argv[1:]) + '\\n--end--\\n')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    # The headless test driver cannot hand its (absent) terminal over; record that the app asks.
    calls: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True), raising=False)
    monkeypatch.setattr(HeadlessDriver, "suspend_application_mode", lambda self: calls.append("suspend"))
    monkeypatch.setattr(HeadlessDriver, "resume_application_mode", lambda self: calls.append("resume"))
    return record, calls


def recorded(record) -> list[list[str]]:
    if not record.exists():
        return []
    return [chunk.strip("\n").split("\n") for chunk in record.read_text().split("--end--\n") if chunk.strip()]


def test_shell_edit_and_port_forward_hand_over_to_kubectl(tmp_path, stub_kubectl):
    record, calls = stub_kubectl
    with demo(tmp_path, namespace="shop") as (cluster, app, client, _):
        kubeconfig = str(tmp_path / "kubeconfig")
        app.session.kubeconfig = kubeconfig

        async def scenario(pilot):
            await select(pilot, app, "shop/web", "pods", "web-2")
            await pilot.press("s")
            await pilot.pause()
            assert calls == ["suspend", "resume"]
            base = ["--kubeconfig", kubeconfig, "--context", app.session.context, "-n", "shop"]
            shell = recorded(record)[0]
            assert shell[:len(base)] == base
            assert shell[len(base):len(base) + 8] == ["exec", "-it", "web-2", "-c", "nginx", "--", "sh", "-c"]
            assert "bash ash sh" in shell[-1]
            await pilot.press("e")
            await pilot.pause()
            assert recorded(record)[1] == base + ["edit", "pod/web-2"]
            await pilot.press("F")
            assert isinstance(app.screen, ValueModal)
            assert app.screen.query_one("#value-input").value == "80:80"     # the pod's container port
            app.screen.query_one("#value-input").value = "99999"
            await pilot.pause()
            assert "out of range" in str(app.screen.query_one("#value-error").render())
            app.screen.query_one("#value-input").value = "8080:80"
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert recorded(record)[2] == base + ["port-forward", "pod/web-2", "8080:80"]
            assert calls == ["suspend", "resume"] * 3
            assert app.screen is app.screen_stack[0]                  # back on the main screen
        drive(app, scenario, expect=1)


def test_read_only_hides_shell_and_edit_and_kubectl_missing_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))       # no kubectl anywhere
    with demo(tmp_path, read_only=True, namespace="shop") as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web", "pods", "web-2")
            active = app.screen.active_bindings
            assert "s" not in active and "e" not in active
            assert "l" in active and "p" in active and "F" in active
            await pilot.press("F")
            app.screen.query_one("#value-input").value = "8080:80"
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert any("kubectl is not on PATH" in str(n.message) for n in app._notifications)
        drive(app, scenario, expect=1)


# --------------------------------------------------------------------------- the ring

def test_a_ring_fed_a_million_lines_keeps_the_configured_number():
    ring = LogRing(2000)
    for i in range(1_000_000):
        ring.add(LogLine("web-0", "nginx", f"2026-01-01T00:00:00.{i:09d}Z", f"line {i}"))
    _, lines = ring.snapshot()
    assert len(lines) == len(ring) == 2000
    assert lines[0].text == "line 998000" and lines[-1].text == "line 999999"
    assert ring.received == 1_000_000 and ring.dropped == 998_000


def test_ring_orders_lines_of_several_pods_by_time():
    ring = LogRing(3)
    ring.extend([LogLine("a", "c", "2026-01-01T00:00:01.000000000Z", "a1"),
                 LogLine("a", "c", "2026-01-01T00:00:05.000000000Z", "a5")])
    ring.add(LogLine("b", "c", "2026-01-01T00:00:03.000000000Z", "b3"))
    ring.add(LogLine("b", "c", "2026-01-01T00:00:00.000000000Z", "b0"))     # older than all kept: dropped
    ring.add(LogLine("b", "c", "2026-01-01T00:00:04.000000000Z", "b4"))
    assert [line.text for line in ring.snapshot()[1]] == ["b3", "b4", "a5"]
