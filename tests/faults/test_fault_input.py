"""Faults of input: malformed, oversized, wrong-version and replayed frames on every socket,
and a console whose wall clock is ten minutes off the hub's."""

from __future__ import annotations

import pytest
import scenarios_input as s
from consoles import libfaketime

pytestmark = pytest.mark.faults

LAG_SANE_MS = 5000.0  # a lag figure past this on a quiet loopback link is a clock, not a delay


def test_bad_frames_on_every_socket_are_dropped_and_counted_while_valid_traffic_lands(tmp_path, record_property):
    record_property("figures", s.bad_frames_everywhere(tmp_path, rounds=5))


def test_oversized_subscription_frames_neither_kill_nor_bloat_the_hub(tmp_path, record_property):
    record_property("figures", s.oversized_subscriptions(tmp_path, size_mb=4, count=1))


def test_replayed_and_late_reports_change_nothing(tmp_path, record_property):
    record_property("figures", s.replayed_reports(tmp_path))


@pytest.fixture(scope="module", params=["+10m", "-10m"], ids=["ahead", "behind"])
def skewed(request, tmp_path_factory):
    if not libfaketime():
        pytest.skip("faketime is not installed (packaging/apt-packages.txt lists it)")
    return s.clock_skew(tmp_path_factory.mktemp(f"skew{request.param_index}"), shift=request.param)


def test_a_console_ten_minutes_off_the_hubs_clock_converges_without_false_offline(skewed, record_property):
    record_property("figures", skewed)
    assert abs(abs(skewed["clock_offset_s"]) - 600) < 30, f"the console's clock was not shifted: {skewed}"


def test_a_console_ten_minutes_off_the_hubs_clock_reports_a_sane_lag(skewed):
    # The console estimates the clock offset from its snapshot round trip and corrects lag for it.
    assert skewed["lag_ms_max"] is not None and 0 <= skewed["lag_ms_max"] <= LAG_SANE_MS, skewed
