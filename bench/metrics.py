"""Image quality metrics on uint8 RGB arrays."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["psnr_rgb", "mse_rgb"]


def mse_rgb(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared error over all RGB samples, on the [0, 255] scale."""
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    d = a.astype(np.float64) - b.astype(np.float64)
    return float(np.mean(d * d))


def psnr_rgb(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB over RGB at 8 bits: 10 log10(255^2 / MSE); inf for identical images."""
    mse = mse_rgb(a, b)
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)
