"""Fault scenarios of bad input and bad clocks: malformed, oversized, wrong-version and replayed
frames on every socket, and a console whose wall clock is off the hub's.

Same contract as scenarios_crash: each runs in `workdir`, asserts the oracle, returns figures.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import msgspec
import zmq
from consoles import ChildConsole, libfaketime, read_json
from harness import PublishedLog, Pusher, note, reading, report, send_commands
from oracle import converge, read_hub_db
from scenarios_crash import _console, _hub
from scenarios_load import RSS_BOUND_MB, _peak_rss

from app import domain, protocol
from support import SimulatorProcess, wait_until


def _header(**fields) -> bytes:
    base = {
        "v": (protocol.SCHEMA_MAJOR, protocol.SCHEMA_MINOR),
        "type": "incident",
        "source": "faults",
        "id": protocol.new_id(),
    }
    base.update(fields)
    return msgspec.msgpack.encode(base)


def bad_frames(topic: bytes = b"inc/x") -> dict[str, list[bytes]]:
    """One of each kind of bad message, by the drop kind the hub should count it as."""
    valid_body = protocol.pack(report("junk", 0))
    return {
        "malformed": [topic, b"\xc1\xc1 not msgpack", valid_body],
        "malformed_count": [topic, _header()],
        "malformed_body": [topic, _header(), msgspec.msgpack.encode({"id": 5})],
        "oversized": [topic, _header(), b"\x00" * (2 << 20)],
        "unsupported_version": [topic, _header(v=(protocol.SCHEMA_MAJOR + 1, 0)), valid_body],
        "unknown_type": [topic, _header(type="teleport"), valid_body],
    }


# The drop kinds a hub must show in its log for each socket (the frames above, keyed by kind).
EXPECTED_DROPS = ("malformed", "oversized", "unsupported_version", "unknown_type")


def bad_frames_everywhere(workdir: Path, *, rounds: int = 5) -> dict:
    """6a. Bad frames on the ingest PULL, the command ROUTER, the snapshot ROUTER and the PUB
    (subscription frames), interleaved with valid traffic that must still land."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        published = PublishedLog(hub.ports).start()
        stack.callback(published.halt)
        console = _console(stack, hub, workdir, "alpha")
        ctx = zmq.Context()
        stack.callback(ctx.destroy, 0)
        cmd, snap, xsub = ctx.socket(zmq.DEALER), ctx.socket(zmq.DEALER), ctx.socket(zmq.XSUB)
        for sock, address in ((cmd, hub.ports.command), (snap, hub.ports.snapshot), (xsub, hub.ports.pub)):
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(address)
        pusher = Pusher(hub.ports)
        good_ids = []
        # The snapshot socket takes requests of at most limits.SNAPSHOT_MAX_REQUEST: libzmq cuts
        # off a peer that sends more before the hub sees it, so the oversized frame goes from a
        # throwaway peer there, and the peer that asks for a snapshot later is never cut off.
        cut_off = ctx.socket(zmq.DEALER)
        cut_off.setsockopt(zmq.LINGER, 0)
        cut_off.connect(hub.ports.snapshot)
        for n in range(rounds):
            for kind, frames in bad_frames().items():
                pusher.send_frames(frames)
                cmd.send_multipart(frames)
                (cut_off if kind == "oversized" else snap).send_multipart(frames)
            cmd.send_multipart(protocol.encode(domain.SnapshotRequest(client="wrong socket"), source="faults"))
            for sub in (b"", b"\x07 not a subscription", b"\x01" + b"x" * 4096, b"\x00never subscribed"):
                xsub.send(sub)
            pusher.send(report("good", n), reading(n, 12.0 + n, time.time()))
            good_ids.append(f"good-{n}")
        pusher.close()
        over_limit = Pusher(hub.ports)  # past the socket's message limit: libzmq drops this peer
        over_limit.send_frames([b"inc/x", _header(), b"\x00" * (9 << 20)])
        over_limit.close()
        wait_until(
            lambda: all(i in published.incidents for i in good_ids),
            20,
            message="valid reports sent between bad frames did not land",
        )
        command = note(good_ids[0], "ghi chú hợp lệ")
        replies = send_commands(hub.ports, [command])
        assert replies.get(command.cmd_id) and replies[command.cmd_id].code == "ok", replies
        replay = send_commands(hub.ports, [command])
        assert replay[command.cmd_id].code == "duplicate", "a replayed command must come back as a duplicate"
        # As a console does: a refusal (this peer's earlier requests among the bad frames may
        # still be served, or have used up its rate) says when to ask again.
        got_end, deadline = False, time.monotonic() + 20
        while not got_end and time.monotonic() < deadline:
            snap.send_multipart(
                protocol.encode(domain.SnapshotRequest(client="valid"), source="faults", status="System")
            )
            while snap.poll(5000):
                msg = protocol.decode(snap.recv_multipart())
                if isinstance(msg.body, domain.SnapshotRefused):
                    time.sleep(min(5.0, msg.body.retry_after))
                    break
                if isinstance(msg.body, domain.SnapshotEnd):
                    got_end = True
                    break
            else:
                break
        assert got_end, "a valid snapshot request after bad ones got no answer"
        assert hub.alive(), f"the hub died on bad input:\n{hub.log_tail(8)}"
        converge_s = converge(hub, [console], 30)
        truth = read_hub_db(hub.db_path)
        history = [h.cmd_id for h in truth.incidents[good_ids[0]].history if h.cmd_id]
        assert history == [command.cmd_id], f"the replayed command is in the history {len(history)} times"
        assert {"ingest", "command", "snapshot"} <= set(truth.quarantined), (
            f"unknown versions not quarantined per socket: {sorted(set(truth.quarantined))}"
        )
        hub.stop()  # SIGTERM: its counters go to the log on the way out
        log = hub.log_text()
        missing = [
            f"{sock}.{kind}"
            for sock in ("ingest", "command", "snapshot")
            for kind in EXPECTED_DROPS
            if not (sock == "snapshot" and kind == "oversized")  # cut off by libzmq, never seen
            and not re.search(rf"\b{sock}: dropped {kind} message", log)
        ]
        assert not missing, f"drops not shown in the hub's log: {missing}"
        return {"rounds": rounds, "converge_s": converge_s, "quarantined": len(truth.quarantined)}


