"""Serving snapshots: chunked by bytes, ending with counts and digests, at a pace each peer sets.

A snapshot is captured at once (the packed bodies of the state at one seq; bytes are
immutable, so holding references costs no copy) and then streamed chunk by chunk as the
peer's pipe takes them. A peer gets one snapshot at a time, a few requests a second, and
the hub serves a bounded number of peers at once; one that stops reading is dropped after
SNAPSHOT_STALL_S and keeps its slot until its pipe is seen to drain or it disconnects, so
hoarding peers cost a bounded amount of memory however many requests they send.
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import zmq

from app import domain, protocol
from app.hub import limits
from app.workflow.states import fit_size

log = logging.getLogger(__name__)

# A body this large cannot travel in one frame whatever the chunking (frame header and
# msgpack framing take the rest of MAX_FRAME_BYTES).
MAX_SENDABLE_BODY = protocol.MAX_FRAME_BYTES - 4096


@dataclass
class Capture:
    """The state at one seq, as packed bodies per kind, with what the SnapshotEnd promises."""

    seq: int
    bodies: dict[str, list[bytes]]
    counts: dict[str, int]
    digests: dict[str, str]


def capture(store, seq: int) -> Capture:
    """Capture the hub store's state (hub thread)."""
    bodies = {
        "cameras": list(store.packed_cameras.values()),
        "sensors": list(store.packed_sensors.values()),
        "layouts": [protocol.pack(x) for x in store.layouts.values()],
        "walls": [protocol.pack(x) for x in store.walls.values()],
        "incidents": [
            body if len(body) <= MAX_SENDABLE_BODY else _fitted(protocol.unpack("incident", body), body)
            for body in store.packed_incidents.values()
        ],
    }
    keys = {
        "cameras": store.packed_cameras.keys(),
        "sensors": store.packed_sensors.keys(),
        "layouts": store.layouts.keys(),
        "walls": store.walls.keys(),
        "incidents": (f"{i}:{rev}" for i, rev in store.durable_revisions.items()),
    }
    return Capture(
        seq=seq,
        bodies=bodies,
        counts={k: len(v) for k, v in bodies.items()},
        digests={k: protocol.snapshot_digest(keys[k]) for k in domain.SNAPSHOT_KINDS},
    )


def chunks(
    cap: Capture, budget: int = domain.SNAPSHOT_CHUNK_BYTES, on_unsendable: Callable[[str, int], None] | None = None
) -> Iterator[dict[str, list[bytes]]]:
    """Cut a capture into chunks of at most `budget` packed bytes, every kind included.

    A body larger than the budget travels alone; one too large for any frame is left out
    and reported to `on_unsendable` (the SnapshotEnd still counts it, so the console says
    the snapshot is incomplete rather than showing less as live)."""
    current: dict[str, list[bytes]] = {}
    size = 0
    for kind in domain.SNAPSHOT_KINDS:
        for body in cap.bodies[kind]:
            n = len(body)
            if n > MAX_SENDABLE_BODY:
                if on_unsendable is not None:
                    on_unsendable(kind, n)
                continue
            if current and size + n > budget:
                yield current
                current, size = {}, 0
            current.setdefault(kind, []).append(body)
            size += n + 8
    if current:
        yield current


def _fitted(incident: domain.Incident, body: bytes) -> bytes:
    # Stored before incidents were bounded: send it with its oldest timeline entries left
    # out (counted in history_trimmed) rather than not at all; the revision stays the same.
    smaller = fit_size(incident)
    if smaller is None:
        return body
    log.warning(
        "snapshot: incident %s is %d bytes packed; sent with %d timeline entries trimmed",
        incident.id,
        len(body),
        smaller.history_trimmed - incident.history_trimmed,
    )
    return protocol.pack(smaller)


@dataclass
class _Cursor:
    identity: bytes
    frames: Iterator[list[bytes] | None]
    pending: list[bytes] | None = None
    last_progress: float = field(default_factory=time.monotonic)
    sent_bytes: int = 0


