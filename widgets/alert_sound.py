"""Plays the audible alert patterns of app.workflow.alerts, with mute-with-timeout.

The decision (which pattern, if any) is taken every second from the unacknowledged
incidents, so the sound stops the moment the last one is acknowledged. Repeating patterns
(escalation, P1, P2) loop a WAV padded to their cadence; P3/P4 chime once per new alarm,
at most every few seconds, so a flood of low-priority alarms is not a flood of noise.
Without an audio device (headless, offscreen) the decisions are still made and logged
once; nothing fails.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal

from app import domain
from app.workflow import alerts

log = logging.getLogger(__name__)
CHIME_GAP_S = 3.0


class AlertSound(QObject):
    pattern_changed = Signal(str)  # the looping pattern now ("" = silence)
    mute_changed = Signal(float)  # muted until (epoch seconds; 0 = not muted)

    def __init__(self, sound_dir: Path, parent=None):
        super().__init__(parent)
        self.role = "operator"
        self.mute_state = alerts.Mute()
        self.current = ""
        self.chimes: list[str] = []  # once-patterns played, newest last (bounded)
        self._last_chime = 0.0
        self._effects: dict = {}
        self.available = self._load(Path(sound_dir))

    def _load(self, sound_dir: Path) -> bool:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            log.warning("audible alerts off: QtMultimedia unavailable (%s); alerts are visual only", exc)
            return False
        if not QMediaDevices.audioOutputs():
            log.warning("audible alerts off: no audio output device; alerts are visual only")
            return False
        try:
            sound_dir.mkdir(parents=True, exist_ok=True)
            for name, pattern in alerts.PATTERNS.items():
                path = sound_dir / f"alert-{name}.wav"
                path.write_bytes(alerts.render_wav(pattern))
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setLoopCount(QSoundEffect.Loop.Infinite.value if pattern.repeat_s else 1)
                self._effects[name] = effect
        except OSError as exc:
            log.warning("audible alerts off: cannot write alert sounds to %s (%s)", sound_dir, exc)
            return False
        return True

    # --- mute ----------------------------------------------------------------------------------
    def mute(self, seconds: float, by: str) -> None:
        self.mute_state = alerts.mute(time.time(), seconds, by)
        self.mute_changed.emit(self.mute_state.until)

    def unmute(self) -> None:
        self.mute_state = alerts.Mute()
        self.mute_changed.emit(0.0)

    def muted(self, now: float | None = None) -> bool:
        return self.mute_state.active(time.time() if now is None else now)

    # --- decisions -----------------------------------------------------------------------------
    def update(
        self,
        unacknowledged: list[domain.Incident],
        arrived: list[domain.Incident] = (),
        now: float | None = None,
        loud: str | None = None,
    ) -> str:
        """Re-decide from the unacknowledged incidents; returns the looping pattern ("" = none).

        `loud` is alerts.loudest() already computed elsewhere (the window does it off the GUI
        thread); without it, it is computed here from `unacknowledged`.
        """
        now = time.time() if now is None else now
        if self.mute_state.until and not self.mute_state.active(now):
            self.unmute()  # the timeout ran out: say so
        if loud is None:
            loud = alerts.loudest(unacknowledged, now, self.mute_state) or ""
        if loud == "escalation" and self.role != "supervisor":
            # Escalation calls the supervisors; an operator hears it as the P1 it is.
            loud = "" if self.mute_state.active(now) else "p1"
        looping = loud if loud and alerts.PATTERNS[loud].repeat_s else ""
        if looping != self.current:
            self._stop(self.current)
            self.current = looping
            self._play(looping)
            self.pattern_changed.emit(looping)
        if not looping and not self.mute_state.active(now) and arrived and now - self._last_chime >= CHIME_GAP_S:
            keys = [alerts.alert_for(inc, now, self.mute_state) for inc in arrived]
            keys = [k for k in keys if k in ("p3", "p4")]
            if keys:
                chime = min(keys)  # "p3" sorts before "p4": the more urgent one
                self._last_chime = now
                self.chimes.append(chime)
                del self.chimes[:-20]
                self._play(chime)
        return self.current

    def _play(self, name: str) -> None:
        effect = self._effects.get(name)
        if effect is not None:
            effect.play()

    def _stop(self, name: str) -> None:
        effect = self._effects.get(name)
        if effect is not None:
            effect.stop()

    def stop_all(self) -> None:
        for effect in self._effects.values():
            effect.stop()
