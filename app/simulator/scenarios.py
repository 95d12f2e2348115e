"""What happens in a day of the demo city: the kinds of reports and how they read.

Each scenario names the channel it arrives on (113 police, 114 fire, 115 ambulance, the 1022
citizen hotline, camera analytics, sensors, the press), its CAP classification, and a few
Vietnamese phrasings. Locations always come from the real dataset (camera intersections,
district polygons, points of interest), never from invented places.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import domain


@dataclass(frozen=True)
class Scenario:
    key: str
    source: domain.IncidentSource
    category: domain.Category
    event: str  # CAP event code
    severities: tuple[domain.Severity, ...]
    urgency: domain.Urgency
    certainty: domain.Certainty
    titles: tuple[str, ...]
    details: tuple[str, ...]
    weight: float  # share of the day's reports
    rush_hour_boost: float = 1.0  # multiplier during 7-9h and 16-19h
    night_boost: float = 1.0  # multiplier 22-5h
    at_camera: bool = False  # located exactly at a camera (analytics)
    radius_m: float = 0.0  # >0: the area is a circle of this radius


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "police_theft",
        "113",
        "Security",
        "theft",
        ("Moderate", "Minor"),
        "Expected",
        "Likely",
        ("Trộm cắp tài sản", "Cướp giật điện thoại", "Trộm xe máy"),
        (
            "Người dân gọi 113 báo bị giật điện thoại, đối tượng đi xe máy bỏ chạy.",
            "Chủ nhà phát hiện mất xe máy để trước cửa.",
            "Nạn nhân bị giật túi xách khi đang dừng đèn đỏ.",
        ),
        9,
        night_boost=1.4,
    ),
    Scenario(
        "police_fight",
        "113",
        "Security",
        "public_disorder",
        ("Severe", "Moderate"),
        "Immediate",
        "Likely",
        ("Đánh nhau gây rối trật tự công cộng", "Tụ tập đua xe trái phép", "Gây rối tại quán nhậu"),
        (
            "Nhóm thanh niên xô xát, có người cầm hung khí.",
            "Khoảng 20 xe máy tụ tập, chạy tốc độ cao, lạng lách.",
            "Người dân báo có tiếng la hét, đập phá.",
        ),
        5,
        night_boost=2.5,
    ),
    Scenario(
        "fire_house",
        "114",
        "Fire",
        "structure_fire",
        ("Severe", "Extreme"),
        "Immediate",
        "Observed",
        ("Cháy nhà dân", "Cháy cửa hàng", "Cháy kho hàng", "Cháy phòng trọ"),
        (
            "Khói đen bốc cao, người dân đang dùng bình chữa cháy tại chỗ.",
            "Có người mắc kẹt trên tầng 2, cần cứu nạn.",
            "Đám cháy lan sang nhà bên cạnh.",
        ),
        3,
        radius_m=150,
    ),
    Scenario(
        "fire_vehicle",
        "114",
        "Fire",
        "vehicle_fire",
        ("Moderate", "Severe"),
        "Immediate",
        "Observed",
        ("Cháy xe máy trên đường", "Cháy xe ô tô đang lưu thông"),
        ("Xe bốc cháy khi đang chạy, tài xế đã thoát ra ngoài.", "Giao thông ùn ứ do xe cháy giữa đường."),
        2,
    ),
    Scenario(
        "medical_traffic",
        "115",
        "Health",
        "injury_traffic",
        ("Severe", "Moderate"),
        "Immediate",
        "Observed",
        ("Tai nạn giao thông có người bị thương", "Va chạm xe máy, một người bất tỉnh"),
        ("Nạn nhân chảy máu nhiều ở chân, cần xe cấp cứu.", "Hai xe máy va chạm, một người nằm bất động."),
        7,
        rush_hour_boost=1.8,
    ),
    Scenario(
        "medical_collapse",
        "115",
        "Health",
        "medical_emergency",
        ("Severe", "Moderate"),
        "Immediate",
        "Likely",
        ("Người ngất xỉu trên đường", "Cấp cứu đột quỵ", "Người già té ngã tại nhà"),
        ("Người đi đường gọi 115, nạn nhân khoảng 60 tuổi.", "Người nhà báo bệnh nhân méo miệng, yếu nửa người."),
        6,
    ),
    Scenario(
        "hotline_waste",
        "1022",
        "Env",
        "waste",
        ("Minor",),
        "Future",
        "Possible",
        ("Phản ánh rác thải tồn đọng", "Đổ trộm xà bần", "Phản ánh mùi hôi từ cống"),
        ("Rác tồn đọng nhiều ngày chưa được thu gom.", "Người dân phản ánh qua tổng đài 1022."),
        8,
    ),
    Scenario(
        "hotline_sidewalk",
        "1022",
        "Infra",
        "sidewalk_encroachment",
        ("Minor",),
        "Future",
        "Likely",
        ("Lấn chiếm vỉa hè", "Họp chợ tự phát dưới lòng đường"),
        ("Hàng quán bày bán chiếm hết vỉa hè, người đi bộ phải xuống lòng đường.",),
        5,
    ),
    Scenario(
        "hotline_signal",
        "1022",
        "Infra",
        "traffic_signal_fault",
        ("Moderate", "Minor"),
        "Expected",
        "Likely",
        ("Đèn tín hiệu giao thông hỏng", "Cây xanh ngã đổ", "Nắp cống bị mất"),
        ("Đèn tín hiệu chỉ nháy vàng, giao thông lộn xộn.", "Cây ngã chắn một phần đường, chưa có người bị thương."),
        4,
        rush_hour_boost=1.3,
    ),
    Scenario(
        "cam_congestion",
        "camera",
        "Transport",
        "congestion",
        ("Moderate", "Minor"),
        "Expected",
        "Observed",
        ("Ùn tắc giao thông", "Mật độ xe cao bất thường"),
        ("Phân tích hình ảnh: tốc độ trung bình dưới 5 km/h trong 10 phút.",),
        12,
        rush_hour_boost=3.0,
        night_boost=0.1,
        at_camera=True,
    ),
    Scenario(
        "cam_accident",
        "camera",
        "Transport",
        "accident",
        ("Severe", "Moderate"),
        "Immediate",
        "Likely",
        ("Phát hiện tai nạn giao thông", "Phát hiện va chạm giữa các phương tiện"),
        ("Phân tích hình ảnh: phương tiện dừng đột ngột, có người nằm trên đường.",),
        4,
        rush_hour_boost=1.5,
        at_camera=True,
    ),
    Scenario(
        "cam_stalled",
        "camera",
        "Transport",
        "stalled_vehicle",
        ("Minor", "Moderate"),
        "Expected",
        "Observed",
        ("Xe dừng đỗ bất thường", "Xe tải chết máy giữa đường"),
        ("Phân tích hình ảnh: phương tiện đứng yên quá 5 phút tại làn xe chạy.",),
        5,
        at_camera=True,
    ),
    Scenario(
        "cam_wrong_way",
        "camera",
        "Transport",
        "wrong_way",
        ("Moderate",),
        "Immediate",
        "Likely",
        ("Xe đi ngược chiều", "Xe máy chạy vào làn ô tô"),
        ("Phân tích hình ảnh: phương tiện di chuyển ngược hướng lưu thông.",),
        3,
        at_camera=True,
    ),
    Scenario(
        "sensor_flood",
        "sensor",
        "Met",
        "flood",
        ("Moderate", "Severe"),
        "Expected",
        "Observed",
        ("Cảnh báo ngập nước", "Mực nước ngập vượt ngưỡng"),
        ("Cảm biến mực nước đo được {level} cm, vượt ngưỡng cảnh báo 20 cm.",),
        3,
        radius_m=400,
    ),
    Scenario(
        "sensor_fire_alarm",
        "sensor",
        "Fire",
        "fire_alarm",
        ("Severe",),
        "Immediate",
        "Possible",
        ("Báo cháy tự động", "Đầu báo khói kích hoạt"),
        ("Hệ thống báo cháy tự động kích hoạt, chưa xác minh.",),
        2,
    ),
    Scenario(
        "press",
        "press",
        "Other",
        "press_report",
        ("Minor",),
        "Future",
        "Possible",
        (
            "Báo chí phản ánh: đường xuống cấp",
            "Báo chí phản ánh: công trình thi công gây bụi",
            "Báo chí phản ánh: ngập sau mưa lớn",
        ),
        ("Bài báo phản ánh tình trạng kéo dài nhiều tuần, người dân bức xúc.",),
        2,
    ),
)

UPDATE_NOTES = (
    "Cập nhật: lực lượng chức năng đã có mặt tại hiện trường.",
    "Cập nhật: người dân tiếp tục gọi báo, tình hình phức tạp hơn.",
    "Cập nhật: đã xác minh thông tin ban đầu.",
    "Cập nhật: giao thông khu vực bị ảnh hưởng.",
)

AIR_QUALITY_KINDS = ("pm25", "no2", "temperature", "humidity")
PM25_ALERT_UGM3 = 55.5  # US EPA AQI "unhealthy" starts at 55.5 µg/m³ (24 h), used as the demo threshold

# Only in bursts (app/simulator/calm.py), never drawn for the steady stream (so the flood
# scenario's seeded stream stays what it was); event codes the console already words.
BURST_SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in (
        Scenario(
            "hotline_flood",
            "1022",
            "Met",
            "flood",
            ("Moderate", "Severe"),
            "Immediate",
            "Observed",
            ("Phản ánh ngập sâu sau mưa", "Nước ngập tràn vào nhà dân", "Xe chết máy hàng loạt do ngập"),
            (
                "Người dân gọi 1022: nước ngập quá bánh xe, nhiều xe máy chết máy.",
                "Nước tràn vào nhà, người dân đang kê đồ đạc lên cao.",
            ),
            0,
        ),
        Scenario(
            "fire_call",
            "114",
            "Fire",
            "structure_fire",
            ("Severe", "Extreme"),
            "Immediate",
            "Observed",
            ("Cháy nhà dân", "Cháy lớn, khói bốc cao", "Cháy cửa hàng"),
            (
                "Người gọi báo thấy lửa bốc lên từ tầng trên, khói rất nhiều.",
                "Hàng xóm gọi 114, đám cháy đang lan sang nhà bên.",
                "Người đi đường thấy khói đen bốc cao, nghe tiếng nổ nhỏ.",
            ),
            0,
            radius_m=150,
        ),
        Scenario(
            "medical_smoke",
            "115",
            "Health",
            "medical_emergency",
            ("Severe", "Moderate"),
            "Immediate",
            "Observed",
            ("Ngạt khói do cháy", "Người bị bỏng khi thoát khỏi đám cháy"),
            ("Nạn nhân ho nhiều, khó thở, cần xe cấp cứu.",),
            0,
        ),
    )
}