class SnapshotServer:
    """Per-peer snapshot streaming for the hub's snapshot ROUTER (hub thread only)."""

    def __init__(self, source: str, reject: Callable[[str, str, str, bytes], None], stats):
        self.source = source
        self._reject = reject  # (socket_name, kind, detail, peer identity)
        self.stats = stats
        self.buckets = limits.TokenBucket()
        self.cursors: dict[bytes, _Cursor] = {}
        self.stalled: dict[bytes, float] = {}  # identity -> last probe time

    # --- requests -------------------------------------------------------------------------
    def request(self, sock: zmq.Socket, identity: bytes, request_id: str, store, epoch: str, seq: int) -> bool:
        """Start a snapshot for `identity` if its limits allow; if not, count the refusal and
        tell the peer when to ask again. True when a snapshot was started."""
        topic = f"snap/{request_id}"
        if identity in self.cursors:
            return self._refuse(
                sock, identity, topic, "busy_peer", 2.0, "a snapshot is already being sent to this peer"
            )
        if not self.buckets.take(identity):
            return self._refuse(
                sock,
                identity,
                topic,
                "rate_limited",
                self.buckets.wait_for(identity),
                f"more than {limits.SNAPSHOT_BURST} requests at once or {limits.SNAPSHOT_RATE_PER_S:g}/s",
            )
        if len(self.cursors) + len(self.stalled) >= limits.SNAPSHOT_MAX_PEERS:
            return self._refuse(
                sock, identity, topic, "busy_hub", 2.0, f"already serving {limits.SNAPSHOT_MAX_PEERS} peers"
            )
        self.stalled.pop(identity, None)
        cap = capture(store, seq)
        self.cursors[identity] = _Cursor(identity, self._frames(cap, topic, epoch))
        self.stats["snapshot.served"] += 1
        return True

    def _refuse(
        self, sock: zmq.Socket, identity: bytes, topic: str, reason: str, retry_after: float, detail: str
    ) -> bool:
        self._reject("snapshot", reason, detail, identity)
        refusal = domain.SnapshotRefused(reason=reason, retry_after=round(max(0.5, retry_after), 2))
        try:
            # NOBLOCK: a hoarding peer's full pipe costs the hub nothing more.
            sock.send_multipart(
                [identity, *protocol.encode(refusal, source=self.source, status="System", topic=topic)], zmq.NOBLOCK
            )
        except zmq.ZMQError:
            pass  # full or gone: it times out and asks again
        return False

    def _frames(self, cap: Capture, topic: str, epoch: str) -> Iterator[list[bytes] | None]:
        n = 0
        for chunk in chunks(cap, on_unsendable=self._unsendable):
            n += 1
            yield protocol.encode_snapshot_chunk(**chunk, source=self.source, epoch=epoch, seq=cap.seq, topic=topic)
        end = domain.SnapshotEnd(
            seq=cap.seq, incident_count=cap.counts["incidents"], counts=cap.counts, digests=cap.digests, chunks=n
        )
        yield protocol.encode(end, source=self.source, epoch=epoch, seq=cap.seq, status="System", topic=topic)
        yield None  # sent in full: the peer may ask for another

    def _unsendable(self, kind: str, size: int) -> None:
        self.stats["snapshot.unsendable"] += 1
        log.error(
            "snapshot: a stored %s body of %d bytes cannot fit a frame; the snapshot "
            "will not add up until it is smaller",
            kind.rstrip("s"),
            size,
        )

    # --- sending ----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self.cursors or self.stalled)

    @property
    def eager(self) -> bool:
        """True while some peer is taking chunks as fast as they come (worth polling for room)."""
        now = time.monotonic()
        return any(now - c.last_progress < 0.2 for c in self.cursors.values())

    def pump(self, sock: zmq.Socket, budget_s: float = 0.02) -> None:
        """Send what the peers' pipes take, for at most about `budget_s` (hub thread)."""
        deadline = time.monotonic() + budget_s
        progressed = True
        while self.cursors and progressed and time.monotonic() < deadline:
            progressed = False
            for cursor in list(self.cursors.values()):
                if self._send_next(sock, cursor):
                    progressed = True
        now = time.monotonic()
        for cursor in list(self.cursors.values()):
            if now - cursor.last_progress > limits.SNAPSHOT_STALL_S:
                del self.cursors[cursor.identity]
                self.stalled[cursor.identity] = now
                self._reject(
                    "snapshot",
                    "stalled",
                    f"took no chunk for {limits.SNAPSHOT_STALL_S:.0f} s after "
                    f"{cursor.sent_bytes} bytes; snapshot abandoned",
                    cursor.identity,
                )
        self._probe_stalled(sock, now)

    def _send_next(self, sock: zmq.Socket, cursor: _Cursor) -> bool:
        if cursor.pending is None:
            cursor.pending = next(cursor.frames, None)
            if cursor.pending is None:
                del self.cursors[cursor.identity]
                return False
        # Wait a few ms only for a peer that has been reading; a slow one costs no wait.
        patient = time.monotonic() - cursor.last_progress < 0.2
        try:
            sock.send_multipart([cursor.identity, *cursor.pending], 0 if patient else zmq.NOBLOCK)
        except zmq.Again:
            return False
        except zmq.ZMQError as exc:
            if exc.errno == errno.EHOSTUNREACH:
                del self.cursors[cursor.identity]  # the peer left (a console retries on a fresh socket)
                self.stats["snapshot.peer_gone"] += 1
                return False
            raise
        cursor.sent_bytes += sum(len(f) for f in cursor.pending)
        cursor.pending = next(cursor.frames, None)
        cursor.last_progress = time.monotonic()
        if cursor.pending is None:
            del self.cursors[cursor.identity]
        return True

    def _probe_stalled(self, sock: zmq.Socket, now: float) -> None:
        # A stalled peer's pipe may still hold chunks; it gives its slot back once a small
        # probe goes through (it read them) or it is gone. The probe is a message on a topic
        # no request has, which a console decodes and ignores.
        for identity, probed in list(self.stalled.items()):
            if now - probed < limits.SNAPSHOT_PROBE_S:
                continue
            self.stalled[identity] = now
            probe = protocol.encode(
                domain.Heartbeat(last_seq=0), source=self.source, status="System", topic="snap/probe"
            )
            try:
                sock.send_multipart([identity, *probe], zmq.NOBLOCK)
            except zmq.Again:
                continue
            except zmq.ZMQError as exc:
                if exc.errno != errno.EHOSTUNREACH:
                    raise
            del self.stalled[identity]
