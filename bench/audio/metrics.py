"""Audio quality metrics: PESQ (wideband), STOI, ViSQOL, DNSMOS, SI-SDR, log-mel distance.

All take float ``np.ndarray[T, C]`` reference and decoded signals at ``rate`` Hz. PESQ comes
from the ``pesq`` package (ITU-T P.862.2, 16 kHz) and STOI from ``pystoi``; both are speech
metrics and run on the mono mix. ViSQOL v3 (``visqol-python``: speech mode at 16 kHz with its
lattice model, audio mode at 48 kHz) and DNSMOS P.835 (``speechmos``, no reference; its OVRL
score) run on the mono mix too. SI-SDR and log-mel distance average over channels.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
from scipy.signal import correlate

from aecodec.media_audio import resample
from aecodec.metrics import si_sdr_db

__all__ = [
    "align",
    "si_sdr",
    "log_mel_distance",
    "pesq_wb",
    "stoi",
    "pesq_available",
    "speech_metrics_available",
    "missing_speech_metrics",
    "perceptual_metrics_available",
    "visqol",
    "dnsmos_ovrl",
]

MAX_LAG = 4096  # samples searched when aligning a decoder's output (codec delay)


def align(reference: np.ndarray, decoded: np.ndarray) -> tuple[np.ndarray, int]:
    """Shift ``decoded`` [T', C] to best match ``reference`` [T, C] (cross-correlation of the
    mono mixes within ±MAX_LAG samples); returns (decoded cut or padded to T, lag in samples).

    Some decoders return leading or trailing padding (MP3's encoder delay); SI-SDR would punish
    a pure delay, which is not what it is meant to measure.
    """
    t = reference.shape[0]
    ref, dec = reference.mean(1), decoded.mean(1)
    n = min(t, dec.shape[0], 10 * 16000 + 2 * MAX_LAG)
    corr = correlate(dec[:n], ref[:n], mode="full", method="fft")
    lags = np.arange(-n + 1, n)
    window = np.abs(lags) <= MAX_LAG
    lag = int(lags[window][np.argmax(corr[window])])
    shifted = decoded[lag:] if lag >= 0 else np.pad(decoded, ((-lag, 0), (0, 0)))
    out = np.zeros_like(reference)
    m = min(t, shifted.shape[0])
    out[:m] = shifted[:m]
    return out, lag


def si_sdr(reference: np.ndarray, decoded: np.ndarray) -> float:
    """Scale-invariant SDR in dB, mean over channels."""
    ref = torch.from_numpy(np.ascontiguousarray(reference.T, dtype=np.float64))
    dec = torch.from_numpy(np.ascontiguousarray(decoded.T, dtype=np.float64))
    return float(si_sdr_db(ref, dec).mean())


@lru_cache(maxsize=8)
def _mel_filterbank(rate: int, n_fft: int, bands: int) -> np.ndarray:
    """Triangular mel filters (HTK mel scale), np.ndarray[bands, n_fft // 2 + 1]."""

    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    edges_mel = np.linspace(0.0, mel(np.array(rate / 2.0)), bands + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    freqs = np.linspace(0.0, rate / 2.0, n_fft // 2 + 1)
    fb = np.zeros((bands, freqs.size))
    for b in range(bands):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        rise = (freqs - lo) / max(mid - lo, 1e-9)
        fall = (hi - freqs) / max(hi - mid, 1e-9)
        fb[b] = np.clip(np.minimum(rise, fall), 0.0, None)
    return fb


def log_mel_distance(reference: np.ndarray, decoded: np.ndarray, rate: int) -> float:
    """Log-mel spectral distance in dB: per frame, the RMS over 80 mel bands of the difference
    of 10 log10 mel power (floored at -100 dB re full scale); mean over frames and channels.
    Window: 2048 samples at 44.1/48 kHz, 1024 at 16 to 32 kHz (hop a quarter)."""
    n_fft = 2048 if rate > 32000 else 1024 if rate > 12000 else 512
    fb = torch.from_numpy(_mel_filterbank(rate, n_fft, 80))
    window = torch.hann_window(n_fft, dtype=torch.float64)
    out = []
    for c in range(reference.shape[1]):
        powers = []
        for sig in (reference[:, c], decoded[:, c]):
            x = torch.from_numpy(np.ascontiguousarray(sig, dtype=np.float64))
            spec = torch.stft(x, n_fft, n_fft // 4, window=window, return_complex=True)
            mel_power = fb @ spec.abs().pow(2) / n_fft
            powers.append(10 * torch.log10(mel_power.clamp_min(1e-10)))
        diff = powers[0] - powers[1]
        out.append(float(diff.pow(2).mean(0).sqrt().mean()))
    return float(np.mean(out))


def pesq_available() -> bool:
    try:
        import pesq  # noqa: F401
    except ImportError:
        return False
    return True


def speech_metrics_available() -> bool:
    try:
        import pystoi  # noqa: F401
    except ImportError:
        return False
    return True


def missing_speech_metrics() -> dict[str, str]:
    """The speech metrics ("pesq", "stoi") this machine cannot measure, each with why and
    how to get it; empty when both are installed."""
    missing = {}
    if not pesq_available():
        missing["pesq"] = (
            "the pesq package is missing (uv sync --extra bench; it builds from source and "
            "needs a C compiler)"
        )
    if not speech_metrics_available():
        missing["stoi"] = "pystoi is missing (uv sync --extra bench)"
    return missing


def _mono16k(x: np.ndarray, rate: int) -> np.ndarray:
    return resample(x.mean(1, keepdims=True), rate, 16000)[:, 0].astype(np.float64)


def pesq_wb(reference: np.ndarray, decoded: np.ndarray, rate: int) -> float:
    """Wideband PESQ (MOS-LQO, about 1.0 to 4.64) of the mono mixes at 16 kHz; NaN when PESQ
    finds no speech in the reference."""
    from pesq import PesqError, pesq

    try:
        return float(pesq(16000, _mono16k(reference, rate), _mono16k(decoded, rate), "wb"))
    except PesqError:
        return math.nan


def stoi(reference: np.ndarray, decoded: np.ndarray, rate: int) -> float:
    """Short-time objective intelligibility (0 to 1) of the mono mixes."""
    from pystoi import stoi as _stoi

    return float(_stoi(reference.mean(1), decoded.mean(1), rate, extended=False))


def perceptual_metrics_available() -> bool:
    """ViSQOL (with its lattice speech model) and DNSMOS are installed (the bench extra)."""
    import importlib.util

    needed = ("visqol", "ai_edge_litert", "speechmos", "onnxruntime", "librosa")
    return all(importlib.util.find_spec(m) is not None for m in needed)


@lru_cache(maxsize=2)
def _visqol_api(mode: str):
    from visqol.api import VisqolApi

    api = VisqolApi()
    api.create(mode=mode, use_lattice_model=True if mode == "speech" else None)
    return api


def visqol(reference: np.ndarray, decoded: np.ndarray, rate: int, speech: bool) -> float:
    """ViSQOL v3 MOS-LQO (1 to 5) of the mono mixes: speech mode at 16 kHz (lattice model),
    or audio mode at 48 kHz."""
    target = 16000 if speech else 48000

    def mono(x: np.ndarray) -> np.ndarray:
        return resample(x.mean(1, keepdims=True), rate, target)[:, 0].astype(np.float64)

    api = _visqol_api("speech" if speech else "audio")
    return float(api.measure_from_arrays(mono(reference), mono(decoded), target).moslqo)


def dnsmos_ovrl(decoded: np.ndarray, rate: int) -> float:
    """DNSMOS P.835 overall quality (OVRL, 1 to 5) of the decoded mono mix at 16 kHz; needs no
    reference (Reddy et al. 2022, the ONNX models that speechmos bundles). Samples beyond full
    scale (a decoder's float output, or resampling overshoot) are clipped, as playback would."""
    from speechmos import dnsmos

    mono = np.clip(_mono16k(decoded, rate), -1.0, 1.0).astype(np.float32)
    return float(dnsmos.run(mono, 16000)["ovrl_mos"])
