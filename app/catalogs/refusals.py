"""Why the hub refused a command, one entry per reason in app.workflow.refusals.REASONS.

Each entry has exactly the parameters that table lists for its reason; states, command kinds
and roles arrive already worded (state.*, kind.*, role.*), ids, names and numbers as they are.
"refusal.incident_too_large" predates this module and lives in app.i18n.
"""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # --- who may do what (the hub's role table) ---
    "role.operator": ("điều hành viên", "operator"),
    "role.supervisor": ("giám sát viên", "supervisor"),
    "role.field": ("lực lượng hiện trường", "field unit"),
    # --- any command ---
    "refusal.already_applied": ("lệnh này đã được thực hiện rồi", "this command was already applied"),
    "refusal.store_unavailable": (
        "hub tạm thời không lưu được dữ liệu; lệnh sẽ được gửi lại",
        "the hub cannot save right now; the command will be sent again",
    ),
    "refusal.role_forbidden": ("vai trò {role} không được phép {kind}", "the {role} role may not {kind}"),
    "refusal.operator_missing": (
        "lệnh phải ghi tên người thực hiện (diễn biến là nhật ký kiểm tra)",
        "a command must name its operator (the timeline is an audit)",
    ),
    # --- incident commands ---
    "refusal.incident_not_found": ("không có sự cố {id}", "no incident {id}"),
    "refusal.unknown_command": ("“{kind}” không phải lệnh xử lý sự cố", "“{kind}” is not an incident command"),
    "refusal.revision_ahead": (
        "sự cố đang ở phiên bản {revision}, lệnh lại dựa trên phiên bản {expected}",
        "the incident is at revision {revision}, the command expected {expected}",
    ),
    "refusal.revision_trimmed": (
        "phiên bản {expected} cũ hơn diễn biến còn giữ (từ phiên bản {oldest}); hiện: {state}",
        "revision {expected} is older than the timeline kept (from revision {oldest}); now: {state}",
    ),
    "refusal.overtaken": (
        "{actor} đã {action} (phiên bản {revision}) sau phiên bản {expected} mà lệnh dựa vào; hiện: {state}",
        "{actor} did “{action}” (revision {revision}) after revision {expected} this command was based on; now: {state}",
    ),
    "refusal.already_in_state": ("sự cố đã ở trạng thái {state}", "the incident is already {state}"),
    "refusal.already_in_state_by": (
        "sự cố đã ở trạng thái {state}, do {by}",
        "the incident is already {state}, by {by}",
    ),
    "refusal.wrong_state": (
        "không thể {kind} sự cố đang ở trạng thái {state} (chỉ được từ: {allowed})",
        "cannot {kind} an incident that is {state} (allowed from: {allowed})",
    ),
    "refusal.text_too_long": ("nội dung dài quá {limit} ký tự", "text longer than {limit} characters"),
    "refusal.note_needs_text": ("ghi chú cần có nội dung", "a note needs text"),
    "refusal.too_many_notes": ("sự cố đã có {limit} ghi chú (tối đa)", "the incident already has {limit} notes"),
    "refusal.dispatch_needs_unit": ("điều phối cần ít nhất một đơn vị", "dispatch needs at least one unit"),
    "refusal.unit_name_too_long": (
        "phiên hiệu đơn vị dài quá {limit} ký tự",
        "unit name longer than {limit} characters",
    ),
    "refusal.units_already_assigned": ("đơn vị đã được điều phối: {units}", "already assigned: {units}"),
    "refusal.too_many_units": (
        "một sự cố không được quá {limit} đơn vị",
        "more than {limit} units on one incident",
    ),
    "refusal.override_needs_supervisor": (
        "chỉ giám sát viên được bỏ qua bước SOP",
        "only a supervisor may override the SOP",
    ),
    "refusal.override_needs_reason": ("bỏ qua bước SOP cần có lý do", "an SOP override needs a reason"),
    "refusal.sop_steps_missing": (
        "còn bước SOP bắt buộc chưa làm: {steps} (hoặc giám sát viên bỏ qua kèm lý do)",
        "mandatory SOP steps not done: {steps} (or a supervisor override with a reason)",
    ),
    "refusal.cancel_needs_reason": (
        "hủy sự cố cần có lý do (vd báo nhầm, cuộc gọi trùng)",
        "cancelling needs a reason (e.g. false alarm, duplicate call)",
    ),
    "refusal.merge_needs_target": ("cần chọn sự cố để gộp vào", "merge needs a target incident"),
    "refusal.merge_into_itself": ("không thể gộp sự cố vào chính nó", "an incident cannot merge into itself"),
    "refusal.merge_target_not_found": ("không có sự cố {target} để gộp vào", "no incident {target} to merge into"),
    "refusal.merge_target_closed": (
        "không thể gộp vào {target}: sự cố đó đã ở trạng thái {state}",
        "cannot merge into {target}: it is {state}",
    ),
    "refusal.no_sop": ("không có SOP cho sự cố này", "no SOP applies to this incident"),
    "refusal.sop_step_unknown": ("SOP {sop} không có bước {step}", "SOP {sop} has no step {step}"),
    "refusal.sop_step_done": ("bước {step} đã làm rồi", "step {step} is already done"),
    "refusal.shelve_needs_reason": ("tạm ẩn cần có lý do", "shelving needs a reason"),
    "refusal.shelve_expiry_past": (
        "thời hạn tạm ẩn phải ở trong tương lai",
        "shelving needs an expiry in the future",
    ),
    "refusal.shelve_too_long": ("chỉ được tạm ẩn tối đa {hours} giờ", "shelving is limited to {hours} h"),
    "refusal.already_shelved": ("đã được {by} tạm ẩn", "already shelved by {by}"),
    "refusal.shelve_p1_needs_supervisor": (
        "chỉ giám sát viên được tạm ẩn sự cố P1",
        "only a supervisor may shelve a P1",
    ),
    "refusal.not_shelved": ("sự cố không ở trạng thái tạm ẩn", "the incident is not shelved"),
    # --- shift handover ---
    "refusal.not_a_handover_command": ("“{kind}” không phải lệnh bàn giao ca", "“{kind}” is not a handover command"),
    "refusal.handover_not_found": ("không có biên bản bàn giao {id}", "no handover record {id}"),
    "refusal.handover_needs_operator": ("nhận ca cần ghi tên người nhận", "taking over needs the operator's name"),
    "refusal.handover_already_acknowledged": ("{by} đã nhận ca này rồi", "already taken over by {by}"),
    "refusal.handover_own": (
        "người giao ca không thể tự nhận ca của mình",
        "the outgoing operator cannot acknowledge their own handover",
    ),
    "refusal.handover_needs_id": ("bàn giao cần có mã biên bản", "a handover needs a record id"),
    "refusal.handover_exists": ("biên bản bàn giao {id} đã có", "handover {id} already exists"),
    "refusal.handover_notes_too_long": (
        "ghi chú bàn giao dài quá {limit} ký tự",
        "handover notes longer than {limit} characters",
    ),
    # --- shared layouts and wall displays ---
    "refusal.layout_invalid": ("bố cục tường video không hợp lệ", "the wall layout is not valid"),
    "refusal.layout_needs_name": (
        "bố cục dùng chung cần có tên (tối đa {limit} ký tự)",
        "a shared layout needs a name (at most {limit} characters)",
    ),
    "refusal.wall_needs_supervisor": (
        "chỉ giám sát viên được thay đổi nội dung màn hình tường",
        "only a supervisor may change what a wall display shows",
    ),
    "refusal.wall_not_named": ("chưa chọn màn hình tường", "no wall display named"),
    "refusal.wall_camera_missing": ("chưa chọn camera", "no camera named"),
    "refusal.wall_tile_invalid": ("màn hình tường không có ô {tile}", "the wall display has no tile {tile}"),
    "refusal.not_a_wall_command": ("“{kind}” không phải lệnh tường video", "“{kind}” is not a wall command"),
}
