"""Log lines that repeat: the first few of a kind each minute in full, then one count.

Under a flood the hub may escalate hundreds of incidents a minute; a line each would bury
the one line an administrator needs. Plain Python, no I/O of its own: it calls the logger
it is given, from whichever thread uses it (one thread per instance).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable


class SummarisingLog:
    """`warn(kind, fmt, *args)` logs at most `per_window` lines of `kind` per `window_s`;
    the rest are counted and said in one line when the window closes (`flush`, called
    from the owner's loop, or the next `warn` after the window)."""

    def __init__(
        self,
        logger: logging.Logger,
        per_window: int = 5,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        level: int = logging.WARNING,
    ):
        self.logger = logger
        self.per_window = per_window
        self.window_s = window_s
        self.clock = clock
        self.level = level
        self._window_start = clock()
        self._logged: Counter[str] = Counter()
        self._held: Counter[str] = Counter()

    def warn(self, kind: str, fmt: str, *args: object) -> None:
        self.flush()
        if self._logged[kind] < self.per_window:
            self._logged[kind] += 1
            self.logger.log(self.level, fmt, *args)
        else:
            self._held[kind] += 1

    def flush(self) -> None:
        """Close the window if its time is up: one line per kind with lines held back."""
        now = self.clock()
        if now - self._window_start < self.window_s:
            return
        for kind, count in sorted(self._held.items()):
            self.logger.log(
                self.level, "%d more %s in the last %.0f s (not logged one by one)", count, kind, self.window_s
            )
        self._held.clear()
        self._logged.clear()
        self._window_start = now
