"""What the incident detail pane says about an incident, worked out without any widget.

Kept apart from the pane so the wording can be read and tested on its own. badge_html is
the only rich text here and escapes every backend string it quotes; everything else is meant
for plain-text labels and list rows, which show text as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

from app import domain
from app.workflow.priority import priority_of
from app.workflow.sop import AGENCIES, Sop
from widgets.reply_text import reply_text

Translate = Callable[..., str]

UPDATE_LOGS_KEPT = 200  # incidents whose silent updates are remembered
UPDATE_LINES_KEPT = 50  # lines remembered per incident
PRIORITY_STYLE = {
    1: "background:#c62828;color:white",
    2: "background:#ef6c00;color:white",
    3: "background:#f9a825;color:#101010",
    4: "background:#546e7a;color:white",
}
# Fields whose change is worth a timeline line; the long texts are named, not quoted.
_LOGGED_FIELDS = ("severity", "urgency", "priority", "group_count", "title", "description", "location")
_NAMED_ONLY = ("title", "description")
# Superseded by a revision the timeline cannot name an action for: said as the hub's reason.
_SUPERSEDED_BY_REVISION = ("revision_ahead", "revision_trimmed")


def hm(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts)) if ts else "—"


def step_text(sop: Sop | None, step_id: str, lang: str) -> str:
    """The step's wording in lang, or its id when the SOP no longer has it."""
    step = sop.step(step_id) if sop else None
    return step.text(lang) if step else step_id


def title_line(inc: domain.Incident) -> str:
    return inc.title + (f"  (×{inc.group_count})" if inc.group_count > 1 else "")


def badge_html(inc: domain.Incident, t: Translate) -> str:
    """Priority chip, severity, state, who acknowledged, drill mark, id and revision (rich text)."""
    p = priority_of(inc)
    parts = [
        f"<span style='{PRIORITY_STYLE[p]};padding:2px 6px'>&nbsp;P{p}&nbsp;</span>",
        escape(t(f"sev.{inc.severity}")),
        f"<b>{escape(t(f'state.{inc.state}'))}</b>",
    ]
    if inc.acked_by:
        parts.append(escape(t("detail.acked_by", who=inc.acked_by)))
    if inc.msg_status != "Actual":
        parts.append(f"<b>[{escape(t(f'drill.{inc.msg_status}'))}]</b>")
    parts.append(f"<span style='color:#8a9099'>{escape(inc.id)} · {escape(t('feed.rev', n=inc.revision))}</span>")
    return " · ".join(parts)


def location_line(inc: domain.Incident, t: Translate) -> str:
    lat, lon = domain.area_centre(inc.area)
    place = " · ".join(x for x in (inc.district, inc.location) if x)
    return f"{t('detail.location')}: {place}  ({lat:.5f}, {lon:.5f})"


def note_rows(inc: domain.Incident) -> list[str]:
    return [f"{hm(note.time)}  {note.author}: {note.text}" for note in inc.notes]


def unit_rows(inc: domain.Incident, t: Translate) -> list[str]:
    rows = []
    for unit in inc.units:
        agency, _, sign = unit.partition(":")
        rows.append(f"{t(f'agency.{agency}') if agency in AGENCIES else agency}  {sign}".strip())
    return rows or [t("detail.no_units")]


def linked_rows(inc: domain.Incident, t: Translate) -> list[str]:
    rows = [t("detail.merged_into", id=inc.merged_into)] if inc.merged_into else []
    rows += [t("detail.linked_in", id=other) for other in inc.linked]
    return rows or [t("detail.no_linked")]


def reply_outcome(kind: str, reply: domain.CommandReply, t: Translate) -> str:
    """What to tell the operator about the hub's answer; "" when there is nothing to say.

    A superseded command names the operator whose action won, from the incident's timeline;
    a refusal is worded from its reason (reply_text), the hub's message only for a reason
    this console does not know.
    """
    if reply.code == "superseded" and reply.reason in _SUPERSEDED_BY_REVISION:
        return t("msg.superseded", msg=reply_text(reply, t))
    if reply.code == "superseded":
        inc = reply.incident
        last = (
            next((e for e in reversed(inc.history) if e.actor != "system" and e.action != "created"), None)
            if inc is not None
            else None
        )
        who = last.actor if last else (inc.acked_by if inc else "?")
        return t(
            "detail.superseded",
            kind=t(f"kind.{kind}").upper(),
            who=who or "?",
            action=t(f"kind.{last.action if last else 'ack'}"),
            state=t(f"state.{inc.state}") if inc else "?",
        )
    if reply.code in ("invalid", "forbidden", "not_found"):
        return t("detail.refused", kind=t(f"kind.{kind}"), msg=reply_text(reply, t))
    return ""


def timeline_rows(
    inc: domain.Incident, sop: Sop | None, lang: str, t: Translate, updates: list[tuple[float, str]]
) -> list[str]:
    """The incident's history merged with its logged silent updates, newest first."""
    lines = []
    # A note's text is stored once, in inc.notes; its timeline entry has the same time and author.
    notes: dict[tuple[float, str], list[str]] = {}
    for note in inc.notes:
        notes.setdefault((note.time, note.author), []).append(note.text)
    for e in inc.history:
        move = (
            f"{t(f'state.{e.from_state}')} → {t(f'state.{e.to_state}')}"
            if (e.from_state and e.from_state != e.to_state)
            else ""
        )
        text = step_text(sop, e.text, lang) if e.action == "sop_step" else e.text
        if e.action == "note" and not text and notes.get((e.time, e.actor)):
            text = notes[(e.time, e.actor)].pop(0)
        lines.append((e.time, f"{hm(e.time)}  {e.actor}  {t(f'kind.{e.action}')}  {move}  {text}".rstrip()))
    lines.extend(updates)
    # sorted() is stable, so entries with the same time keep history-before-update order.
    rows = [line for _when, line in sorted(lines, key=lambda x: x[0], reverse=True)]
    if inc.history_trimmed:
        rows.append(t("detail.history_trimmed", n=inc.history_trimmed))
    return rows


class UpdateLog:
    """Revisions that changed an incident's details without adding a history entry.

    The hub keeps no history for these (a re-sent alarm raising the count, a corrected
    title), so the console remembers them itself, bounded per incident and in total.
    """

    def __init__(self) -> None:
        self._lines: dict[str, list[tuple[float, str]]] = {}

    def record(self, old: domain.Incident, new: domain.Incident, t: Translate) -> None:
        changes = []
        for name in _LOGGED_FIELDS:
            a, b = getattr(old, name), getattr(new, name)
            if a != b:
                label = t(f"field.{name}")
                changes.append(label if name in _NAMED_ONLY else f"{label} {a}→{b}")
        if not changes:
            return
        when = new.updated or time.time()
        log = self._lines.setdefault(new.id, [])
        log.append((float(when), f"{hm(when)}  {t('detail.update')} rev {new.revision}: " + ", ".join(changes)))
        del log[:-UPDATE_LINES_KEPT]
        if len(self._lines) > UPDATE_LOGS_KEPT:
            self._lines.pop(next(iter(self._lines)))  # the incident logged first goes first

    def lines(self, incident_id: str) -> list[tuple[float, str]]:
        return self._lines.get(incident_id, [])
