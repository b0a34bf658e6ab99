"""screenshots/record.py: keys come from the app's bindings, and the file is asciicast v2."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from ststui.tui.app import StsTuiApp

RECORD = Path(__file__).resolve().parents[2] / "screenshots" / "record.py"


@pytest.fixture(scope="module")
def record():
    spec = importlib.util.spec_from_file_location("ststui_record", RECORD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_key_bytes(record):
    assert record.key_bytes("a") == b"a"
    assert record.key_bytes("L") == b"L"
    assert record.key_bytes("shift+l") == b"L"
    assert record.key_bytes("ctrl+k") == b"\x0b"
    assert record.key_bytes("escape") == b"\x1b"
    assert record.key_bytes("slash") == b"/"


def test_binding_keys_follow_the_app(record):
    log = next(b for b in StsTuiApp.BINDINGS if b.id == "ststui.action_log")
    assert record.binding_key("ststui.action_log") == record.key_bytes(log.key.split(",")[0])
    assert record.binding_key("ststui.force_delete") == b"\x0b"
    with pytest.raises(SystemExit):
        record.binding_key("ststui.no-such-binding")


def test_cast_is_asciicast_v2_with_waits_played_fast(record, tmp_path):
    events = [(0.0, "a"), (1.0, "b"), (11.0, "c"), (12.0, "\u2713"), (30.0, "d")]
    out = tmp_path / "t.cast"
    duration = record.write_cast(out, events, 1_700_000_000, "t", fast=[(1.0, 11.0)])
    lines = out.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and header["width"] == record.WIDTH and header["height"] == record.HEIGHT
    rows = [json.loads(line) for line in lines[1:]]
    assert [r[1] for r in rows] == ["o"] * 5 and [r[2] for r in rows] == ["a", "b", "c", "\u2713", "d"]
    times = [r[0] for r in rows]
    assert times == sorted(times)
    assert times[2] - times[1] == pytest.approx(10 / record.FAST_FORWARD)    # the wait, sped up
    assert times[4] - times[3] == pytest.approx(record.IDLE_LIMIT)          # a long idle, shortened
    assert duration == times[-1]
