"""Snapshot benchmark: a large state served by a real hub to a real console transport.

    .venv/bin/python benchmarks/snapshot.py [--cameras 5000] [--incidents 20000] [--quick]

The state (cameras with long stream URLs, incidents with 4,000-character Vietnamese
descriptions, one in twenty with 20 notes) is written to a hub database; a hub runs on a
thread of this process over loopback; ClientTransport asks for the snapshot, checks its
counts and digests and reports live. Figures, each beside its baseline:
 1. wire: chunks, bytes and the largest frame, vs the same state cut the old way (400
    incidents a chunk, all cameras in the first) and how much of it a console could read
    (protocol.decode drops frames over 1 MiB);
 2. time from the request to "live" on the console, vs a raw pyzmq DEALER receiving the same
    snapshot without decoding it, and decoding the same bodies in one msgspec pass;
 3. the hub's capture (bodies, counts, digests), which runs on its loop thread.
Target: every frame under 1 MiB and every object applied (the exit status says so).
`--quick` uses 1,000 cameras and 4,000 incidents (CI).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import msgspec
import zmq

from app import domain, protocol
from app.client.state import ClientBatch
from app.client.transport import ClientTransport
from app.embedded import free_base_port
from app.hub import snapshot
from app.hub.server import Hub, HubPorts
from app.hub.store import HubStore

TEXT = "Nước ngập sâu 40 cm trên đường, xe máy chết máy hàng loạt, người dân cần hỗ trợ. " * 60


def build_state(db: Path, cameras: int, incidents: int) -> None:
    # Moderate and recent: nothing escalates while it is measured (that would be another load).
    store, now = HubStore(f"sqlite:///{db}"), time.time()
    for n in range(cameras):
        url = f"rtsp://cam-{n}.ioc.example.vn:554/Streaming/Channels/101?token=" + "a1b2c3d4" * 40
        store.put_camera(
            domain.Camera(
                id=f"cam-{n:05d}",
                code=f"Q1-{n:05d}",
                name=f"Ngã tư số {n}",
                lat=10.7 + n * 1e-5,
                lon=106.6 + n * 1e-5,
                main_url=url,
                sub_url=url + "&sub",
                snapshot_url=url + "&jpg",
            )
        )
    for n in range(incidents):
        notes = (
            tuple(domain.Note(author="lan", time=2000.0 + i, text=TEXT[:600]) for i in range(20)) if n % 20 == 0 else ()
        )
        store.put_incident(
            domain.Incident(
                id=f"114-b-{n}",
                category="Met",
                event="flood",
                urgency="Expected",
                severity="Moderate",
                certainty="Observed",
                area=domain.PointArea(lat=10.78, lon=106.70),
                source="114",
                title=f"Ngập nặng đường số {n}",
                description=TEXT[:4000],
                district="Quận 1",
                revision=1,
                created=now - n,
                notes=notes,
            )
        )
    store.commit()
    store.close()


def old_way(store) -> tuple[int, int, int, int, int]:
    """(chunks, bytes, largest frame, incidents readable, cameras readable) cut by count."""
    cams = list(store.packed_cameras.values())
    incs = list(store.packed_incidents.values())
    frames = [protocol.encode_snapshot_chunk(cameras=cams, source="hub", epoch="e", seq=0, topic="snap/x")]
    frames += [
        protocol.encode_snapshot_chunk(incidents=incs[i : i + 400], source="hub", epoch="e", seq=0, topic="snap/x")
        for i in range(0, len(incs), 400)
    ]
    readable_inc = sum(
        min(400, len(incs) - i)
        for i, f in zip(range(0, len(incs), 400), frames[1:])
        if len(f[2]) <= protocol.MAX_FRAME_BYTES
    )
    readable_cam = len(cams) if len(frames[0][2]) <= protocol.MAX_FRAME_BYTES else 0
    sizes = [len(x) for f in frames for x in f]
    return len(frames), sum(sizes), max(sizes), readable_inc, readable_cam


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cameras", type=int, default=5000)
    ap.add_argument("--incidents", type=int, default=20000)
    ap.add_argument("--quick", action="store_true", help="1,000 cameras and 4,000 incidents")
    args = ap.parse_args()
    cameras, incidents = (1000, 4000) if args.quick else (args.cameras, args.incidents)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "hub.db"
        t0 = time.perf_counter()
        build_state(db, cameras, incidents)
        print(f"state: {cameras:,} cameras, {incidents:,} incidents (built in {time.perf_counter() - t0:.1f} s)")
        hub = Hub(HubPorts("127.0.0.1", free_base_port()), f"sqlite:///{db}")
        packed = list(hub.store.packed_incidents.values()) + list(hub.store.packed_cameras.values())
        state_bytes = sum(map(len, packed))

        t0 = time.perf_counter()
        cap = snapshot.capture(hub.store, 0)
        capture_ms = (time.perf_counter() - t0) * 1000
        chunks = list(snapshot.chunks(cap))
        n_old, old_bytes, old_max, old_inc, old_cam = old_way(hub.store)
        inc_decoder = msgspec.msgpack.Decoder(domain.Incident)
        cam_decoder = msgspec.msgpack.Decoder(domain.Camera)
        t0 = time.perf_counter()
        for body in hub.store.packed_incidents.values():
            inc_decoder.decode(body)
        for body in hub.store.packed_cameras.values():
            cam_decoder.decode(body)
        floor_s = time.perf_counter() - t0

        thread = threading.Thread(target=hub.run, daemon=True)
        thread.start()
        assert hub.wait_ready(10), hub.error
        wire = {"bytes": 0, "largest": 0, "frames": 0}
        tap = _Tap(hub.ports, wire)
        got: list[ClientBatch] = []
        live = threading.Event()

        def sink(batch: ClientBatch) -> None:
            got.append(batch)
            if batch.connection is not None and batch.connection.state == "live":
                live.set()

        t0 = time.perf_counter()
        transport = ClientTransport(hub.ports, sink, flush_interval=0.02)
        transport.start()
        ok = live.wait(120)
        live_s = time.perf_counter() - t0
        transport.stop()
        t0 = time.perf_counter()
        tap.run()
        raw_s = time.perf_counter() - t0
        hub.stop()
        thread.join(10)
        state = ClientBatch()
        for batch in got:
            state.merge(batch)

    print(f"packed state: {state_bytes / 1e6:.1f} MB")
    print(
        f"wire, by bytes (now):  {len(chunks) + 1:>5} messages, {wire['bytes'] / 1e6:6.1f} MB, "
        f"largest frame {wire['largest'] / 1024:7.0f} KiB"
    )
    print(
        f"wire, by count (old):  {n_old + 1:>5} messages, {old_bytes / 1e6:6.1f} MB, largest frame "
        f"{old_max / 1024:7.0f} KiB -> a console could read {old_inc:,}/{incidents:,} incidents, "
        f"{old_cam:,}/{cameras:,} cameras"
    )
    print(
        f"request -> live:       {live_s:6.2f} s  (raw pyzmq receive of the same snapshot, no decode: "
        f"{raw_s:.2f} s; decoding its bodies in one msgspec pass: {floor_s:.2f} s)"
    )
    print(f"hub capture + digests: {capture_ms:6.0f} ms on the hub thread")
    print(f"applied on the console: {len(state.incidents):,} incidents, {len(state.cameras):,} cameras")
    complete = ok and len(state.incidents) == incidents and len(state.cameras) == cameras
    under = wire["largest"] <= protocol.MAX_FRAME_BYTES
    print("PASS" if complete and under else "FAIL", "(every object applied, every frame under 1 MiB)")
    sys.exit(0 if complete and under else 1)


class _Tap:
    """Takes one more snapshot after the console's, counting its bytes and largest frame."""

    def __init__(self, ports: HubPorts, wire: dict):
        self.ports, self.wire = ports, wire

    def run(self) -> None:
        ctx = zmq.Context()
        sock = ctx.socket(zmq.DEALER)
        sock.connect(self.ports.snapshot)
        sock.send_multipart(protocol.encode(domain.SnapshotRequest(client="bench"), source="bench"))
        try:
            while sock.poll(10_000):
                frames = sock.recv_multipart()
                self.wire["frames"] += 1
                self.wire["bytes"] += sum(map(len, frames))
                self.wire["largest"] = max(self.wire["largest"], *map(len, frames))
                if protocol.decode(frames).header.type == "snapshot_end":
                    return
        finally:
            ctx.destroy(0)


if __name__ == "__main__":
    main()
