"""One peer cannot take the hub's memory: hoarding snapshot clients, slow subscribers, huge
subscriptions, all against a real `python -m app.hub` process measured with psutil."""

from __future__ import annotations

import socket
import struct
import time

import psutil
import pytest
import zmq

from app import domain, protocol
from app.hub.store import HubStore
from support import HubPeer, HubProcess, ThreadHub, wait_until

MB = 1 << 20
ALLOWED_GROWTH = 100 * MB
STATE_INCIDENTS = 150  # a ~0.8 MB snapshot (it fits one old-style chunk too)
DESCRIPTION = "Ngập sâu, giao thông ùn tắc kéo dài, cần lực lượng hỗ trợ phân luồng. " * 50


def _incident(n: int) -> domain.Incident:
    return domain.Incident(
        id=f"114-h-{n}",
        category="Met",
        event="flood",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        area=domain.PointArea(lat=10.78, lon=106.70),
        source="114",
        title=f"Ngập đường {n}",
        description=DESCRIPTION[:4000],
        revision=1,
        created=1000.0 + n,
    )


@pytest.fixture
def hub_process(hub_base_port, tmp_path):
    store = HubStore(f"sqlite:///{tmp_path / 'hub.db'}")
    for n in range(STATE_INCIDENTS):
        store.put_incident(_incident(n))
    store.commit()
    store.close()
    hub = HubProcess(hub_base_port, tmp_path / "hub.db").start()
    peer = HubPeer(hub.ports)
    try:
        wait_until(lambda: _answers(peer), timeout=20, interval=0.2, message="hub did not start")
        yield hub, peer
    finally:
        peer.close()
        hub.stop()


def _answers(peer: HubPeer) -> bool:
    try:
        return len(peer.snapshot()[0]) == STATE_INCIDENTS
    except AssertionError:
        return False


class RssWatch:
    """Peak resident memory of a process, sampled while a condition is awaited."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.idle = self.peak = self.proc.memory_info().rss

    def sample(self) -> int:
        rss = self.proc.memory_info().rss
        self.peak = max(self.peak, rss)
        return rss

    def watch(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sample()
            time.sleep(0.05)

    def report(self, label: str) -> str:
        return f"{label}: idle {self.idle / MB:.0f} MB, peak {self.peak / MB:.0f} MB (+{(self.peak - self.idle) / MB:.0f} MB)"


def _hoarder(ctx: zmq.Context, ports, requests: int) -> zmq.Socket:
    """A DEALER that asks for snapshots and never reads (its own queue holds one message)."""
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.RCVHWM, 1)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(ports.snapshot)
    for _ in range(requests):
        sock.send_multipart(protocol.encode(domain.SnapshotRequest(client="hoarder"), source="hoarder"))
    return sock


def test_hoarding_snapshot_clients_keep_the_hub_bounded_and_are_logged_once(hub_process):
    hub, peer = hub_process
    rss = RssWatch(hub.proc.pid)
    ctx = zmq.Context()
    try:
        socks = [_hoarder(ctx, hub.ports, 300)]
        socks += [_hoarder(ctx, hub.ports, 5) for _ in range(30)]  # other identities, same behaviour
        rss.watch(4.0)
        print("\n" + rss.report("hoarding: 1 peer x 300 requests + 30 peers x 5"))
        assert rss.peak - rss.idle <= ALLOWED_GROWTH, rss.report("hoarding")
        # A well-behaved console still gets its snapshot meanwhile (it may wait for a slot).
        wait_until(lambda: _answers(peer), timeout=30, interval=0.5, message="no snapshot for a good peer")
    finally:
        ctx.destroy(0)
    log = hub.log_text()
    first = [line for line in log.splitlines() if "dropped rate_limited message: peer " in line]
    assert first, "the hoarder's refusals must be logged"
    peers = [line.split("message: peer ")[1].split(" ")[0] for line in first]
    assert len(peers) == len(set(peers)), "each peer is logged once per kind, however much it sends"


def test_a_slow_subscriber_during_a_burst_costs_bounded_memory(hub_process):
    hub, _peer = hub_process
    ctx = zmq.Context()
    try:
        slow = ctx.socket(zmq.SUB)  # subscribes, then never reads
        slow.setsockopt(zmq.RCVHWM, 1)
        slow.setsockopt(zmq.RCVBUF, 4096)
        slow.setsockopt(zmq.SUBSCRIBE, b"")
        slow.setsockopt(zmq.LINGER, 0)
        slow.connect(hub.ports.pub)
        fast = ctx.socket(zmq.SUB)
        fast.setsockopt(zmq.SUBSCRIBE, b"sen/")
        fast.setsockopt(zmq.RCVHWM, 0)
        fast.connect(hub.ports.pub)
        time.sleep(0.3)  # slow joiner: subscriptions reach the hub
        rss = RssWatch(hub.proc.pid)
        push = ctx.socket(zmq.PUSH)
        push.setsockopt(zmq.LINGER, 0)
        push.connect(hub.ports.ingest)
        name = "Trạm quan trắc không khí " * 40  # ~1 KB per update
        total, seen, started = 150_000, 0, time.time()
        for n in range(total):
            reading = domain.SensorReading(
                station=f"st-{n % 50}",
                kind="pm25",
                value=30.0 + n % 7,
                unit="µg/m³",
                time=started + n * 1e-4,
                name=name,
            )
            push.send_multipart(protocol.encode(reading, source="sim"))
            if n % 1000 == 0:
                rss.sample()
                while fast.poll(0):
                    fast.recv_multipart()
                    seen += 1
        deadline = time.monotonic() + 40
        while seen < total * 0.99 and time.monotonic() < deadline:
            if fast.poll(50):
                fast.recv_multipart()
                seen += 1
            if seen % 2000 == 0:
                rss.sample()
        rss.watch(0.5)
        print("\n" + rss.report(f"slow subscriber, {total} updates in {time.time() - started:.1f} s"))
        assert seen >= total * 0.99, f"the fast subscriber got only {seen} of {total}"
        assert rss.peak - rss.idle <= ALLOWED_GROWTH, rss.report("slow subscriber")
    finally:
        ctx.destroy(0)


def _raw_subscribe(ports, prefix: bytes) -> None:
    """Subscribe to the hub's PUB with `prefix`, speaking ZMTP 3.0 over a plain TCP socket
    (libzmq's own SUB keeps subscriptions in a trie one node per byte and cannot hold 8 MiB)."""
    host, port = ports.pub.removeprefix("tcp://").rsplit(":", 1)
    greeting = b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31
    ready = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 3) + b"SUB"
    body = b"\x01" + prefix
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        try:
            conn.sendall(greeting + b"\x04" + bytes([len(ready)]) + ready)
            conn.sendall(b"\x02" + struct.pack(">Q", len(body)) + body)
            time.sleep(0.5)  # let the hub read (or refuse) it before we hang up
        except OSError:
            pass  # the hub hung up on us: the refusal we want


