"""Band-energy corrections coded in context: each symbol's table depends on the band below it.

The corrections of neighbouring bands in one block move together (a pause, an onset or a
codec that left a whole region short raises them all), so a symbol is cheaper to code once
the symbol of the band below is known: tables chosen by that neighbour (clipped to +-3: 7
tables per band) cut speech-v14's side information at quality 4 from 1.38 to 1.08 kbit/s
(ideal code length on the validation clips; docs/audio.md, "Band energies coded in context").

Table of the symbol of band b, block j::

    t[b, j] = b * (2 K + 1) + clip(k[b - 1, j], -K, K) + K      (band 0: as if k[-1, j] = 0)

Layout of a section (format of models with ``energy_context`` = K > 0; K = 0 keeps
band_energy's one table per band): one constriction ANS stream holding, band by band from the
lowest, the band's symbols of each table in table order and block order within a table, as
Categorical(pmf[t]) of s - low. The encoder clips every symbol into [low, high], so no escape
is ever coded; the decoder knows band b - 1 before band b, hence every table, and refuses a
section that does not end exactly after the last symbol.
"""

from __future__ import annotations

import numpy as np

from aecodec.models.ans_coding import AnsCoder, CdfTables, CodingError

__all__ = ["table_indexes", "encode_in_context", "decode_in_context"]


def _contexts(below: np.ndarray, clip: int) -> np.ndarray:
    return np.clip(below, -clip, clip) + clip


def table_indexes(symbols: np.ndarray, clip: int) -> np.ndarray:
    """int32[B, J] corrections -> int64[B, J] their tables (see the module docstring)."""
    bands = symbols.shape[0]
    below = np.zeros_like(symbols)
    below[1:] = symbols[:-1]
    band = np.arange(bands, dtype=np.int64)[:, None]
    return band * (2 * clip + 1) + _contexts(below, clip).astype(np.int64)


def encode_in_context(symbols: np.ndarray, tables: CdfTables, clip: int, low: int) -> bytes:
    """int32[B, J] in [low, low + table size) -> bytes. tables: B * (2 clip + 1) tables."""
    indexes = table_indexes(symbols, clip)
    models = tables.models()
    if symbols.size and (indexes.max() >= len(models) or symbols.min() < low):
        raise ValueError("symbols or bands out of the tables' range")
    coder = AnsCoder()
    # ANS is a stack: push the last-decoded symbols first
    for b in range(symbols.shape[0] - 1, -1, -1):
        for t in np.unique(indexes[b])[::-1]:
            s = (symbols[b][indexes[b] == t] - low).astype(np.int32)
            coder.encode_reverse(s, models[t])
    return coder.get_compressed().astype("<u4").tobytes()


def decode_in_context(
    data: bytes, bands: int, blocks: int, tables: CdfTables, clip: int, low: int, high: int
) -> np.ndarray:
    """bytes -> int32[bands, blocks], clipped to [low, high]. Raises CodingError unless the
    section holds exactly that many symbols."""
    out = np.zeros((bands, blocks), dtype=np.int32)
    if not bands * blocks:
        if data:
            raise CodingError("band-energy section should be empty")
        return out
    if len(data) % 4 or not data:
        raise CodingError("band-energy section is not a whole, non-empty number of words")
    if len(tables.pmfs) < bands * (2 * clip + 1):
        raise CodingError("band-energy section has more bands than the model's tables")
    try:
        coder = AnsCoder(np.frombuffer(data, dtype="<u4").astype(np.uint32))
    except ValueError:
        raise CodingError("band-energy section is corrupted (invalid last word)") from None
    models = tables.models()
    below = np.zeros(blocks, dtype=np.int32)
    for b in range(bands):
        indexes = b * (2 * clip + 1) + _contexts(below, clip)
        for t in np.unique(indexes):
            where = indexes == t
            s = coder.decode(models[t], int(where.sum())).astype(np.int32, copy=False)
            out[b, where] = np.clip(s + low, low, high)  # the escape entry clips to high
        below = out[b]
    if not coder.is_empty():
        raise CodingError("band-energy section is corrupted (data left after the last symbol)")
    return out
