"""KubectlFlags: the connection flags put on every kubectl equivalent, once, shell-quoted."""
from __future__ import annotations

import shlex

from ststui.state import actions
from ststui.state.kubectl_flags import KubectlFlags
from ststui.tui.session import kubectl_flags_for
from view_builders import make_view


def test_flags_come_right_after_kubectl_quoted_and_only_once():
    flags = KubectlFlags(context="prod east", kubeconfig="/home/me/my configs/kc", as_user="jane",
                         as_groups=("sre", "db"))
    plan = flags.apply(actions.plan_scale(make_view(), "4"))
    words = shlex.split(plan.kubectl)
    assert words[:6] == ["kubectl", "--kubeconfig=/home/me/my configs/kc", "--context=prod east", "--as=jane",
                         "--as-group=sre", "--as-group=db"]
    assert words[6] == "scale"
    assert flags.apply(plan) == plan                      # idempotent: applied at two places in the UI


def test_no_flags_leave_the_plan_alone_and_only_kubectl_commands_get_them():
    plan = actions.plan_hold(make_view())
    assert KubectlFlags().apply(plan) is plan
    assert KubectlFlags(context="c").command("echo kubectl x") == "echo kubectl x"


def test_session_flags_name_the_context_and_only_an_explicit_kubeconfig(tmp_path):
    class Conn:
        context, in_cluster = "prod", False
    assert kubectl_flags_for(Conn(), None) == KubectlFlags(context="prod")
    flags = kubectl_flags_for(Conn(), str(tmp_path / "kc"))
    assert flags.kubeconfig == str(tmp_path / "kc") and flags.context == "prod"

    class InCluster:
        context, in_cluster = "in-cluster", True
    assert kubectl_flags_for(InCluster(), None) == KubectlFlags()


def test_request_timeout_reads_go_durations_as_kubectl_does():
    import pytest
    from ststui.kube.client_options import OptionError, parse_request_timeout
    assert parse_request_timeout("0") is None
    assert parse_request_timeout("30") == 30
    assert parse_request_timeout("1m30s") == 90
    assert parse_request_timeout("1.5s") == 1.5
    assert parse_request_timeout("500ms") == 0.5
    for bad in ("2x", "-1s", "", "s"):
        with pytest.raises(OptionError):
            parse_request_timeout(bad)
