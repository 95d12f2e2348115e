"""What one peer may cost the hub, per socket, and the socket options that hold it to that.

ZeroMQ queues without limit unless told otherwise: a console that stops reading, asks for
hundreds of snapshots or subscribes with a megabyte "topic" would otherwise grow the hub
until it dies. Every number below is a bound on memory or work per peer, with its reason.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

import zmq

from app import domain, protocol

log = logging.getLogger(__name__)

# PUB: a subscriber that stops reading costs at most this many queued updates before libzmq
# drops its updates; the console then sees a seq gap and resyncs, which is the honest outcome
# for a reader that fell that far behind. The count, not bytes, is what libzmq bounds: with
# incidents carrying 4,000-character descriptions (~10 KB queued each, frames and libzmq's
# own overhead included) 3,000 cost ~30 MB per stalled subscriber. It must stay well above
# what one hub turn publishes at once (server.DRAIN_LIMIT reports, each one update), or a
# reading console loses updates to a burst before libzmq's IO thread has sent them. A
# console that reads but is slow loses nothing by it: its IO thread moves the backlog into
# its own receive queue (200,000); only a peer that stops reading, or a link far slower than
# the stream, drops and resyncs.
PUB_SNDHWM = 3_000
# Inbound messages on PUB are only subscriptions (topic prefixes, at most MAX_TOPIC_BYTES,
# with room left for handshake commands); a peer sending a larger one is disconnected by
# libzmq before it is buffered (libzmq keeps subscriptions at ~48x their size).
PUB_MAX_SUBSCRIPTION = 4096
# Ingest and commands: the largest legitimate message is an incident near
# domain.MAX_INCIDENT_BYTES; protocol.decode refuses frames over 1 MiB anyway, so anything
# past 2 MiB is cut off by libzmq at the socket instead of being read into memory.
INGEST_MAX_MSG = 2 << 20
COMMAND_MAX_MSG = 2 << 20
INGEST_RCVHWM = 2_000  # backpressure on pushers beyond this, not hub memory (20,000 cost ~100 MB in a burst)
COMMAND_RCVHWM = 2_000
# Snapshot ROUTER: requests are a few hundred bytes; each peer's send pipe holds at most
# SNAPSHOT_SNDHWM chunks (each under domain.SNAPSHOT_CHUNK_BYTES, so ~2 MiB per peer).
SNAPSHOT_MAX_REQUEST = 64 << 10
SNAPSHOT_RCVHWM = 1_000
SNAPSHOT_SNDHWM = 4
SNAPSHOT_SNDTIMEO_MS = 5  # the longest one send waits for a peer that is reading
# Snapshot requests per peer identity: a burst for reconnect storms, then one a second.
SNAPSHOT_BURST = 3
SNAPSHOT_RATE_PER_S = 1.0
# Snapshots being sent at once, plus peers that stopped reading one (their pipes may
# still be full): the hub holds at most this many peers' snapshot pipes.
SNAPSHOT_MAX_PEERS = 16
SNAPSHOT_STALL_S = 10.0  # no chunk taken for this long: the peer is hoarding
SNAPSHOT_PROBE_S = 1.0  # how often a stalled peer's pipe is checked again
PEERS_REMEMBERED = 10_000  # per-peer counters kept (oldest forgotten past this)
# A command reply larger than this goes without its incident copy (the update stream
# carries the incident), so the console can always decode the answer and stops resending.
MAX_REPLY_BYTES = 512 << 10


def configure_sockets(pub: zmq.Socket, snap: zmq.Socket, pull: zmq.Socket, cmd: zmq.Socket) -> None:
    """Set every per-peer limit of the hub's four sockets (before they bind)."""
    for sock in (pub, snap, pull, cmd):
        sock.setsockopt(zmq.LINGER, 500)
    pub.setsockopt(zmq.SNDHWM, PUB_SNDHWM)
    pub.setsockopt(zmq.MAXMSGSIZE, PUB_MAX_SUBSCRIPTION)
    # ROUTER_MANDATORY turns "pipe full" into EAGAIN and "peer gone" into EHOSTUNREACH
    # instead of a silent drop, so a snapshot is never cut short without the hub knowing.
    snap.setsockopt(zmq.ROUTER_MANDATORY, 1)
    snap.setsockopt(zmq.SNDHWM, SNAPSHOT_SNDHWM)
    snap.setsockopt(zmq.SNDTIMEO, SNAPSHOT_SNDTIMEO_MS)
    snap.setsockopt(zmq.RCVHWM, SNAPSHOT_RCVHWM)
    snap.setsockopt(zmq.MAXMSGSIZE, SNAPSHOT_MAX_REQUEST)
    pull.setsockopt(zmq.RCVHWM, INGEST_RCVHWM)
    pull.setsockopt(zmq.MAXMSGSIZE, INGEST_MAX_MSG)
    cmd.setsockopt(zmq.RCVHWM, COMMAND_RCVHWM)
    cmd.setsockopt(zmq.MAXMSGSIZE, COMMAND_MAX_MSG)


