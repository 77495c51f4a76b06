"""Coded band energies: the encoder sends, per band and block of frames, how far the decoded
signal's energy is from the original's, and the decoder puts it right.

An MSE-trained codec returns the conditional mean of what it could not code, so its spectra
come out short of energy wherever quantisation is coarse: at 12 kbit/s speech-v7 is 2 to 9 dB
short from 2 to 8 kHz on held-out clips, and ViSQOL, which compares spectrograms, reads
that as a different sound. A decoder cannot know how much is missing; the encoder, which can
run the decoder, can. So, as CELT (Opus) codes band energies beside the band shapes, the
file carries one correction per band and block:

    k[b, j] = round(10 log10(E_x[b, j] / E_y[b, j]) / step),  clipped to the table's range

where E_x is the original's energy in band b over the frames of block j and E_y the decoded
signal's, after every other decoder-side filter and after the floor below. Decoding raises
every bin of a band to at least the model's ``energy_floor_db`` (``FLOOR_DB`` unless it says
otherwise) under that band's RMS in its frame (the holes between harmonics get the bin's own
decoded phase, so nothing random is added), then multiplies the band's magnitudes by
10^(k step / 20).

Where a correction raises a band by more than a model's ``energy_smooth_db`` (the codec left
little of it: pauses and background noise, where a low-rate MDCT codec leaves a few isolated
lines 62.5 Hz apart), decoding first rebuilds that band smooth (``_smoothed``): each bin gets
the band's mean power, and within the block each frame's power moves halfway (in dB) to the
block's mean, blended in over ``SMOOTH_RAMP_DB`` above the threshold. The block's energy does
not change, so the encoder's symbols are the same with or without it. On the noisiest
recordings of LibriSpeech test-other ViSQOL read those lines, scaled up to the original's
level, as a different sound in every pause (docs/audio.md, "Smooth pauses").

Frames are the short-time spectra of ``spectral_postfilter.filter_spectra`` (32 ms, hop 8 ms,
square-root Hann, exact overlap-add); bands are 250 Hz wide up to 2 kHz, 500 Hz to 4 kHz,
1 kHz to 8 kHz and 2 kHz above (``band_edges``). The corrections are entropy-coded with one
fixed table per band (``energy_tables``; counted on training audio, stored with the weights)
through ``ans_coding``; decoding clips every symbol to the table's range, so no forged file
can ask for a larger gain than the model allows. Everything runs in float64 numpy, one block
of frames at a time (memory: the output plus one block), so it is deterministic.
Signals: np.ndarray[T] float32 at the model's rate, full scale +-1.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from aecodec.models.ans_coding import CdfTables, decode_indexed, encode_indexed
from aecodec.models.spectral_postfilter import (
    filter_spectra,
    frame_count,
    frame_features,
    frame_size,
    frame_window,
)

__all__ = [
    "FLOOR_DB",
    "band_edges",
    "block_count",
    "correction_symbols",
    "apply_corrections",
    "energy_tables",
    "encode_corrections",
    "decode_corrections",
    "restore_band_energies",
]

FLOOR_DB = -20.0  # default: decoded bins are raised to at least this far under their band's RMS
_SILENT = 1e-12  # mean power per bin under which a band is left alone (nothing to scale)
SMOOTH_RAMP_DB = 4.0  # smoothing goes from none to full over this many dB above the threshold
SMOOTH_TIME = 0.5  # how far (in dB) each frame's band power moves to its block's mean
_BAND_HZ = ((2000.0, 250.0), (4000.0, 500.0), (8000.0, 1000.0), (float("inf"), 2000.0))


def band_edges(rate: int) -> np.ndarray:
    """int64[B + 1]: the first bin of each band and, last, the bin count of ``rate``'s frames
    (the Nyquist bin belongs to the top band)."""
    n = frame_size(rate)
    bins, hz = n // 2 + 1, rate / n
    edges, f = [0], 0.0
    while True:
        width = next(w for top, w in _BAND_HZ if f < top)
        f += width
        edge = int(round(f / hz))
        if edge + width / hz / 2 >= bins - 1:  # no band narrower than half its width on top
            break
        edges.append(edge)
    return np.asarray([*edges, bins], dtype=np.int64)


def block_count(samples: int, rate: int, block: int) -> int:
    """Blocks of ``block`` frames (the last one may be short) in a signal of this length."""
    return -(-frame_count(samples, rate) // block)


def _floored(
    spectrum: np.ndarray, edges: np.ndarray, floor_db: float
) -> tuple[np.ndarray, np.ndarray]:
    """complex128[F, bins] -> (float64[F, bins] magnitudes raised to at least floor_db under
    their band's RMS in that frame, float64[F, B] the band energies of those magnitudes)."""
    power = spectrum.real**2 + spectrum.imag**2
    widths = np.diff(edges)
    rms = np.sqrt(np.add.reduceat(power, edges[:-1], axis=1) / widths)
    floor = np.repeat(rms * 10 ** (floor_db / 20), widths, axis=1)
    magnitude = np.maximum(np.sqrt(power), floor)
    return magnitude, np.add.reduceat(magnitude**2, edges[:-1], axis=1)


def _block_sums(energy: np.ndarray, block: int) -> np.ndarray:
    """float64[F, B] -> float64[ceil(F / block), B], sums over consecutive frames."""
    frames = energy.shape[0]
    padded = np.zeros((-(-frames // block) * block, energy.shape[1]))
    padded[:frames] = energy
    return padded.reshape(-1, block, energy.shape[1]).sum(1)


def _audible(energy: np.ndarray, edges: np.ndarray, block: int) -> np.ndarray:
    """bool[J, B]: blocks whose decoded energy is enough to be scaled."""
    return energy > _SILENT * np.diff(edges)[None, :] * block


def correction_symbols(
    decoded: np.ndarray,
    original: np.ndarray,
    rate: int,
    step_db: float,
    block: int,
    low: int,
    high: int,
    coded_bands: int | None = None,
    floor_db: float = FLOOR_DB,
) -> np.ndarray:
    """Encoder: int32[C, J], k[b, j] in [low, high] (0 where the decoded band is silent), for
    the C = ``coded_bands`` lowest bands (None: all of them).

    decoded, original: float32[T] of one length, at ``rate``; step_db: dB per symbol step;
    block: frames per block; floor_db: decoding's floor, dB under the band's RMS."""
    edges = band_edges(rate)
    floored = frame_features(decoded, rate, lambda s: _floored(s, edges, floor_db)[1])
    e_y = _block_sums(floored, block)
    e_x = _block_sums(
        frame_features(
            original,
            rate,
            lambda s: np.add.reduceat(s.real**2 + s.imag**2, edges[:-1], axis=1),
        ),
        block,
    )
    audible = _audible(e_y, edges, block)
    ratio_db = 10 * np.log10(np.maximum(e_x, 1e-30) / np.where(audible, e_y, 1.0))
    symbols = np.clip(np.round(ratio_db / step_db), low, high)
    return np.where(audible, symbols, 0).astype(np.int32).T[:coded_bands].copy()


def _smoothed(
    magnitude: np.ndarray,
    energy: np.ndarray,
    raise_db: np.ndarray,
    edges: np.ndarray,
    block: int,
    smooth_db: float,
) -> np.ndarray:
    """Magnitudes float64[F, bins] (floored) of frames that start on a block, with their band
    energies float64[F, B] and the dB each band's correction raises it, float64[F, B] -> the
    magnitudes with every band raised more than ``smooth_db`` rebuilt smooth (see the module
    docstring); each block's band energy is unchanged."""
    frames = energy.shape[0]
    widths = np.diff(edges)
    rows = np.arange(frames) // block
    sums = _block_sums(energy, block)
    mean = (sums / _block_sums(np.ones((frames, 1)), block))[rows]
    target = energy ** (1 - SMOOTH_TIME) * mean**SMOOTH_TIME
    target *= (sums / np.maximum(_block_sums(target, block), 1e-300))[rows]
    weight = np.repeat(np.clip((raise_db - smooth_db) / SMOOTH_RAMP_DB, 0.0, 1.0), widths, axis=1)
    flat = np.repeat(target / widths, widths, axis=1)
    return np.sqrt((1 - weight) * magnitude**2 + weight * flat)


def apply_corrections(
    decoded: np.ndarray,
    symbols: np.ndarray,
    rate: int,
    step_db: float,
    block: int,
    floor_db: float = FLOOR_DB,
    smooth_db: float = 0.0,
) -> np.ndarray:
    """Decoder: float32[T] -> float32[T], the floor and the coded gains applied to the
    lowest C bands; the bins above them pass unchanged (and with C = 0 the signal itself).

    symbols: int32[C, J] as ``correction_symbols`` returns them (already clipped);
    smooth_db: bands raised by more than this many dB are rebuilt smooth first (0: none)."""
    if not symbols.shape[0]:
        return decoded
    edges = band_edges(rate)[: symbols.shape[0] + 1]
    top = edges[-1]
    widths = np.diff(edges)
    gains_db = symbols.T.astype(np.float64) * step_db

    def process(whole: np.ndarray, first: int) -> np.ndarray:
        spectrum = whole[:, :top]
        magnitude, energy = _floored(spectrum, edges, floor_db)
        frames = spectrum.shape[0]
        # chunks of frames start on a block (``block`` divides their length)
        j = np.arange(first, first + frames) // block
        audible = _audible(_block_sums(energy, block), edges, block)[j - j[0]]
        raise_db = np.where(audible, gains_db[j], 0.0)
        gain = 10 ** (raise_db / 20)
        if smooth_db:
            magnitude = _smoothed(magnitude, energy, raise_db, edges, block, smooth_db)
        with np.errstate(invalid="ignore", divide="ignore"):
            phase = np.where(np.abs(spectrum) > 0, spectrum / np.abs(spectrum), 1.0)
        whole[:, :top] = magnitude * phase * np.repeat(gain, widths, axis=1)
        return whole

    return filter_spectra(decoded, rate, process, indexed=True)


def energy_tables(counts: np.ndarray | torch.Tensor, low: int) -> CdfTables:
    """CdfTables from int64[B, S] symbol counts (symbol low + s), one table per band: the
    pmf is (count + 1) / total, with an escape entry of weight 1 (never used by the encoder,
    which clips). Exact in float64, so both ends build the same model."""
    c = np.asarray(counts, dtype=np.float64) + 1.0
    pmfs = tuple(np.append(row, 1.0) / (row.sum() + 1.0) for row in c)
    size = c.shape[1]
    return CdfTables(
        pmfs=pmfs,
        escape=np.full(len(pmfs), size, dtype=np.int64),
        offsets=np.full(len(pmfs), low, dtype=np.int64),
    )


def _indexes(bands: int, blocks: int) -> torch.Tensor:
    return torch.arange(bands, dtype=torch.int32).view(-1, 1).expand(bands, blocks)


def encode_corrections(symbols: np.ndarray, tables: CdfTables) -> bytes:
    """int32[B, J] -> bytes (one ans_coding section)."""
    bands, blocks = symbols.shape
    return encode_indexed(torch.from_numpy(symbols), _indexes(bands, blocks), tables)


def decode_corrections(
    data: bytes, bands: int, blocks: int, tables: CdfTables, low: int, high: int
) -> np.ndarray:
    """bytes -> int32[B, J] clipped to [low, high]. Raises CodingError on a corrupted section."""
    values = decode_indexed(data, _indexes(bands, blocks), tables)
    return np.clip(values, low, high).astype(np.int32)


def restore_band_energies(
    decoded: Tensor,
    original: Tensor,
    rate: int,
    step_db: float,
    block: int,
    low: int,
    high: int,
    coded_bands: int | None = None,
    above: Tensor | None = None,
    floor_db: float = FLOOR_DB,
) -> tuple[Tensor, Tensor]:
    """Training path, differentiable in ``decoded``: what decoding returns once the encoder's
    corrections are applied, and the original as the loss should see it.

    decoded, original: Tensor[B, T] float at ``rate``; the frames are those of the numpy
    path (a frame of zeros padded on each side, hop a quarter, ``frame_window``), blocks of
    ``block`` frames from the first, the floor and the clipped, rounded symbols as
    ``correction_symbols`` and ``apply_corrections`` compute them. The rounding passes the
    gradient straight through (zero where a symbol is clipped), so the output's band energy
    does not depend on the input's band level wherever a correction is coded: what is left to
    learn is the shape within bands. ``above``: optional Tensor[bins] magnitude response that
    decoding left on the bins above the coded bands (the low-pass of low qualities), applied
    there to the returned original. Returns (Tensor[B, T] decoded, Tensor[B, T] original)."""
    n = frame_size(rate)
    hop = n // 4
    total = decoded.shape[-1]
    window = torch.from_numpy(frame_window(n)).to(decoded)
    edges = band_edges(rate)[: (coded_bands if coded_bands is not None else 10**9) + 1]
    top = int(edges[-1])

    def analyse(x: Tensor) -> Tensor:
        padded = F.pad(x, (n, n + (-total) % hop))
        return torch.fft.rfft(padded.unfold(-1, n, hop) * window, dim=-1)  # [B, F, bins]

    def synthesise(spectrum: Tensor) -> Tensor:
        frames = torch.fft.irfft(spectrum, n=n, dim=-1) * window  # [B, F, n]
        length = (frames.shape[1] - 1) * hop + n
        out = F.fold(frames.transpose(1, 2), (1, length), (1, n), stride=(1, hop))
        return out[:, 0, 0, n : n + total]

    sy, sx = analyse(decoded), analyse(original)
    target = original  # analysis and synthesis are exact: only a response changes it
    if above is not None and top < sx.shape[-1]:
        response = torch.ones(sx.shape[-1], dtype=sx.real.dtype, device=sx.device)
        response[top:] = above[top:].to(response)
        sx = sx * response
        target = synthesise(sx)
    if len(edges) < 2:
        return decoded, target
    widths = torch.from_numpy(np.diff(edges)).to(decoded.device)
    index = torch.repeat_interleave(torch.arange(len(widths), device=decoded.device), widths)
    power = sy[..., :top].real ** 2 + sy[..., :top].imag ** 2

    def band_sum(p: Tensor) -> Tensor:  # [B, F, top] -> [B, F, bands]
        return torch.zeros(*p.shape[:-1], len(widths), dtype=p.dtype, device=p.device).index_add(
            -1, index, p
        )

    def block_sum(e: Tensor) -> Tensor:  # [B, F, bands] -> [B, J, bands]
        frames = e.shape[1]
        e = F.pad(e, (0, 0, 0, (-frames) % block))
        return e.view(e.shape[0], -1, block, e.shape[-1]).sum(2)

    rms = torch.sqrt(band_sum(power) / widths + 1e-30)
    magnitude = torch.maximum(torch.sqrt(power + 1e-30), (rms * 10 ** (floor_db / 20))[..., index])
    e_y = block_sum(band_sum(magnitude**2))
    px = sx[..., :top].real ** 2 + sx[..., :top].imag ** 2
    e_x = block_sum(band_sum(px))
    audible = e_y > _SILENT * widths * block
    ratio = 10 * torch.log10(e_x.clamp_min(1e-30) / torch.where(audible, e_y, 1.0)) / step_db
    symbols = torch.clamp(torch.round(ratio), low, high)
    inside = (ratio > low) & (ratio < high)
    symbols = symbols.detach() + torch.where(inside, ratio - ratio.detach(), 0.0)
    gain = torch.where(audible, 10 ** (symbols * step_db / 20), 1.0)  # [B, J, bands]
    frames = sy.shape[1]
    gain = torch.repeat_interleave(gain, block, dim=1)[:, :frames][..., index]
    nonzero = power > 0
    phase = sy[..., :top] / torch.sqrt(torch.where(nonzero, power, 1.0))  # no inf gradient
    phase = torch.where(nonzero, phase, torch.ones_like(phase))
    restored = torch.cat([magnitude * gain * phase, sy[..., top:]], -1)
    return synthesise(restored), target
