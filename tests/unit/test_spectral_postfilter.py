"""The fixed speech postfilter: identity when off, band-limits, sharpens harmonics, no seams."""

from __future__ import annotations

import numpy as np

from aecodec.models import spectral_postfilter as P

RATE = 16000


def _spectrum(x: np.ndarray) -> np.ndarray:
    return np.abs(np.fft.rfft(x)) ** 2  # 1-Hz bins for a 1-s signal


def test_off_is_the_identity_and_length_is_kept() -> None:
    x = (0.1 * np.random.default_rng(0).standard_normal(12345)).astype(np.float32)
    y = P.spectral_postfilter(x, RATE, 0.0, None)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.abs(y - x).max() < 1e-6


def test_lowpass_attenuates_what_lies_above_the_cutoff() -> None:
    t = np.arange(RATE) / RATE
    x = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 6000 * t)).astype(np.float32)
    s = _spectrum(P.spectral_postfilter(x, RATE, 0.0, 4000.0))
    assert s[440] > 0.9 * _spectrum(x)[440]
    assert s[6000] < 1e-5 * s[440]  # Butterworth (8th order, zero phase): -56 dB at 1.5 fc


def test_sharpening_raises_harmonics_over_the_noise_between_them_at_equal_energy() -> None:
    t = np.arange(RATE) / RATE
    voiced = sum(np.sin(2 * np.pi * 200 * k * t) / k for k in range(1, 15))
    x = (0.05 * voiced + 0.02 * np.random.default_rng(1).standard_normal(RATE)).astype(np.float32)
    harmonics = np.zeros(RATE // 2 + 1, dtype=bool)
    for k in range(1, 15):
        harmonics[200 * k - 5 : 200 * k + 6] = True

    def contrast(y: np.ndarray) -> float:
        s = _spectrum(y)
        return s[harmonics].sum() / s[~harmonics].sum()

    y = P.spectral_postfilter(x, RATE, 0.3, None)
    assert contrast(y) > 1.5 * contrast(x)
    mid = slice(RATE // 8, -RATE // 8)  # away from the edges: energy kept within a few percent
    assert abs((y[mid] ** 2).sum() / (x[mid] ** 2).sum() - 1) < 0.05


def test_blocks_join_without_seams(monkeypatch) -> None:
    x = (0.1 * np.random.default_rng(2).standard_normal(3 * RATE)).astype(np.float32)
    whole = P.spectral_postfilter(x, RATE, 0.3, 4000.0)
    monkeypatch.setattr(P, "_BLOCK_FRAMES", 7)  # hundreds of blocks instead of one
    blocked = P.spectral_postfilter(x, RATE, 0.3, 4000.0)
    assert np.abs(blocked - whole).max() < 1e-6
