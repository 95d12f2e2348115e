"""The calls the hub makes into the workflow, each pure apart from the Grouper it owns.

    sops, errors = sop.load_library()          # once at start; log errors
    grouper = Grouper(GroupingConfig(...))     # once at start; the hub thread owns it

    # an operator command ("handover"/"handover_ack" go to handover.apply_handover_command)
    outcome = service.handle_command(store.incidents, command, now, role, sops)
    if outcome.accepted: store + publish outcome.incident and each of outcome.related
    reply = outcome.reply(command.cmd_id)

    # a report whose id the hub does not hold yet (known ids: the hub's own merge, then rerated())
    result = service.intake(report, store.incidents, now, grouper, sops)
    store + publish result.incident            # the new incident, or the grown group head

    # once a second
    for incident in service.tick(store.incidents.values(), now, escalate_after_s):
        store + publish incident

The hub stores and publishes every incident these return; nothing else decides workflow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import msgspec

from app import domain
from app.workflow import priority, states
from app.workflow.grouping import Grouper, absorb
from app.workflow.sop import SopLibrary

# A report may describe what happened; it may never bring its own workflow with it.
_WORKFLOW_DEFAULTS = {
    name: field.default
    for field in msgspec.structs.fields(domain.Incident)
    if (name := field.name)
    in (
        "state",
        "acked_by",
        "notes",
        "priority",
        "units",
        "history",
        "sop_id",
        "sop_done",
        "group_count",
        "shelved_until",
        "shelve_reason",
        "shelved_by",
        "merged_into",
        "linked",
        "escalated",
    )
}


def handle_command(
    incidents: Mapping[str, domain.Incident],
    command: domain.Command,
    now: float,
    role: str = "operator",
    sops: SopLibrary | None = None,
) -> states.Outcome:
    """Look up what the command needs (its incident, its SOP, a merge target) and apply it.
    Store and publish outcome.incident and every outcome.related when outcome.accepted;
    answer the console with outcome.reply(command.cmd_id)."""
    incident = incidents.get(command.incident_id)
    sop = sops.for_incident(incident) if (sops is not None and incident is not None) else None
    target = incidents.get(command.target_id) if command.kind == "merge" and command.target_id else None
    return states.apply_command(incident, command, now, role=role, sop=sop, merge_target=target)


@dataclass(frozen=True)
class Intake:
    """`incident` is what to store and publish: the admitted new incident, or the existing
    head it was grouped into (count + 1). `grouped_into` is the head id when grouped."""

    incident: domain.Incident
    grouped_into: str = ""


def intake(
    report: domain.Incident,
    incidents: Mapping[str, domain.Incident],
    now: float,
    grouper: Grouper | None = None,
    sops: SopLibrary | None = None,
) -> Intake:
    """A report with an id the hub does not hold yet: grouped under an open incident of the
    same type nearby, or admitted as a new incident (state new, revision 1, priority rated,
    SOP chosen, a "created" timeline entry)."""
    if grouper is not None:
        lat, lon = domain.area_centre(report.area)
        when = report.created or now
        scope = report.msg_status  # drills and tests never group with real incidents
        head_id = grouper.offer(report.id, report.event, lat, lon, when, scope)
        head = incidents.get(head_id) if head_id else None
        if head_id and (head is None or head.state not in domain.OPEN_STATES):
            # The group's incident was closed, cancelled or merged since: start afresh.
            grouper.forget(head_id)
            head_id = grouper.offer(report.id, report.event, lat, lon, when, scope)
            head = incidents.get(head_id) if head_id else None
        if head is not None and head.state in domain.OPEN_STATES:
            return Intake(absorb(head, now), grouped_into=head.id)
    clean = domain.incident_with(report, **_WORKFLOW_DEFAULTS, revision=1, created=report.created or now, updated=now)
    sop_id = sops.sop_id_for(report.event, report.source) if sops is not None else ""
    return Intake(states.admit(clean, now, sop_id=sop_id))


def rerated(incident: domain.Incident) -> domain.Incident:
    """After a report changes severity or urgency, the priority follows the matrix again."""
    fresh = priority.priority_for(incident.severity, incident.urgency)
    return incident if fresh == incident.priority else domain.incident_with(incident, priority=fresh)


def tick(
    incidents: Iterable[domain.Incident], now: float, escalate_after_s: float = priority.DEFAULT_ESCALATION_S
) -> list[domain.Incident]:
    """Time-driven changes due at `now`: escalations of unacknowledged P1s and shelves that
    have run out. Each returned incident is a new revision to store and publish; an
    escalated one also wants the supervisors' alarm sound (Incident.escalated is True)."""
    incidents = list(incidents)
    changed = {
        inc.id: priority.escalate(inc, now) for inc in priority.due_escalations(incidents, now, escalate_after_s)
    }
    for inc in states.expired_shelves(incidents, now):
        changed[inc.id] = states.unshelve_expired(changed.get(inc.id, inc), now)
    return list(changed.values())
