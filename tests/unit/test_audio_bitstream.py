"""The .aec container for audio: geometry round trip and rejections."""

from __future__ import annotations

import struct
import zlib

import pytest

from aecodec import bitstream
from aecodec.bitstream import AecHeader, BitstreamError


def audio_header(**changes: object) -> AecHeader:
    fields = dict(
        kind=bitstream.KIND_AUDIO,
        model="speech-test",
        weights_hash=bytes(range(8)),
        quality=3.0,
        height=0,
        width=0,
        channels=2,
        sections=[b"z0", b"y0" * 20, b"z1", b"y1" * 5],
        sample_rate=44100,
        frames=441000,
    )
    fields.update(changes)
    return AecHeader(**fields)


def test_audio_round_trip_restores_rate_length_and_channels() -> None:
    h = audio_header()
    back = bitstream.decode(bitstream.encode(h))
    assert back == h
    info = back.info()
    assert info["kind"] == "audio"
    assert (info["sample_rate"], info["frames"], info["channels"]) == (44100, 441000, 2)
    assert info["seconds"] == pytest.approx(10.0)
    assert "height" not in info


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sample_rate": 10}, "sample rate"),
        ({"sample_rate": 10_000_000}, "sample rate"),
        ({"frames": 0}, "audio length"),
        ({"channels": 3}, "channel count"),
    ],
)
def test_encoder_refuses_impossible_audio_geometry(changes: dict, message: str) -> None:
    with pytest.raises(BitstreamError, match=message):
        bitstream.encode(audio_header(**changes))


def _patch_geometry(data: bytes, rate: int, frames: int, channels: int) -> bytes:
    """Rewrite the geometry of a valid file and fix its CRC (a crafted, consistent file)."""
    name_len = data[6]
    start = 8 + name_len + 8 + 4
    body = data[:-4]
    body = body[:start] + struct.pack("!IIB", rate, frames, channels) + body[start + 9 :]
    return body + struct.pack("!I", zlib.crc32(body))


def test_decoder_refuses_a_header_claiming_days_of_audio_before_allocating() -> None:
    data = bitstream.encode(audio_header())
    crafted = _patch_geometry(data, 48000, 2**32 - 1, 2)
    with pytest.raises(BitstreamError, match="audio length"):
        bitstream.decode(crafted)


def test_decoder_refuses_a_crafted_zero_sample_rate() -> None:
    data = bitstream.encode(audio_header())
    with pytest.raises(BitstreamError, match="sample rate"):
        bitstream.decode(_patch_geometry(data, 0, 100, 1))
