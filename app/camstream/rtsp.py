"""A minimal RTSP server (RFC 2326) streaming the demo cameras as RTP/JPEG (RFC 2435).

Only what a player needs to watch a live camera: OPTIONS, DESCRIBE, SETUP (RTP over UDP, or
interleaved in the RTSP TCP connection), PLAY, GET_PARAMETER (keep-alive) and TEARDOWN.
URLs: rtsp://host:port/cam/<id>/main and .../sub. Pictures come from the same lazy producers
as the HTTP streams; heights are rounded up to a multiple of 8 because RTP/JPEG carries the
size in 8-pixel units.
"""

from __future__ import annotations

import logging
import random
import re
import socket
import struct
import threading
import time

from app import domain
from app.camstream.server import PROFILES, ProducerPool, _Producer

log = logging.getLogger(__name__)

_MAX_PAYLOAD = 1400
_PATH = re.compile(r"^rtsp://[^/]+/cam/([^/]+)/(main|sub)(?:/track0)?/?$")


class JpegError(ValueError):
    pass


def jpeg_parts(jpeg: bytes) -> tuple[int, int, int, bytes, bytes]:
    """(rtp type, width, height, 128 bytes of quant tables, entropy-coded scan) of a baseline
    JPEG with standard Huffman tables, as RFC 2435 sends it."""
    if jpeg[:2] != b"\xff\xd8":
        raise JpegError("not a JPEG")
    pos, tables, width, height, rtp_type = 2, {}, 0, 0, -1
    while pos + 4 <= len(jpeg):
        if jpeg[pos] != 0xFF:
            raise JpegError(f"marker expected at {pos}")
        marker = jpeg[pos + 1]
        length = struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
        seg = jpeg[pos + 4 : pos + 2 + length]
        if marker == 0xDB:  # DQT: one or more 8-bit tables, zigzag order
            i = 0
            while i < len(seg):
                if seg[i] >> 4:
                    raise JpegError("16-bit quantisation tables are not supported")
                tables[seg[i] & 0x0F] = seg[i + 1 : i + 65]
                i += 65
        elif marker == 0xC0:  # SOF0: baseline
            height, width = struct.unpack(">HH", seg[1:5])
            sampling = seg[7]  # first component (Y): h << 4 | v
            rtp_type = {0x21: 0, 0x22: 1}.get(sampling, -1)
        elif marker in (0xC1, 0xC2, 0xC3):
            raise JpegError("only baseline JPEG can be sent")
        elif marker == 0xDD:
            raise JpegError("restart markers are not supported")
        elif marker == 0xDA:  # SOS: the scan runs to the EOI marker
            end = len(jpeg) - 2 if jpeg[-2:] == b"\xff\xd9" else len(jpeg)
            if rtp_type < 0 or 0 not in tables:
                raise JpegError("unsupported sampling or missing tables")
            qt = tables[0] + tables.get(1, tables[0])
            return rtp_type, width, height, qt, jpeg[pos + 2 + length : end]
        pos += 2 + length
    raise JpegError("no scan")


