"""Audible alerts: one distinct sound pattern per priority, and muting with a timeout.

Priorities differ by rhythm and pitch, not only loudness, after IEC 60601-1-8 (the
medical alarm standard control rooms borrow from): high = a 10-pulse burst
(3 + 2, twice) repeating every few seconds, medium = 3 pulses repeating less often,
low = 2 pulses or 1, once. An escalated P1 gets a two-tone pattern nobody confuses with
the rest, and it sounds even through a mute: a mute silences routine alarms, never the one
the supervisors are being called for. Tones carry harmonics so they are easy to locate.

Pure data and numpy; the console plays the WAV bytes (QSoundEffect) and asks
`loudest()` which pattern is due.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable
from dataclasses import dataclass

import msgspec
import numpy as np

from app import domain
from app.workflow.priority import priority_of

SAMPLE_RATE = 22_050
MAX_MUTE_S = 15 * 60.0
RAMP_S = 0.01  # attack/release per pulse: no clicks


class AlertPattern(msgspec.Struct, frozen=True):
    name: str
    pulses: tuple[tuple[float, float, float], ...]  # (frequency Hz, on s, silence after s)
    repeat_s: float  # burst start to next burst; 0 = once

    @property
    def burst_s(self) -> float:
        return sum(on + gap for _f, on, gap in self.pulses)


def _burst(freq: float, count: int, on: float, gap: float, last_gap: float) -> list[tuple[float, float, float]]:
    return [(freq, on, gap)] * (count - 1) + [(freq, on, last_gap)]


PATTERNS: dict[str, AlertPattern] = {
    "escalation": AlertPattern(
        "escalation", tuple((988.0 if i % 2 == 0 else 740.0, 0.22, 0.03) for i in range(8)), repeat_s=3.0
    ),
    "p1": AlertPattern(
        "p1",
        tuple(
            _burst(880.0, 3, 0.15, 0.10, 0.35)
            + _burst(880.0, 2, 0.15, 0.10, 0.60)
            + _burst(880.0, 3, 0.15, 0.10, 0.35)
            + _burst(880.0, 2, 0.15, 0.10, 0.10)
        ),
        repeat_s=6.0,
    ),
    "p2": AlertPattern("p2", tuple(_burst(660.0, 3, 0.20, 0.12, 0.12)), repeat_s=15.0),
    "p3": AlertPattern("p3", tuple(_burst(523.0, 2, 0.25, 0.15, 0.15)), repeat_s=0.0),
    "p4": AlertPattern("p4", ((440.0, 0.30, 0.10),), repeat_s=0.0),
}
RANK = ("escalation", "p1", "p2", "p3", "p4")  # most to least urgent


def render_wav(pattern: AlertPattern, sample_rate: int = SAMPLE_RATE, volume: float = 0.6) -> bytes:
    """One cycle of the pattern as 16-bit mono WAV; a repeating pattern is padded with
    silence to `repeat_s` so looping the file keeps the cadence."""
    pieces = []
    ramp = max(1, int(RAMP_S * sample_rate))
    for freq, on, gap in pattern.pulses:
        t = np.arange(int(on * sample_rate)) / sample_rate
        tone = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 5))  # 4 harmonics
        envelope = np.ones_like(t)
        envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
        envelope[-ramp:] = np.linspace(1.0, 0.0, ramp)
        pieces.append(tone * envelope)
        pieces.append(np.zeros(int(gap * sample_rate)))
    signal = np.concatenate(pieces)
    if pattern.repeat_s > pattern.burst_s:
        signal = np.concatenate([signal, np.zeros(int((pattern.repeat_s - pattern.burst_s) * sample_rate))])
    peak = np.max(np.abs(signal)) or 1.0
    samples = (signal / peak * volume * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.tobytes())
    return out.getvalue()


@dataclass(frozen=True)
class Mute:
    """Routine alarms are silent while now < until. Escalations are never muted."""

    until: float = 0.0
    by: str = ""

    def active(self, now: float) -> bool:
        return now < self.until


def mute(now: float, seconds: float, by: str) -> Mute:
    """A mute of `seconds`, capped at MAX_MUTE_S so a forgotten mute always runs out."""
    if seconds <= 0:
        return Mute()
    return Mute(until=now + min(seconds, MAX_MUTE_S), by=by)


def alert_for(incident: domain.Incident, now: float, muted: Mute = Mute()) -> str | None:
    """The pattern an incident calls for now: only unacknowledged, unshelved ones sound."""
    if incident.state != "new" or now < incident.shelved_until:
        return None
    if incident.escalated:
        return "escalation"
    if muted.active(now):
        return None
    return f"p{priority_of(incident)}"


def loudest(incidents: Iterable[domain.Incident], now: float, muted: Mute = Mute()) -> str | None:
    """The most urgent pattern any incident calls for (None: silence)."""
    best = len(RANK)
    for incident in incidents:
        key = alert_for(incident, now, muted)
        if key is not None:
            best = min(best, RANK.index(key))
            if best == 0:
                break
    return RANK[best] if best < len(RANK) else None
