"""The encoder's quiet-block lift: how much each block is raised, and only quiet ones."""

from __future__ import annotations

import numpy as np

from aecodec.models import quiet_lift as L
from aecodec.models import spectral_postfilter as P

RATE, BLOCK = 16000, 4


def _steps(levels_db: list[float], seconds_each: float = 0.5) -> np.ndarray:
    """Noise in stretches at the given levels, dB relative to 0.1 RMS."""
    rng = np.random.default_rng(0)
    parts = [
        0.1 * 10 ** (db / 20) * rng.standard_normal(int(seconds_each * RATE)) for db in levels_db
    ]
    return np.concatenate(parts).astype(np.float32)


def test_loud_blocks_stay_and_quiet_ones_rise_by_half_the_excess_up_to_the_cap() -> None:
    x = _steps([0.0, 0.0, 0.0, -16.0, -40.0, 0.0, 0.0, 0.0])
    gains = L.lift_gains_db(x, RATE, BLOCK, 10.0)
    per = 0.5 * RATE / (P.frame_size(RATE) // 4) / BLOCK  # blocks per stretch
    middle = [int((i + 0.5) * per) for i in range(8)]
    g = gains[middle]
    assert np.allclose(g[[0, 1, 2, 5, 6, 7]], 0.0)
    assert abs(g[3] - L.SLOPE * (16.0 - L.THRESHOLD_DB)) < 0.6  # 3 dB
    assert g[4] == 10.0  # 0.5 x (40 - 10) = 15, capped


def test_the_lifted_signal_is_louder_only_where_it_was_quiet() -> None:
    x = _steps([0.0, 0.0, -30.0, 0.0])
    y = L.lift_quiet_blocks(x, RATE, BLOCK, 6.0)
    n = len(x) // 4
    quiet = slice(2 * n + 1000, 3 * n - 1000)
    loud = slice(1000, n - 1000)
    rise_db = 10 * np.log10(np.mean(y[quiet] ** 2) / np.mean(x[quiet] ** 2))
    assert abs(rise_db - 6.0) < 0.3
    assert np.max(np.abs(y[loud] - x[loud])) < 1e-4
    assert y.dtype == np.float32 and y.shape == x.shape


def test_silence_and_short_signals_get_no_lift() -> None:
    assert not L.lift_gains_db(np.zeros(20000, np.float32), RATE, BLOCK, 10.0).any()
    short = np.random.default_rng(1).standard_normal(100).astype(np.float32)
    assert L.lift_quiet_blocks(short, RATE, BLOCK, 10.0).shape == (100,)
