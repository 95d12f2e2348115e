"""The hub's refusals worded by the console (pure: no widget)."""

from __future__ import annotations

import pytest

from app import domain
from app.i18n import Translator
from app.workflow.refusals import REASONS
from widgets.reply_text import reply_text, worded_reason

SAMPLE = {"state": "acknowledged", "states": "new, acknowledged", "kind": "dispatch", "role": "field"}


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_reason_is_worded_in_vietnamese_never_the_hub_s_english(reason):
    params = {name: SAMPLE.get(kind, "7") for name, kind in REASONS[reason].items()}
    reply = domain.CommandReply(cmd_id="c", code="invalid", message="the hub's English", reason=reason, params=params)
    vi = reply_text(reply, Translator("vi").t)
    assert vi != reply.message and "{" not in vi and "refusal." not in vi
    # States, kinds and roles appear in their Vietnamese words, not as codes.
    for name, kind in REASONS[reason].items():
        if kind in ("state", "states", "kind", "role"):
            assert params[name] not in vi, (reason, name, vi)


def test_states_and_kinds_are_worded_through_their_own_keys():
    t = Translator("vi").t
    worded = worded_reason("wrong_state", {"kind": "close", "state": "new", "allowed": "resolved"}, t)
    assert worded == "không thể đóng sự cố đang ở trạng thái Mới (chỉ được từ: Đã giải quyết)"
    en = worded_reason("wrong_state", {"kind": "close", "state": "new", "allowed": "resolved"}, Translator("en").t)
    assert en == "cannot close an incident that is New (allowed from: Resolved)"


def test_unknown_reasons_and_mismatched_parameters_fall_back_to_the_message():
    t = Translator("vi").t
    assert reply_text(domain.CommandReply(cmd_id="c", code="invalid", message="m", reason="from_the_future"), t) == "m"
    # An older hub without reasons.
    assert reply_text(domain.CommandReply(cmd_id="c", code="invalid", message="m"), t) == "m"
    # A hub whose reason carries other parameters than this console expects.
    odd = domain.CommandReply(cmd_id="c", code="invalid", message="m", reason="wrong_state", params={"kind": "ack"})
    assert reply_text(odd, t) == "m"
    # A state newer than this console is shown as it comes, the rest still worded.
    newer = worded_reason("already_in_state", {"state": "on_hold"}, t)
    assert newer == "sự cố đã ở trạng thái on_hold"
