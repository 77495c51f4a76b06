"""Real coded files, corrupted at random: always a clean BitstreamError, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aecodec import api
from aecodec.bitstream import BitstreamError

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
REAL = (GOLDEN / "hyperprior-v4-demo-crop-q6.aec").read_bytes()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(REAL) * 8 - 1))
def test_bit_flip_of_real_file_is_rejected(bit: int) -> None:
    data = bytearray(REAL)
    data[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(BitstreamError):
        api.decompress_image(bytes(data))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(REAL) - 1))
def test_truncation_of_real_file_is_rejected(keep: int) -> None:
    with pytest.raises(BitstreamError):
        api.decompress_image(REAL[:keep])


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=0, max_size=2000))
def test_random_bytes_are_rejected_by_the_decoder(blob: bytes) -> None:
    with pytest.raises(BitstreamError):
        api.decompress_image(blob)
