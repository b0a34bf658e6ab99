"""Hostile and broken inputs: secrets masked on every path that turns an error into text,
crash reports, the audit file, the terminal guard, bounded slots and plans."""
from __future__ import annotations

import os
import stat
import sys

import pytest
import yaml

from ststui.kube.connect import ConnectError, connect, mask_secrets, network_reason
from ststui.kube.ops import describe_api_error, is_conflict
from ststui.kube.rest import HttpError
from ststui.state import actions
from ststui.state.store import Store
from ststui.state.topology import MAX_SPEC_SLOTS, build_view
from ststui.tui.audit import ActionLog, LogEntry
from ststui.tui.crash import TerminalGuard, crash_line, write_report

from tests.unit import factories as f

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
OPAQUE = "s3cr3t-0paque-t0ken-value"


@pytest.mark.parametrize("text", [
    f"Authorization: Bearer {OPAQUE}",
    f'{{"headers": {{"Authorization": "Bearer {OPAQUE}"}}}}',
    f"curl -H 'Authorization: Basic {OPAQUE}'",
    f"exec plugin: got token={OPAQUE}",
    f'password: "{OPAQUE}"',
    f"oidc says {JWT} expired",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
])
def test_mask_secrets_shapes(text):
    masked = mask_secrets(text)
    assert OPAQUE not in masked and JWT not in masked and "MIIEow" not in masked
    assert "***" in masked


def test_server_error_body_quoting_authorization_is_masked():
    body = {"kind": "Status", "code": 403, "reason": "Forbidden",
            "message": f'webhook rejected request with header "Authorization: Bearer {OPAQUE}"'}
    for status in (403, 500, 422, 400):
        sentence = describe_api_error(HttpError(status, dict(body, code=status)))
        assert OPAQUE not in sentence and "***" in sentence, sentence


def test_connection_error_text_is_masked():
    exc = OSError(f"proxy said: Authorization: Bearer {OPAQUE}")
    assert OPAQUE not in network_reason(exc)
    assert OPAQUE not in describe_api_error(exc)


def test_exec_plugin_stderr_with_a_fresh_token_is_masked(tmp_path):
    """The plugin prints a token it made (not in the kubeconfig) on stderr and fails."""
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
                     "args": ["-c", f"import sys; sys.stderr.write('refresh failed for {JWT}'); sys.exit(1)"]}}
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "dev",
        "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:6443"}}],
        "contexts": [{"name": "dev", "context": {"cluster": "c", "user": "u"}}],
        "users": [{"name": "u", "user": user}]}))
    with pytest.raises(ConnectError) as err:
        connect(str(path), None, None, False, environ={})
    assert JWT not in str(err.value) and "refresh failed" in str(err.value)


def test_conflict_recognised_from_409_and_failed_test_op():
    assert is_conflict(HttpError(409, {"reason": "Conflict", "message": "the object has been modified"}))
    assert not is_conflict(HttpError(409, {"reason": "AlreadyExists", "message": "exists"}))
    assert is_conflict(HttpError(422, {"reason": "Invalid", "message": "JSON patch operation 2: test failed: ..."}))
    assert not is_conflict(HttpError(422, {"reason": "Invalid", "message": "spec.replicas: must be >= 0"}))


def leaky(token: str):
    client_configuration = {"api_key": {"authorization": f"Bearer {token}"}}   # a local the report must not show
    raise RuntimeError(f"boom with Authorization: Bearer {token}")


def test_crash_report_has_no_locals_and_masks_secrets(tmp_path):
    try:
        leaky(OPAQUE)
    except RuntimeError as exc:
        line = crash_line(exc, tmp_path)
    assert OPAQUE not in line and "report:" in line and "\n" not in line
    (report,) = tmp_path.glob("ststui-crash-*.txt")
    text = report.read_text()
    assert "Traceback" in text and "leaky" in text
    assert OPAQUE not in text and "client_configuration = " not in text
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_app_crash_prints_one_line_not_textual_locals(monkeypatch, tmp_path):
    from ststui.tui.app import StsTuiApp
    from ststui.tui.session import Session
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app = StsTuiApp(Session(api_client=None, context="test", namespace=None, store=Store()))
    monkeypatch.setattr(app, "_close_messages_no_wait", lambda: None)
    monkeypatch.setattr(app, "bell", lambda: None)
    try:
        leaky(OPAQUE)
    except RuntimeError as exc:
        app._crash_error = exc
        app._fatal_error()
    (line,) = app._exit_renderables
    assert isinstance(line, str) and line.startswith("ststui stopped on an internal error")
    assert OPAQUE not in line and str(tmp_path) in line


