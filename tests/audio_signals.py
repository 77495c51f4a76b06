"""Test helper: deterministic audio signals for the codec tests."""

from __future__ import annotations

import numpy as np

__all__ = ["speechlike"]


def speechlike(seconds: float, rate: int, channels: int = 1, seed: int = 0) -> np.ndarray:
    """Deterministic voiced-like test signal: harmonics under a syllable envelope, plus noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = np.clip(np.sin(2 * np.pi * 2.5 * t), 0, None) ** 0.5
    x = 0.15 * envelope * voiced + 0.003 * rng.standard_normal(t.size)
    out = np.stack([x * (1.0 - 0.3 * c) for c in range(channels)], 1)
    return out.astype(np.float32)
