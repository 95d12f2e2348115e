"""The status bar: connection state with its reason, events per second, lag, counts."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar

from app.client.state import ConnectionStatus, TransportStats
from app.i18n import Translator

CLOCK_SKEW_SHOWN_S = 30.0  # a console clock this far off the hub's is said in the status bar

_STATE_STYLE = {
    "live": "background:#1b5e20;color:white;",
    "connecting": "background:#455a64;color:white;",
    "reconnecting": "background:#f9a825;color:black;",
    "offline": "background:#b71c1c;color:white;",
}


class ConsoleStatusBar(QStatusBar):
    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self.state_label = QLabel()
        self.state_label.setObjectName("connectionState")
        self.reason_label = QLabel()
        self.rate_label = QLabel()
        self.count_label = QLabel()
        self.dropped_label = QLabel()
        for w in (self.state_label, self.reason_label):
            self.addWidget(w)
        for w in (self.dropped_label, self.rate_label, self.count_label):
            self.addPermanentWidget(w)
        self.status: ConnectionStatus | None = None
        self._cached_at = 0.0
        self._stats: TransportStats | None = None
        self._counts: tuple[int, int, int] | None = None
        self.set_connection(ConnectionStatus("connecting", "", time.time()))

    def set_connection(self, status: ConnectionStatus, cached_at: float = 0.0) -> None:
        self.status = status
        self._cached_at = cached_at
        t = self.tr_.t
        if status.state == "offline":
            text = t("conn.offline", since=time.strftime("%H:%M:%S", time.localtime(status.since)))
        else:
            text = t(f"conn.{status.state}")
        self.state_label.setText(f"  ● {text}  ")
        self.state_label.setStyleSheet(_STATE_STYLE.get(status.state, "") + "font-weight:bold;padding:2px;")
        reason = self._reason_text(status)
        if cached_at and status.state != "live":
            cache = t("conn.cache", saved=time.strftime("%H:%M:%S", time.localtime(cached_at)))
            reason = f"{reason} — {cache}" if reason else cache
        self.reason_label.setText(reason)
        self.reason_label.setToolTip(t("conn.detail", reason=status.reason) if status.reason else "")

    def _reason_text(self, status: ConnectionStatus) -> str:
        """The reason in the console's language, from the code the transport gives with it;
        a reason with no code (or one this build does not know) shows only in the tooltip."""
        if not status.code:
            return ""
        t = self.tr_.t
        params = dict(status.params)
        if "kind" in params:
            params["kind"] = t(f"snap.kind.{params['kind']}")
        key = f"conn.why.{status.code}"
        text = t(key, **params)
        return "" if text == key else text

    def connection_text(self) -> str:
        return self.state_label.text().strip(" ●")

    def set_stats(self, stats: TransportStats) -> None:
        self._stats = stats
        t = self.tr_.t
        rate = f"{t('stat.rate', rate=stats.events_per_s)} · {t('stat.lag', lag=stats.lag_ms)}"
        if abs(stats.clock_offset_s) >= CLOCK_SKEW_SHOWN_S:
            # Times on this screen come from the hub; a wrong local clock is the operator's to know.
            rate += f" · {t('stat.clock_skew', minutes=-stats.clock_offset_s / 60)}"
        self.rate_label.setText(rate)
        dropped = sum(stats.dropped.get(k, 0) for k in stats.dropped if k != "duplicate")
        self.dropped_label.setText(t("stat.dropped", n=dropped) if dropped else "")

    def retranslate(self) -> None:
        if self.status is not None:
            self.set_connection(self.status, self._cached_at)
        if self._stats is not None:
            self.set_stats(self._stats)
        if self._counts is not None:
            self.set_counts(*self._counts)

    def set_counts(self, shown: int, total: int, open_count: int) -> None:
        self._counts = (shown, total, open_count)
        self.count_label.setText(self.tr_.t("stat.count", shown=shown, total=total, open=open_count))
