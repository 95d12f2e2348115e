"""Labels of the console's frame: menus, the language choice, the status bar, the map's region bar."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "app.window_title": ("{title} — {operator} @ {hub}", "{title} — {operator} @ {hub}"),
    "app.window_title_demo": ("{title} — {operator} @ {hub} (trình diễn)", "{title} — {operator} @ {hub} (demo)"),
    "menu.view": ("&Xem", "&View"),
    "menu.language": ("&Ngôn ngữ", "&Language"),
    "view.feed": ("Danh sách sự cố", "Incident feed"),
    # A language is named in its own words, whichever language the console is in.
    "lang.vi": ("Tiếng Việt", "Tiếng Việt"),
    "lang.en": ("English", "English"),
    # --- status bar: the transport's reasons, worded here (the raw one is the tooltip) ---
    "conn.detail": ("Chi tiết kỹ thuật: {reason}", "Technical detail: {reason}"),
    "conn.why.in_sync": ("đồng bộ với hub (phiên {epoch})", "in sync with the hub (epoch {epoch})"),
    "conn.why.connecting": ("đang kết nối tới hub", "connecting to the hub"),
    "conn.why.reachable": ("đã liên lạc lại được hub; đang kiểm tra dữ liệu",
                           "hub reachable again; checking state"),
    "conn.why.silent": ("không nhận được tín hiệu từ hub trong {s} s", "no heartbeat from the hub for {s} s"),
    "conn.why.snapshot_timeout": ("yêu cầu ảnh chụp dữ liệu quá hạn; đang thử lại",
                                  "snapshot request timed out; retrying"),
    "conn.why.restarted": ("hub đã khởi động lại (phiên {epoch})", "hub restarted (epoch {epoch})"),
    "conn.why.gap": ("thiếu bản tin cập nhật; đang đồng bộ lại", "missed updates; re-synchronising"),
    "conn.why.internal": ("lỗi nội bộ của kết nối hub; xem nhật ký",
                          "internal error in the hub connection; see the log"),
    "conn.why.other": ("đang đồng bộ với hub", "synchronising with the hub"),
    # --- map: region download bar ---
    "region.label": ("Khu vực ngoại tuyến:", "Offline area:"),
    "region.draw": ("Vẽ khu vực", "Draw area"),
    "region.visible": ("Khu vực đang xem", "Visible area"),
    "region.zoom_from": ("mức ", "zoom "),
    "region.zoom_to": ("đến ", "to "),
    "region.none": ("Chưa chọn khu vực", "No area chosen"),
    "region.download": ("Tải xuống", "Download"),
    "region.cancel": ("Hủy", "Cancel"),
    "region.close": ("Đóng", "Close"),
    "region.close_tip": ("Ẩn thanh này (việc tải đang chạy vẫn tiếp tục)", "Hide this bar (a running download goes on)"),
    "region.plan": ("{tiles} ô bản đồ, khoảng {mb} MB (mức {zmin}-{zmax})",
                    "{tiles} tiles, about {mb} MB (zoom {zmin}-{zmax})"),
    "region.too_large": ("{plan}: quá nhiều (giới hạn {limit})", "{plan}: too many (limit {limit})"),
    "region.cancelled": ("Đã hủy", "Cancelled"),
    "region.done": ("Xong", "Done"),
    "region.result": ("{verb}: tải {fetched}, đã có sẵn {skipped}, lỗi {failed}",
                      "{verb}: {fetched} fetched, {skipped} already cached, {failed} failed"),
    "region.why.no_area": ("chưa chọn khu vực", "no area chosen"),
    "region.why.no_provider": ("chưa cấu hình nguồn ảnh bản đồ trực tuyến", "no online tile provider"),
    "region.why.running": ("đang tải một khu vực khác", "one is already running"),
    # --- small words of the alarm meter and the feed ---
    "meter.ok": ("ĐẠT", "OK"),
    "feed.rev": ("phiên bản {n}", "rev {n}"),
    "feed.ack_tip": ("Phím tắt: A", "Shortcut: A"),
}
