"""Faults that kill or stall a part: the hub (once, and every half second), a console right
after its operator acted, and the hub's database (locked by another process)."""

from __future__ import annotations

import pytest
import scenarios_crash as s

pytestmark = pytest.mark.faults


def test_hub_sigkill_mid_stream_then_restart_on_the_same_db(tmp_path, record_property):
    figures = s.hub_kill_restart(tmp_path, rate=200, stream_s=5)
    record_property("figures", figures)
    assert figures["epochs"] >= 2


def test_hub_sigkill_every_half_second_during_ingest_and_commands(tmp_path, record_property):
    figures = s.hub_kill_loop(tmp_path, kills=5, up_s=0.5)
    record_property("figures", figures)
    assert figures["commands"] >= 20, "too few commands flowed to test anything"


def test_console_sigkill_right_after_ten_commands_with_the_hub_down(tmp_path, record_property):
    record_property("figures", s.console_kill_after_commands(tmp_path, count=10))


def test_database_locked_for_ten_seconds_while_reports_and_commands_flow(tmp_path, record_property):
    record_property("figures", s.database_locked(tmp_path, lock_s=10))
