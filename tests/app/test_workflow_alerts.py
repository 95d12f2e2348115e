"""Audible alert patterns (distinct by rhythm and pitch) and muting with a timeout."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from app import domain
from app.workflow import alerts
from app.workflow.alerts import PATTERNS, Mute, alert_for, loudest, mute, render_wav

NOW = 1_750_000_000.0


def rhythm(pattern):
    return tuple((on, gap) for _f, on, gap in pattern.pulses)


def test_every_priority_and_escalation_has_a_pattern():
    assert set(PATTERNS) == {"escalation", "p1", "p2", "p3", "p4"}


def test_patterns_differ_in_rhythm_not_only_volume():
    rhythms = {name: rhythm(p) for name, p in PATTERNS.items()}
    assert len(set(rhythms.values())) == len(rhythms)
    counts = {name: len(p.pulses) for name, p in PATTERNS.items()}
    assert counts["p1"] == 10 and counts["p2"] == 3 and counts["p3"] == 2 and counts["p4"] == 1
    assert len({f for f, _on, _gap in PATTERNS["escalation"].pulses}) == 2  # two-tone
    # Higher priority: higher pitch and more insistent repetition.
    pitch = [PATTERNS[k].pulses[0][0] for k in ("p1", "p2", "p3", "p4")]
    assert pitch == sorted(pitch, reverse=True)
    assert 0 < PATTERNS["p1"].repeat_s < PATTERNS["p2"].repeat_s
    assert PATTERNS["p3"].repeat_s == PATTERNS["p4"].repeat_s == 0


def decode(data):
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        rate = wav.getframerate()
        return rate, np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


@pytest.mark.parametrize("name", list(PATTERNS))
def test_wav_lasts_one_cycle_and_sounds_at_the_pattern_pitch(name):
    pattern = PATTERNS[name]
    rate, samples = decode(render_wav(pattern))
    assert len(samples) / rate == pytest.approx(max(pattern.repeat_s, pattern.burst_s), abs=0.01)
    first_on = pattern.pulses[0][1]
    pulse = samples[: int(first_on * rate)].astype(float)
    spectrum = np.abs(np.fft.rfft(pulse))
    peak_hz = np.argmax(spectrum) * rate / len(pulse)
    assert peak_hz == pytest.approx(pattern.pulses[0][0], rel=0.02)
    assert np.abs(samples).max() <= 32767 * 0.61
    # Silence between pulses is real silence.
    first_gap = pattern.pulses[0][2]
    silence = samples[int(first_on * rate) + 2 : int((first_on + first_gap) * rate) - 2]
    assert len(silence) > 0.02 * rate and np.abs(silence).max() == 0


def incident(**changes):
    base = domain.Incident(
        id="i",
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity="Extreme",
        certainty="Observed",
        area=domain.PointArea(10.8, 106.7),
        source="114",
        title="Cháy",
        priority=1,
    )
    return domain.incident_with(base, **changes)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "p1"),
        ({"priority": 3}, "p3"),
        ({"escalated": True}, "escalation"),
        ({"state": "acknowledged"}, None),
        ({"state": "closed", "escalated": True}, None),
        ({"shelved_until": NOW + 60}, None),
    ],
)
def test_alert_for(changes, expected):
    assert alert_for(incident(**changes), NOW) == expected


def test_mute_silences_routine_alarms_until_it_runs_out_but_never_an_escalation():
    m = mute(NOW, 120, "an")
    assert m.active(NOW + 119) and not m.active(NOW + 120)
    assert alert_for(incident(), NOW + 60, m) is None
    assert alert_for(incident(), NOW + 121, m) == "p1"
    assert alert_for(incident(escalated=True), NOW + 60, m) == "escalation"


def test_mute_is_capped_and_a_non_positive_mute_is_none():
    assert mute(NOW, 10 * 3600, "an").until == NOW + alerts.MAX_MUTE_S
    assert not mute(NOW, 0, "an").active(NOW)


def test_loudest_picks_the_most_urgent_pattern_due():
    quiet = [incident(id="a", priority=4), incident(id="b", priority=2), incident(id="c", state="acknowledged")]
    assert loudest(quiet, NOW) == "p2"
    assert loudest(quiet + [incident(id="d", escalated=True)], NOW) == "escalation"
    assert loudest(quiet, NOW, Mute(until=NOW + 5)) is None
    assert loudest([], NOW) is None
