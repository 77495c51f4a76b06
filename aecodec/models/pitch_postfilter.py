"""A pitch (long-term) postfilter: deepens the valleys between the harmonics of voiced speech.

An MSE-trained transform codec with 16-ms frames resolves harmonics poorly: its quantisation
noise fills the valleys between them, which the spectral mask and the band energies (frames
of 32 ms, bands of 250 Hz and more) cannot see. CELP decoders (G.729, AMR-WB) end with a
long-term postfilter for this; this one is its zero-phase form, run on the decoded waveform:

    out[n] = (y[n] + a/2 (y[n - T] + y[n + T])) / (1 + a),   a = strength x r

per 10-ms frame, where T is the lag in 2.5 to 20 ms (pitch 50 to 400 Hz) of the normalised
correlation r of the frame's 20-ms neighbourhood with itself T samples earlier (the shortest
lag at a peak of r within 15% of its largest value: the period rather than a multiple),
and a = 0 where r is under ``VOICED`` (unvoiced frames and pauses pass unchanged). Its
response has peaks at the multiples of 1/T and valleys of (1 - a) / (1 + a) between them.
Frames are blended by overlap-add with Hann windows (hop 10 ms), so T and a change smoothly.
It reads nothing from the bitstream; float64 numpy, deterministic, in blocks of frames
(memory: the output plus one block).
Signals: np.ndarray[T] float32 at the model's rate, full scale +-1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["VOICED", "pitch_postfilter", "pitch_track"]

VOICED = 0.5  # normalised correlation under which a frame counts as unvoiced
_FRAME_S, _WINDOW_S = 0.010, 0.020  # hop of the pitch track; correlation window
_LAG_S = (0.0025, 0.020)  # shortest and longest pitch period searched
_BLOCK = 1024  # frames per block
_OCTAVE = 0.85  # a shorter lag wins when its correlation is at least this share of the best


def _geometry(rate: int) -> tuple[int, int, int, int]:
    hop = int(round(_FRAME_S * rate))
    window = int(round(_WINDOW_S * rate))
    return hop, window, int(round(_LAG_S[0] * rate)), int(round(_LAG_S[1] * rate))


def _padded(signal: np.ndarray, start: int, stop: int) -> np.ndarray:
    """float64 signal[start:stop], zeros outside the signal."""
    out = np.zeros(stop - start)
    a, b = max(start, 0), min(stop, signal.shape[0])
    if b > a:
        out[a - start : b - start] = signal[a:b]
    return out


def pitch_track(signal: np.ndarray, rate: int, first: int, count: int) -> tuple[np.ndarray, ...]:
    """Lags (int64[count], samples) and normalised correlations (float64[count]) of frames
    first..first+count-1, frame f centred on sample f x hop."""
    hop, window, low, high = _geometry(rate)
    centres = (first + np.arange(count)) * hop
    span = window + high
    idx = centres[:, None] - window // 2 - high + np.arange(span)[None, :]
    lo, hi = int(idx.min()), int(idx.max()) + 1
    segments = _padded(signal, lo, hi)[idx - lo]  # [count, window + high]
    current = segments[:, high:]  # [count, window]
    n = 1 << int(np.ceil(np.log2(span + window)))
    corr = np.fft.irfft(
        np.fft.rfft(segments, n, axis=1) * np.conj(np.fft.rfft(current, n, axis=1)), n, axis=1
    )  # corr[:, k] = sum_i current[i] segments[i + k]; lag T = high - k
    lags = np.arange(low, high + 1)
    cross = corr[:, high - lags]
    power = np.concatenate([np.zeros((count, 1)), np.cumsum(segments**2, axis=1)], axis=1)
    lagged = power[:, high - lags + window] - power[:, high - lags]
    energy = power[:, -1] - power[:, high]
    r = cross / np.sqrt(np.maximum(lagged * energy[:, None], 1e-30))
    # the shortest lag at a local peak within 15% of the best: the period, not a multiple
    peak = np.zeros_like(r, dtype=bool)
    peak[:, 1:-1] = (r[:, 1:-1] >= r[:, :-2]) & (r[:, 1:-1] >= r[:, 2:])
    near = peak & (r >= _OCTAVE * r.max(axis=1, keepdims=True))
    best = np.where(near.any(axis=1), np.argmax(near, axis=1), np.argmax(r, axis=1))
    return lags[best], np.clip(r[np.arange(count), best], 0.0, 1.0)


def pitch_postfilter(signal: np.ndarray, rate: int, strength: float) -> np.ndarray:
    """np.ndarray[T] float32 -> np.ndarray[T] float32 (see the module docstring).

    strength: the largest a, reached at r = 1 (0: the signal unchanged)."""
    if strength <= 0:
        return signal
    hop, _, _, high = _geometry(rate)
    total = signal.shape[0]
    frames = -(-total // hop) + 1
    window = np.hanning(2 * hop + 1)[1:]  # periodic Hann over 2 hops: sums to 1 at hop
    out = np.zeros(total + 3 * hop)  # out[i] is sample i - hop
    for first in range(0, frames, _BLOCK):
        count = min(_BLOCK, frames - first)
        lags, r = pitch_track(signal, rate, first, count)
        gain = np.where(r >= VOICED, strength * r, 0.0)[:, None]
        lo = (first - 1) * hop - high  # the block's samples, with every lag on each side
        block = _padded(signal, lo, (first + count + 1) * hop + high)
        starts = (np.arange(count) * hop + high)[:, None] + np.arange(2 * hop)[None, :]
        shift = lags[:, None]
        y = block[starts]
        y = (y + 0.5 * gain * (block[starts - shift] + block[starts + shift])) / (1 + gain)
        for j in range(2):  # frames of one parity do not overlap: add them in one go
            part = y[j::2] * window
            begin = (first + j) * hop
            rows = part.shape[0]
            view = out[begin : begin + 2 * hop * rows].reshape(rows, 2 * hop)
            view += part
    return out[hop : hop + total].astype(np.float32)
