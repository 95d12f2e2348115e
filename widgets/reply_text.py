"""The hub's answer to a command, worded in the console's language (no widget, no Qt).

The hub refuses with a stable reason and its parameters (app.workflow.refusals); the words
are the catalog's `refusal.<reason>`. A reason this console does not know (a newer or older
hub) falls back to the hub's own English message: better English than nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app import domain
from app.workflow.refusals import LIST_SEPARATOR, REASONS, ParamKind

Translate = Callable[..., str]

_WORDED_BY_KEY = {"state": "state", "kind": "kind", "role": "role"}


def _word(kind: ParamKind, value: str, t: Translate) -> str:
    if kind == "states":
        return LIST_SEPARATOR.join(_word("state", item, t) for item in value.split(LIST_SEPARATOR) if item)
    prefix = _WORDED_BY_KEY.get(kind)
    if prefix is None:
        return value
    key = f"{prefix}.{value}"
    worded = t(key)
    return value if worded == key else worded  # a state or kind newer than this console: as it comes


def worded_reason(reason: str, params: Mapping[str, str], t: Translate) -> str | None:
    """The refusal in the console's language, or None when this console cannot word it (no
    reason, an unknown one, or parameters that do not match what the reason carries)."""
    kinds = REASONS.get(reason)
    key = f"refusal.{reason}"
    if kinds is None or set(params) != set(kinds):
        return None
    values = {name: _word(kinds[name], str(params[name]), t) for name in kinds}
    worded = t(key, **values)
    return None if worded == key else worded


def reply_text(reply: domain.CommandReply, t: Translate) -> str:
    """Why the hub answered as it did: the worded reason, else the hub's message."""
    return worded_reason(reply.reason, reply.params, t) or reply.message
