"""Memory-safe entropy coding of indexed CDF tables (format version 2), with constriction.

CompressAI's entropy models own the quantisation and the CDF tables; this module owns turning
symbols into bytes. The coder is constriction's ANS coder (Rust, bounds-checked): decoding any
bytes, however short or forged, cannot read out of bounds, and its memory is the output array.
CompressAI's own rANS decoder (C++) reads past the end of a short string (a segmentation fault
on a crafted file); it still decodes format-1 files, through ``legacy_coding``.

Layout of one section, for symbols v[i] (integers, C order) coded with table t[i]::

    s[i] = v[i] - offset[t[i]]            in-range when 0 <= s < escape[t[i]]
    coded: for t = 0, 1, ...: every symbol of table t in C order, Categorical(pmf[t]),
           the escape symbol escape[t] standing for an out-of-range value;
           then each escaped value, zig-zag coded, Uniform(2**17) (|v| <= 2**16);
    bytes: the ANS words, little-endian uint32.

The pmf of table t is the difference of CompressAI's quantised CDF (16-bit integers, exact in
float64), so both ends build identical models on any machine. Decoding checks that the stream
is consumed exactly (the ANS coder is empty after the last symbol): almost every forged or
corrupted payload fails that check and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import constriction
import numpy as np
from torch import Tensor

from aecodec.errors import AecodecError

# constriction's submodules are attributes of its extension module, not importable packages.
Categorical = constriction.stream.model.Categorical
Uniform = constriction.stream.model.Uniform
AnsCoder = constriction.stream.stack.AnsCoder

__all__ = [
    "ESCAPE_LIMIT",
    "CodingError",
    "CdfTables",
    "tables_of",
    "quantize_symbols",
    "encode_indexed",
    "decode_indexed",
]

ESCAPE_BITS = 17  # escaped values are zig-zag coded in this many bits
ESCAPE_LIMIT = 1 << (ESCAPE_BITS - 1)  # symbols lie in [-ESCAPE_LIMIT, ESCAPE_LIMIT)


class CodingError(AecodecError):
    """An entropy-coded section that does not decode to exactly the announced symbols."""


@dataclass(frozen=True)
class CdfTables:
    """The tables of one entropy model: pmfs[t] has escape[t] + 1 entries (the last one is the
    escape symbol); offsets[t] is the value of the first entry."""

    pmfs: tuple[np.ndarray, ...]
    escape: np.ndarray  # int64[T]
    offsets: np.ndarray  # int64[T]

    def models(self) -> list[Categorical]:
        return [Categorical(p, perfect=False) for p in self.pmfs]


def tables_of(entropy_model) -> CdfTables:
    """CdfTables of a frozen CompressAI EntropyBottleneck or GaussianConditional."""
    cdf = entropy_model._quantized_cdf.numpy().astype(np.float64)
    lengths = entropy_model._cdf_length.reshape(-1).numpy().astype(np.int64)
    offsets = entropy_model._offset.reshape(-1).numpy().astype(np.int64)
    pmfs = tuple(np.diff(cdf[t, : lengths[t]]) for t in range(len(lengths)))
    return CdfTables(pmfs=pmfs, escape=lengths - 2, offsets=offsets)


def quantize_symbols(x: Tensor, means: Tensor) -> Tensor:
    """Symbols of a latent: round(x - means) as int32, clipped to the codable range (a latent
    beyond +-65536 steps never occurs; clipping keeps the coder total)."""
    return (x - means).round().clamp(-ESCAPE_LIMIT, ESCAPE_LIMIT - 1).int()


def _zigzag(v: np.ndarray) -> np.ndarray:
    return np.where(v >= 0, 2 * v, -2 * v - 1).astype(np.int32)


def _unzigzag(u: np.ndarray) -> np.ndarray:
    return np.where(u % 2 == 0, u // 2, -(u + 1) // 2).astype(np.int32)


def encode_indexed(values: Tensor, indexes: Tensor, tables: CdfTables) -> bytes:
    """values, indexes: integer Tensors of one shape (symbols and their table) -> bytes.

    Works table by table on int32 arrays (one table's boolean mask at a time, no global sort
    or int64 copies), so its working memory is about 4 bytes per symbol for the coded symbols
    plus int32 views of the inputs: a 10-minute stereo music file codes 13 million symbols per
    channel."""
    v = values.reshape(-1).numpy()
    t = indexes.reshape(-1).numpy()
    if v.shape != t.shape:
        raise ValueError("values and indexes must have the same shape")
    if v.size and (v.min() < -ESCAPE_LIMIT or v.max() >= ESCAPE_LIMIT):
        raise ValueError("symbol out of the codable range (use quantize_symbols)")
    if t.size and (t.min() < 0 or t.max() >= len(tables.pmfs)):
        raise ValueError("table index out of range")
    v = v.astype(np.int32, copy=False)
    t = t.astype(np.int32, copy=False)
    models = tables.models()
    coded: list[np.ndarray] = []  # per table, its symbols in C order (escape symbol for outliers)
    escaped: list[np.ndarray] = []  # per table, the values of its escaped symbols
    for table in range(len(models)):
        s = v[t == table] - np.int32(tables.offsets[table])
        out = (s < 0) | (s >= tables.escape[table])
        escaped.append(s[out] + np.int32(tables.offsets[table]))
        s[out] = tables.escape[table]
        coded.append(s)
    coder = AnsCoder()
    # ANS is a stack: push the last-decoded part first.
    escapes = _zigzag(np.concatenate(escaped))
    if escapes.size:
        coder.encode_reverse(escapes, Uniform(1 << ESCAPE_BITS))
    for table in range(len(models) - 1, -1, -1):
        if coded[table].size:
            coder.encode_reverse(coded[table], models[table])
    return coder.get_compressed().astype("<u4").tobytes()


def decode_indexed(data: bytes, indexes: Tensor, tables: CdfTables) -> np.ndarray:
    """The inverse: int32 array of the shape of ``indexes``. Raises CodingError unless the
    bytes decode to exactly that many symbols and nothing is left over.

    Works table by table, as the encoder does: one boolean mask and the decoded symbols of
    one table at a time, int32 throughout (about 9 bytes per symbol at the peak, with the
    output and the indexes); positions are listed only for the rare escaped symbols."""
    t = indexes.reshape(-1).numpy()
    if t.size and (t.min() < 0 or t.max() >= len(tables.pmfs)):
        raise ValueError("table index out of range")
    t = t.astype(np.int32, copy=False)
    if len(data) % 4:
        raise CodingError("entropy-coded section is not a whole number of 32-bit words")
    if t.size and not data:
        raise CodingError("entropy-coded section is empty")
    try:
        coder = AnsCoder(np.frombuffer(data, dtype="<u4").astype(np.uint32))
    except ValueError:
        raise CodingError("entropy-coded section is corrupted (invalid last word)") from None
    counts = np.bincount(t, minlength=len(tables.pmfs))
    out = np.empty(t.size, dtype=np.int32)
    escaped_at: list[np.ndarray] = []  # per table, flat positions of its escaped symbols
    for table, model in enumerate(tables.models()):
        if not counts[table]:
            continue
        mask = t == table
        s = coder.decode(model, int(counts[table])).astype(np.int32, copy=False)
        escaped = s == tables.escape[table]
        if escaped.any():
            escaped_at.append(np.flatnonzero(mask)[escaped])
        out[mask] = s + np.int32(tables.offsets[table])
        del mask, s
    if escaped_at:
        where = np.concatenate(escaped_at)
        out[where] = _unzigzag(coder.decode(Uniform(1 << ESCAPE_BITS), where.size))
    if not coder.is_empty():
        raise CodingError("entropy-coded section is corrupted (data left after the last symbol)")
    return out.reshape(indexes.shape)
