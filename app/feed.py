"""The alert feed's filter as plain data, and the pure functions over it."""

from __future__ import annotations

from dataclasses import dataclass

from app import domain
from app.text import fold


@dataclass(frozen=True)
class FeedFilter:
    text: str = ""  # matched against folded title/event/location/district/id
    sources: frozenset[str] = frozenset()  # empty = all
    min_severity: str = ""  # "" = all; else show this severity and worse
    open_only: bool = False

    @property
    def needles(self) -> tuple[str, ...]:
        return tuple(fold(self.text).split())

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.sources or self.min_severity or self.open_only)


def search_key(incident: domain.Incident) -> str:
    """The folded text a filter searches; computed once per incident revision."""
    return fold(
        " ".join(
            (incident.title, incident.event, incident.location, incident.district, incident.id, incident.description)
        )
    )


def matches(incident: domain.Incident, key: str, flt: FeedFilter, needles: tuple[str, ...] | None = None) -> bool:
    if flt.sources and incident.source not in flt.sources:
        return False
    if flt.min_severity and domain.SEVERITY_RANK.get(incident.severity, 9) > domain.SEVERITY_RANK[flt.min_severity]:
        return False
    if flt.open_only and incident.state not in domain.OPEN_STATES:
        return False
    for needle in flt.needles if needles is None else needles:
        if needle not in key:
            return False
    return True
