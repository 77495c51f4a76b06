"""Format 1: rANS coding of the Gaussian-conditional latent in channel groups, bytes-identical to
CompressAI's one-shot ``GaussianConditional.compress``/``decompress``. New files use format 2
(ans_coding.py); this decodes old ones (through legacy_coding's isolated child).

CompressAI turns the whole latent into Python lists of symbols and indexes before coding, which
for an hour of audio costs gigabytes. Its coder writes the symbols of Tensor[1, M, h, w] in
C order, channel after channel, so coding channel groups one after another through one
``BufferedRansEncoder`` (and one ``RansDecoder`` stream) gives the same bytes with lists the
size of one group. Only batch size 1 is supported (one string).
"""

from __future__ import annotations

import numpy as np
import torch
from compressai.ans import BufferedRansEncoder, RansDecoder
from compressai.entropy_models import GaussianConditional
from torch import Tensor

__all__ = [
    "encode_grouped",
    "encode_grouped_symbols",
    "decode_grouped",
    "decode_grouped_symbols",
    "GROUP_SYMBOLS",
]

GROUP_SYMBOLS = 1 << 20  # about this many symbols per group (at least one channel)


def _tables(gc: GaussianConditional) -> tuple[list, list, list]:
    return (
        gc._quantized_cdf.tolist(),
        gc._cdf_length.reshape(-1).int().tolist(),
        gc._offset.reshape(-1).int().tolist(),
    )


def _group(shape: torch.Size) -> int:
    per_channel = shape[2] * shape[3]
    return max(1, GROUP_SYMBOLS // max(1, per_channel))


def encode_grouped(gc: GaussianConditional, y: Tensor, indexes: Tensor, means: Tensor) -> bytes:
    """y, indexes, means: Tensor[1, M, h, w] -> the bytes ``gc.compress(y, indexes, means)[0]``
    would give."""
    if y.shape[0] != 1 or y.shape != indexes.shape or y.shape != means.shape:
        raise ValueError("encode_grouped expects one latent with matching indexes and means")
    symbols = gc.quantize(y, "symbols", means).int().numpy().reshape(-1)
    return encode_grouped_symbols(gc, symbols, indexes)


def encode_grouped_symbols(gc: GaussianConditional, symbols: np.ndarray, indexes: Tensor) -> bytes:
    """Symbols (int32, C order, flat) with their indexes Tensor[1, M, h, w] -> format-1 bytes."""
    cdf, lengths, offsets = _tables(gc)
    encoder = BufferedRansEncoder()
    step = _group(indexes.shape)
    flat = indexes.reshape(indexes.shape[1], -1)
    per_channel = flat.shape[1]
    for c in range(0, indexes.shape[1], step):
        part = flat[c : c + step].reshape(-1)
        values = symbols[c * per_channel : c * per_channel + part.numel()]
        encoder.encode_with_indexes(values.tolist(), part.int().tolist(), cdf, lengths, offsets)
    return encoder.flush()


def decode_grouped_symbols(gc: GaussianConditional, string: bytes, indexes: Tensor) -> np.ndarray:
    """The symbols (int32, C order, flat) that ``encode_grouped`` coded, without torch ops: this
    runs in legacy_coding's child process. Trusts its input (CompressAI's decoder)."""
    cdf, lengths, offsets = _tables(gc)
    decoder = RansDecoder()
    decoder.set_stream(string)
    step = _group(indexes.shape)
    flat = indexes.reshape(indexes.shape[1], -1)
    parts = []
    for c in range(0, indexes.shape[1], step):
        part = flat[c : c + step].reshape(-1).tolist()
        parts.append(np.asarray(decoder.decode_stream(part, cdf, lengths, offsets), np.int32))
    return np.concatenate(parts) if parts else np.zeros(0, np.int32)


def decode_grouped(
    gc: GaussianConditional, string: bytes, indexes: Tensor, means: Tensor
) -> Tensor:
    """The inverse: Tensor[1, M, h, w] equal to ``gc.decompress([string], indexes, means=means)``
    (dtype of ``means``). In-process: for trusted strings only (tests, legacy_coding)."""
    if indexes.shape[0] != 1 or indexes.shape != means.shape:
        raise ValueError("decode_grouped expects one latent with matching indexes and means")
    symbols = decode_grouped_symbols(gc, string, indexes)
    return gc.dequantize(torch.from_numpy(symbols).reshape(indexes.shape), means)
