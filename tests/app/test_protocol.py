"""The wire format: round trips, the error tree, and random bytes never escaping it."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import domain, protocol


def _incident(**kw) -> domain.Incident:
    base = dict(
        id="114-x-1",
        category="Fire",
        event="structure_fire",
        urgency="Immediate",
        severity="Severe",
        certainty="Observed",
        area=domain.CircleArea(lat=10.77, lon=106.70, radius_m=150),
        source="114",
        title="Cháy nhà dân trên đường Nguyễn Huệ",
        description="Khói đen bốc cao",
        district="Quận 1",
    )
    base.update(kw)
    return domain.Incident(**base)


BODIES = [
    _incident(),
    _incident(area=domain.PolygonArea(points=((10.7, 106.6), (10.8, 106.6), (10.8, 106.7)))),
    domain.Camera(id="c1", code="TTH 1.1", name="Mai Chí Thọ", lat=10.8, lon=106.75, direction=45.0, ptz=True),
    domain.SensorReading(station="aq-1", kind="pm25", value=23.3, unit="µg/m³", time=1.0),
    domain.Heartbeat(last_seq=7),
    domain.Command(cmd_id="abc", kind="ack", incident_id="114-x-1", operator="lan", issued=1.0),
    domain.CommandReply(cmd_id="abc", code="ok", incident=_incident(state="acknowledged")),
    domain.SnapshotRequest(client="c"),
    domain.SnapshotChunk(incidents=(_incident(),)),
    domain.SnapshotEnd(seq=3, incident_count=1),
]


@pytest.mark.parametrize("body", BODIES, ids=lambda b: type(b).__name__)
def test_every_body_type_round_trips_with_its_header(body):
    frames = protocol.encode(body, source="test", epoch="r1-x", seq=42, status="Exercise")
    msg = protocol.decode(frames)
    assert msg.body == body
    assert msg.header.v == (protocol.SCHEMA_MAJOR, protocol.SCHEMA_MINOR)
    assert (msg.header.epoch, msg.header.seq, msg.header.status, msg.header.source) == ("r1-x", 42, "Exercise", "test")
    assert msg.header.type == next(k for k, v in protocol.BODY_TYPES.items() if isinstance(body, v))
    assert len(msg.header.id) == 32


def test_message_ids_are_unique():
    ids = {protocol.decode(protocol.encode(domain.Heartbeat(last_seq=1), source="t")).header.id for _ in range(500)}
    assert len(ids) == 500


def test_vietnamese_text_survives():
    msg = protocol.decode(protocol.encode(_incident(title="Ngập nước đường Nguyễn Hữu Cảnh"), source="t"))
    assert msg.body.title == "Ngập nước đường Nguyễn Hữu Cảnh"


def test_raw_snapshot_chunk_decodes_as_a_normal_chunk():
    incs = [_incident(id=f"i{n}") for n in range(3)]
    frames = protocol.encode_snapshot_chunk(
        incidents=[protocol.pack(i) for i in incs], source="hub", epoch="e", seq=9, topic="snap/r"
    )
    msg = protocol.decode(frames)
    assert msg.topic == "snap/r"
    assert list(msg.body.incidents) == incs and msg.body.cameras == ()


def test_wrong_frame_count_is_malformed():
    with pytest.raises(protocol.MalformedMessage):
        protocol.decode([b"inc/x", b"only two"])


def test_wrong_field_types_are_malformed():
    frames = protocol.encode(_incident(), source="t")
    bad_body = msgspec.msgpack.encode({"id": 5, "title": ["not", "a", "string"]})
    with pytest.raises(protocol.MalformedMessage, match="bad incident body"):
        protocol.decode([frames[0], frames[1], bad_body])


def test_unknown_severity_value_is_malformed():
    frames = protocol.encode(_incident(), source="t")
    raw = msgspec.msgpack.decode(frames[2])
    raw["severity"] = "Apocalyptic"
    with pytest.raises(protocol.MalformedMessage):
        protocol.decode([frames[0], frames[1], msgspec.msgpack.encode(raw)])


def test_unknown_major_version_is_unsupported_and_keeps_the_raw_frames():
    frames = protocol.encode(_incident(), source="t")
    header = msgspec.msgpack.decode(frames[1])
    header["v"] = [2, 0]
    frames[1] = msgspec.msgpack.encode(header)
    with pytest.raises(protocol.UnsupportedVersion) as info:
        protocol.decode(frames)
    assert info.value.major == 2 and info.value.raw == frames


def test_future_major_version_with_a_different_header_is_still_recognised():
    header = msgspec.msgpack.encode({"v": [3, 1], "kind": "something new"})
    with pytest.raises(protocol.UnsupportedVersion):
        protocol.decode([b"inc/x", header, b"\x80"])


def test_newer_minor_version_is_accepted():
    frames = protocol.encode(_incident(), source="t")
    header = msgspec.msgpack.decode(frames[1])
    header["v"] = [1, 7]
    header["some_new_optional_field"] = "ignored"
    msg = protocol.decode([frames[0], msgspec.msgpack.encode(header), frames[2]])
    assert msg.body.id == "114-x-1"


def test_unknown_type_is_reported_as_such():
    frames = protocol.encode(_incident(), source="t")
    header = msgspec.msgpack.decode(frames[1])
    header["type"] = "teleport"
    with pytest.raises(protocol.UnknownMessageType):
        protocol.decode([frames[0], msgspec.msgpack.encode(header), frames[2]])


def test_oversized_frames_are_refused_before_decoding():
    frames = protocol.encode(_incident(), source="t")
    with pytest.raises(protocol.OversizedFrame):
        protocol.decode([frames[0], frames[1], b"\x00" * (protocol.MAX_FRAME_BYTES + 1)])
    with pytest.raises(protocol.OversizedFrame):
        protocol.decode([b"t" * (protocol.MAX_TOPIC_BYTES + 1), frames[1], frames[2]])


def test_error_tree():
    for cls in (
        protocol.MalformedMessage,
        protocol.OversizedFrame,
        protocol.UnsupportedVersion,
        protocol.UnknownMessageType,
    ):
        assert issubclass(cls, protocol.ProtocolError)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=0, max_size=5))
def test_random_frames_only_ever_raise_protocol_errors(frames):
    try:
        protocol.decode(frames)
    except protocol.ProtocolError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_body_behind_a_valid_header_is_contained(body):
    frames = protocol.encode(_incident(), source="t")
    try:
        msg = protocol.decode([frames[0], frames[1], body])
    except protocol.ProtocolError:
        return
    assert isinstance(msg.body, domain.Incident)


def test_storage_codec_round_trip_and_errors():
    inc = _incident()
    assert protocol.unpack("incident", protocol.pack(inc)) == inc
    with pytest.raises(protocol.MalformedMessage):
        protocol.unpack("incident", b"\xc1garbage")
    with pytest.raises(protocol.UnknownMessageType):
        protocol.unpack("nope", b"")
