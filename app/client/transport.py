"""The console's side of the hub connection: one IO thread owns every ZeroMQ socket.

It subscribes to updates first, then asks for a snapshot, applies it, then only updates
newer than the snapshot (the Clone pattern). A seq gap, a new epoch, or a heartbeat announcing
a seq we never saw triggers a fresh snapshot. No traffic for `offline_after` seconds means
offline, said at once with the reason; it keeps retrying. Commands are resent until answered.

Results leave the IO thread only through `sink(batch)`, called at most every
`flush_interval` seconds with everything that changed since the last call.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable

import zmq

from app import domain, protocol
from app.client import completeness
from app.client.state import ClientBatch, ConnectionState, ConnectionStatus, TransportStats
from app.ports import HubPorts

log = logging.getLogger(__name__)


def _restarted(epoch: str) -> tuple[str, str, tuple]:
    return (f"hub restarted (epoch {epoch})", "restarted", (("epoch", epoch),))


MAX_BUFFERED_UPDATES = 500_000
# After a snapshot that does not add up, wait this long before asking again, doubling per
# failure up to the cap (the hub also limits requests per peer to about one a second).
SNAPSHOT_RETRY_S = 1.0
SNAPSHOT_RETRY_MAX_S = 30.0


class ClientTransport:
    def __init__(
        self,
        ports: HubPorts,
        sink: Callable[[ClientBatch], None],
        *,
        client_name: str = "console",
        offline_after: float = 2.5,
        snapshot_timeout: float = 4.0,
        command_retry: float = 3.0,
        flush_interval: float = 0.05,
        resume: tuple[str, int] | None = None,
    ):
        self.ports = ports
        self.sink = sink
        self.client_name = client_name
        self.offline_after = offline_after
        self.snapshot_timeout = snapshot_timeout
        self.command_retry = command_retry
        self.flush_interval = flush_interval
        self._cached_resume = resume
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        # IO-thread state
        self.epoch = ""
        self.seq = 0
        self._syncing = False
        self._snap_request = ""
        self._snap_started = 0.0
        self._snap_last_chunk = 0.0
        self._snap = completeness.Assembly()
        self._snap_failures = 0  # snapshots in a row that did not add up
        self._snap_retry_at = 0.0  # when to ask again after one that did not (0: not waiting)
        self._buffer: list[protocol.Message] = []
        self._last_traffic = 0.0
        self._status = ConnectionStatus("connecting", "connecting to the hub", time.time())
        self._pending_cmds: dict[str, tuple[domain.Command, float]] = {}
        self._batch = ClientBatch()
        self._last_flush = 0.0
        self._errors: Counter[str] = Counter()
        self._recent: deque[float] = deque()
        self._lag_ms = 0.0
        # Hub clock minus ours. Lag compares the hub's send time with our receive time, so a
        # console whose clock is off would otherwise show its error as lag (or hide real lag).
        self._clock_offset = 0.0
        self._offset_taken = False
        self._received = 0
        self._applied = 0
        self._resyncs = 0

    # --- API for other threads ---------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hub-io", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def send_command(self, command: domain.Command) -> None:
        """Queue a command (any thread). It is sent, and resent, until the hub answers."""
        self._inbox.put(("cmd", command))
        self._wake()

    def request_resync(self, reason: str = "requested") -> None:
        self._inbox.put(("resync", reason))
        self._wake()

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    # --- IO thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        ctx = zmq.Context()
        try:
            self._loop(ctx)
        except Exception:
            log.exception("hub IO thread crashed")
            self._set_status("offline", "internal error in the hub connection; see the log", code="internal")
            self._flush(force=True)
        finally:
            ctx.destroy(linger=0)

    def _make_socket(self, ctx: zmq.Context, kind: int, address: str) -> zmq.Socket:
        sock = ctx.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RECONNECT_IVL, 200)
        sock.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        sock.setsockopt(zmq.MAXMSGSIZE, 8 << 20)
        if kind == zmq.SUB:
            sock.setsockopt(zmq.RCVHWM, 200_000)
            sock.setsockopt(zmq.SUBSCRIBE, b"")
        if kind == zmq.DEALER:
            sock.setsockopt(zmq.RCVHWM, 0)
        sock.connect(address)
        return sock

    def _loop(self, ctx: zmq.Context) -> None:
        sub = self._make_socket(ctx, zmq.SUB, self.ports.pub)
        snap = self._make_socket(ctx, zmq.DEALER, self.ports.snapshot)
        cmd = self._make_socket(ctx, zmq.DEALER, self.ports.command)
        self._sockets = {"sub": sub, "snap": snap, "cmd": cmd}
        poller = zmq.Poller()
        poller.register(sub, zmq.POLLIN)
        poller.register(snap, zmq.POLLIN)
        poller.register(cmd, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        self._last_traffic = time.time()
        self._start_resync(ctx, poller, ("connecting to the hub", "connecting", ()), state="connecting")
        while not self._stop.is_set():
            ready = dict(poller.poll(50))
            if self._wake_r in ready:
                try:
                    while os.read(self._wake_r, 4096):
                        pass
                except (BlockingIOError, OSError):
                    pass
            self._drain_inbox(ctx, poller)
            if self._sockets["sub"] in ready:
                self._drain_sub()
            if self._sockets["snap"] in ready:
                self._drain_snapshot(ctx, poller)
            if self._sockets["cmd"] in ready:
                self._drain_replies()
            self._check_timers(ctx, poller)
            self._flush()
        self._flush(force=True)

    def _drain_inbox(self, ctx, poller) -> None:
        while True:
            try:
                kind, item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if kind == "cmd":
                self._pending_cmds[item.cmd_id] = (item, 0.0)
            elif kind == "resync":
                self._start_resync(ctx, poller, (item, "", ()))

    def _drop(self, kind: str, detail: str) -> None:
        self._errors[kind] += 1
        n = self._errors[kind]
        if n <= 10 or n % 1000 == 0:
            log.warning("dropped %s message from the hub: %s (total %d)", kind, detail, n)

    def _decode(self, frames) -> protocol.Message | None:
        try:
            return protocol.decode(frames)
        except protocol.ProtocolError as exc:
            self._drop(exc.kind, str(exc))
            return None

    # updates ---------------------------------------------------------------------------------
    def _drain_sub(self) -> None:
        sub = self._sockets["sub"]
        while True:  # drain fully: the socket's readiness is edge-triggered
            try:
                frames = sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self._received += 1
            now = time.time()
            self._last_traffic = now
            msg = self._decode(frames)
            if msg is None:
                continue
            if self._status.state == "offline":
                # Traffic is back; the checks in _on_update decide whether we are in step.
                self._set_status("reconnecting", "hub reachable again; checking state", code="reachable")
            self._on_update(msg, now)

    def _on_update(self, msg: protocol.Message, now: float) -> None:
        h = msg.header
        if isinstance(msg.body, domain.Heartbeat):
            if self._syncing:
                return
            if h.epoch != self.epoch:
                self._want_resync = _restarted(h.epoch)
            elif msg.body.last_seq > self.seq:
                self._want_resync = (f"missed updates {self.seq + 1}..{msg.body.last_seq}", "gap", ())
            elif self._status.state != "live":
                self._set_live(h.epoch)
            return
        if self._syncing:
            if len(self._buffer) < MAX_BUFFERED_UPDATES:
                self._buffer.append(msg)
            return
        if h.epoch != self.epoch:
            self._want_resync = _restarted(h.epoch)
            return
        if h.seq <= self.seq:
            self._errors["duplicate"] += 1
            return
        if h.seq != self.seq + 1:
            self._want_resync = (f"gap in updates: expected {self.seq + 1}, got {h.seq}", "gap", ())
            return
        self._apply(msg, now)
        if self._status.state != "live":
            self._set_live(h.epoch)

    def _apply(self, msg: protocol.Message, now: float) -> None:
        if not self._batch.put(msg.body, msg.raw_body):
            self._drop("unexpected_type", f"{msg.header.type} on the update stream")
        self.seq = msg.header.seq
        self._batch.resume = (self.epoch, self.seq)
        self._applied += 1
        self._recent.append(now)
        self._lag_ms = max(0.0, (now + self._clock_offset - msg.header.ts) * 1000.0)

    # snapshot --------------------------------------------------------------------------------
    # Why a resync is due: the log's English, and the code and values the console words it by.
    _want_resync: tuple[str, str, tuple] | None = None

    def _start_resync(
        self,
        ctx,
        poller,
        why: tuple[str, str, tuple],
        state: ConnectionState = "reconnecting",
        keep_status: bool = False,
    ) -> None:
        reason, code, params = why
        self._resyncs += 1
        self._syncing = True
        self._buffer = []
        self._snap = completeness.Assembly()
        self._snap_retry_at = 0.0
        # A fresh DEALER per attempt: a reply to an abandoned request can never be mistaken
        # for the current one, and nothing stale sits in the old socket's queue.
        old = self._sockets["snap"]
        poller.unregister(old)
        old.close(0)
        snap = self._make_socket(ctx, zmq.DEALER, self.ports.snapshot)
        self._sockets["snap"] = snap
        poller.register(snap, zmq.POLLIN)
        request = protocol.encode(
            domain.SnapshotRequest(client=self.client_name), source=self.client_name, status="System"
        )
        self._snap_request = protocol.decode(request).header.id
        try:
            snap.send_multipart(request, zmq.NOBLOCK)
        except zmq.Again:
            pass  # not connected yet; the snapshot timer retries
        self._snap_started = self._snap_last_chunk = time.time()
        self._offset_taken = False
        if self._status.state != "offline" and not keep_status:
            self._set_status(state, reason, code=code, params=params)
        log.info("resync: %s", reason)

    def _drain_snapshot(self, ctx, poller) -> None:
        snap = self._sockets["snap"]
        while True:
            try:
                frames = snap.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            msg = self._decode(frames)
            if msg is None:
                if self._syncing and frames and frames[0] == f"snap/{self._snap_request}".encode():
                    self._snap.unreadable += 1  # part of our snapshot is lost: it cannot add up
                continue
            if msg.topic != f"snap/{self._snap_request}" or not self._syncing:
                continue
            now = time.time()
            self._snap_last_chunk = self._last_traffic = now
            if not self._offset_taken:
                self._take_clock_offset(msg.header.ts, now)
            body = msg.body
            if isinstance(body, domain.SnapshotChunk):
                self._snap.add(body)
            elif isinstance(body, domain.SnapshotEnd):
                shortfall = self._snap.shortfall(body)
                if shortfall is None:
                    self._finish_snapshot(ctx, poller, msg.header.epoch, body.seq, now)
                else:
                    self._discard_snapshot(shortfall, now)
            elif isinstance(body, domain.SnapshotRefused):
                self._snap_request = ""
                delay = min(SNAPSHOT_RETRY_MAX_S, max(SNAPSHOT_RETRY_S / 2, body.retry_after))
                self._snap_retry_at = now + delay
                self._set_status(
                    "reconnecting",
                    f"the hub is busy ({body.reason}); asking again in {delay:.0f} s",
                    code="snapshot_refused",
                    params=(("retry", delay),),
                )

    def _take_clock_offset(self, hub_ts: float, now: float) -> None:
        # The first answer to our request was stamped by the hub between our send and our
        # receive: the midpoint is off by at most half the round trip (milliseconds on a LAN).
        self._offset_taken = True
        if hub_ts <= 0 or self._snap_started <= 0:
            return
        offset = hub_ts - (self._snap_started + now) / 2
        if abs(offset - self._clock_offset) > 5.0:
            log.warning("this computer's clock is %+.1f s off the hub's; lag and times are corrected for it", -offset)
        self._clock_offset = offset

    def _discard_snapshot(self, shortfall: completeness.Shortfall, now: float) -> None:
        # Keep syncing (updates stay buffered, heartbeats cannot declare us live) and ask
        # again after a growing pause; until a snapshot adds up the status says why.
        self._snap_failures += 1
        delay = min(SNAPSHOT_RETRY_MAX_S, SNAPSHOT_RETRY_S * 2 ** (self._snap_failures - 1))
        self._snap_request, self._snap = "", completeness.Assembly()
        self._snap_retry_at = now + delay
        self._errors["snapshot_incomplete"] += 1
        log.warning("%s; retrying in %.0f s (attempt %d)", shortfall.reason, delay, self._snap_failures)
        self._set_status(
            "reconnecting",
            f"{shortfall.reason}; retrying in {delay:.0f} s",
            code=shortfall.code,
            params=shortfall.params + (("retry", delay),),
        )

    def _finish_snapshot(self, ctx, poller, epoch: str, seq: int, now: float) -> None:
        self._snap_failures = 0
        parts, buffered = self._snap.parts, self._buffer
        self._snap, self._buffer = completeness.Assembly(), []
        self._syncing = False
        self.epoch, self.seq = epoch, seq
        parts.resume = (epoch, seq)
        self._batch.merge(parts)
        for msg in buffered:
            if msg.header.epoch != epoch or msg.header.seq <= self.seq:
                continue
            if msg.header.seq != self.seq + 1:
                self._start_resync(ctx, poller, (f"gap while syncing at seq {self.seq + 1}", "gap", ()))
                return
            self._apply(msg, now)
        self._want_resync = None
        self._set_live(epoch)
        log.info("snapshot applied: epoch %s seq %d, %d incidents", epoch, seq, len(parts.incidents))

    # commands --------------------------------------------------------------------------------
    def _drain_replies(self) -> None:
        cmd = self._sockets["cmd"]
        while True:
            try:
                frames = cmd.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            msg = self._decode(frames)
            if msg is None:
                continue
            if not isinstance(msg.body, domain.CommandReply):
                self._drop("unexpected_type", f"{msg.header.type} on the command socket")
                continue
            if msg.body.retry_later:
                # The hub could not make it durable: keep it queued, resend after the retry delay.
                entry = self._pending_cmds.get(msg.body.cmd_id)
                if entry is not None:
                    self._pending_cmds[msg.body.cmd_id] = (entry[0], time.time())
                    self._batch.replies.append(msg.body)
            elif self._pending_cmds.pop(msg.body.cmd_id, None) is not None:
                self._batch.replies.append(msg.body)

    def _send_due_commands(self, ctx, poller, now: float) -> None:
        if not self._pending_cmds or self._status.state == "offline":
            return
        due = [(c, sent) for c, sent in self._pending_cmds.values() if now - sent >= self.command_retry]
        if not due:
            return
        if any(sent for _c, sent in due):
            # A resend: start from a clean socket so nothing stale is queued ahead of it.
            old = self._sockets["cmd"]
            poller.unregister(old)
            old.close(0)
            self._sockets["cmd"] = self._make_socket(ctx, zmq.DEALER, self.ports.command)
            poller.register(self._sockets["cmd"], zmq.POLLIN)
        for command, _sent in due:
            try:
                self._sockets["cmd"].send_multipart(
                    protocol.encode(command, source=self.client_name, msg_id=command.cmd_id), zmq.NOBLOCK
                )
            except zmq.Again:
                pass  # no connection yet: retried after command_retry
            self._pending_cmds[command.cmd_id] = (command, now)

    # timers ----------------------------------------------------------------------------------
    def _check_timers(self, ctx, poller) -> None:
        now = time.time()
        silent = now - self._last_traffic
        if silent > self.offline_after and self._status.state != "offline":
            since = self._last_traffic
            self._set_status(
                "offline",
                f"no heartbeat from the hub for {silent:.1f} s",
                since=since,
                code="silent",
                params=(("s", f"{silent:.1f}"),),
            )
        if self._want_resync is not None and not self._syncing:
            why, self._want_resync = self._want_resync, None
            self._start_resync(ctx, poller, why)
        if self._snap_retry_at:
            if now >= self._snap_retry_at:
                # The status keeps saying why the last one was discarded until one adds up.
                self._start_resync(ctx, poller, ("asking again for a snapshot that adds up", "", ()), keep_status=True)
        elif self._syncing and now - self._snap_last_chunk > self.snapshot_timeout:
            self._start_resync(
                ctx,
                poller,
                ("snapshot request timed out; retrying", "snapshot_timeout", ()),
                state=self._status.state if self._status.state != "live" else "reconnecting",
            )
        self._send_due_commands(ctx, poller, now)

    def _set_live(self, epoch: str) -> None:
        self._set_status("live", f"in sync with hub epoch {epoch}", code="in_sync", params=(("epoch", epoch),))

    def _set_status(
        self, state: ConnectionState, reason: str, since: float | None = None, code: str = "", params: tuple = ()
    ) -> None:
        if state == self._status.state and reason == self._status.reason:
            return
        self._status = ConnectionStatus(state, reason, since or time.time(), self.epoch, code, params)
        self._batch.connection = self._status
        log.info("connection %s: %s", state, reason)

    def _flush(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self._last_flush < self.flush_interval:
            return
        while self._recent and now - self._recent[0] > 1.0:
            self._recent.popleft()
        batch = self._batch
        stats = TransportStats(
            events_per_s=float(len(self._recent)),
            lag_ms=self._lag_ms,
            received=self._received,
            applied=self._applied,
            dropped=dict(self._errors),
            resyncs=self._resyncs,
            clock_offset_s=self._clock_offset,
        )
        self._last_flush = now
        if not batch.has_data() and not force:
            # Stats still move (events/s decays) a few times a second.
            if now - getattr(self, "_last_stats", 0.0) < 0.5:
                return
        self._last_stats = now
        batch.stats = stats
        self._batch = ClientBatch()
        self.sink(batch)