def test_audit_log_created_0600_only_when_written(tmp_path):
    path = tmp_path / "audit.log"
    log = ActionLog(path)
    assert not path.exists()
    log.record(LogEntry(when=0, context="dev", title="Scale shop/web", ok=False,
                        message=f"Forbidden: Authorization: Bearer {OPAQUE}", kubectl=("kubectl scale",)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert OPAQUE not in path.read_text() and "Scale shop/web" in path.read_text()


def test_terminal_guard_fires_when_the_pty_closes():
    import pty
    import threading
    master, slave = pty.openpty()
    fired = threading.Event()
    guard = TerminalGuard(lambda why: fired.set(), fd=slave, interval=0.02, hard_exit_after=3600)
    assert guard.alive()
    guard.start()
    try:
        os.close(master)              # the terminal emulator / ssh session is gone
        assert fired.wait(10), "the guard did not notice the closed terminal"
    finally:
        guard.stop()
        os.close(slave)


# --------------------------------------------------------------------------- bounded work

def test_huge_ordinal_and_foreign_pods_get_no_slots():
    store = f.store_with(
        f.family("web", replicas=3), f.node("node-1"), f.service("nginx"),
        f.pod("web", 0, owner=False, name="web-999999999999"),     # beyond int32: not an ordinal
        f.pod("web", 0, owner=False, name="web-2000000000"),        # unowned, far outside the range
        f.pod("web", 0, owner=False, name="web-7"),                 # unowned, outside the range
    )
    view = build_view(store, "default", "web", f.NOW)
    assert [s.ordinal for s in view.slots] == [0, 1, 2]
    assert set(view.foreign_pods) == {"web-2000000000", "web-7"}
    assert any(w.kind == "foreign-pod" for w in view.warnings)


def test_replica_count_does_not_make_slots_grow_without_bound():
    store = f.store_with(f.family("web", replicas=3), f.node("node-1"), f.service("nginx"))
    sts = store.get("statefulsets", "default", "web")
    big = dict(sts, spec=dict(sts["spec"], replicas=2_000_000_000))
    big["metadata"] = dict(sts["metadata"], resourceVersion="999999")
    store.apply_event("statefulsets", "MODIFIED", big)
    view = build_view(store, "default", "web", f.NOW)
    assert len(view.slots) == MAX_SPEC_SLOTS
    assert len(view.claims) == MAX_SPEC_SLOTS * len(view.templates)
    assert any(w.kind == "slots-capped" for w in view.warnings)


@pytest.mark.parametrize("text,needle", [
    ("9" * 5000, "far too large"),
    ("1000000000", "above the ceiling of 1000"),
    ("-1", "whole number"),
    ("1e9", "whole number"),
])
def test_scale_inputs_refused_with_a_sentence(text, needle):
    from tests.unit.view_builders import make_view
    with pytest.raises(actions.PlanError, match=needle):
        actions.plan_scale(make_view(replicas=3), text)


def test_partition_input_of_5000_digits():
    from tests.unit.view_builders import make_view
    with pytest.raises(actions.PlanError, match="far too large"):
        actions.plan_set_partition(make_view(replicas=3), "7" * 5000)


def test_watch_state_messages_shown_in_the_header_are_masked():
    from ststui.kube.watch import WatchManager
    mgr = WatchManager(None, Store(), None, plurals=("pods",))
    mgr.loops[0]._set(state="forbidden", message=f"not allowed: Authorization: Bearer {OPAQUE}")
    assert OPAQUE not in mgr.states()["pods"].message
    assert OPAQUE not in mgr.summary()[1]
