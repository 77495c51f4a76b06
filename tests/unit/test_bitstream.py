"""The .aec container: round trip and every rejection."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aecodec import bitstream
from aecodec.bitstream import AecHeader, BitstreamError


def make_header(**changes: object) -> AecHeader:
    fields = dict(
        kind=bitstream.KIND_IMAGE,
        model="test-model",
        weights_hash=bytes(range(8)),
        quality=2.5,
        height=512,
        width=768,
        channels=3,
        sections=[b"hyper", b"main-string" * 10],
    )
    fields.update(changes)
    return AecHeader(**fields)


def recrc(body_without_crc: bytes) -> bytes:
    return body_without_crc + struct.pack("!I", zlib.crc32(body_without_crc))


def test_round_trip_preserves_every_field() -> None:
    h = make_header()
    back = bitstream.decode(bitstream.encode(h))
    assert back == h
    assert back.sections == h.sections
    assert back.info()["section_bytes"] == [5, 110]


def test_file_starts_with_magic_and_version() -> None:
    data = bitstream.encode(make_header())
    assert data[:4] == bitstream.MAGIC
    assert data[4] == bitstream.VERSION


def test_decode_rejects_wrong_magic() -> None:
    data = bytearray(bitstream.encode(make_header()))
    data[0] ^= 0xFF
    with pytest.raises(BitstreamError, match="magic"):
        bitstream.decode(bytes(data))


def test_decode_rejects_png_file() -> None:
    with pytest.raises(BitstreamError, match="not an .aec file"):
        bitstream.decode(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)


def test_decode_rejects_unknown_version() -> None:
    data = bytearray(bitstream.encode(make_header()))
    data[4] = 99
    with pytest.raises(BitstreamError, match="version 99"):
        bitstream.decode(recrc(bytes(data[:-4])))


def test_decode_rejects_unknown_kind() -> None:
    data = bytearray(bitstream.encode(make_header()))
    data[5] = 77
    with pytest.raises(BitstreamError, match="kind"):
        bitstream.decode(recrc(bytes(data[:-4])))


@pytest.mark.parametrize("keep", [0, 3, 4, 7, 8, 20, 40, -5, -1])
def test_decode_rejects_truncated_file(keep: int) -> None:
    data = bitstream.encode(make_header())
    with pytest.raises(BitstreamError):
        bitstream.decode(data[:keep])


def test_decode_rejects_every_truncation() -> None:
    data = bitstream.encode(make_header())
    for n in range(len(data)):
        with pytest.raises(BitstreamError):
            bitstream.decode(data[:n])


def test_decode_rejects_trailing_bytes() -> None:
    data = bitstream.encode(make_header())
    with pytest.raises(BitstreamError, match="unexpected bytes"):
        bitstream.decode(data + b"\0")


def test_decode_rejects_crc_mismatch() -> None:
    data = bytearray(bitstream.encode(make_header()))
    data[-10] ^= 0x01  # inside the payload
    with pytest.raises(BitstreamError, match="checksum"):
        bitstream.decode(bytes(data))


def test_decode_rejects_absurd_size_without_allocating() -> None:
    # A well-formed file (valid CRC) that claims 50000 x 20000 = 10^9 pixels.
    data = bytearray(bitstream.encode(make_header()))
    geometry_at = 8 + len("test-model") + 8 + 4
    data[geometry_at : geometry_at + 8] = struct.pack("!II", 50000, 20000)
    with pytest.raises(BitstreamError, match="pixel limit"):
        bitstream.decode(recrc(bytes(data[:-4])))


def test_decode_rejects_zero_size_image() -> None:
    data = bytearray(bitstream.encode(make_header()))
    geometry_at = 8 + len("test-model") + 8 + 4
    data[geometry_at : geometry_at + 4] = struct.pack("!I", 0)
    with pytest.raises(BitstreamError, match="outside"):
        bitstream.decode(recrc(bytes(data[:-4])))


def test_decode_rejects_section_size_beyond_file() -> None:
    data = bytearray(bitstream.encode(make_header()))
    table_at = 8 + len("test-model") + 8 + 4 + 9
    data[table_at : table_at + 4] = struct.pack("!I", 2**32 - 1)
    with pytest.raises(BitstreamError, match="truncated"):
        bitstream.decode(recrc(bytes(data[:-4])))


def test_encode_refuses_invalid_headers() -> None:
    with pytest.raises(ValueError):
        bitstream.encode(make_header(model=""))
    with pytest.raises(ValueError):
        bitstream.encode(make_header(weights_hash=b"short"))
    with pytest.raises(ValueError):
        bitstream.encode(make_header(sections=[]))
    with pytest.raises(BitstreamError):
        bitstream.encode(make_header(height=70000))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_are_rejected_cleanly(blob: bytes) -> None:
    try:
        bitstream.decode(blob)
    except BitstreamError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_after_magic_are_rejected_cleanly(blob: bytes) -> None:
    try:
        bitstream.decode(bitstream.MAGIC + bytes([bitstream.VERSION]) + blob)
    except BitstreamError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_bit_flip_is_detected(data: st.DataObject) -> None:
    valid = bitstream.encode(make_header())
    bit = data.draw(st.integers(0, len(valid) * 8 - 1))
    flipped = bytearray(valid)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(BitstreamError):
        bitstream.decode(bytes(flipped))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_multi_byte_corruption_never_crashes(data: st.DataObject) -> None:
    valid = bytearray(bitstream.encode(make_header()))
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(valid) - 1))
        valid[i] = data.draw(st.integers(0, 255))
    try:
        out = bitstream.decode(bytes(valid))
    except BitstreamError:
        return
    assert out == make_header()  # only an identity "corruption" may pass
