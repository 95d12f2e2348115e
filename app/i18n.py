"""Vietnamese and English labels for the console (plain data, no Qt).

Backend text (incident titles and descriptions) arrives in Vietnamese and is shown as is;
these are the console's own words. `Translator(lang).t(key)` falls back to English, then to
the key itself, so a missing label is visible but never crashes a view.
"""

from __future__ import annotations

LANGUAGES = ("vi", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "app.title": ("Bảng điều khiển IOC", "IOC Console"),
    "pane.feed": ("Cảnh báo và sự cố", "Alerts and incidents"),
    "pane.air": ("Chất lượng không khí", "Air quality"),
    "pane.map": ("Bản đồ thành phố", "City map"),
    "pane.wall": ("Tường video", "Video wall"),
    "col.severity": ("Mức độ", "Severity"),
    "col.time": ("Thời gian", "Time"),
    "col.source": ("Nguồn", "Source"),
    "col.event": ("Sự việc", "Event"),
    "col.location": ("Quận / vị trí", "District / location"),
    "col.status": ("Trạng thái", "Status"),
    "sev.Extreme": ("Cực kỳ nghiêm trọng", "Extreme"),
    "sev.Severe": ("Nghiêm trọng", "Severe"),
    "sev.Moderate": ("Trung bình", "Moderate"),
    "sev.Minor": ("Nhẹ", "Minor"),
    "sev.Unknown": ("Chưa rõ", "Unknown"),
    "src.113": ("113 Công an", "113 Police"),
    "src.114": ("114 PCCC", "114 Fire"),
    "src.115": ("115 Cấp cứu", "115 Ambulance"),
    "src.1022": ("1022 Tổng đài", "1022 Hotline"),
    "src.camera": ("Camera AI", "Camera analytics"),
    "src.sensor": ("Cảm biến", "Sensor"),
    "src.press": ("Báo chí", "Press"),
    "state.new": ("Mới", "New"),
    "state.acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "state.dispatched": ("Đã điều phối", "Dispatched"),
    "state.in_progress": ("Đang xử lý", "In progress"),
    "state.resolved": ("Đã giải quyết", "Resolved"),
    "state.closed": ("Đã đóng", "Closed"),
    "state.cancelled": ("Đã hủy", "Cancelled"),
    "state.merged": ("Đã gộp", "Merged"),
    "state.ack_pending": ("Đang tiếp nhận… (chờ hub)", "Acknowledging… (awaiting hub)"),
    "drill.Exercise": ("DIỄN TẬP", "EXERCISE"),
    "drill.Test": ("THỬ NGHIỆM", "TEST"),
    "drill.System": ("HỆ THỐNG", "SYSTEM"),
    "drill.Draft": ("BẢN NHÁP", "DRAFT"),
    "filter.placeholder": (
        "Tìm (không cần dấu): nguyen hue, chay…  [Ctrl+F]",
        "Search (accents optional): nguyen hue, chay…  [Ctrl+F]",
    ),
    "filter.all_sources": ("Mọi nguồn", "All sources"),
    "filter.all_severities": ("Mọi mức độ", "All severities"),
    "filter.at_least": ("Từ mức", "At least"),
    "filter.open_only": ("Chỉ sự cố đang mở", "Open only"),
    "action.ack": ("Tiếp nhận [A]", "Acknowledge [A]"),
    "conn.live": ("TRỰC TUYẾN", "LIVE"),
    "conn.connecting": ("ĐANG KẾT NỐI", "CONNECTING"),
    "conn.reconnecting": ("ĐANG ĐỒNG BỘ LẠI", "RECONNECTING"),
    "conn.offline": ("NGOẠI TUYẾN từ {since}", "OFFLINE since {since}"),
    "conn.cache": ("dữ liệu từ bộ nhớ đệm lúc {saved}", "showing cached data from {saved}"),
    # Why the connection is not live yet (ConnectionStatus.code), with its parameters.
    "conn.why.snapshot_incomplete": (
        "trạng thái nhận được chưa đủ: cần {expected} {kind}, nhận {got}; thử lại sau {retry:.0f} s",
        "snapshot incomplete: expected {expected} {kind}, got {got}; retrying in {retry:.0f} s",
    ),
    "conn.why.snapshot_mismatch": (
        "trạng thái nhận được không khớp với hub ({kind}); thử lại sau {retry:.0f} s",
        "snapshot does not add up ({kind} differ from the hub's list); retrying in {retry:.0f} s",
    ),
    "conn.why.snapshot_unreadable": (
        "trạng thái nhận được chưa đủ: {n} phần không đọc được; thử lại sau {retry:.0f} s",
        "snapshot incomplete: {n} chunk(s) could not be read; retrying in {retry:.0f} s",
    ),
    "conn.why.snapshot_refused": (
        "hub đang bận, chưa gửi trạng thái; hỏi lại sau {retry:.0f} s",
        "the hub is busy and sent no snapshot yet; asking again in {retry:.0f} s",
    ),
    "snap.kind.incidents": ("sự cố", "incidents"),
    "snap.kind.cameras": ("camera", "cameras"),
    "snap.kind.sensors": ("trạm cảm biến", "sensor readings"),
    "snap.kind.layouts": ("bố cục tường video", "wall layouts"),
    "snap.kind.walls": ("màn hình tường video", "wall displays"),
    "refusal.incident_too_large": (
        "sự cố {id} sẽ vượt giới hạn kích thước ({size} / {limit} byte); hãy rút gọn nội dung",
        "incident {id} would pass its size limit ({size} of {limit} bytes); shorten the text",
    ),
    "detail.history_trimmed": (
        "… và {n} mục cũ hơn không còn giữ trong sự cố",
        "… and {n} older entries no longer kept in the incident",
    ),
    "stat.rate": ("{rate:.0f} sự kiện/s", "{rate:.0f} events/s"),
    "stat.lag": ("trễ {lag:.0f} ms", "lag {lag:.0f} ms"),
    "stat.count": ("{shown:,} / {total:,} sự cố, {open:,} đang mở", "{shown:,} / {total:,} incidents, {open:,} open"),
    "stat.dropped": ("{n} tin lỗi bị loại", "{n} bad messages dropped"),
    "stat.clock_skew": (
        "đồng hồ máy này lệch hub {minutes:+.1f} phút",
        "this computer's clock is {minutes:+.1f} min off the hub's",
    ),
    "msg.superseded": ("Lệnh bị vượt: {msg}", "Superseded: {msg}"),
    "msg.refused": ("Hub từ chối lệnh: {msg}", "Hub refused the command: {msg}"),
    "msg.ack_sent": ("Đã gửi tiếp nhận {id}", "Acknowledgement queued for {id}"),
    "msg.no_selection": ("Chưa chọn sự cố nào", "No incident selected"),
    "msg.already_acked": ("Sự cố đã được tiếp nhận", "Incident is already acknowledged"),
    # --- incident workflow (issue 5) ---
    "col.priority": ("Ưu tiên", "Priority"),
    "pane.detail": ("Chi tiết sự cố", "Incident detail"),
    "pane.meter": ("Tải cảnh báo", "Alarm load"),
    "pending.ack": ("Đang tiếp nhận… (chờ hub)", "Acknowledging… (awaiting hub)"),
    "pending.any": ("Đang gửi: {kind}… (chờ hub)", "Sending {kind}… (awaiting hub)"),
    "seen.unseen": ("Bạn chưa mở sự cố này", "Not yet opened by you"),
    "feed.shelved": ("tạm ẩn đến {until}", "shelved until {until}"),
    "feed.escalated": ("ĐÃ BÁO GIÁM SÁT", "ESCALATED"),
    "act.ack": ("Tiếp nhận [A]", "Acknowledge [A]"),
    "act.dispatch": ("Điều phối… [D]", "Dispatch… [D]"),
    "act.start": ("Bắt đầu xử lý [S]", "Start [S]"),
    "act.resolve": ("Giải quyết… [R]", "Resolve… [R]"),
    "act.close": ("Đóng [C]", "Close [C]"),
    "act.cancel": ("Hủy… [X]", "Cancel… [X]"),
    "act.shelve": ("Tạm ẩn… [Ctrl+Shift+S]", "Shelve… [Ctrl+Shift+S]"),
    "act.unshelve": ("Bỏ tạm ẩn", "Unshelve"),
    "act.merge": ("Gộp vào… [M]", "Merge into… [M]"),
    "dlg.merge": ("Gộp sự cố trùng", "Merge a duplicate"),
    "dlg.merge_into": (
        "Gộp sự cố này vào (cùng loại, gần nhất trước):",
        "Merge this incident into (same type and nearest first):",
    ),
    "act.note": ("Ghi chú [N]", "Note [N]"),
    "act.add_note": ("Thêm ghi chú [Ctrl+Enter]", "Add note [Ctrl+Enter]"),
    "act.checklist": ("Danh mục SOP [F3]", "SOP checklist [F3]"),
    "act.escalated": ("Tới P1 quá hạn kế tiếp [E]", "Next escalated P1 [E]"),
    "act.show_on_wall": ("Xem trên tường video [W]", "Show on wall [W]"),
    "act.handover": ("Bàn giao ca…", "Shift handover…"),
    "act.mute": ("Tắt tiếng 5 phút [Ctrl+M]", "Mute 5 min [Ctrl+M]"),
    "act.unmute": ("Bật tiếng [Ctrl+M]", "Unmute [Ctrl+M]"),
    "act.shortcuts": ("Phím tắt", "Keyboard shortcuts"),
    "act.next": ("Sự cố kế tiếp [J / ↓]", "Next incident [J / ↓]"),
    "act.prev": ("Sự cố trước [K / ↑]", "Previous incident [K / ↑]"),
    "act.feed": ("Danh sách sự cố [F2]", "Incident feed [F2]"),
    "menu.incident": ("&Sự cố", "&Incident"),
    "menu.help": ("&Trợ giúp", "&Help"),
    "detail.none": (
        "Chọn một sự cố trong danh sách (F2, rồi J/K hoặc mũi tên)",
        "Select an incident in the feed (F2, then J/K or the arrow keys)",
    ),
    "detail.checklist": ("Danh mục SOP: {title}", "SOP checklist: {title}"),
    "detail.no_sop": ("Không có SOP cho loại sự cố này", "No SOP applies to this incident"),
    "detail.mandatory": ("bắt buộc", "mandatory"),
    "detail.sop_progress": ("{done}/{total} bước bắt buộc đã xong", "{done}/{total} mandatory steps done"),
    "detail.timeline": ("Diễn biến", "Timeline"),
    "detail.notes": ("Ghi chú", "Notes"),
    "detail.units": ("Lực lượng", "Units"),
    "detail.cameras": ("Camera gần nhất", "Nearest cameras"),
    "detail.linked": ("Sự cố liên kết", "Linked incidents"),
    "detail.location": ("Vị trí", "Location"),
    "detail.no_units": ("Chưa điều phối lực lượng nào", "No unit dispatched yet"),
    "detail.no_cameras": ("Không có camera trong bán kính 1 km", "No camera within 1 km"),
    "detail.no_linked": ("Không có", "None"),
    "detail.merged_into": ("Đã gộp vào {id}", "Merged into {id}"),
    "detail.linked_in": ("{id} đã gộp vào đây", "{id} merged into this one"),
    "detail.note_placeholder": (
        "Nội dung ghi chú… (Ctrl+Enter để lưu, Esc quay lại danh sách)",
        "Note text… (Ctrl+Enter to save, Esc back to the feed)",
    ),
    "detail.pending": ("Đang chờ hub xác nhận: {kind}…", "Waiting for the hub to confirm: {kind}…"),
    "detail.superseded": (
        "LỆNH {kind} BỊ VƯỢT: {who} đã {action} trước. Hiện: {state}",
        'YOUR {kind} WAS SUPERSEDED: {who} did "{action}" first. Now: {state}',
    ),
    "detail.refused": ("Hub từ chối {kind}: {msg}", "Hub refused {kind}: {msg}"),
    "detail.acked_by": ("tiếp nhận bởi {who}", "acknowledged by {who}"),
    "detail.group": ("{n} cảnh báo gộp", "{n} grouped alarms"),
    "detail.update": ("cập nhật", "update"),
    "detail.escalated": ("P1 CHƯA TIẾP NHẬN — ĐÃ BÁO GIÁM SÁT", "P1 NOT ACKNOWLEDGED — ESCALATED TO SUPERVISORS"),
    "detail.shelved": ("Tạm ẩn bởi {by} đến {until}: {reason}", "Shelved by {by} until {until}: {reason}"),
    "agency.police": ("Công an", "Police"),
    "agency.fire_rescue": ("Cảnh sát PCCC & CNCH", "Fire and rescue"),
    "agency.ambulance": ("Cấp cứu 115", "Ambulance"),
    "agency.traffic_police": ("CSGT", "Traffic police"),
    "agency.district_centre": ("Trung tâm quận/huyện", "District centre"),
    "dlg.dispatch": ("Điều phối lực lượng", "Dispatch units"),
    "dlg.agency": ("Lực lượng", "Agency"),
    "dlg.callsign": ("Phiên hiệu đơn vị (vd Q1-07)", "Unit call sign (e.g. Q1-07)"),
    "dlg.reason": ("Lý do", "Reason"),
    "dlg.minutes": ("Thời hạn (phút)", "Expiry (minutes)"),
    "dlg.override": (
        "Giám sát bỏ qua bước SOP chưa làm (cần lý do)",
        "Supervisor override of undone SOP steps (needs a reason)",
    ),
    "dlg.resolve": ("Giải quyết sự cố", "Resolve incident"),
    "dlg.cancel": ("Hủy sự cố", "Cancel incident"),
    "dlg.shelve": ("Tạm ẩn cảnh báo", "Shelve alarm"),
    "dlg.missing": ("Còn bước bắt buộc chưa làm: {steps}", "Mandatory steps not done: {steps}"),
    "msg.missing_steps": (
        "Chưa thể giải quyết: còn {n} bước SOP bắt buộc (F3 để đánh dấu)",
        "Cannot resolve yet: {n} mandatory SOP steps left (F3 to tick them)",
    ),
    "msg.sent": ("Đã gửi {kind} cho {id}", "{kind} queued for {id}"),
    "msg.unavailable": (
        "Hub tạm thời không lưu được dữ liệu: lệnh vẫn nằm trong hàng đợi và sẽ được gửi lại",
        "The hub cannot save right now: the command stays queued and will be sent again",
    ),
    "msg.unsaved": (
        (
            "Không lưu được lệnh {kind} cho {id} trên máy này: đã gửi đến hub, nhưng sẽ mất "
            "nếu bảng điều khiển đóng trước khi hub trả lời"
        ),
        (
            "{kind} for {id} could not be saved on this computer: sent to the hub, but lost "
            "if the console closes before the hub answers"
        ),
    ),
    "banner.flood": (
        "LŨ CẢNH BÁO: {n} cảnh báo mới trong 10 phút (ngưỡng EEMUA 191: 10). "
        "Ưu tiên P1/P2; các cảnh báo cùng loại đã được gộp.",
        "ALARM FLOOD: {n} new alarms in 10 min (EEMUA 191 limit: 10). Work P1/P2 first; same-type alarms are grouped.",
    ),
    "banner.escalated": (
        "{n} P1 CHƯA TIẾP NHẬN QUÁ HẠN [E để xem]: {titles}",
        "{n} P1 UNACKNOWLEDGED PAST THE LIMIT [E to go]: {titles}",
    ),
    "banner.muted": (
        "Đã tắt tiếng đến {until} (báo động leo thang vẫn kêu)",
        "Muted until {until} (escalations still sound)",
    ),
    "meter.title": (
        "Tải cảnh báo trên mỗi người trực (ISA-18.2 / EEMUA 191)",
        "Alarm load per operator (ISA-18.2 / EEMUA 191)",
    ),
    "meter.rate": ("Cảnh báo / 10 phút", "Alarms / 10 min"),
    "meter.now": ("10 phút gần nhất", "Last 10 min"),
    "meter.flood_share": ("Thời gian trong lũ", "Time in flood"),
    "meter.standing": ("Cảnh báo tồn đọng", "Standing alarms"),
    "meter.mix": ("Cơ cấu ưu tiên thấp/TB/cao", "Priority mix low/med/high"),
    "meter.top": ("10 nguồn nhiều nhất", "Top 10 sources"),
    "meter.shelved": ("Cảnh báo đang tạm ẩn (mọi người đều thấy)", "Shelved alarms (visible to everyone)"),
    "meter.target": ("mục tiêu", "target"),
    "meter.window_s": (
        "trong {s:.0f} giây qua (từ khi mở bảng điều khiển)",
        "over the last {s:.0f} s (since the console started)",
    ),
    "meter.short": ("chưa đủ 10 phút dữ liệu", "less than 10 min of data"),
    "meter.window": ("trong {min:.0f} phút qua", "over the last {min:.0f} min"),
    "verdict.acceptable": ("chấp nhận được", "acceptable"),
    "verdict.manageable": ("tối đa còn xử lý được", "manageable maximum"),
    "verdict.demanding": ("quá tải", "overloaded"),
    "verdict.flood": ("LŨ CẢNH BÁO", "FLOOD"),
    "handover.title": ("Bàn giao ca", "Shift handover"),
    "handover.open": ("Sự cố đang mở ({n})", "Open incidents ({n})"),
    "handover.shelved": ("Cảnh báo tạm ẩn ({n})", "Shelved alarms ({n})"),
    "handover.cameras": ("Camera mất tín hiệu / suy giảm ({n})", "Cameras offline / degraded ({n})"),
    "handover.notes": ("Ghi chú của ca trước", "Outgoing operator's notes"),
    "handover.send": ("Bàn giao", "Hand over"),
    "handover.incoming": ("Người nhận ca", "Incoming operator"),
    "handover.ack": ("Nhận ca (xác nhận)", "Take over (acknowledge)"),
    "handover.sent": (
        "Đã gửi bàn giao {id}; người nhận ca xác nhận bên dưới",
        "Handover {id} sent; the incoming operator acknowledges below",
    ),
    "handover.done": ("{who} đã nhận ca", "{who} took over"),
    "kind.ack": ("tiếp nhận", "acknowledge"),
    "kind.dispatch": ("điều phối", "dispatch"),
    "kind.start": ("bắt đầu xử lý", "start"),
    "kind.resolve": ("giải quyết", "resolve"),
    "kind.close": ("đóng", "close"),
    "kind.cancel": ("hủy", "cancel"),
    "kind.merge": ("gộp", "merge"),
    "kind.merged_in": ("gộp vào đây", "merged in"),
    "kind.note": ("ghi chú", "note"),
    "kind.sop_step": ("xong bước SOP", "SOP step done"),
    "kind.shelve": ("tạm ẩn", "shelve"),
    "kind.unshelve": ("bỏ tạm ẩn", "unshelve"),
    "kind.unshelved": ("hết hạn tạm ẩn", "shelf expired"),
    "kind.created": ("tiếp nhận báo tin", "reported"),
    "kind.late_report": ("báo tin đến muộn (không ghi đè)", "late report (not applied)"),
    "kind.escalated": ("báo giám sát", "escalated"),
    "kind.handover": ("bàn giao ca", "hand over"),
    "kind.handover_ack": ("nhận ca", "take over"),
    "field.group_count": ("số cảnh báo gộp", "grouped alarms"),
    "field.severity": ("mức độ", "severity"),
    "field.urgency": ("khẩn cấp", "urgency"),
    "field.priority": ("ưu tiên", "priority"),
    "field.title": ("tiêu đề", "title"),
    "field.description": ("mô tả", "description"),
    "field.location": ("vị trí", "location"),
    "meter.standing_detail": ("quá 24 giờ {stale} · tạm ẩn {shelved}", "over 24 h {stale} · shelved {shelved}"),
    "shortcuts.title": ("Phím tắt", "Keyboard shortcuts"),
    # --- alarm video (issue 4) ---
    "wall.alarm_video": ("Video báo động", "Alarm video"),
    "wall.alarm_tile": ("Đưa camera vào ô trên tường video", "Cameras into tiles of the video wall"),
    "wall.alarm_popup": ("Mở cửa sổ báo động riêng", "Cameras in a pop-up alarm window"),
    "wall.alarm_off": ("Tắt", "Off"),
    "alarm.window": ("Báo động", "Alarm"),
    "alarm.label": ("BÁO ĐỘNG", "ALARM"),
    "alarm.close": ("Đóng [Esc]", "Close [Esc]"),
    "alarm.more_one": ("+1 báo động khác", "+1 more alarm"),
    "alarm.more": ("+{n} báo động khác", "+{n} more alarms"),
    # --- city map page (app/map/labels.py hands these to map.js) ---
    "map.basemap_tiles": ("Bản đồ nền: lớp ảnh {name}", "Basemap: {name} tiles"),
    "map.basemap_cached": ("Bản đồ nền: ảnh bản đồ đã lưu sẵn", "Basemap: cached tiles"),
    "map.basemap_vector": (
        "Bản đồ nền: vector ngoại tuyến (ranh giới quận/huyện + điểm quan tâm)",
        "Basemap: offline vector (districts + points of interest)",
    ),
    "map.district_open": ("{name}: {n} sự cố đang mở", "{name}: {n} open incident(s)"),
    "map.camera_hint": ("Đã chuyển lên tường video", "Sent to the video wall"),
    "map.camera_online": ("đang hoạt động", "online"),
    "map.camera_degraded": ("suy giảm (không có hình)", "degraded (no image)"),
    "map.camera_offline": ("mất tín hiệu", "offline"),
    "map.camera_unknown": ("chưa rõ trạng thái", "status unknown"),
    "map.incident_source": ("nguồn: {source}", "source {source}"),
    "map.sensor_no_data": ("chưa có số đo", "no data"),
    "map.sensor_invalid": ("số đo không hợp lệ", "invalid reading"),
    "map.sensor_suspect": ("số đo đáng ngờ", "suspect reading"),
    "map.near_head": ("Camera gần sự cố", "Cameras near the incident"),
    "map.near_none": ("Không có camera nào trong phạm vi", "No camera within range"),
    "map.near_sees": ("nhìn thấy hiện trường", "sees it"),
    "map.near_away": ("quay hướng khác", "faces away"),
    "map.near_unknown": ("chưa rõ hướng quay", "direction unknown"),
    "map.near_show": ("Xem trên tường video", "Show on the video wall"),
    "map.region_button": ("Tải bản đồ một khu vực để dùng khi mất mạng", "Download an area for offline use"),
    "map.layer_districts": ("Quận/huyện (sự cố đang mở)", "Districts (open incidents)"),
    "map.layer_tiles": ("Lớp ảnh bản đồ", "Map tiles"),
    "map.layer_cameras": ("Camera giao thông", "Cameras"),
    "map.layer_incidents": ("Sự cố", "Incidents"),
    "map.layer_air": ("Chất lượng không khí (PM2.5)", "Air quality (PM2.5)"),
    "map.layer_district_names": ("Tên quận/huyện", "District names"),
    "map.zoom_in": ("Phóng to", "Zoom in"),
    "map.zoom_out": ("Thu nhỏ", "Zoom out"),
    "map.no_provider": ("Chưa cấu hình nguồn ảnh bản đồ trực tuyến", "No online tile provider configured"),
    # PM2.5 bands (US EPA breakpoints), named as Vietnam's VN_AQI names its levels.
    "aqi.good": ("Tốt", "Good"),
    "aqi.moderate": ("Trung bình", "Moderate"),
    "aqi.unhealthy_for_sensitive_groups": ("Kém (hại cho nhóm nhạy cảm)", "Unhealthy for sensitive groups"),
    "aqi.unhealthy": ("Xấu", "Unhealthy"),
    "aqi.very_unhealthy": ("Rất xấu", "Very unhealthy"),
    "aqi.hazardous": ("Nguy hại", "Hazardous"),
    "aqi.no_data": ("Chưa có dữ liệu", "No data"),
}


def _merge_area_catalogs() -> None:
    # Per-area catalogs (app/catalogs/) join the one dict; a key defined twice is a bug.
    from app.catalogs import console, refusals, wall

    for area in (console.LABELS, wall.LABELS, refusals.LABELS):
        clash = sorted(set(area) & set(_LABELS))
        if clash:
            raise ValueError(f"catalog keys defined twice: {', '.join(clash)}")
        _LABELS.update(area)


_merge_area_catalogs()


def catalog(lang: str) -> dict[str, str]:
    """Every label of `lang` by key (the language test checks visible text against these)."""
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 1
    return {key: pair[index] for key, pair in _LABELS.items()}


class Translator:
    """One per console, shared by its views: set_language() switches all of them at once
    (each view re-words itself when the window tells it to)."""

    def __init__(self, lang: str = "vi"):
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "en"
        self._index = 0 if self.lang == "vi" else 1

    def t(self, key: str, **values) -> str:
        pair = _LABELS.get(key)
        text = pair[self._index] if pair else key
        return text.format(**values) if values else text
