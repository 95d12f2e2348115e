"""Decode budget and stream health: pure policies with the clock passed in."""

from __future__ import annotations

from app.wall.budget import MAIN, SNAPSHOT, SUB, DecodeBudget, TileNeed
from app.wall.decoders import QT, VLC, DecoderChoice
from app.wall.health import Backoff, StreamHealth


def _need(key, height, main=True, sub=True, snap=True):
    return TileNeed(key, height, main, sub, snap)


def test_small_tiles_get_sub_large_get_main():
    budget = DecodeBudget()
    assert budget.decide([_need("0", 180), _need("1", 720)], now=0) == {"0": SUB, "1": MAIN}


def test_no_switch_more_than_once_per_5s():
    budget = DecodeBudget()
    assert budget.decide([_need("0", 180)], now=0)["0"] == SUB
    assert budget.decide([_need("0", 720)], now=1)["0"] == SUB, "held back: switched too recently"
    assert budget.decide([_need("0", 720)], now=5.1)["0"] == MAIN
    assert budget.decide([_need("0", 100)], now=6)["0"] == MAIN
    assert budget.decide([_need("0", 100)], now=10.2)["0"] == SUB


def test_size_hysteresis_band():
    budget = DecodeBudget(up_px=300, down_px=240)
    assert budget.decide([_need("0", 299)], now=0)["0"] == SUB
    assert budget.decide([_need("0", 300)], now=10)["0"] == MAIN
    assert budget.decide([_need("0", 250)], now=20)["0"] == MAIN, "inside the band: stays up"
    assert budget.decide([_need("0", 239)], now=30)["0"] == SUB


def test_at_most_max_hq_main_decodes_largest_first():
    budget = DecodeBudget(max_hq=2)
    tiles = [_need("a", 400), _need("b", 900), _need("c", 500), _need("d", 600, sub=False)]
    result = budget.decide(tiles, now=0)
    assert result == {"b": MAIN, "d": MAIN, "c": SUB, "a": SUB}
    assert budget.hq_in_use() == 2


def test_over_budget_camera_without_substream_falls_back_to_snapshot():
    budget = DecodeBudget(max_hq=1)
    result = budget.decide([_need("a", 900, sub=False), _need("b", 800, sub=False)], now=0)
    assert result == {"a": MAIN, "b": SNAPSHOT}


def test_snapshot_only_and_nothing():
    budget = DecodeBudget()
    result = budget.decide([_need("a", 900, main=False, sub=False), _need("b", 100, False, False, False)], now=0)
    assert result == {"a": SNAPSHOT, "b": "none"}


def test_health_stale_on_silence_and_on_repeats():
    h = StreamHealth()
    assert h.state(0) == "connecting"
    assert h.frame(1.0, 100.0, fingerprint=1, width=320, height=180)
    assert h.state(3.9) == "live"
    assert h.fps(3.9) == 0.0, "no picture for a while: 0 fps, not the old rate"
    assert not h.frame(3.9, 102.9, fingerprint=1, width=320, height=180), "a repeated picture is no news"
    assert h.state(4.1) == "stale"
    assert h.last_good_wall == 100.0
    h.frame(4.2, 103.2, fingerprint=2, width=320, height=180)
    assert h.state(4.2) == "live"
    h.fail()
    assert h.state(4.3) == "stale", "a failed source is stale at once"
    h.restart(4.4)
    assert h.state(4.5) == "stale", "a reconnect attempt is not a picture"
    h.frame(4.6, 104.6, fingerprint=3, width=320, height=180)
    assert h.state(4.6) == "live"


def test_health_fps():
    h = StreamHealth()
    for i in range(21):
        h.frame(i * 0.1, i * 0.1, fingerprint=i, width=1, height=1)
    assert abs(h.fps(2.0) - 10) < 0.6


def test_backoff_doubles_to_a_ceiling_forever_and_resets():
    b = Backoff(first=0.5, ceiling=4)
    assert [b.next_delay() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]
    b.reset()
    assert b.next_delay() == 0.5


def test_decoder_choice_learns_that_vlc_cannot_open_rtsp():
    choice = DecoderChoice()
    assert choice.choose("rtsp://127.0.0.1/x") == VLC
    assert not choice.report_vlc_failure("http://127.0.0.1/x", got_picture=False), "http failures are the camera's"
    assert not choice.report_vlc_failure("rtsp://127.0.0.1/x", got_picture=True)
    assert choice.report_vlc_failure("rtsp://127.0.0.1/x", got_picture=False)
    assert choice.choose("RTSP://127.0.0.1/y") == QT
    assert choice.choose("http://127.0.0.1/y") == VLC
