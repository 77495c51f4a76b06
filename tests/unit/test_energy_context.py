"""Band-energy corrections coded in context: exact round trip, cheaper when bands move
together, and forged sections refused."""

from __future__ import annotations

import numpy as np
import pytest

from aecodec.models.ans_coding import CodingError
from aecodec.models.band_energy import encode_corrections, energy_tables
from aecodec.models.energy_context import decode_in_context, encode_in_context, table_indexes

LOW, HIGH, CLIP, BANDS = -12, 27, 3, 12
SIZE = HIGH - LOW + 1


def _together(blocks: int, seed: int = 0) -> np.ndarray:
    """int32[BANDS, blocks]: each block's bands share a level, plus a little noise."""
    rng = np.random.default_rng(seed)
    level = rng.integers(-3, 8, blocks)
    noise = rng.integers(-1, 2, (BANDS, blocks))
    return np.clip(level[None, :] + noise, LOW, HIGH).astype(np.int32)


def _counted(symbols: list[np.ndarray], clip: int) -> np.ndarray:
    counts = np.zeros((BANDS * (2 * clip + 1), SIZE), dtype=np.int64)
    for k in symbols:
        np.add.at(counts, (table_indexes(k, clip), k - LOW), 1)
    return counts


def test_tables_follow_the_band_below_and_band_zero_uses_the_middle() -> None:
    k = np.array([[5, -9, 0], [1, 2, 3]], dtype=np.int32)
    t = table_indexes(k, CLIP)
    assert t[0].tolist() == [3, 3, 3]
    assert t[1].tolist() == [7 + 6, 7 + 0, 7 + 3]  # clipped to +-3
    assert table_indexes(k, 0).tolist() == [[0, 0, 0], [1, 1, 1]]


def test_round_trip_is_exact_and_context_codes_shorter() -> None:
    tables = energy_tables(_counted([_together(400, s) for s in range(4)], CLIP), LOW)
    plain_tables = energy_tables(_counted([_together(400, s) for s in range(4)], 0), LOW)
    k = _together(300, seed=9)
    data = encode_in_context(k, tables, CLIP, LOW)
    assert np.array_equal(decode_in_context(data, BANDS, 300, tables, CLIP, LOW, HIGH), k)
    assert len(data) < 0.8 * len(encode_corrections(k, plain_tables))


def test_no_bands_code_nothing_and_forged_sections_are_refused() -> None:
    tables = energy_tables(_counted([_together(50)], CLIP), LOW)
    empty = np.zeros((0, 10), dtype=np.int32)
    assert encode_in_context(empty, tables, CLIP, LOW) == b""
    assert decode_in_context(b"", 0, 10, tables, CLIP, LOW, HIGH).shape == (0, 10)
    data = encode_in_context(_together(50), tables, CLIP, LOW)
    for forged in (data[:-4], data + b"\x01\x00\x00\x00", data[:-1], b""):
        with pytest.raises(CodingError):
            decode_in_context(forged, BANDS, 50, tables, CLIP, LOW, HIGH)
    with pytest.raises(CodingError):  # more bands than tables
        decode_in_context(data, BANDS + 1, 50, tables, CLIP, LOW, HIGH)
