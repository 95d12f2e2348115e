"""The demo RTSP server: RTP/JPEG packetisation (RFC 2435) and a real RTSP session."""

from __future__ import annotations

import socket
import struct

import pytest

from app.camstream.frames import FrameRenderer
from app.camstream.rtsp import JpegError, RtspServer, jpeg_parts, rtp_jpeg_packets
from app.demo_city import DemoCity


@pytest.fixture(scope="module")
def camera():
    return DemoCity().cameras[11]


def test_jpeg_parts_of_a_rendered_frame(camera):
    jpeg = FrameRenderer(camera, 320, 184).render()
    rtp_type, width, height, qt, scan = jpeg_parts(jpeg)
    assert (rtp_type, width, height) == (1, 320, 184)  # Pillow writes 4:2:0 -> type 1
    assert len(qt) == 128
    assert scan and not scan.endswith(b"\xff\xd9")


def test_packets_carry_the_whole_scan_with_one_marker(camera):
    jpeg = FrameRenderer(camera, 640, 360).render()
    _t, _w, _h, qt, scan = jpeg_parts(jpeg)
    packets = rtp_jpeg_packets(jpeg, seq=65534, timestamp=1234, ssrc=7)
    assert len(packets) > 3 and all(len(p) <= 1400 + 12 for p in packets)
    seqs = [struct.unpack(">H", p[2:4])[0] for p in packets]
    assert seqs[:3] == [65534, 65535, 0], "sequence numbers wrap"
    assert [p[1] >> 7 for p in packets] == [0] * (len(packets) - 1) + [1]
    assert all(p[1] & 0x7F == 26 for p in packets)
    rebuilt, expected_offset = b"", 0
    for i, p in enumerate(packets):
        offset = int.from_bytes(p[13:16], "big")
        assert offset == expected_offset
        body = p[12 + 8 :]
        if i == 0:
            assert body[:4] == b"\x00\x00\x00\x80" and body[4:132] == qt
            body = body[132:]
        rebuilt += body
        expected_offset += len(body)
    assert rebuilt == scan
    assert packets[0][18:20] == bytes([640 // 8, 360 // 8])


def test_progressive_jpeg_is_refused(camera):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="JPEG", progressive=True)
    with pytest.raises(JpegError):
        jpeg_parts(out.getvalue())


def _request(sock, text: str) -> str:
    sock.sendall(text.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.decode().split("\r\n"):
        if line.lower().startswith("content-length:"):
            length = int(line.split(":")[1])
    while len(rest) < length:
        rest += sock.recv(4096)
    return head.decode() + "\r\n\r\n" + rest.decode()


def test_rtsp_session_over_tcp_interleaved(camera):
    server = RtspServer([camera]).start()
    url = server.url(camera.id, "sub")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            assert "DESCRIBE" in _request(sock, f"OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            sdp = _request(sock, f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n")
            assert "m=video 0 RTP/AVP 26" in sdp and camera.code in sdp
            setup = _request(
                sock,
                f"SETUP {url}/track0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
            )
            assert "interleaved=0-1" in setup
            session = [
                ln.split(":", 1)[1].split(";")[0].strip()
                for ln in setup.split("\r\n")
                if ln.lower().startswith("session:")
            ][0]
            assert "200 OK" in _request(sock, f"PLAY {url} RTSP/1.0\r\nCSeq: 4\r\nSession: {session}\r\n\r\n")
            markers, buf = 0, b""
            while markers < 3:
                buf += sock.recv(65536)
                while len(buf) >= 4 and buf[:1] == b"$" and len(buf) >= 4 + struct.unpack(">H", buf[2:4])[0]:
                    size = struct.unpack(">H", buf[2:4])[0]
                    packet, buf = buf[4 : 4 + size], buf[4 + size :]
                    assert packet[1] & 0x7F == 26
                    markers += packet[1] >> 7
    finally:
        server.stop()


def test_unknown_camera_is_404(camera):
    server = RtspServer([camera]).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            reply = _request(sock, f"DESCRIBE rtsp://127.0.0.1:{server.port}/cam/nope/sub RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            assert reply.startswith("RTSP/1.0 404")
    finally:
        server.stop()