def test_a_huge_subscription_is_refused_without_growing_the_hub(hub_process):
    hub, peer = hub_process
    rss = RssWatch(hub.proc.pid)
    for _ in range(3):
        _raw_subscribe(hub.ports, b"x" * (8 * MB - 64))
        rss.sample()
    rss.watch(1.0)
    print("\n" + rss.report("3 subscriptions of 8 MiB"))
    assert hub.proc.poll() is None, "the hub died"
    assert rss.peak - rss.idle <= 50 * MB, rss.report("huge subscriptions")
    peer.push.send_multipart(protocol.encode(_incident(999), source="sim"))
    got = peer.updates(want=1)
    assert got and got[0].body.id == "114-h-999", "the hub still publishes to everyone else"


def test_refusals_are_counted_per_peer_and_logged_once_each(hub_base_port, tmp_path, caplog):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        ctx = zmq.Context()
        try:
            socks = []
            for name in (b"console-a", b"console-b"):
                sock = ctx.socket(zmq.DEALER)
                sock.setsockopt(zmq.IDENTITY, name)
                sock.setsockopt(zmq.LINGER, 0)
                sock.connect(hub.ports.command)
                socks.append(sock)
            for _ in range(20):
                socks[0].send_multipart([b"cmd", b"\xc1", b"\xc1"])
            socks[1].send_multipart([b"cmd", b"\xc1", b"\xc1"])
            wait_until(lambda: hub.stats["command.malformed"] == 21)
            assert hub.peers.of("command", b"console-a".hex()) == {"malformed": 20}
            assert hub.peers.of("command", b"console-b".hex()) == {"malformed": 1}
            firsts = [r.getMessage() for r in caplog.records if "dropped malformed message: peer" in r.getMessage()]
            assert len(firsts) == 2 and any(b"console-a".hex() in m for m in firsts)
        finally:
            ctx.destroy(0)


def test_snapshot_requests_past_the_rate_are_refused_with_when_to_ask_again(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        ctx = zmq.Context()
        try:
            sock = ctx.socket(zmq.DEALER)
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(hub.ports.snapshot)

            def ask():
                sock.send_multipart(protocol.encode(domain.SnapshotRequest(client="t"), source="t"))
                while True:
                    assert sock.poll(5000), "a request went unanswered"
                    body = protocol.decode(sock.recv_multipart()).body
                    if isinstance(body, (domain.SnapshotEnd, domain.SnapshotRefused)):
                        return body

            answers = [ask() for _ in range(4)]
            assert all(isinstance(a, domain.SnapshotEnd) for a in answers[:3]), "a burst of three is served"
            refusal = answers[3]
            assert isinstance(refusal, domain.SnapshotRefused) and refusal.reason == "rate_limited"
            assert 0 < refusal.retry_after <= 1.0
            time.sleep(refusal.retry_after)  # the wait the hub asked for, then it serves again
            assert isinstance(ask(), domain.SnapshotEnd)
            assert hub.stats["snapshot.served"] == 4 and hub.stats["snapshot.rate_limited"] == 1
        finally:
            ctx.destroy(0)
