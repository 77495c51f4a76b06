"""The encoder's input high-pass: hum out, speech band untouched, zero phase, any length."""

from __future__ import annotations

import numpy as np
import pytest

from aecodec.models.input_highpass import highpass

RATE = 16000


def _tone(hz: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)[:, None]


def _gain_db(hz: float, cutoff: float) -> float:
    x = _tone(hz, 2.0)
    y = highpass(x, RATE, cutoff)
    inner = slice(RATE // 2, -RATE // 2)  # away from the edges
    return float(10 * np.log10(np.mean(y[inner] ** 2) / np.mean(x[inner] ** 2)))


def test_mains_hum_goes_and_the_speech_band_stays() -> None:
    assert _gain_db(30.0, 60.0) < -40.0  # an octave under the cutoff
    assert -7.0 < _gain_db(60.0, 60.0) < -5.0  # -6 dB at the cutoff
    for hz in (150.0, 300.0, 1000.0, 5000.0):
        assert abs(_gain_db(hz, 60.0)) < 0.1


def test_zero_phase_keeps_the_waveform_above_the_cutoff() -> None:
    x = _tone(440.0) + _tone(1300.0)
    y = highpass(x, RATE, 60.0)
    inner = slice(RATE // 4, -RATE // 4)
    assert np.max(np.abs(y[inner] - x[inner])) < 0.01 * np.max(np.abs(x))
    assert y.dtype == np.float32 and y.shape == x.shape


@pytest.mark.parametrize("length", [1, 2, 17, 1000])
def test_any_length_and_channel_count(length: int) -> None:
    x = np.random.default_rng(length).standard_normal((length, 2)).astype(np.float32)
    y = highpass(x, RATE, 60.0)
    assert y.shape == x.shape and np.isfinite(y).all()


def test_zero_hz_is_no_filter() -> None:
    x = _tone(50.0)
    assert highpass(x, RATE, 0.0) is x
