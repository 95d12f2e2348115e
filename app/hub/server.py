"""The hub: authoritative state, sequenced updates, snapshots, commands (one thread).

Sockets, from a base port P (see HubPorts):
  P     PUB     every change as a numbered update (epoch, seq), and a heartbeat when idle
  P+1   ROUTER  snapshot: a console asks, the hub streams its state then the seq it reflects
  P+2   PULL    ingest: backend services push incidents, cameras and sensor readings
  P+3   ROUTER  commands: operators' commands, each cmd_id applied once, always answered

This is the Clone pattern of the ZeroMQ Guide with its holes closed: an epoch per hub run, a
strictly increasing seq within it, and a heartbeat carrying the last seq so a console can
tell "quiet" from "I missed something".
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass

import msgspec
import zmq

from app import domain, protocol
from app.hub import ingest, limits, walls
from app.hub.snapshot import SnapshotServer
from app.hub.store import HubStore
from app.logsummary import SummarisingLog
from app.ports import HubPorts
from app.workflow import handover, service, sop, states
from app.workflow.grouping import Grouper, GroupingConfig
from app.workflow.priority import DEFAULT_ESCALATION_S

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 1.0
# Messages taken from one socket per loop turn: fairness between sockets, and the most updates
# one turn publishes at once, which limits.PUB_SNDHWM must stay well above (a subscriber's
# queue takes a whole turn's burst before libzmq's IO thread drains it to the network).
DRAIN_LIMIT = 1000
SOURCE = "hub"
TICK_INTERVAL_S = 1.0  # escalations and shelf expiry are checked this often
MAX_ALIASES = 200_000  # grouped report ids remembered, so their updates do not regroup
HELD_OTHER_LIMIT = 50_000  # camera/sensor/... updates held while the database fails, before coalescing


def _worth_logging(count: int) -> bool:
    # The 1st..10th, then every 1000th: a replay storm is counted, not written out line by line.
    return count <= 10 or count % 1000 == 0


@dataclass(frozen=True)
class WorkflowOptions:
    """How the hub runs the incident workflow (python -m app.hub --help lists the flags)."""

    escalate_after_s: float = DEFAULT_ESCALATION_S
    supervisors: frozenset[str] = frozenset()  # operator names with the supervisor role
    grouping: GroupingConfig | None = GroupingConfig()  # None: every report is its own incident
    # Only machine alarms group by default: each call from a person stays its own incident
    # (somebody may need calling back); operators merge duplicate calls explicitly.
    group_sources: frozenset[str] = frozenset({"camera", "sensor"})


class Hub:
    """Runs the hub loop on the calling thread until stop() is called (from any thread)."""

    def __init__(
        self,
        ports: HubPorts,
        db_url: str,
        *,
        bind_host: str | None = None,
        workflow: WorkflowOptions = WorkflowOptions(),
    ):
        self.ports = ports
        self.workflow = workflow
        self.bind_host = bind_host or ports.host
        self.store = HubStore(db_url)
        self.epoch = self.store.epoch
        self.seq = 0
        self.stats: Counter[str] = Counter()
        self._stop = threading.Event()
        self._last_pub = 0.0
        self._ready = threading.Event()
        self._log_budget: Counter[str] = Counter()
        self._log_budget_reset = 0.0
        self.peers = limits.PeerCounters()
        self._snapshots = SnapshotServer(
            SOURCE, lambda sock, kind, detail, peer: self._reject(sock, kind, detail, peer=peer), self.stats
        )
        self.sops, sop_errors = sop.load_library()
        if sop_errors:
            log.error("%d SOP file(s) unusable; incidents of those types get the default checklist", len(sop_errors))
        self.grouper = Grouper(workflow.grouping) if workflow.grouping is not None else None
        # Grouped report id -> the head incident it joined; a later report about it updates nothing.
        self._aliases: dict[str, str] = {}
        # Changed this loop turn, published once each after the commit: under a flood an
        # incident that grows by 500 grouped events in one turn costs one update, not 500.
        self._dirty: dict[str, domain.Incident] = {}
        self._dirty_other: list[tuple[object, domain.MsgStatus]] = []
        self._held_replies: list[list[bytes]] = []  # command replies waiting for their commit
        self._failures_seen = 0
        self._open_ids: set[str] = {i for i, inc in self.store.incidents.items() if inc.state in domain.OPEN_STATES}
        self._regroup_open()
        self._next_tick = 0.0
        self._summary = SummarisingLog(log)

    def _regroup_open(self) -> None:
        # After a restart the open incidents are the groups: new alarms at the same spot must
        # keep joining them, not start a second incident for the same flooded street.
        if self.grouper is None:
            return
        sources = self.workflow.group_sources
        for inc in sorted((self.store.incidents[i] for i in self._open_ids), key=lambda inc: inc.created):
            if inc.source in sources:
                lat, lon = domain.area_centre(inc.area)
                self.grouper.offer(inc.id, inc.event, lat, lon, inc.updated or inc.created, inc.msg_status)

    # --- lifecycle ---------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    error: str = ""

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """True once the hub listens; False on timeout or when it could not bind (see .error)."""
        return self._ready.wait(timeout) and not self.error

    def run(self) -> None:
        ctx = zmq.Context()
        b = HubPorts(self.bind_host, self.ports.base)
        pub = ctx.socket(zmq.PUB)
        snap = ctx.socket(zmq.ROUTER)
        pull = ctx.socket(zmq.PULL)
        cmd = ctx.socket(zmq.ROUTER)
        limits.configure_sockets(pub, snap, pull, cmd)
        try:
            pub.bind(b.pub)
            snap.bind(b.snapshot)
            pull.bind(b.ingest)
            cmd.bind(b.command)
        except zmq.ZMQError as exc:
            # Say which address, and wake anyone waiting for readiness instead of letting them time out.
            self.error = f"cannot listen on {b.host} ports {b.base}..{b.base + 3}: {exc}"
            log.error("%s", self.error)
            self._ready.set()
            self.store.close()
            ctx.destroy(linger=0)
            raise
        self._pub = pub
        self._poller = poller = zmq.Poller()
        for sock in (snap, pull, cmd):
            poller.register(sock, zmq.POLLIN)
        log.info(
            "hub epoch %s listening: pub %s snapshot %s ingest %s command %s",
            self.epoch,
            b.pub,
            b.snapshot,
            b.ingest,
            b.command,
        )
        self._ready.set()
        try:
            while not self._stop.is_set():
                timeout = max(0.0, self._last_pub + HEARTBEAT_INTERVAL_S - time.time())
                ready = dict(poller.poll(min(100, int(timeout * 1000) + 1)))
                replies = []
                # Commands drained while the database fails are refused, not applied, so
                # their replies need no commit; the others wait for this turn's commit.
                refusing = self.store.failing
                if pull in ready:
                    self._drain_ingest(pull)
                if cmd in ready:
                    replies = self._drain_commands(cmd)
                now = time.time()
                if now >= self._next_tick:
                    self._next_tick = now + TICK_INTERVAL_S
                    self._tick(now)
                self._commit_then_tell(cmd, replies, refusing)
                if snap in ready or self._snapshots.busy:
                    self._drain_snapshots(snap)
                if time.time() - self._last_pub >= HEARTBEAT_INTERVAL_S:
                    self._publish_frames(
                        protocol.encode(
                            domain.Heartbeat(last_seq=self.seq),
                            source=SOURCE,
                            epoch=self.epoch,
                            seq=self.seq,
                            status="System",
                        )
                    )
                    self.stats["heartbeats"] += 1
        finally:
            self.store.close()
            ctx.destroy(linger=500)
            log.info("hub epoch %s stopped at seq %d; %s", self.epoch, self.seq, dict(self.stats))

    # --- durability ------------------------------------------------------------------------
    def _commit_then_tell(self, cmd: zmq.Socket, replies: list[list[bytes]], refusing: bool) -> None:
        """Durable before anyone hears of it: updates and replies for this turn's changes go
        out only once the commit succeeds. While the database fails they are held (in
        memory, with the writes) and go out, in order, with the commit that saves them."""
        if refusing:
            for frames in replies:
                cmd.send_multipart(frames)
        else:
            self._held_replies.extend(replies)
        if self.store.commit():
            if self.store.commits_failed != self._failures_seen:
                self._failures_seen = self.store.commits_failed
                self.stats["store.recovered"] += 1
            self._publish_dirty()
            held, self._held_replies = self._held_replies, []
            for frames in held:
                cmd.send_multipart(frames)
            return
        self.stats["store.commit_failed"] = self.store.commits_failed
        if len(self._dirty_other) > HELD_OTHER_LIMIT:
            # Only the newest of each object is kept for publication (the database keeps
            # nothing more either), so a long outage under a flood stays bounded.
            latest = {protocol.topic_for(body): (body, status) for body, status in self._dirty_other}
            self._dirty_other = list(latest.values())

    def _unavailable(self, command: domain.Command) -> domain.CommandReply:
        self.stats["command.unavailable"] += 1
        return domain.CommandReply(
            cmd_id=command.cmd_id,
            code="unavailable",
            message=f"hub database unavailable: {self.store.failure}",
            reason="store_unavailable",
        )

    # --- publishing --------------------------------------------------------------------------
    def _publish_frames(self, frames: list[bytes]) -> None:
        self._pub.send_multipart(frames)
        self._last_pub = time.time()

    def _publish(self, body, status: domain.MsgStatus, topic: str | None = None) -> None:
        self.seq += 1
        self._publish_frames(
            protocol.encode(body, source=SOURCE, epoch=self.epoch, seq=self.seq, status=status, topic=topic)
        )
        self.stats["published"] += 1

    def _put_incident(self, incident: domain.Incident) -> None:
        """Store now, publish at the end of the turn (once per incident however often it changed)."""
        if len(self.store.put_incident(incident)) > domain.MAX_INCIDENT_BYTES:
            incident = self._fit(incident)
        self._dirty[incident.id] = incident
        if incident.state in domain.OPEN_STATES:
            self._open_ids.add(incident.id)
        else:
            self._open_ids.discard(incident.id)
            if self.grouper is not None:
                self.grouper.forget(incident.id)

    def _fit(self, incident: domain.Incident) -> domain.Incident:
        # Commands and reports are refused before they pass the bound; what still does (stored
        # before it existed, or grown by the hub's own timeline entries) loses its oldest
        # timeline entries, counted in history_trimmed, so every update of it stays decodable.
        smaller = states.fit_size(incident)
        if smaller is None:
            log.error(
                "incident %s is over %d bytes even with its timeline trimmed", incident.id, domain.MAX_INCIDENT_BYTES
            )
            return incident
        self.stats["incident.trimmed"] += 1
        self.store.put_incident(smaller)
        return smaller

    def _publish_dirty(self) -> None:
        dirty, self._dirty = self._dirty, {}
        for incident in dirty.values():
            self._publish(incident, incident.msg_status)
        other, self._dirty_other = self._dirty_other, []
        for body, status in other:
            self._publish(body, status, protocol.topic_for(body))
        if len(dirty) > 1:
            self.stats["publish.batched_turns"] += 1

    def _tick(self, now: float) -> None:
        self._summary.flush()
        if not self._open_ids:
            return
        incidents = self.store.incidents
        changed = service.tick((incidents[i] for i in self._open_ids), now, self.workflow.escalate_after_s)
        for incident in changed:
            if incident.escalated and not incidents[incident.id].escalated:
                self.stats["workflow.escalated"] += 1
                self._summary.warn(
                    "escalations",
                    "escalated %s (P1 unacknowledged %.0f s): %s",
                    incident.id,
                    now - incident.created,
                    incident.title,
                )
            self._put_incident(incident)

    def role_of(self, operator: str) -> str:
        return "supervisor" if operator in self.workflow.supervisors else "operator"

    # --- bad input ---------------------------------------------------------------------------
    def _reject(
        self, socket_name: str, kind: str, detail: str, frames: list[bytes] | None = None, peer: bytes | None = None
    ) -> None:
        """Count a refused message per socket and per peer. A peer with a routing identity is
        logged once per kind (later ones are only counted); messages from peers ZeroMQ does
        not name (PULL) are logged up to ten a minute per kind. Either way the log is bounded."""
        self.stats[f"{socket_name}.{kind}"] += 1
        if frames is not None and kind == "unsupported_version":
            self.store.quarantine(socket_name, detail, frames)
        name = limits.peer_name(peer, socket_name)
        first = self.peers.count(socket_name, name, kind)
        key = f"{socket_name}.{kind}"
        if peer is not None:
            if not first:
                return
            detail = f"peer {name} (its further {kind} messages are counted, not logged): {detail}"
            key += ".peers"
        now = time.time()
        if now - self._log_budget_reset > 60:
            self._log_budget.clear()
            self._log_budget_reset = now
        self._log_budget[key] += 1
        if self._log_budget[key] <= 10:
            log.warning(
                "%s: dropped %s message: %s (total %d)", socket_name, kind, detail, self.stats[f"{socket_name}.{kind}"]
            )
        elif self._log_budget[key] == 11:
            log.warning("%s: more %s messages this minute; counting without logging", socket_name, kind)

    def _decode(self, socket_name: str, frames: list[bytes], peer: bytes | None = None) -> protocol.Message | None:
        try:
            msg = protocol.decode(frames)
        except protocol.UnsupportedVersion as exc:
            self._reject(socket_name, exc.kind, str(exc), frames, peer=peer)
            return None
        except protocol.ProtocolError as exc:
            self._reject(socket_name, exc.kind, str(exc), peer=peer)
            return None
        if socket_name == "ingest" and isinstance(msg.body, domain.Incident):
            try:
                ingest.check_packed_size(msg.body, msg.raw_body)
            except ingest.Rejected as exc:
                self._reject(socket_name, "too_large", str(exc), peer=peer)
                return None
        return msg

    # --- ingest ------------------------------------------------------------------------------
    def _drain_ingest(self, pull: zmq.Socket) -> None:
        for _ in range(DRAIN_LIMIT):
            try:
                frames = pull.recv_multipart(zmq.NOBLOCK, copy=True)
            except zmq.Again:
                return
            self.stats["ingest.received"] += 1
            msg = self._decode("ingest", frames)
            if msg is not None:
                self._ingest(msg)

    def _ingest(self, msg: protocol.Message) -> None:
        body, header, now = msg.body, msg.header, time.time()
        try:
            if isinstance(body, domain.Incident):
                ingest.check_incident(body)
                self._ingest_incident(body, header, now)
            elif isinstance(body, domain.Camera):
                camera = ingest.check_camera(body)
                if self.store.cameras.get(camera.id) != camera:
                    self.store.put_camera(camera)
                    self._dirty_other.append((camera, header.status))
            elif isinstance(body, domain.SensorReading):
                self._ingest_reading(ingest.check_reading(body, now), header.status)
            else:
                self._reject(
                    "ingest",
                    "unexpected_type",
                    f"{header.type} from source {header.source[:64]!r} is not accepted on ingest",
                )
        except ingest.Rejected as exc:
            # Name the object and who sent it: the operator fixing a feed needs both.
            self._reject("ingest", "invalid", f"{ingest.describe(body)} from source {header.source[:64]!r}: {exc}")

    def _ingest_reading(self, reading: domain.SensorReading, status: domain.MsgStatus) -> None:
        # The current value is the newest measurement, not the last one pushed: a late or
        # replayed hour must not replace a newer one on every console.
        if not ingest.newer_reading(self.store.sensors.get(f"{reading.station}/{reading.kind}"), reading):
            self.stats["ingest.sensor_not_newer"] += 1
            return
        self.store.put_sensor(reading)
        self._dirty_other.append((reading, status))

    def _ingest_incident(self, report: domain.Incident, header: protocol.Header, now: float) -> None:
        # The message id is the report's idempotency key: a backend resending the same message
        # (a retry, a replayed log) is applied once, also across hub restarts.
        if header.id and self.store.seen_report(header.id):
            self.stats["ingest.duplicate"] += 1
            return
        when, clamped = ingest.report_time(report, header.ts, now)
        if clamped:
            self.stats["ingest.clock_ahead"] += 1
            if _worth_logging(self.stats["ingest.clock_ahead"]):
                log.warning(
                    "incident %r from source %r: report time %.0f s ahead of the hub's clock; "
                    "ordered by its arrival instead (%d such reports)",
                    report.id,
                    header.source[:64],
                    max(report.updated, header.ts) - now,
                    self.stats["ingest.clock_ahead"],
                )
        self._apply_report(report, header.status, when, now)
        if header.id and len(header.id) <= ingest.MAX_ID:
            self.store.put_report(header.id, report.id, when, now)

    def _apply_report(self, report: domain.Incident, status: domain.MsgStatus, when: float, now: float) -> None:
        existing = self.store.incidents.get(report.id)
        if existing is not None:
            newest = self.store.report_times.get(report.id)
            outcome, incident = ingest.follow_up(existing, report, status, when, newest, now)
            self.stats[f"ingest.{outcome}"] += 1
            if outcome.startswith("late") and _worth_logging(self.stats[f"ingest.{outcome}"]):
                log.log(
                    logging.WARNING if incident is None else logging.INFO,
                    "incident %r: report %.0f s older than its newest %s (%d so far)",
                    report.id,
                    (newest or when) - when,
                    "kept in its history"
                    if incident is not None
                    else f"not kept: the timeline already holds {ingest.MAX_LATE_ENTRIES} late reports",
                    self.stats[f"ingest.{outcome}"],
                )
            if incident is not None:
                self._put_incident(service.rerated(incident))
            return
        if report.id in self._aliases:
            # A follow-up about a report already counted in a group: the group's head is the
            # incident operators work; counting it again would inflate the flood.
            self.stats["ingest.grouped_update"] += 1
            return
        grouper = self.grouper if report.source in self.workflow.group_sources else None
        result = service.intake(
            domain.incident_with(report, msg_status=status), self.store.incidents, now, grouper, self.sops
        )
        if result.grouped_into:
            self.stats["ingest.grouped"] += 1
            if len(self._aliases) >= MAX_ALIASES:
                self._aliases.clear()  # bounded: the oldest groups have long closed anyway
            self._aliases[report.id] = result.grouped_into
        self._put_incident(result.incident)

    # --- commands ----------------------------------------------------------------------------
    def _drain_commands(self, sock: zmq.Socket) -> list[list[bytes]]:
        replies = []
        for _ in range(DRAIN_LIMIT):
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            self.stats["command.received"] += 1
            identity, rest = frames[0], frames[1:]
            msg = self._decode("command", rest, peer=identity)
            if msg is None:
                continue
            if not isinstance(msg.body, domain.Command):
                self._reject("command", "unexpected_type", f"{msg.header.type} on the command socket", peer=identity)
                continue
            reply = self._apply_command(msg.body)
            replies.append([identity, *self._encode_reply(reply)])
        return replies

    def _encode_reply(self, reply: domain.CommandReply) -> list[bytes]:
        frames, full_size = limits.reply_frames(reply, source=SOURCE, epoch=self.epoch)
        if full_size:
            self.stats["command.reply_trimmed"] += 1
            log.warning(
                "reply to %s: incident %s is %d bytes packed; answered without its copy",
                reply.cmd_id,
                reply.incident.id if reply.incident else "?",
                full_size,
            )
        return frames

    def _apply_command(self, command: domain.Command) -> domain.CommandReply:
        if self.store.awaiting_commit(command.cmd_id) or (
            self.store.failing and self.store.stored_reply(command.cmd_id) is None
        ):
            # Not applied (or applied but not yet saved): an answer now could promise what a
            # crash would undo, so the console keeps it queued and resends it later.
            return self._unavailable(command)
        stored = self.store.stored_reply(command.cmd_id)
        if stored is not None:
            # Applied before (the console resent it after a restart or a lost reply).
            self.stats["command.duplicate"] += 1
            current = self.store.incidents.get(command.incident_id)
            return domain.CommandReply(
                cmd_id=command.cmd_id,
                code="duplicate",
                message=f"already applied: {stored.code}",
                incident=current,
                reason="already_applied",
            )
        now, role = time.time(), self.role_of(command.operator)
        if command.kind in ("handover", "handover_ack"):
            reply = self._apply_handover(command, now, role)
        elif command.kind in walls.WALL_KINDS:
            reply = self._apply_wall(command, now, role)
        else:
            outcome = service.handle_command(self.store.incidents, command, now, role, self.sops)
            if outcome.accepted:
                assert outcome.incident is not None  # an accepted outcome carries the new state
                self._put_incident(outcome.incident)
                for related in outcome.related:
                    self._put_incident(related)
            reply = outcome.reply(command.cmd_id)
            if reply.incident is None and outcome.code != "not_found":
                # The reason and its parameters stay: the console words the refusal from them.
                reply = msgspec.structs.replace(reply, incident=self.store.incidents.get(command.incident_id))
        self.stats[f"command.{reply.code}"] += 1
        self.store.record_command(reply)
        return reply

    def _apply_handover(self, command: domain.Command, now: float, role: str) -> domain.CommandReply:
        outcome = handover.apply_handover_command(
            command, self.store.handovers, self.store.incidents.values(), self.store.cameras.values(), now, role
        )
        record = outcome.record
        if outcome.code == "ok" and record is not None:
            self.store.put_handover(record)
            self._dirty_other.append((record, "System"))
            log.info(
                "handover %s by %s%s",
                record.id,
                record.handed_over_by,
                f" acknowledged by {record.acknowledged_by}" if record.acknowledged else "",
            )
        return outcome.reply(command.cmd_id)

    def _apply_wall(self, command: domain.Command, now: float, role: str) -> domain.CommandReply:
        outcome = walls.apply_wall_command(command, self.store.layouts, self.store.walls, role, now)
        if outcome.layout is not None:
            self.store.put_layout(outcome.layout)
            self._dirty_other.append((outcome.layout, "System"))
        if outcome.wall is not None:
            self.store.put_wall(outcome.wall)
            self._dirty_other.append((outcome.wall, "System"))
            log.info(
                "wall %s now shows %d tiles (by %s)",
                outcome.wall.wall,
                len(outcome.wall.layout.items),
                command.operator,
            )
        return outcome.reply(command.cmd_id)

    # --- snapshots ---------------------------------------------------------------------------
    def _drain_snapshots(self, sock: zmq.Socket) -> None:
        for _ in range(100):
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            self.stats["snapshot.requests"] += 1
            identity, rest = frames[0], frames[1:]
            msg = self._decode("snapshot", rest, peer=identity)
            if msg is None:
                continue
            if not isinstance(msg.body, domain.SnapshotRequest):
                self._reject("snapshot", "unexpected_type", f"{msg.header.type} on the snapshot socket", peer=identity)
                continue
            self._send_snapshot(sock, identity, msg.header.id)
        self._snapshots.pump(sock)
        # Wake for room in a pipe only while some peer keeps up; a stalled one waits for the poll.
        self._poller.modify(sock, zmq.POLLIN | (zmq.POLLOUT if self._snapshots.eager else 0))

    def _send_snapshot(self, sock: zmq.Socket, identity: bytes, request_id: str) -> None:
        """Start streaming the current state to one peer, chunked by bytes (app.hub.snapshot)."""
        self._snapshots.request(sock, identity, request_id, self.store, self.epoch, self.seq)