_SUBSCRIBER = """
import os, sys, zmq
ctx = zmq.Context()
xsub = ctx.socket(zmq.XSUB)
xsub.connect(sys.argv[1])
for n in range(int(sys.argv[3])):
    xsub.send(b"\\x01" + bytes([65 + n]) * (int(sys.argv[2]) << 20))
print("sent", flush=True)
sys.stdin.readline()
os._exit(0)     # a socket holding a subscription this deep crashes libzmq on close; leave without closing
"""


def oversized_subscriptions(workdir: Path, *, size_mb: int = 4, count: int = 1, hold_s: float = 4.0) -> dict:
    """6b. Subscription frames of `size_mb` MiB sent to the PUB (from a child process, which then
    leaves): the hub must neither die nor hold them (the issue measured ~48x their size)."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        console = _console(stack, hub, workdir, "alpha")
        wait_until(lambda: console.live, 20, message="console never went live")
        idle = hub.rss_mb()
        sender = subprocess.Popen(
            [sys.executable, "-c", _SUBSCRIBER, hub.ports.pub, str(size_mb), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(lambda: sender.poll() is None and sender.kill())
        assert sender.stdout.readline().strip() == "sent"
        peak = _peak_rss(hub, hold_s)
        sender.stdin.write("\n")
        sender.stdin.flush()
        sender.wait(10)
        peak = max(peak, _peak_rss(hub, hold_s))
        pusher = Pusher(hub.ports)
        pusher.send(report("after", 0))
        pusher.close()
        assert hub.alive(), f"the hub died on a large subscription:\n{hub.log_tail(8)}"
        # The report must land before "console equals hub" says anything about it.
        wait_until(lambda: "after-0" in read_hub_db(hub.db_path).incidents, 20, message="the hub lost a report")
        converge(hub, [console], 20)
        assert "after-0" in console.probe.incidents
        figures = {"idle_mb": idle, "peak_mb": peak, "above_idle_mb": peak - idle, "subscription_mb": size_mb}
        assert peak - idle <= RSS_BOUND_MB, f"hub RSS grew {peak - idle:.0f} MB above idle ({figures})"
        return figures


def replayed_reports(workdir: Path) -> dict:
    """6c. A report's exact frames sent again, and an older report replayed after a newer one:
    neither may change the incident (no double apply, no rollback)."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        published = PublishedLog(hub.ports).start()
        stack.callback(published.halt)
        console = _console(stack, hub, workdir, "alpha")
        t0 = time.time()
        older = domain.incident_with(report("rp", 0, severity="Minor", when=t0), title="báo cáo cũ")
        newer = domain.incident_with(older, severity="Extreme", title="báo cáo mới", updated=t0 + 5)
        old_frames = protocol.encode(older, source="faults", ts=t0)
        new_frames = protocol.encode(newer, source="faults", ts=t0 + 5)
        pusher = Pusher(hub.ports)
        pusher.send_frames(old_frames)
        wait_until(lambda: published.incidents.get("rp-0", 0) >= 1, 10, message="first report not published")
        pusher.send_frames(new_frames)
        wait_until(lambda: published.incidents.get("rp-0", 0) >= 2, 10, message="second report not published")
        settled = published.incidents["rp-0"]
        for frames in (old_frames, new_frames, old_frames):
            pusher.send_frames(frames)
        pusher.send(report("rp", 1))  # a marker: once it lands, the replays were handled
        pusher.close()
        wait_until(lambda: "rp-1" in published.incidents, 10, message="marker report not published")
        converge(hub, [console], 20)
        final = read_hub_db(hub.db_path).incidents["rp-0"]
        assert (final.title, final.severity) == ("báo cáo mới", "Extreme"), (
            f"a replayed older report rolled the incident back to {final.title!r}/{final.severity}"
        )
        assert final.revision == settled, f"replayed reports were applied again: revision {settled} -> {final.revision}"
        return {"revision": final.revision}


