"""Sensor readings that are not measurements are kept, marked and never shown as values; the
hub's current value is the newest by measurement time."""

from __future__ import annotations

import math
import time

import msgspec
import pytest

from app import domain, protocol, sensors
from app.demo_city import DemoCity
from app.hub import ingest
from app.map.payloads import sensor_payload
from app.paths import DEMO_CITY
from app.simulator.engine import CityDay
from support import wait_until

STATION = dict(station="aq-1", unit="µg/m³", lat=10.78, lon=106.70, name="Trạm 1")


def _pm25(value: float, t: float, quality: str = "valid") -> domain.SensorReading:
    return domain.SensorReading(kind="pm25", value=value, time=t, quality=quality, **STATION)


@pytest.mark.parametrize(
    ("kind", "value", "flag", "expected"),
    [
        ("pm25", 23.4, "", "valid"),
        ("pm25", -999.0, "", "missing"),
        ("no2", -9999.0, "", "missing"),
        ("pm25", math.nan, "", "missing"),
        ("pm25", None, "", "missing"),
        ("pm25", -3.0, "", "invalid"),
        ("humidity", 140.0, "", "invalid"),
        ("temperature", -3.0, "", "valid"),  # below zero is weather, not a fault
        ("tsp", 0.0, "", "suspect"),
        ("pm25", 40.0, "invalid", "invalid"),  # the source's flag wins over a plausible number
        ("pm25", -999.0, "suspect", "missing"),  # ... but never makes a sentinel better
    ],
)
def test_quality_of_a_value(kind, value, flag, expected):
    assert sensors.quality_of(kind, value, flag) == expected


