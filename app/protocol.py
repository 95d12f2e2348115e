"""The wire format: the only module that turns domain objects into bytes and back.

A message is three frames: a topic (UTF-8, used for PUB/SUB prefix filtering), a header and
a body, both MessagePack via msgspec. The header carries the schema version; a message with
an unknown *major* version is never decoded further (it is quarantined by the caller), an
unknown *minor* version is accepted because minor versions only add optional fields.

Errors form one tree so callers can count and log them by kind:

    ProtocolError
    ├── MalformedMessage        wrong frame count, undecodable bytes, wrong field types
    ├── OversizedFrame          a frame larger than MAX_FRAME_BYTES
    ├── UnsupportedVersion      unknown schema major version (quarantine and report)
    └── UnknownMessageType      a type this build does not know
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from app import domain
from app.records import HandoverRecord, WallLayout

SCHEMA_MAJOR = 1
SCHEMA_MINOR = 1  # 1.1: SnapshotEnd counts/digests, snapshot_refused, CommandReply reason/params
MAX_FRAME_BYTES = 1 << 20  # 1 MiB: no legitimate frame comes near it
MAX_TOPIC_BYTES = 256


class ProtocolError(Exception):
    """Base of every error raised while decoding a message."""

    kind = "protocol"


class MalformedMessage(ProtocolError):
    kind = "malformed"


class OversizedFrame(ProtocolError):
    kind = "oversized"


class UnsupportedVersion(ProtocolError):
    kind = "unsupported_version"

    def __init__(self, message: str, major: int, raw: list[bytes]):
        super().__init__(message)
        self.major = major
        self.raw = raw


class UnknownMessageType(ProtocolError):
    kind = "unknown_type"


class Header(msgspec.Struct, frozen=True, gc=False):
    v: tuple[int, int]  # (major, minor) schema version
    type: str
    source: str
    id: str  # unique message id, also the idempotency key
    epoch: str = ""  # hub run id; empty on messages not from the hub
    seq: int = 0  # strictly increasing within an epoch
    ts: float = 0.0  # sender's clock, epoch seconds
    status: domain.MsgStatus = "Actual"


class _VersionOnly(msgspec.Struct):
    # Decoding just the version lets us refuse an unknown major version before trusting
    # anything else in the header.
    v: tuple[int, int]


class Message(msgspec.Struct, frozen=True, gc=False):
    topic: str
    header: Header
    body: Any
    raw_body: bytes = b""  # the body's bytes as received (== pack(body)); stored without re-encoding


# Message type -> body class. Adding a type means adding one row here.
BODY_TYPES: dict[str, type] = {
    "incident": domain.Incident,
    "camera": domain.Camera,
    "sensor": domain.SensorReading,
    "heartbeat": domain.Heartbeat,
    "command": domain.Command,
    "reply": domain.CommandReply,
    "snapshot_req": domain.SnapshotRequest,
    "snapshot_chunk": domain.SnapshotChunk,
    "snapshot_end": domain.SnapshotEnd,
    "snapshot_refused": domain.SnapshotRefused,
    "handover": HandoverRecord,  # published on topic f"hand/{record.id}"
    "layout": WallLayout,  # a shared wall layout, on topic f"lay/{name}"
    "wall": domain.WallState,  # what a wall display shows, on topic f"wall/{wall}"
}
_TYPE_OF_BODY = {cls: name for name, cls in BODY_TYPES.items()}

_encoder = msgspec.msgpack.Encoder()
_header_decoder = msgspec.msgpack.Decoder(Header)
_version_decoder = msgspec.msgpack.Decoder(_VersionOnly)
_body_decoders: dict[str, msgspec.msgpack.Decoder[Any]] = {
    name: msgspec.msgpack.Decoder(cls) for name, cls in BODY_TYPES.items()
}


def new_id() -> str:
    return uuid.uuid4().hex


def topic_for(body: Any) -> str:
    """The PUB/SUB topic of a body: a prefix per kind, then the object's id."""
    if isinstance(body, domain.Incident):
        return f"inc/{body.id}"
    if isinstance(body, domain.Camera):
        return f"cam/{body.id}"
    if isinstance(body, domain.SensorReading):
        return f"sen/{body.station}/{body.kind}"
    if isinstance(body, domain.Heartbeat):
        return "_hb"
    if isinstance(body, (domain.Command, domain.CommandReply)):
        return "cmd"
    if isinstance(body, WallLayout):
        return f"lay/{body.name}"
    if isinstance(body, domain.WallState):
        return f"wall/{body.wall}"
    if isinstance(body, HandoverRecord):
        return f"hand/{body.id}"
    return "snap"


def encode(
    body: Any,
    *,
    source: str,
    epoch: str = "",
    seq: int = 0,
    status: domain.MsgStatus | None = None,
    msg_id: str | None = None,
    ts: float | None = None,
    topic: str | None = None,
) -> list[bytes]:
    """Encode a body into the three frames [topic, header, body]."""
    try:
        mtype = _TYPE_OF_BODY[type(body)]
    except KeyError:
        raise UnknownMessageType(f"cannot encode {type(body).__name__}") from None
    if status is None:
        status = getattr(body, "msg_status", "Actual")
    assert status is not None
    header = Header(
        v=(SCHEMA_MAJOR, SCHEMA_MINOR),
        type=mtype,
        source=source,
        id=msg_id or new_id(),
        epoch=epoch,
        seq=seq,
        ts=time.time() if ts is None else ts,
        status=status,
    )
    return [
        (topic or topic_for(body)).encode(),
        _encoder.encode(header),
        _encoder.encode(body),
    ]


