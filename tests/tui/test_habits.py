"""k9s and operator habits on the main screen: quitting, the `:` command line, row keys,
hints for keys of other panes, and the config file (keymap, protected and read-only contexts)."""
from __future__ import annotations

import threading

from conftest import notifications, run_app
from textual.widgets import Input

from ststui.config import Config, ConfigError, load_config, save_theme
from ststui.tui.help import HelpScreen
from ststui.tui.modals import ConfirmModal
from tui_scene import RecordingSession, make_app


async def _command(pilot, line: str) -> None:
    await pilot.press("colon")
    await pilot.pause()
    for char in line:
        await pilot.press(char if char != " " else "space")
    await pilot.press("enter")
    await pilot.pause()


def test_ctrl_c_quits_from_the_main_screen(app):
    async def scenario(pilot):
        assert app.return_code is None
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0

    run_app(app, scenario)


def test_ctrl_c_quits_from_a_dialog(app):
    async def scenario(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0

    run_app(app, scenario)


def test_q_asks_first_only_while_a_change_is_in_flight():
    release = threading.Event()

    class SlowSession(RecordingSession):
        def execute(self, plan, read_only):
            release.wait(30)
            return super().execute(plan, read_only)

    app = make_app(session=SlowSession())

    async def scenario(pilot):
        app.sts_pane.select_key("shop/web")
        await pilot.pause()
        await pilot.press("h")                   # hold shop/web (partition 3 -> replicas)
        await pilot.pause()
        await pilot.press("y")                   # confirmed: now being sent
        await pilot.pause()
        assert app.changes_in_flight() == 1
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and "being sent" in str(app.screen.plan.effect)
        assert app.return_code is None
        await pilot.press("n")                   # stay
        await pilot.pause()
        assert app.return_code is None
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0

    try:
        run_app(app, scenario)
    finally:
        release.set()


def test_command_line_pods_ns_and_sts_do_what_they_say(app):
    async def scenario(pilot):
        await _command(pilot, "pods")
        assert app.focused is app.pods_pane
        await _command(pilot, "ns shop")
        assert app.sts_pane.row_keys == ["shop/broken", "shop/web"]
        assert "ns shop (of all)" in app.query_one("#status").shown.plain
        app.sts_pane.select_key("shop/broken")
        await pilot.pause()
        await _command(pilot, "sts web")
        assert app.selected_key == "shop/web" and app.focused is app.sts_pane
        await _command(pilot, "pod db-1")            # another namespace: the filter gives way
        assert app.selected_key == "data/db"
        assert app.focused is app.pods_pane and app.pods_pane.selected_key == "db-1"
        await _command(pilot, "pvc")
        assert app.focused is app.claims_pane
        await _command(pilot, "pv")
        assert app.focused is app.volumes_pane
        await _command(pilot, "nosuch")
        assert any("Unknown command ':nosuch'" in m for m in notifications(app))
        await _command(pilot, "sts nosuch")
        assert any("No StatefulSet 'nosuch'" in m for m in notifications(app))
        await _command(pilot, "events shop")
        assert type(app.screen).__name__ == "EventsScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code is None
        await _command(pilot, "q")
        assert app.return_code == 0

    run_app(app, scenario)


def test_command_line_completes_with_tab(app):
    async def scenario(pilot):
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press("n", "tab")
        field = app.screen.query_one("#command-input", Input)
        assert field.value == "ns "
        await pilot.press("s", "tab")
        assert field.value == "ns shop"
        await pilot.press("enter")
        await pilot.pause()
        assert app.sts_pane.row_keys == ["shop/broken", "shop/web"]

    run_app(app, scenario)


def test_j_k_g_G_move_the_row_cursor(app):
    async def scenario(pilot):
        keys = app.sts_pane.row_keys
        assert app.sts_pane.selected_key == keys[0]
        await pilot.press("j")
        assert app.sts_pane.selected_key == keys[1]
        await pilot.press("G")
        assert app.sts_pane.selected_key == keys[-1]
        await pilot.press("k")
        assert app.sts_pane.selected_key == keys[-2]
        await pilot.press("g")
        assert app.sts_pane.selected_key == keys[0]
        await pilot.press("end")
        assert app.sts_pane.selected_key == keys[-1]
        await pilot.press("home")
        assert app.sts_pane.selected_key == keys[0]

    run_app(app, scenario)


def test_a_key_of_another_pane_says_so(app):
    async def scenario(pilot):
        assert app.focused is app.sts_pane
        await pilot.press("ctrl+d")
        await pilot.pause()
        said = [m for m in notifications(app) if "ctrl+d does nothing on the StatefulSets pane" in m]
        assert len(said) == 1 and "Pods pane" in said[0] and "Claims pane" in said[0]
        await pilot.press("ctrl+d")                    # said once, not stacked
        await pilot.pause()
        assert len([m for m in notifications(app) if "ctrl+d does nothing" in m]) == 1
        assert not app.session.executed

    run_app(app, scenario)


def test_keymap_from_a_config_file_takes_effect(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"ststui.help" = "f1"\n"ststui.nosuch" = "f2"\n')
    app = make_app(config=load_config(path))

    async def scenario(pilot):
        assert any("ststui.nosuch, which is no binding id" in m for m in notifications(app))
        await pilot.press("question_mark")           # no longer bound
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)

    run_app(app, scenario)


def test_a_protected_context_requires_the_typed_context_name(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[contexts."test-*"]\nprotected = true\n')
    session = RecordingSession()
    app = make_app(session=session, config=load_config(path))

    async def scenario(pilot):
        assert " test-cluster  PROTECTED" in app.query_one("#status").shown.plain
        await pilot.press("tab")                      # pods of shop/broken
        await pilot.press("ctrl+d")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal) and modal.confirm_text == "test-cluster"
        field = modal.query_one("#typed-confirm", Input)
        assert modal.focused is field
        await pilot.press("y", "enter")                # "y" is typed, not a confirmation
        await pilot.pause()
        assert app.screen is modal and not session.executed
        field.value = ""
        await pilot.press(*"test-cluster")
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert [p.action for p, _ in session.executed] == ["delete-pod"]
        assert "--context=test-cluster" not in session.executed[0][0].kubectl  # no kubeconfig: no flags
        # A change that is not destructive asks for no typed name.
        await pilot.press("escape", "h")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and not app.screen.confirm_text

    run_app(app, scenario)


def test_read_only_from_the_config_works_like_the_flag(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[contexts."test-cluster"]\nread_only = true\n')
    session = RecordingSession()
    app = make_app(session=session, config=load_config(path))

    async def scenario(pilot):
        assert app.read_only
        assert "READ-ONLY" in app.query_one("#status").shown.plain
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
        assert any("Read-only mode" in m for m in notifications(app))
        assert not session.executed

    run_app(app, scenario)


def test_a_broken_config_file_is_one_sentence_naming_the_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n[keymap\n')
    try:
        load_config(path)
    except ConfigError as e:
        assert "line 2" in str(e) and str(path) in str(e) and "\n" not in str(e)
    else:
        raise AssertionError("no error")
    path.write_text('[contexts."prod"]\nprotected = "yes"\n')
    try:
        load_config(path)
    except ConfigError as e:
        assert "line 2" in str(e) and "true or false" in str(e)
    else:
        raise AssertionError("no error")


def test_theme_is_saved_to_the_config_file(tmp_path):
    path = tmp_path / "ststui" / "config.toml"
    path.parent.mkdir()
    path.write_text('# mine\n[keymap]\n"ststui.help" = "f1"\n')
    app = make_app(config=load_config(path))

    async def scenario(pilot):
        app.theme = "textual-light"
        await pilot.pause()

    run_app(app, scenario)
    config = load_config(path)
    assert config.theme == "textual-light" and config.keymap == {"ststui.help": "f1"}
    save_theme(path, "nord")
    assert load_config(path).theme == "nord"
    assert path.read_text().count("theme =") == 1
    assert make_app(config=Config()).config.path is None


def test_pickers_filter_as_you_type(app):
    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        choices = app.screen.query_one("#choices")
        assert choices.option_count == 4             # all namespaces, data, default, shop
        await pilot.press("s", "h")
        await pilot.pause()
        assert [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)] == ["shop"]
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert choices.option_count == 4
        await pilot.press(*"sho", "enter")
        await pilot.pause()
        assert app.sts_pane.row_keys == ["shop/broken", "shop/web"]
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"kube-system")              # no such choice: taken as typed
        await pilot.pause()
        assert app.screen.query_one("#choice-other", Input).value == "kube-system"

    run_app(app, scenario)


def test_max_replicas_from_the_config_caps_what_scale_accepts(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("max_replicas = 6\n")
    app = make_app(config=load_config(path))

    async def scenario(pilot):
        assert app.replicas_ceiling == 6
        app.sts_pane.select_key("shop/web")
        app.sts_pane.focus()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#value-input").value = "7"
        await pilot.pause()
        assert "6" in str(app.screen.query_one("#value-error").render())
        assert app.screen.query_one("#yes").disabled
        await pilot.press("escape")

    run_app(app, scenario)
    for bad in ("max_replicas = 0\n", "max_replicas = \"many\"\n", "max_replicas = true\n"):
        path.write_text(bad)
        try:
            load_config(path)
        except ConfigError as e:
            assert "max_replicas" in str(e) and "line 1" in str(e)
        else:
            raise AssertionError(f"accepted {bad!r}")
