"""The pitch postfilter: finds the period, deepens the valleys between harmonics, leaves
unvoiced sound and the harmonics themselves alone, and does not depend on its blocking."""

from __future__ import annotations

import numpy as np
import pytest

from aecodec.models import pitch_postfilter as PP

RATE = 16000


def _voiced(f0: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 20)) * 0.1
    return (x + 0.003 * np.random.default_rng(0).standard_normal(t.size)).astype(np.float32)


@pytest.mark.parametrize("f0", [110.0, 150.0, 230.0])
def test_the_track_finds_the_period_not_a_multiple(f0: float) -> None:
    lags, r = PP.pitch_track(_voiced(f0), RATE, 10, 20)
    assert np.all(np.abs(lags - RATE / f0) <= 1.0) and np.all(r > 0.95)


def test_valleys_between_harmonics_deepen_and_harmonics_stay() -> None:
    f0 = 150.0
    x = _voiced(f0)
    y = PP.pitch_postfilter(x, RATE, 0.5)
    assert y.shape == x.shape and y.dtype == np.float32
    inner = slice(2000, 14000)
    freqs = np.fft.rfftfreq(12000, 1 / RATE)
    spectra = [np.abs(np.fft.rfft(s[inner] * np.hanning(12000))) for s in (x, y)]
    harmonics = np.isin(np.round(freqs), [f0 * k for k in range(1, 20)])
    valleys = np.isin(np.round(freqs), [f0 * k + f0 / 2 for k in range(1, 20)])
    gain_db = [
        20 * np.log10(spectra[1][m].mean() / spectra[0][m].mean()) for m in (harmonics, valleys)
    ]
    assert abs(gain_db[0]) < 0.5 and gain_db[1] < -6.0


def test_unvoiced_sound_and_strength_zero_pass_unchanged() -> None:
    noise = (0.1 * np.random.default_rng(1).standard_normal(RATE)).astype(np.float32)
    assert np.array_equal(PP.pitch_postfilter(noise, RATE, 0.5), noise)
    x = _voiced(150.0)
    assert PP.pitch_postfilter(x, RATE, 0.0) is x
    short = x[:50]
    assert PP.pitch_postfilter(short, RATE, 0.5).shape == short.shape


def test_blocks_do_not_change_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _voiced(130.0, 0.6) * np.linspace(0.2, 1.0, int(0.6 * RATE), dtype=np.float32)
    whole = PP.pitch_postfilter(x, RATE, 0.4)
    monkeypatch.setattr(PP, "_BLOCK", 7)
    assert np.allclose(PP.pitch_postfilter(x, RATE, 0.4), whole, atol=1e-7)