def _city_with_rows(tmp_path, rows: list[str], header: str) -> DemoCity:
    for path in DEMO_CITY.iterdir():  # the real city, with these hours of readings
        if path.name != "air_quality_hourly.csv":
            (tmp_path / path.name).symlink_to(path)
    (tmp_path / "air_quality_hourly.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return DemoCity(tmp_path)


def test_the_csv_loader_keeps_sentinels_negatives_blanks_and_flagged_rows_marked(tmp_path):
    city = _city_with_rows(
        tmp_path,
        [
            "29-04-2021 00:00,1,-999,55,-4.5,,27.4,84.8,",
            "29-04-2021 00:00,2,31.5,0,20,500,28.1,70,invalid",
        ],
        "date,Station_No,PM2.5,TSP,NO2,CO,Temperature,Humidity,flag",
    )
    first, second = city.air_readings
    assert first.values["pm25"] == -999.0 and first.quality["pm25"] == "missing"
    assert first.values["no2"] == -4.5 and first.quality["no2"] == "invalid"
    assert "co" not in first.values and first.quality["co"] == "missing"
    assert first.quality["temperature"] == "valid"
    assert second.values["pm25"] == 31.5 and second.quality["pm25"] == "invalid"


def test_the_simulator_sends_marked_readings_and_raises_no_alarm_on_them(tmp_path):
    city = _city_with_rows(
        tmp_path,
        [
            "29-04-2021 00:00,1,-999,55,,27.4,84.8,",
            "29-04-2021 00:00,2,300,60,20,28.1,70,invalid",
            "29-04-2021 00:00,3,12,60,20,28.1,70,",
        ],
        "date,Station_No,PM2.5,TSP,NO2,Temperature,Humidity,flag",
    )
    readings, alerts = CityDay(city, seed=1).next_air_quality_hour()
    pm = {r.station: r for r in readings if r.kind == "pm25"}
    assert (pm["aq-1"].value, pm["aq-1"].quality) == (-999.0, "missing")
    assert (pm["aq-2"].value, pm["aq-2"].quality) == (300.0, "invalid")
    assert (pm["aq-3"].value, pm["aq-3"].quality) == (12.0, "valid")
    no2 = next(r for r in readings if r.kind == "no2" and r.station == "aq-1")
    assert math.isnan(no2.value) and no2.quality == "missing", "a blank cell is a gap, not a skipped hour"
    assert alerts == [], "an invalid 300 µg/m³ must not raise an air-quality incident"


def test_the_hub_keeps_sentinels_and_negatives_marked_even_from_a_peer_that_knows_no_quality(hub, peer):
    t = time.time()
    peer.push.send_multipart(protocol.encode(_pm25(-999.0, t), source="old-logger"))
    peer.push.send_multipart(
        protocol.encode(domain.SensorReading(kind="no2", value=-2.0, time=t, **STATION), source="old-logger")
    )
    peer.push.send_multipart(
        protocol.encode(
            domain.SensorReading(kind="o3", value=80.0, time=t, quality="invalid", **STATION), source="new-logger"
        )
    )
    wait_until(lambda: len(hub.store.sensors) == 3)
    _inc, _cams, held, _end = peer.snapshot()
    assert (held[("aq-1", "pm25")].value, held[("aq-1", "pm25")].quality) == (-999.0, "missing")
    assert (held[("aq-1", "no2")].value, held[("aq-1", "no2")].quality) == (-2.0, "invalid")
    assert held[("aq-1", "o3")].quality == "invalid"
    assert all(sensor_payload(r)["value"] is None for r in held.values()), "no view shows these as numbers"


def test_the_current_value_is_the_newest_by_measurement_time_not_the_last_pushed(hub, peer):
    t = time.time()
    peer.push.send_multipart(protocol.encode(_pm25(40.0, t), source="sim"))
    peer.push.send_multipart(protocol.encode(_pm25(12.0, t - 3600), source="sim"))  # a late hour
    peer.push.send_multipart(protocol.encode(_pm25(41.0, t, "invalid"), source="sim"))  # a correction
    peer.push.send_multipart(
        protocol.encode(domain.SensorReading(kind="no2", value=1.0, time=t, **STATION), source="sim")
    )
    peer.push.send_multipart(protocol.encode(_pm25(99.0, t + 30 * 86400), source="bad-clock"))  # refused
    wait_until(lambda: ("aq-1/no2") in hub.store.sensors and hub.stats["ingest.invalid"] == 1)
    current = peer.snapshot()[2][("aq-1", "pm25")]
    assert (current.value, current.time, current.quality) == (41.0, t, "invalid")
    assert hub.stats["ingest.sensor_not_newer"] == 1


def test_an_unknown_quality_is_refused_cleanly_and_the_stream_goes_on(hub, peer):
    class FutureReading(msgspec.Struct):  # a peer speaking a vocabulary this hub does not know
        station: str
        kind: str
        value: float
        unit: str
        time: float
        quality: str

    good = protocol.encode(_pm25(20.0, time.time()), source="sim")
    bad = [
        b"sen/aq-1/pm25",
        good[1],
        msgspec.msgpack.encode(FutureReading("aq-9", "pm25", 5.0, "µg/m³", time.time(), "estimated")),
    ]
    peer.push.send_multipart(bad)
    peer.push.send_multipart(good)
    wait_until(lambda: "aq-1/pm25" in hub.store.sensors)
    assert "aq-9/pm25" not in hub.store.sensors and hub.stats["ingest.malformed"] == 1
    with pytest.raises(ingest.Rejected, match="unknown quality"):
        ingest.check_reading(msgspec.structs.replace(_pm25(1.0, 1.0), quality="estimated"))


def test_the_map_payload_says_no_data_for_a_station_without_a_valid_current_value():
    t = 1_700_000_000.0
    assert sensor_payload(_pm25(-999.0, t))["value"] is None
    missing = sensor_payload(_pm25(-999.0, t))
    assert (missing["aqi"], missing["band"], missing["quality"]) == (None, "No data", "missing")
    flagged = sensor_payload(_pm25(300.0, t, "invalid"))
    assert (flagged["value"], flagged["aqi"], flagged["quality"]) == (None, None, "invalid")
    suspect = sensor_payload(_pm25(0.0, t))
    assert (suspect["value"], suspect["quality"]) == (0.0, "suspect")
    assert sensor_payload(_pm25(20.0, t))["value"] == 20.0
