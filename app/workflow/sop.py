"""Standard operating procedures: bilingual checklists per incident type, loaded from JSON.

One file per SOP in resources/sop/ (see police.json for the shape). An SOP applies to an
incident by its CAP `event` first (a 114 call about a flood follows the flood SOP), then by
its source (113, 114, 115, 1022), then falls back to DEFAULT_SOP_ID.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import msgspec

from app import domain, paths

log = logging.getLogger(__name__)

SOP_DIR = paths.RESOURCES / "sop"
DEFAULT_SOP_ID = "general"
AGENCIES: tuple[str, ...] = ("police", "fire_rescue", "ambulance", "traffic_police", "district_centre")


class SopError(ValueError):
    """A SOP file that cannot be used; the message names the file and the problem."""


class SopTitle(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    vi: str
    en: str


class SopStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    vi: str
    en: str
    mandatory: bool = True

    def text(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


class Sop(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    version: int
    title: SopTitle
    steps: tuple[SopStep, ...]
    events: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    @property
    def mandatory_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps if step.mandatory)

    def step(self, step_id: str) -> SopStep | None:
        return next((step for step in self.steps if step.id == step_id), None)

    def missing(self, done: Iterable[str]) -> tuple[str, ...]:
        """Mandatory step ids not in `done`, in checklist order."""
        finished = set(done)
        return tuple(sid for sid in self.mandatory_ids if sid not in finished)


_decoder = msgspec.json.Decoder(Sop)


def parse_sop(data: bytes, name: str = "<sop>") -> Sop:
    """Decode and validate one SOP document. Raises SopError naming `name` and the fault."""
    try:
        sop = _decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise SopError(f"{name}: {exc}") from None
    problems = []
    if not sop.id.strip():
        problems.append("empty id")
    if not sop.title.vi.strip() or not sop.title.en.strip():
        problems.append("title needs both 'vi' and 'en'")
    if not sop.steps:
        problems.append("no steps")
    seen: set[str] = set()
    for index, step in enumerate(sop.steps):
        if not step.id.strip():
            problems.append(f"step {index} has an empty id")
        elif step.id in seen:
            problems.append(f"step id {step.id!r} appears twice")
        seen.add(step.id)
        if not step.vi.strip() or not step.en.strip():
            problems.append(f"step {step.id or index!r} needs both 'vi' and 'en' text")
    unknown_sources = [s for s in sop.sources if s not in domain.INCIDENT_SOURCES]
    if unknown_sources:
        problems.append(f"unknown sources {unknown_sources} (known: {list(domain.INCIDENT_SOURCES)})")
    unknown_agencies = [a for a in sop.agencies if a not in AGENCIES]
    if unknown_agencies:
        problems.append(f"unknown agencies {unknown_agencies} (known: {list(AGENCIES)})")
    if problems:
        raise SopError(f"{name}: " + "; ".join(problems))
    return sop


def load_sop(path: Path) -> Sop:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SopError(f"{path.name}: cannot read: {exc}") from None
    return parse_sop(data, path.name)


class SopLibrary:
    """The loaded SOPs and the event/source -> SOP mapping. Immutable after construction."""

    def __init__(self, sops: Iterable[Sop], default_id: str = DEFAULT_SOP_ID):
        self._by_id: dict[str, Sop] = {}
        self._by_event: dict[str, str] = {}
        self._by_source: dict[str, str] = {}
        for sop in sops:
            if sop.id in self._by_id:
                raise SopError(f"SOP id {sop.id!r} is defined twice")
            self._by_id[sop.id] = sop
            for event in sop.events:
                key = event.strip().lower()
                if key in self._by_event:
                    raise SopError(f"event {event!r} maps to both {self._by_event[key]!r} and {sop.id!r}")
                self._by_event[key] = sop.id
            for source in sop.sources:
                if source in self._by_source:
                    raise SopError(f"source {source!r} maps to both {self._by_source[source]!r} and {sop.id!r}")
                self._by_source[source] = sop.id
        self.default_id = default_id if default_id in self._by_id else ""

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_id))

    def get(self, sop_id: str) -> Sop | None:
        return self._by_id.get(sop_id)

    def sop_id_for(self, event: str, source: str) -> str:
        """The SOP id for an event type and source ("" when nothing applies, not even a default)."""
        return self._by_event.get(event.strip().lower()) or self._by_source.get(source) or self.default_id

    def for_incident(self, incident: domain.Incident) -> Sop | None:
        """The SOP in force: the one recorded on the incident, else the mapped one."""
        if incident.sop_id and incident.sop_id in self._by_id:
            return self._by_id[incident.sop_id]
        return self._by_id.get(self.sop_id_for(incident.event, incident.source))


def load_library(directory: Path = SOP_DIR, strict: bool = False) -> tuple[SopLibrary, list[str]]:
    """Load every *.json SOP in `directory`. A bad file is logged and skipped (the others
    still load) and its error returned; with strict=True the first bad file raises SopError."""
    sops: list[Sop] = []
    errors: list[str] = []
    for path in sorted(directory.glob("*.json")):
        try:
            sop = load_sop(path)
            try:
                SopLibrary([*sops, sop])  # a clash with files already accepted rejects this one
            except SopError as exc:
                raise SopError(f"{path.name}: {exc}") from None
            sops.append(sop)
        except SopError as exc:
            if strict:
                raise
            log.error("SOP skipped: %s", exc)
            errors.append(str(exc))
    if not sops:
        message = f"no usable SOP in {directory}"
        if strict:
            raise SopError(message)
        log.error(message)
        errors.append(message)
    return SopLibrary(sops), errors
