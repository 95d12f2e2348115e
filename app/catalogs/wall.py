"""Labels of the video wall: the pane, the camera list, tiles, the tile menu, wall displays."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # --- wall pane header ---
    "wall.preset_tip": ("Kiểu chia ô", "Tile layout"),
    "wall.saved_tip": ("Bố cục đã lưu trên máy này", "Saved layouts on this console"),
    "wall.saved_none": ("Bố cục đã lưu…", "Saved layouts…"),
    "wall.save_as": ("Lưu thành…", "Save as…"),
    "wall.undo": ("Hoàn tác", "Undo"),
    "wall.redo": ("Làm lại", "Redo"),
    "wall.detach": ("Tách ra", "Detach"),
    "wall.detach_tip": (
        "Tách ra cửa sổ riêng (cho màn hình khác)",
        "Show the wall in its own window (another monitor)",
    ),
    "wall.detached_note": (
        "Tường video đang ở cửa sổ riêng: bấm để đưa về đây",
        "Wall detached to its own window: click to bring it back",
    ),
    "wall.detached_title": ("Bảng điều khiển IOC: tường video", "IOC Console: video wall"),
    # Stale first: in a narrow pane the end of the line is cut, and a frozen camera matters most.
    "wall.budget": (
        "{stale} mất tín hiệu · {live}/{cameras} trực tiếp · HQ {used}/{max}",
        "{stale} stale · HQ decodes {used}/{max} · {cameras} cameras · {live} live",
    ),
    "wall.save_title": ("Lưu bố cục tường video", "Save wall layout"),
    "wall.name": ("Tên:", "Name:"),
    # --- tile menu ---
    "wall.maximise": ("Phóng to", "Maximise"),
    "wall.restore": ("Khôi phục", "Restore"),
    "wall.remove": ("Xóa", "Remove"),
    "wall.snapshot": ("Lưu ảnh chụp…", "Save snapshot…"),
    "wall.snapshot_title": ("Lưu ảnh chụp", "Save snapshot"),
    "wall.images": ("Ảnh (*.png *.jpg)", "Images (*.png *.jpg)"),
    "wall.open_main": ("Mở luồng chính", "Open main stream"),
    "wall.main_title": ("{code}: luồng chính", "{code}: main stream"),
    "wall.tour": ("Xoay vòng camera cùng quận ({s} s)", "Tour this district ({s} s)"),
    # --- Wall menu of the console ---
    "menu.wall": ("&Tường video", "&Wall"),
    "wall.shared": ("Bố cục dùng chung", "Shared layouts"),
    "wall.shared_none": ("Chưa có bố cục dùng chung", "No shared layout yet"),
    "wall.share": ("Chia sẻ bố cục hiện tại…", "Share current layout…"),
    "wall.push": ("Đẩy bố cục lên màn hình tường…", "Push current layout to a wall display…"),
    "wall.layout_name": ("Tên bố cục:", "Layout name:"),
    "wall.display_name": ("Màn hình tường:", "Wall display:"),
    # --- camera list ---
    "cams.search": ("Tìm camera (không cần dấu)", "Search cameras (accents optional)"),
    "cams.all_districts": ("Mọi quận/huyện", "All districts"),
    "cams.any_status": ("Mọi trạng thái", "Any status"),
    "cams.online": ("Đang hoạt động", "Online"),
    "cams.degraded": ("Suy giảm", "Degraded"),
    "cams.offline": ("Mất tín hiệu", "Offline"),
    "cams.unknown": ("Chưa rõ", "Unknown"),
    # --- tile overlays ---
    "tile.drop": ("Kéo camera thả vào đây", "Drop a camera here"),
    "tile.live": ("TRỰC TIẾP", "LIVE"),
    "tile.stale": ("MẤT TÍN HIỆU", "STALE"),
    "tile.wait": ("ĐANG CHỜ", "WAIT"),
    "tile.last_good": ("hình tốt cuối cùng lúc {when}", "last good picture {when}"),
    "tile.never": ("chưa có", "never"),
    "tile.reconnecting": ("kết nối lại sau {s} s (lần {n}) · {why}", "reconnecting in {s} s (try {n}) · {why}"),
    "tile.connecting": ("đang kết nối…", "connecting…"),
    "tile.connecting_why": ("đang kết nối… {why}", "connecting… {why}"),
    "tile.unknown_camera": ("camera không có trong danh sách của máy này", "camera not in this console's list"),
    "stream.main": ("luồng chính", "main"),
    "stream.sub": ("luồng phụ", "sub"),
    "stream.snapshot": ("ảnh tĩnh", "snapshot"),
    "stream.none": ("không có luồng", "no stream"),
    "tile.err.no_url": ("không có địa chỉ luồng", "no stream URL"),
    "tile.err.no_pictures": ("không nhận được hình", "no pictures"),
    "tile.err.not_picture": ("không phải ảnh", "not a picture"),
    "tile.err.cannot_open": ("không mở được luồng", "cannot open the stream"),
    "tile.err.ended": ("luồng đã kết thúc", "stream ended"),
    "tile.err.decoder": ("lỗi giải mã", "decoder error"),
    "tile.err.network": ("lỗi mạng", "network error"),
    "tile.err.vlc_fallback": (
        "libVLC không mở được {scheme}: thử QtMultimedia",
        "libVLC cannot open {scheme}: trying QtMultimedia",
    ),
    # --- wall display (main.py --wall NAME) ---
    "display.title": ("Màn hình tường IOC: {name}", "IOC wall: {name}"),
    "display.offline": (
        "MẤT KẾT NỐI HUB từ {when} — đang hiện bố cục nhận được lần cuối",
        "HUB OFFLINE since {when} — showing the last wall pushed",
    ),
    "display.reconnecting": ("Đang đồng bộ lại với hub…", "Re-synchronising with the hub…"),
    "display.connecting": ("Đang kết nối tới hub…", "Connecting to the hub…"),
}
