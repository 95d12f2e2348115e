"""The handover dialog words the hub's refusal of a takeover from its reason."""

from __future__ import annotations

from app.i18n import Translator
from app.workflow.handover import acknowledge_handover, build_handover
from widgets.handover_dialog import HandoverDialog

NOW = 1_750_000_000.0


def test_a_refused_takeover_reads_vietnamese_and_follows_a_language_switch(qtbot):
    record = build_handover("h-1", [], [], NOW, "an")
    tr = Translator("vi")
    dialog = HandoverDialog(tr, record)
    qtbot.addWidget(dialog)
    own = acknowledge_handover(record, "an", NOW + 5).reply("c-1")  # the outgoing operator takes over: refused
    assert own.code == "invalid" and own.message
    dialog.show_result("handover_ack", own.code, own.message, "an", reply=own)
    assert dialog.status.text() == "Hub từ chối nhận ca: người giao ca không thể tự nhận ca của mình"
    tr.set_language("en")
    dialog.retranslate()
    assert dialog.status.text() == "Hub refused take over: the outgoing operator cannot acknowledge their own handover"


def test_without_the_reply_the_hub_s_message_is_shown_as_before(qtbot):
    dialog = HandoverDialog(Translator("vi"), build_handover("h-1", [], [], NOW, "an"))
    qtbot.addWidget(dialog)
    dialog.show_result("handover_ack", "invalid", "legacy text", "chi")
    assert dialog.status.text() == "Hub từ chối nhận ca: legacy text"