def encode_with_header(header: Header, body: Any, topic: str) -> list[bytes]:
    """Encode with a header the caller built (the hub restamps epoch/seq this way)."""
    return [topic.encode(), _encoder.encode(header), _encoder.encode(body)]


def decode(frames: list[bytes]) -> Message:
    """Decode [topic, header, body] frames. Raises a ProtocolError subclass on bad input."""
    if len(frames) != 3:
        raise MalformedMessage(f"expected 3 frames, got {len(frames)}")
    topic_b, header_b, body_b = frames
    for frame in frames:
        if len(frame) > MAX_FRAME_BYTES:
            raise OversizedFrame(f"frame of {len(frame)} bytes exceeds {MAX_FRAME_BYTES}")
    if len(topic_b) > MAX_TOPIC_BYTES:
        raise OversizedFrame(f"topic of {len(topic_b)} bytes exceeds {MAX_TOPIC_BYTES}")
    try:
        topic = bytes(topic_b).decode()
    except UnicodeDecodeError as exc:
        raise MalformedMessage(f"topic is not UTF-8: {exc}") from None
    try:
        header = _header_decoder.decode(header_b)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        _raise_if_unsupported(header_b, frames)
        raise MalformedMessage(f"bad header: {exc}") from None
    if header.v[0] != SCHEMA_MAJOR:
        raise UnsupportedVersion(
            f"schema major version {header.v[0]} (this build speaks {SCHEMA_MAJOR})", header.v[0], list(frames)
        )
    decoder = _body_decoders.get(header.type)
    if decoder is None:
        raise UnknownMessageType(f"unknown message type {header.type!r}")
    try:
        body = decoder.decode(body_b)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MalformedMessage(f"bad {header.type} body: {exc}") from None
    return Message(topic=topic, header=header, body=body, raw_body=body_b)


def _raise_if_unsupported(header_b: bytes, frames: list[bytes]) -> None:
    # A future major version may change the header itself; recognise it by its version
    # field alone so it is quarantined as "unsupported", not counted as garbage.
    try:
        version = _version_decoder.decode(header_b)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return
    if version.v[0] != SCHEMA_MAJOR:
        raise UnsupportedVersion(
            f"schema major version {version.v[0]} (this build speaks {SCHEMA_MAJOR})", version.v[0], list(frames)
        )


class _RawSnapshotChunk(msgspec.Struct, frozen=True):
    # Same field names and order as domain.SnapshotChunk, holding already-packed bodies so
    # the hub streams a large snapshot without re-encoding every object.
    incidents: list[msgspec.Raw] = []
    cameras: list[msgspec.Raw] = []
    sensors: list[msgspec.Raw] = []
    layouts: list[msgspec.Raw] = []
    walls: list[msgspec.Raw] = []


def encode_snapshot_chunk(
    *,
    incidents: Sequence[bytes] = (),
    cameras: Sequence[bytes] = (),
    sensors: Sequence[bytes] = (),
    layouts: Sequence[bytes] = (),
    walls: Sequence[bytes] = (),
    source: str,
    epoch: str,
    seq: int,
    topic: str,
) -> list[bytes]:
    """Frames of one snapshot chunk built from bodies packed with pack()."""
    body = _RawSnapshotChunk(
        incidents=[msgspec.Raw(b) for b in incidents],
        cameras=[msgspec.Raw(b) for b in cameras],
        sensors=[msgspec.Raw(b) for b in sensors],
        layouts=[msgspec.Raw(b) for b in layouts],
        walls=[msgspec.Raw(b) for b in walls],
    )
    header = Header(
        v=(SCHEMA_MAJOR, SCHEMA_MINOR),
        type="snapshot_chunk",
        source=source,
        id=new_id(),
        epoch=epoch,
        seq=seq,
        ts=time.time(),
        status="System",
    )
    return [topic.encode(), _encoder.encode(header), _encoder.encode(body)]


def snapshot_key(kind: str, obj: Any) -> str:
    """The key a snapshot's digest covers for one object of `kind` (domain.SNAPSHOT_KINDS).

    An incident's key includes its revision, so a chunk holding an older copy is caught too."""
    if kind == "incidents":
        return f"{obj.id}:{obj.revision}"
    if kind == "cameras":
        return obj.id
    if kind == "sensors":
        return f"{obj.station}/{obj.kind}"
    if kind == "layouts":
        return obj.name
    if kind == "walls":
        return obj.wall
    raise ValueError(f"unknown snapshot kind {kind!r}")


def snapshot_digest(keys: Iterable[str]) -> str:
    """Order-free digest of a kind's keys: what the hub sent and what the console got agree
    exactly when they hold the same set (one sort and one hash: ~5 ms for 25,000 keys)."""
    return hashlib.blake2b("\n".join(sorted(keys)).encode(), digest_size=16).hexdigest()


# --- Storage codec: the same bytes the wire uses, for the local cache and the hub DB ---


def pack(obj: Any) -> bytes:
    return _encoder.encode(obj)


def unpack(kind: str, data: bytes) -> Any:
    """Decode a stored body of message type `kind` (see BODY_TYPES)."""
    try:
        return _body_decoders[kind].decode(data)
    except KeyError:
        raise UnknownMessageType(f"unknown stored type {kind!r}") from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MalformedMessage(f"bad stored {kind}: {exc}") from None
