"""The status bar: connection state with its reason, events per second, lag, counts."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar

from app.client.state import ConnectionStatus, TransportStats
from app.i18n import Translator

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
        self.set_connection(ConnectionStatus("connecting", "", time.time()))

    def set_connection(self, status: ConnectionStatus, cached_at: float = 0.0) -> None:
        self.status = status
        t = self.tr_.t
        if status.state == "offline":
            text = t("conn.offline", since=time.strftime("%H:%M:%S", time.localtime(status.since)))
        else:
            text = t(f"conn.{status.state}")
        self.state_label.setText(f"  ● {text}  ")
        self.state_label.setStyleSheet(_STATE_STYLE.get(status.state, "") + "font-weight:bold;padding:2px;")
        reason = self._reason_text(status)
        if cached_at and status.state != "live":
            reason = f"{reason} — {t('conn.cache', saved=time.strftime('%H:%M:%S', time.localtime(cached_at)))}"
        self.reason_label.setText(reason)

    def _reason_text(self, status: ConnectionStatus) -> str:
        """The reason in the console's language when it has a code, else as the transport said it."""
        if not status.code:
            return status.reason
        params = dict(status.params)
        if "kind" in params:
            params["kind"] = self.tr_.t(f"snap.kind.{params['kind']}")
        key = f"conn.why.{status.code}"
        text = self.tr_.t(key, **params)
        return status.reason if text == key else text

    def connection_text(self) -> str:
        return self.state_label.text().strip(" ●")

    def set_stats(self, stats: TransportStats) -> None:
        t = self.tr_.t
        self.rate_label.setText(f"{t('stat.rate', rate=stats.events_per_s)} · {t('stat.lag', lag=stats.lag_ms)}")
        dropped = sum(stats.dropped.get(k, 0) for k in stats.dropped if k != "duplicate")
        self.dropped_label.setText(t("stat.dropped", n=dropped) if dropped else "")

    def set_counts(self, shown: int, total: int, open_count: int) -> None:
        self.count_label.setText(self.tr_.t("stat.count", shown=shown, total=total, open=open_count))
