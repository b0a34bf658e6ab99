"""Pilot tests against the sim over HTTP: no change overwrites one made by someone else
since the dialog opened, and no key sequence takes the app down.

A kubectl-style change (through the official client, as kubectl would send it) lands
between opening a dialog and confirming it: the server refuses ststui's change, nothing
is changed, and the dialog comes back with the new state and effect. Then: double
confirmation keys, a 5,000-digit input and 1000000000 replicas change nothing and
answer with a sentence.
"""
from __future__ import annotations

from textual.widgets import Input

from ststui.tui.modals import ChoiceModal, ConfirmModal, ValueModal

from tests.tui.test_sim_pilot import (apps_api, core_api, demo, drive, ops_done, partition_of, select,
                                      wait_for)


def kubectl_patch_sts(client, ns, name, body):
    """What `kubectl patch sts` sends: a strategic merge patch."""
    apps_api(client).patch_namespaced_stateful_set(name, ns, body)


async def conflict_dialog(pilot, app, what: str) -> ConfirmModal:
    """After confirming a change that conflicts: the dialog that comes back."""
    await pilot.press("y")
    await ops_done(app)
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal) and app.screen.notice, what)
    return app.screen


def dialog_text(screen) -> str:
    return (screen.notice or "") + " " + " ".join(screen.plan.effect) + " " + (screen.plan.refused or "")


async def open_partition_dialog(pilot, app) -> None:
    """`P` (the key map's partition key); `p` until that key move is merged."""
    await pilot.press("P")
    if not isinstance(app.screen, ValueModal):
        await pilot.press("p")
    assert isinstance(app.screen, ValueModal), app.screen


async def type_value(pilot, app, text: str) -> None:
    assert isinstance(app.screen, ValueModal), app.screen
    app.screen.query_one("#value-input", Input).value = text
    await pilot.pause()


