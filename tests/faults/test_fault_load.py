"""Faults of volume: a 10,000 events/s burst then silence, a hoarding and a slow client, and a
large but valid state (long texts, 5,000 cameras with URLs, an incident with 500 notes)."""

from __future__ import annotations

import pytest
import scenarios_load as s

pytestmark = pytest.mark.faults


def test_a_ten_thousand_per_second_burst_then_silence_converges(tmp_path, record_property):
    figures = s.burst_then_silence(tmp_path, rate=10_000, seconds=5)
    record_property("figures", figures)
    assert figures["incidents"] > 1000, "the burst must actually reach the hub"


def test_a_client_hoarding_300_snapshots_keeps_the_hub_bounded(tmp_path, record_property):
    record_property("figures", s.hoarding_client(tmp_path, incidents=400, desc_len=2500, requests=300))


def test_a_subscriber_that_stops_reading_during_a_burst_keeps_the_hub_bounded(tmp_path, record_property):
    record_property("figures", s.slow_subscriber(tmp_path, ids=5000, updates=40_000, rate=10_000))


def test_large_valid_state_reaches_a_fresh_console_complete(tmp_path, record_property):
    record_property("figures", s.large_valid_state(tmp_path, cameras=5000, incidents=1000, notes=500))
