"""The incident detail pane on its own: checklist, actions by state, superseded, cameras, escaping."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from app import domain
from app.i18n import Translator
from app.workflow.sop import load_library
from widgets.incident_detail import IncidentDetailPane

SOPS, _ = load_library()


def _inc(**kw) -> domain.Incident:
    base = dict(
        id="113-d-1",
        category="Security",
        event="theft",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        area=domain.PointArea(lat=10.7769, lon=106.7009),
        source="113",
        title="Trộm xe máy",
        district="Quận 1",
        location="Nguyễn Huệ",
        created=time.time(),
        revision=1,
        priority=3,
        sop_id="police",
        history=(domain.HistoryEntry(time=time.time(), actor="113", action="created", revision=1, to_state="new"),),
    )
    base.update(kw)
    return domain.Incident(**base)


@pytest.fixture
def pane(qtbot):
    p = IncidentDetailPane(Translator("vi"), SOPS)
    qtbot.addWidget(p)
    p.show()
    return p


def test_checklist_in_the_console_language_with_mandatory_marks_and_ticks_send_sop_step(qtbot, pane):
    pane.set_incident(_inc(state="acknowledged", acked_by="lan"))
    police = SOPS.get("police")
    assert pane.checklist.count() == len(police.steps)
    texts = [pane.checklist.item(i).text() for i in range(pane.checklist.count())]
    for text, step in zip(texts, police.steps):
        assert step.vi in text and (("bắt buộc" in text) == step.mandatory)
    assert "0/5" in pane.checklist_title.text()
    with qtbot.waitSignal(pane.sig_command_requested) as sent:
        pane.checklist.item(0).setCheckState(Qt.CheckState.Checked)
    assert sent.args == ["sop_step", "113-d-1", {"step_id": police.steps[0].id}]
    # A done step can no longer be unticked; the hub's list is the truth.
    pane.set_incident(_inc(state="acknowledged", acked_by="lan", revision=2, sop_done=(police.steps[0].id,)))
    assert not pane.checklist.item(0).flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "1/5" in pane.checklist_title.text()


def test_actions_follow_the_state_and_the_next_one_is_highlighted(pane):
    pane.set_incident(_inc())
    enabled = {k for k, b in pane.buttons.items() if b.isEnabled()}
    assert enabled == {"ack", "cancel", "shelve", "note"}
    assert pane.next_action() == "ack" and "2f6fb3" in pane.buttons["ack"].styleSheet()
    pane.set_incident(_inc(state="dispatched", revision=3))
    assert {k for k, b in pane.buttons.items() if b.isEnabled()} == {"dispatch", "start", "resolve", "cancel", "note"}
    pane.set_incident(_inc(priority=1, severity="Extreme", urgency="Immediate"))
    assert not pane.buttons["shelve"].isEnabled(), "only a supervisor may shelve a P1"
    pane.set_role("supervisor")
    assert pane.buttons["shelve"].isEnabled()


def test_resolve_with_steps_missing_is_stopped_for_an_operator(pane, qtbot):
    pane.set_incident(_inc(state="in_progress", revision=4))
    with qtbot.assertNotEmitted(pane.sig_command_requested):
        assert not pane.request("resolve")
    assert pane.status_line.isVisible() and "5 bước SOP bắt buộc" in pane.status_line.text()


def test_pending_then_superseded_names_the_winner(qtbot, pane):
    pane.set_incident(_inc())
    with qtbot.waitSignal(pane.sig_command_requested) as sent:
        pane.buttons["ack"].click()
    assert sent.args[0] == "ack" and sent.args[2] == {"expected_revision": 1}
    pane.set_pending("ack")
    assert "tiếp nhận" in pane.status_line.text() and not pane.buttons["ack"].isEnabled()
    winner = _inc(
        state="acknowledged",
        acked_by="minh",
        revision=2,
        history=_inc().history
        + (
            domain.HistoryEntry(
                time=time.time(), actor="minh", action="ack", revision=2, from_state="new", to_state="acknowledged"
            ),
        ),
    )
    pane.show_reply("ack", domain.CommandReply(cmd_id="c", code="superseded", message="already", incident=winner))
    text = pane.status_line.text()
    assert "minh" in text and "TIẾP NHẬN" in text and pane.status_line.isVisible()
    assert pane.incident.acked_by == "minh" and pane.pending_kind is None
    assert "minh" in pane.badge.text()


def test_nearest_five_cameras_within_1km_and_show_on_wall(qtbot, pane):
    cams = {
        f"c{i}": domain.Camera(id=f"c{i}", code=f"C{i}", name=f"Cam {i}", lat=10.7769 + i * 0.001, lon=106.7009)
        for i in range(12)
    }  # ~111 m apart
    pane.set_cameras(cams)
    pane.set_incident(_inc())
    rows = [pane.camera_list.item(i).text() for i in range(pane.camera_list.count())]
    assert len(rows) == 5 and rows[0].split()[0] == "0" and "C4" in rows[4]
    with qtbot.waitSignal(pane.sig_camera_show_requested) as shown:
        pane.camera_list.setCurrentRow(2)
        pane.wall_button.click()
    assert shown.args == ["c2"]
    far = {"f": domain.Camera(id="f", code="F", name="Far", lat=10.80, lon=106.70)}
    pane.set_cameras(far)
    assert pane.camera_list.count() == 1 and not pane.wall_button.isEnabled()


def test_backend_text_is_escaped_in_rich_text(pane):
    pane.set_incident(_inc(id="<b>x</b>", title="<img src=x onerror=alert(1)>"))
    assert "<b>x</b>" not in pane.badge.text() and "&lt;b&gt;" in pane.badge.text()


def _shown(label) -> str:
    """The text a label presents, as Qt reads it out: markup it would render is gone."""
    return QAccessible.queryAccessibleInterface(label).text(QAccessible.Text.Name)


def test_backend_text_in_plain_labels_is_shown_as_written_not_rendered(pane):
    title = "<b>Ngập</b> <font size=40>sâu</font>"
    pane.set_incident(
        _inc(
            title=title,
            district="<i>Q1</i>",
            location="<u>Nguyễn Huệ</u>",
            shelved_until=time.time() + 600,
            shelved_by="<b>lan</b>",
            shelve_reason="<s>trùng</s>",
        )
    )
    assert title in _shown(pane.title)
    assert "<i>Q1</i> · <u>Nguyễn Huệ</u>" in _shown(pane.location)
    assert "<b>lan</b>" in _shown(pane.status_line) and "<s>trùng</s>" in _shown(pane.status_line)
    # The hub's refusal message is backend text as well.
    pane.show_reply("ack", domain.CommandReply(cmd_id="c", code="invalid", message="<h1>sai</h1>", incident=None))
    assert pane.status_line.isVisible() and "<h1>sai</h1>" in _shown(pane.status_line)


def test_timeline_lists_history_and_count_updates(pane):
    pane.set_incident(_inc())
    pane.set_incident(_inc(revision=2, group_count=4))
    lines = [pane.timeline.item(i).text() for i in range(pane.timeline.count())]
    assert "số cảnh báo gộp 1→4" in lines[0] and "tiếp nhận báo tin" in lines[-1]


def test_merge_offers_the_window_s_candidates_and_sends_the_target(qtbot, pane, monkeypatch):
    dup, target = _inc(id="113-d-2"), _inc(id="113-d-1", title="Trộm xe máy (báo trước)")
    pane.set_incident(dup)
    assert not pane.buttons["merge"].isEnabled(), "nothing to merge into without candidates"
    pane.candidates_provider = lambda inc: [target] if inc.id == "113-d-2" else []
    pane.set_incident(dup)
    assert pane.buttons["merge"].isEnabled()
    asked = []

    def pick(parent, title, label, items, current, editable):
        asked.append(items)
        return items[0], True

    monkeypatch.setattr("widgets.incident_detail.QInputDialog.getItem", pick)
    with qtbot.waitSignal(pane.sig_command_requested) as sent:
        assert pane.request("merge")
    assert "113-d-1" in asked[0][0]
    assert sent.args == ["merge", "113-d-2", {"target_id": "113-d-1", "expected_revision": 1}]


def test_silent_updates_keep_only_the_latest_fifty_per_incident(pane):
    pane.set_incident(_inc())
    later = time.time() + 10  # after the "created" history entry
    for rev in range(2, 63):  # 61 updates, each raising the count
        pane.set_incident(_inc(revision=rev, group_count=rev, updated=later + rev))
    lines = [pane.timeline.item(i).text() for i in range(pane.timeline.count())]
    updates = [line for line in lines if "số cảnh báo gộp" in line]
    assert len(updates) == 50 and "rev 62" in updates[0] and "rev 13" in updates[-1]
    assert "tiếp nhận báo tin" in lines[-1], "history stays in the timeline whatever the update count"


def _refused_ack(inc: domain.Incident, role: str) -> domain.CommandReply:
    """The hub's real answer to an ack this role may not give (app.workflow.states decides)."""
    from app.workflow import states

    cmd = domain.Command(cmd_id="c-ack", kind="ack", incident_id=inc.id, operator="lan", issued=time.time())
    return states.apply_command(inc, cmd, time.time(), role=role).reply(cmd.cmd_id)