def reply_frames(reply: domain.CommandReply, *, source: str, epoch: str) -> tuple[list[bytes], int]:
    """The reply's frames, and 0, or (when it was too large) a reply without its incident
    copy and the size it would have had. An incident stored before incidents were bounded
    can be too large to quote; the answer itself must still arrive."""
    frames = protocol.encode(reply, source=source, epoch=epoch, status="System")
    if len(frames[2]) <= MAX_REPLY_BYTES:
        return frames, 0
    slim = domain.CommandReply(
        cmd_id=reply.cmd_id, code=reply.code, message=reply.message, reason=reply.reason, params=reply.params
    )
    return protocol.encode(slim, source=source, epoch=epoch, status="System"), len(frames[2])


def peer_name(identity: bytes | None, socket_name: str) -> str:
    """How logs and counters name a peer: its routing identity, else the socket (PULL has none)."""
    return identity.hex() if identity else socket_name


class PeerCounters:
    """Refusals counted per (socket, peer, kind); `first()` is true once per peer and kind,
    so a misbehaving peer is logged once however much it sends."""

    def __init__(self, remembered: int = PEERS_REMEMBERED):
        self.remembered = remembered
        self.counts: dict[tuple[str, str], Counter[str]] = {}

    def count(self, socket_name: str, peer: str, kind: str) -> bool:
        """Count one refusal; True when it is this peer's first of this kind."""
        key = (socket_name, peer)
        counter = self.counts.get(key)
        if counter is None:
            if len(self.counts) >= self.remembered:
                # Forget the oldest half: bounded memory against peers that change identity.
                for old in list(self.counts)[: self.remembered // 2]:
                    del self.counts[old]
            counter = self.counts[key] = Counter()
        counter[kind] += 1
        return counter[kind] == 1

    def of(self, socket_name: str, peer: str) -> dict[str, int]:
        return dict(self.counts.get((socket_name, peer), {}))


class TokenBucket:
    """Requests per peer: `burst` at once, then `rate` a second."""

    def __init__(self, burst: int = SNAPSHOT_BURST, rate: float = SNAPSHOT_RATE_PER_S):
        self.burst, self.rate = burst, rate
        self._tokens: dict[bytes, tuple[float, float]] = {}

    def wait_for(self, peer: bytes, now: float | None = None) -> float:
        """Seconds until `peer` may ask again."""
        now = time.monotonic() if now is None else now
        tokens, last = self._tokens.get(peer, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        return max(0.0, (1.0 - tokens) / self.rate)

    def take(self, peer: bytes, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._tokens.get(peer, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._tokens[peer] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._tokens) > PEERS_REMEMBERED:
            # A full bucket carries no information: drop those first.
            full = [p for p, (t, at) in self._tokens.items() if t + (now - at) * self.rate >= self.burst]
            for p in full or list(self._tokens)[: PEERS_REMEMBERED // 2]:
                self._tokens.pop(p, None)
        return allowed