def rtp_jpeg_packets(jpeg: bytes, seq: int, timestamp: int, ssrc: int) -> list[bytes]:
    """Split one JPEG into RTP packets (payload type 26), the last one with the marker bit."""
    rtp_type, width, height, qt, scan = jpeg_parts(jpeg)
    if width > 2040 or height > 2040:
        raise JpegError("RTP/JPEG carries at most 2040x2040")
    packets: list[bytes] = []
    offset = 0
    while offset < len(scan) or not packets:
        head = (
            struct.pack(">B", 0)
            + offset.to_bytes(3, "big")
            + bytes([rtp_type, 255, (width + 7) // 8, (height + 7) // 8])
        )
        if offset == 0:
            head += bytes([0, 0]) + struct.pack(">H", len(qt)) + qt
        chunk = scan[offset : offset + _MAX_PAYLOAD - len(head)]
        offset += len(chunk)
        last = offset >= len(scan)
        rtp = struct.pack(
            ">BBHII", 0x80, (0x80 if last else 0) | 26, (seq + len(packets)) & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc
        )
        packets.append(rtp + head + chunk)
    return packets


class _Session:
    """One client connection: RTSP requests in, RTP out (UDP or interleaved)."""

    def __init__(self, server: RtspServer, conn: socket.socket, peer):
        self.server, self.conn, self.peer = server, conn, peer
        self.session_id = f"{random.getrandbits(32):08X}"
        self.write_lock = threading.Lock()
        self.udp: socket.socket | None = None
        self.udp_target: tuple[str, int] | None = None
        self.interleaved = 0
        self.producer: _Producer | None = None
        self.playing = threading.Event()
        self.closed = threading.Event()

    def run(self) -> None:
        buf = b""
        try:
            while not self.closed.is_set():
                data = self.conn.recv(4096)
                if not data:
                    break
                buf += data
                while True:
                    if buf[:1] == b"$":  # interleaved RTCP from the client: skip
                        if len(buf) < 4:
                            break
                        size = struct.unpack(">H", buf[2:4])[0]
                        if len(buf) < 4 + size:
                            break
                        buf = buf[4 + size :]
                        continue
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        break
                    request, buf = buf[:end].decode("utf-8", "replace"), buf[end + 4 :]
                    self._handle(request)
        except OSError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if self.producer is not None:
            self.producer.unsubscribe()
            self.producer = None
        for sock in (self.conn, self.udp):
            if sock is not None:
                try:
                    # shutdown() wakes a thread blocked in recv(); close() alone does not.
                    if sock is self.conn:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self.server._forget(self)

    def _reply(self, cseq: str, code: str = "200 OK", headers: dict | None = None, body: str = "") -> None:
        lines = [f"RTSP/1.0 {code}", f"CSeq: {cseq}", "Server: ioc-camstream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body:
            lines += ["Content-Type: application/sdp", f"Content-Length: {len(body.encode())}"]
        with self.write_lock:
            self.conn.sendall(("\r\n".join(lines) + "\r\n\r\n" + body).encode())

    def _handle(self, request: str) -> None:
        first, *rest = request.split("\r\n")
        headers = {}
        for line in rest:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        parts = first.split()
        cseq = headers.get("cseq", "0")
        if len(parts) != 3:
            self._reply(cseq, "400 Bad Request")
            return
        method, url = parts[0].upper(), parts[1]
        if method == "OPTIONS":
            self._reply(cseq, headers={"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN"})
            return
        if method in ("GET_PARAMETER", "SET_PARAMETER"):
            self._reply(cseq, headers={"Session": self.session_id})
            return
        if method == "TEARDOWN":
            self._reply(cseq, headers={"Session": self.session_id})
            self.close()
            return
        match = _PATH.match(url)
        camera = self.server.cameras.get(match.group(1)) if match else None
        if camera is None or match is None:
            self._reply(cseq, "404 Not Found")
            return
        if method == "DESCRIBE":
            base = url.rstrip("/").removesuffix("/track0")
            sdp = (
                "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=" + camera.code + "\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:track0\r\n"
            )
            self._reply(cseq, headers={"Content-Base": base + "/"}, body=sdp)
        elif method == "SETUP":
            self._setup(cseq, headers.get("transport", ""), camera, match.group(2))
        elif method == "PLAY":
            if self.producer is None:
                self._reply(cseq, "455 Method Not Valid in This State")
                return
            self._reply(cseq, headers={"Session": self.session_id, "Range": "npt=0.000-"})
            if not self.playing.is_set():
                self.playing.set()
                threading.Thread(target=self._send_loop, daemon=True, name="rtsp-rtp").start()
        else:
            self._reply(cseq, "501 Not Implemented")

    def _setup(self, cseq: str, transport: str, camera: domain.Camera, kind: str) -> None:
        if "RTP/AVP/TCP" in transport.upper():
            m = re.search(r"interleaved=(\d+)", transport)
            self.interleaved = int(m.group(1)) if m else 0
            reply_transport = f"RTP/AVP/TCP;unicast;interleaved={self.interleaved}-{self.interleaved + 1}"
        else:
            m = re.search(r"client_port=(\d+)", transport)
            if not m:
                self._reply(cseq, "461 Unsupported Transport")
                return
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind((self.server.host, 0))
            self.udp_target = (self.peer[0], int(m.group(1)))
            port = self.udp.getsockname()[1]
            reply_transport = (
                f"RTP/AVP;unicast;client_port={m.group(1)}-{int(m.group(1)) + 1};server_port={port}-{port + 1}"
            )
        width, height, fps = PROFILES[kind]
        if self.producer is None:
            self.producer = self.server.producer(camera, width, (height + 7) // 8 * 8, fps)
        self._reply(cseq, headers={"Session": f"{self.session_id};timeout=60", "Transport": reply_transport})

    def _send_loop(self) -> None:
        ssrc, seq, t0, frame_seq = random.getrandbits(32), random.getrandbits(16), time.monotonic(), 0
        while not self.closed.is_set() and self.producer is not None:
            new_seq, frame = self.producer.next_frame(frame_seq)
            if new_seq == frame_seq:
                if self.server.stopping.is_set():
                    break
                continue
            frame_seq = new_seq
            try:
                packets = rtp_jpeg_packets(frame, seq, int((time.monotonic() - t0) * 90000), ssrc)
            except JpegError as exc:
                log.warning("rtsp: frame not sendable: %s", exc)
                continue
            seq = (seq + len(packets)) & 0xFFFF
            try:
                if self.udp is not None:
                    assert self.udp_target is not None  # set with the UDP socket in SETUP
                    for packet in packets:
                        self.udp.sendto(packet, self.udp_target)
                else:
                    data = b"".join(b"$" + bytes([self.interleaved]) + struct.pack(">H", len(p)) + p for p in packets)
                    with self.write_lock:
                        self.conn.sendall(data)
            except OSError:
                break
        self.close()


class RtspServer:
    def __init__(self, cameras: list[domain.Camera], host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.cameras = {c.id: c for c in cameras}
        self._listener = socket.create_server((host, port), reuse_port=False)
        self._sessions: set[_Session] = set()
        self._producers = ProducerPool()
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def url(self, camera_id: str, kind: str = "sub") -> str:
        return f"rtsp://{self.host}:{self.port}/cam/{camera_id}/{kind}"

    def start(self) -> RtspServer:
        threading.Thread(target=self._accept_loop, daemon=True, name="rtsp-accept").start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sessions = list(self._sessions)
        for s in sessions:
            s.close()
        self._producers.close_all()

    def producer(self, camera: domain.Camera, width: int, height: int, fps: float) -> _Producer:
        return self._producers.subscribe(camera, width, height, fps)

    def _forget(self, session: _Session) -> None:
        with self._lock:
            self._sessions.discard(session)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, peer = self._listener.accept()
            except OSError:
                break
            session = _Session(self, conn, peer)
            with self._lock:
                self._sessions.add(session)
            threading.Thread(target=session.run, daemon=True, name="rtsp-session").start()