def test_a_refused_ack_reads_vietnamese_in_a_vietnamese_console(pane):
    inc = _inc()
    pane.set_incident(inc)
    reply = _refused_ack(inc, "field")
    assert reply.code == "forbidden" and reply.message  # the English sentence is still there, for the log
    pane.show_reply("ack", reply)
    shown = _shown(pane.status_line)
    assert shown == "Hub từ chối tiếp nhận: vai trò lực lượng hiện trường không được phép tiếp nhận"
    assert reply.message not in shown


def test_a_refusal_shown_follows_a_language_switch(pane):
    inc = _inc()
    pane.set_incident(inc)
    pane.show_reply("ack", _refused_ack(inc, "field"))
    pane.tr_.set_language("en")
    pane.set_incident(pane.incident)  # what the workflow controller does on a language change
    assert _shown(pane.status_line) == "Hub refused acknowledge: the field unit role may not acknowledge"


def test_a_reason_this_console_does_not_know_shows_the_hub_s_message(pane):
    pane.set_incident(_inc())
    newer = domain.CommandReply(cmd_id="c", code="invalid", message="quota exceeded", reason="quota_exceeded")
    pane.show_reply("ack", newer)
    assert _shown(pane.status_line) == "Hub từ chối tiếp nhận: quota exceeded"
