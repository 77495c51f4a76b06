"""Format-2 entropy coding (constriction ANS): exact round trips, exact consumption, no crash."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from aecodec import zoo
from aecodec.models.ans_coding import (
    ESCAPE_LIMIT,
    CodingError,
    decode_indexed,
    encode_indexed,
    tables_of,
)


@pytest.fixture(scope="module")
def tables():
    net, _ = zoo.load("hyperprior-v4")
    return tables_of(net.gaussian_conditional)


def _symbols(rng: np.random.Generator, n: int, tables) -> tuple[torch.Tensor, torch.Tensor]:
    idx = torch.from_numpy(rng.integers(0, len(tables.pmfs), size=(1, 4, 1, n)).astype(np.int32))
    values = torch.from_numpy(np.round(rng.laplace(0, 3, size=(1, 4, 1, n))).astype(np.int32))
    return values, idx


def test_round_trip_is_exact_including_escaped_values(tables) -> None:
    values, idx = _symbols(np.random.default_rng(0), 500, tables)
    values[0, 0, 0, :3] = torch.tensor([ESCAPE_LIMIT - 1, -ESCAPE_LIMIT, 999])  # escapes
    data = encode_indexed(values, idx, tables)
    assert torch.equal(torch.from_numpy(decode_indexed(data, idx, tables)), values)


def _sorted_layout_bytes(values: torch.Tensor, idx: torch.Tensor, tables) -> bytes:
    """The section layout of the module docstring, built with one global stable sort (how
    format-2 files were first written): the table-by-table encoder must give the same bytes."""
    import constriction

    v = values.reshape(-1).numpy().astype(np.int64)
    t = idx.reshape(-1).numpy().astype(np.int64)
    order = np.argsort(t, kind="stable")
    s = v - tables.offsets[t]
    out = (s < 0) | (s >= tables.escape[t])
    coded = np.where(out, tables.escape[t], s).astype(np.int32)[order]
    esc = v[order][out[order]]
    coder = constriction.stream.stack.AnsCoder()
    if esc.size:
        zigzag = np.where(esc >= 0, 2 * esc, -2 * esc - 1).astype(np.int32)
        coder.encode_reverse(zigzag, constriction.stream.model.Uniform(1 << 17))
    ends = np.cumsum(np.bincount(t, minlength=len(tables.pmfs)))
    starts = np.concatenate([[0], ends[:-1]])
    for table in range(len(tables.pmfs) - 1, -1, -1):
        if ends[table] > starts[table]:
            part = coded[starts[table] : ends[table]]
            coder.encode_reverse(part, tables.models()[table])
    return coder.get_compressed().astype("<u4").tobytes()


def test_encoder_writes_the_bytes_of_the_sorted_layout(tables) -> None:
    for seed in range(3):
        values, idx = _symbols(np.random.default_rng(seed), 4000, tables)
        values[0, 1, 0, 5:9] = torch.tensor([ESCAPE_LIMIT - 1, -ESCAPE_LIMIT, 999, -700])
        assert encode_indexed(values, idx, tables) == _sorted_layout_bytes(values, idx, tables)


def test_out_of_range_symbols_are_refused_by_the_encoder(tables) -> None:
    values, idx = _symbols(np.random.default_rng(1), 10, tables)
    values[0, 0, 0, 0] = ESCAPE_LIMIT
    with pytest.raises(ValueError):
        encode_indexed(values, idx, tables)


def test_stream_with_data_left_over_is_refused(tables) -> None:
    values, idx = _symbols(np.random.default_rng(2), 300, tables)
    data = encode_indexed(values, idx, tables)
    with pytest.raises(CodingError):  # decoding fewer symbols than were coded
        decode_indexed(data, idx[..., :200], tables)


def test_empty_or_ragged_sections_are_refused(tables) -> None:
    _, idx = _symbols(np.random.default_rng(3), 10, tables)
    for data in (b"", b"\x01\x02\x03"):
        with pytest.raises(CodingError):
            decode_indexed(data, idx, tables)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=200), st.integers(1, 20000))
def test_any_bytes_decode_or_fail_cleanly_for_any_length(tables, blob: bytes, n: int) -> None:
    idx = torch.zeros(1, 1, 1, n, dtype=torch.int32)
    try:
        out = decode_indexed(blob, idx, tables)
    except CodingError:
        return
    assert out.shape == (1, 1, 1, n)
