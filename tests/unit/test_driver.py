"""The input loop's wait: a pending Escape is delivered at its deadline, not 100 ms late."""
from textual.drivers.linux_driver import LinuxDriver

from ststui.tui.driver import IDLE_WAIT, PromptEscapeDriver, select_timeout


def test_nothing_pending_waits_as_textual_does():
    assert select_timeout(None, 5.0) == IDLE_WAIT


def test_a_pending_escape_cuts_the_wait_to_its_deadline():
    assert select_timeout(5.05, 5.0) == 0.05 or abs(select_timeout(5.05, 5.0) - 0.05) < 1e-9


def test_an_overdue_deadline_does_not_wait_and_a_far_one_waits_at_most_idle():
    assert select_timeout(4.0, 5.0) == 0.0
    assert select_timeout(60.0, 5.0) == IDLE_WAIT


def test_the_app_uses_it_where_textual_would_use_its_linux_driver():
    from ststui.tui.app import StsTuiApp
    assert issubclass(PromptEscapeDriver, LinuxDriver)
    assert StsTuiApp.get_driver_class(StsTuiApp.__new__(StsTuiApp)) is PromptEscapeDriver