def clock_skew(workdir: Path, *, shift: str = "+10m", stream_s: float = 5.0, rate: float = 50.0) -> dict:
    """9. A console (its own process under libfaketime) whose wall clock is `shift` off the hub's,
    while the simulator streams: it converges and never reports the hub offline falsely.
    Returns its lag figures for the caller to judge."""
    if not libfaketime():
        raise RuntimeError("faketime is not installed (packaging/apt-packages.txt lists it)")
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        out = workdir / "view.json"
        child = ChildConsole(hub.ports, workdir / "skewed-cache.db", "watch", "--out", str(out), faketime=shift)
        stack.callback(child.sigkill)
        wait_until(lambda: _last_state(read_json(out)) == "live", 30, message="the skewed console never went live")
        clock_offset = read_json(out)["clock"] - time.time()
        sim = SimulatorProcess(
            hub.ports,
            "--rate",
            str(rate),
            "--duration",
            str(stream_s),
            "--seed",
            "3",
            "--aq-interval",
            "1",
            "--camera-status-every",
            "0.5",
        )
        stack.callback(sim.stop)
        lags = []
        deadline = time.monotonic() + stream_s + 30
        while sim.proc.poll() is None and time.monotonic() < deadline:
            view = read_json(out)
            if view and view["lag_ms"] is not None:
                lags.append(view["lag_ms"])
            time.sleep(0.2)
        problems: list[str] = []

        def agreed() -> bool:
            view, truth = read_json(out), read_hub_db(hub.db_path)
            problems[:] = []
            if view is None:
                problems.append("no view yet")
                return False
            for kind, hub_view in (
                ("incidents", {k: v.revision for k, v in truth.incidents.items()}),
                ("cameras", {k: v.status for k, v in truth.cameras.items()}),
                ("sensors", {k: [v.value, v.time] for k, v in truth.sensors.items()}),
            ):
                if view[kind] != hub_view:
                    differ = sum(view[kind].get(k) != v for k, v in hub_view.items())
                    problems.append(f"{kind}: {differ} of {len(hub_view)} differ, console has {len(view[kind])}")
            if _last_state(view) != "live":
                problems.append(f"not live: {view['statuses'][-1:]}")
            return not problems

        started = time.monotonic()
        try:
            wait_until(agreed, 30, 0.25)
        except AssertionError:
            view = read_json(out) or {}
            raise AssertionError(
                f"the console {shift} off the hub's clock did not converge: {problems}; "
                f"view written at {view.get('clock')} (now {time.time()}), "
                f"states {view.get('statuses', [])[-3:]}"
            ) from None
        converge_s = time.monotonic() - started
        statuses = read_json(out)["statuses"]
        first_live = next(i for i, s in enumerate(statuses) if s[0] == "live")
        false_offline = [s for s in statuses[first_live:] if s[0] == "offline"]
        assert not false_offline, f"offline reported with the hub up: {false_offline}"
        return {
            "shift": shift,
            "clock_offset_s": clock_offset,
            "converge_s": converge_s,
            "lag_ms_max": max(lags) if lags else None,
            "lag_ms_last": read_json(out)["lag_ms"],
            "incidents": len(read_hub_db(hub.db_path).incidents),
        }


def _last_state(view: dict | None) -> str:
    statuses = (view or {}).get("statuses") or [["connecting"]]
    return statuses[-1][0]
