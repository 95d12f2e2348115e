"""How the hub turns an operator command into a new incident state.

The rules of the incident workflow live in app.workflow when it is present; this module is
the single place the hub asks, so the hub never grows rules of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import domain

MAX_NOTE_CHARS = 2000
MAX_NOTES = 500


@dataclass(frozen=True)
class Outcome:
    incident: domain.Incident | None     # the new state when accepted
    code: domain.ReplyCode
    message: str = ""
    current: domain.Incident | None = None  # the state that refused the command

    @property
    def accepted(self) -> bool:
        return self.code == "ok"


def apply_command(incident: domain.Incident | None, command: domain.Command, now: float) -> Outcome:
    """Apply one command to the current incident state. Pure; runs on the hub thread."""
    if incident is None:
        return Outcome(None, "not_found", f"no incident {command.incident_id!r}")
    if command.expected_revision is not None and command.expected_revision != incident.revision:
        return Outcome(None, "superseded",
                       f"incident changed to revision {incident.revision} "
                       f"(command expected {command.expected_revision})", incident)
    if command.kind == "ack":
        if incident.state != "new":
            return Outcome(None, "superseded",
                           f"already {incident.state} by {incident.acked_by or 'another operator'}", incident)
        return Outcome(domain.incident_with(incident, state="acknowledged", acked_by=command.operator,
                                            revision=incident.revision + 1, updated=now), "ok")
    if command.kind == "note":
        text = command.text.strip()
        if not text:
            return Outcome(None, "invalid", "empty note", incident)
        if len(text) > MAX_NOTE_CHARS or len(incident.notes) >= MAX_NOTES:
            return Outcome(None, "invalid", "note too long or too many notes", incident)
        note = domain.Note(author=command.operator, time=now, text=text)
        return Outcome(domain.incident_with(incident, notes=incident.notes + (note,),
                                            revision=incident.revision + 1, updated=now), "ok")
    return Outcome(None, "invalid", f"unknown command {command.kind!r}", incident)