def test_set_partition_conflict_reopens_with_the_new_partition(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await open_partition_dialog(pilot, app)
            await type_value(pilot, app, "2")
            await pilot.press("enter")
            assert isinstance(app.screen, ConfirmModal)
            # A colleague releases the rollout with kubectl meanwhile.
            kubectl_patch_sts(client, "shop", "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}})
            again = await conflict_dialog(pilot, app, "the dialog again after the conflict")
            assert partition_of(client, "shop", "web") == 0, "the conflicting change was sent anyway"
            assert "the partition is now 0 (it was 3 when the dialog opened)" in again.notice
            assert "nothing was changed" in again.notice
            assert "goes from 0 to 2" in dialog_text(again)
            assert not app.action_log.entries[-1].ok and "changed since the dialog opened" in \
                app.action_log.entries[-1].message
            await pilot.press("y")                      # still set it to 2
            await ops_done(app)
            assert partition_of(client, "shop", "web") == 2
        drive(app, scenario)


def test_step_conflict_changes_nothing(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("a")
            assert isinstance(app.screen, ConfirmModal)
            kubectl_patch_sts(client, "shop", "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 4}}}})
            again = await conflict_dialog(pilot, app, "the step dialog again")
            assert partition_of(client, "shop", "web") == 4
            assert "the partition is now 4 (it was 3 when the dialog opened)" in again.notice
            tested = {op["path"]: op["value"] for op in again.plan.requests[0].body if op["op"] == "test"}
            assert tested["/spec/updateStrategy/rollingUpdate/partition"] == 4    # planned from the new state
            await pilot.press("n")
            await pilot.pause()
            assert partition_of(client, "shop", "web") == 4
        drive(app, scenario)


def test_scale_conflict_and_set_image_conflict(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("s")
            await type_value(pilot, app, "6")
            await pilot.press("enter")
            apps_api(client).patch_namespaced_stateful_set_scale("web", "shop", {"spec": {"replicas": 4}})
            again = await conflict_dialog(pilot, app, "the scale dialog again")
            assert apps_api(client).read_namespaced_stateful_set("web", "shop").spec.replicas == 4
            assert "the number of replicas is now 4 (it was 5 when the dialog opened)" in again.notice
            assert "go from 4 to 6" in dialog_text(again)
            await pilot.press("n")
            await pilot.pause()

            await pilot.press("i")
            await type_value(pilot, app, "nginx:1.99")
            await pilot.press("enter")
            image = apps_api(client).read_namespaced_stateful_set("web", "shop").spec.template.spec.containers[0].image
            kubectl_patch_sts(client, "shop", "web", {"spec": {"template": {"spec": {"containers": [
                {"name": "nginx", "image": "nginx:1.28"}]}}}})
            again = await conflict_dialog(pilot, app, "the set image dialog again")
            assert f"is now nginx:1.28 (it was {image} when the dialog opened)" in again.notice
            assert apps_api(client).read_namespaced_stateful_set(
                "web", "shop").spec.template.spec.containers[0].image == "nginx:1.28"
            await pilot.press("n")
        drive(app, scenario)


def test_reclaim_conflict(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "db/postgres", "volumes", "pv-db-04")
            await pilot.press("r")
            assert isinstance(app.screen, ChoiceModal)
            await pilot.press("enter")                  # keep for data-postgres-3
            assert isinstance(app.screen, ConfirmModal)
            # Someone frees the volume for any claim meanwhile (kubectl patch pv ... claimRef: null).
            core_api(client).patch_persistent_volume("pv-db-04", {"spec": {"claimRef": None}})
            cluster.settle()
            await pilot.press("y")
            await ops_done(app)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal) and app.screen.notice,
                           "the reclaim dialog again")
            assert "nothing was changed" in app.screen.notice
            assert "is now Available (it was Released" in app.screen.notice
            assert app.screen.plan.refused             # not Released any more: refused now
            pv = core_api(client).read_persistent_volume("pv-db-04")
            assert pv.spec.claim_ref is None
            await pilot.press("n")
        drive(app, scenario)


def test_double_confirmation_keys_do_one_change(tmp_path):
    """Keys that arrive together never answer a dialog twice: the first answers it, the
    next goes to whatever is on screen then (a second Enter lands on the next dialog's
    focused No button, which is the default)."""
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("a", "y", "y")
            await ops_done(app)
            await pilot.pause()
            assert partition_of(client, "shop", "web") == 2
            assert [e.title for e in app.action_log.entries] == ["Step rollout of shop/web"]
            while app.screen is not app.screen_stack[0]:     # the extra y opened the YAML view
                await pilot.press("escape")
            await pilot.press("s")
            await type_value(pilot, app, "6")
            await pilot.press("enter", "enter")             # next, then No on the confirmation
            await ops_done(app)
            await pilot.pause()
            assert apps_api(client).read_namespaced_stateful_set("web", "shop").spec.replicas == 5
            assert len(app.action_log.entries) == 1 and app.is_running
        drive(app, scenario)


def test_huge_inputs_answer_with_a_sentence_and_change_nothing(tmp_path):
    with demo(tmp_path) as (cluster, app, client, _):
        async def scenario(pilot):
            await select(pilot, app, "shop/web")
            await pilot.press("s")
            await type_value(pilot, app, "9" * 5000)
            error = str(app.screen.query_one("#value-error").render())
            assert "Replicas must be a whole number" in error and "far too large" in error
            await pilot.press("enter")
            assert isinstance(app.screen, ValueModal)
            await type_value(pilot, app, "1000000000")
            error = str(app.screen.query_one("#value-error").render())
            assert "above the ceiling of 1000" in error
            await pilot.press("enter")
            assert isinstance(app.screen, ValueModal)
            await pilot.press("escape")
            await open_partition_dialog(pilot, app)
            await type_value(pilot, app, "7" * 5000)
            assert "Partition must be a whole number" in str(app.screen.query_one("#value-error").render())
            await pilot.press("enter", "escape")
            assert apps_api(client).read_namespaced_stateful_set("web", "shop").spec.replicas == 5
            assert partition_of(client, "shop", "web") == 3
            assert app.action_log.entries == [] and app.is_running
        drive(app, scenario)
