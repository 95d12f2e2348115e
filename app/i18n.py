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
    "filter.placeholder": ("Tìm (không cần dấu): nguyen hue, chay…  [Ctrl+F]",
                           "Search (accents optional): nguyen hue, chay…  [Ctrl+F]"),
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
    "stat.rate": ("{rate:.0f} sự kiện/s", "{rate:.0f} events/s"),
    "stat.lag": ("trễ {lag:.0f} ms", "lag {lag:.0f} ms"),
    "stat.count": ("{shown:,} / {total:,} sự cố, {open:,} đang mở", "{shown:,} / {total:,} incidents, {open:,} open"),
    "stat.dropped": ("{n} tin lỗi bị loại", "{n} bad messages dropped"),
    "msg.superseded": ("Lệnh bị vượt: {msg}", "Superseded: {msg}"),
    "msg.refused": ("Hub từ chối lệnh: {msg}", "Hub refused the command: {msg}"),
    "msg.ack_sent": ("Đã gửi tiếp nhận {id}", "Acknowledgement queued for {id}"),
    "msg.no_selection": ("Chưa chọn sự cố nào", "No incident selected"),
    "msg.already_acked": ("Sự cố đã được tiếp nhận", "Incident is already acknowledged"),
}


class Translator:
    def __init__(self, lang: str = "vi"):
        self.lang = lang if lang in LANGUAGES else "en"
        self._index = 0 if self.lang == "vi" else 1

    def t(self, key: str, **values) -> str:
        pair = _LABELS.get(key)
        text = pair[self._index] if pair else key
        return text.format(**values) if values else text
