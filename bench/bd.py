"""Bjøntegaard delta rate and delta PSNR (VCEG-M33), and the piecewise-cubic variant.

Curves are (rate, quality) points: rate in bits per pixel, quality in dB (PSNR, or MS-SSIM in
dB). BD-rate is the average rate difference of a test curve against an anchor at equal
quality, over the overlapping quality range, in percent (negative: the test needs fewer bits).
``method="cubic"`` fits log-rate as a cubic polynomial of quality (the original);
``method="pchip"`` interpolates with a monotone piecewise cubic (as in the later JVET tools).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.interpolate import PchipInterpolator

from aecodec.errors import ConfigError

__all__ = ["bd_rate", "bd_psnr"]


def _integral_mean(x: np.ndarray, y: np.ndarray, lo: float, hi: float, method: str) -> float:
    # equal abscissae (a codec that saturates: two settings, one file size) are averaged
    x, inverse = np.unique(x, return_inverse=True)
    y = np.bincount(inverse, weights=y) / np.bincount(inverse)
    if len(x) < 4:
        return math.nan
    if method == "cubic":
        poly = np.polyint(np.polyfit(x, y, 3))
        return (np.polyval(poly, hi) - np.polyval(poly, lo)) / (hi - lo)
    if method == "pchip":
        return float(PchipInterpolator(x, y).integrate(lo, hi)) / (hi - lo)
    raise ConfigError(f"unknown BD method {method!r}")


def _check(rate: Sequence[float], quality: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    r, q = np.asarray(rate, dtype=float), np.asarray(quality, dtype=float)
    keep = np.isfinite(r) & np.isfinite(q) & (r > 0)
    r, q = r[keep], q[keep]
    if len(r) < 4:
        raise ValueError("a BD curve needs at least 4 finite points")
    return r, q


def bd_rate(
    anchor_rate: Sequence[float],
    anchor_quality: Sequence[float],
    test_rate: Sequence[float],
    test_quality: Sequence[float],
    method: str = "cubic",
) -> float:
    """Percent rate change of the test curve at equal quality; NaN if the ranges don't overlap."""
    ra, qa = _check(anchor_rate, anchor_quality)
    rt, qt = _check(test_rate, test_quality)
    lo, hi = max(qa.min(), qt.min()), min(qa.max(), qt.max())
    if hi <= lo:
        return math.nan
    diff = _integral_mean(qt, np.log(rt), lo, hi, method) - _integral_mean(
        qa, np.log(ra), lo, hi, method
    )
    return (math.exp(diff) - 1) * 100


def bd_psnr(
    anchor_rate: Sequence[float],
    anchor_quality: Sequence[float],
    test_rate: Sequence[float],
    test_quality: Sequence[float],
    method: str = "cubic",
) -> float:
    """Average quality gain (dB) of the test curve at equal rate; NaN without overlap."""
    ra, qa = _check(anchor_rate, anchor_quality)
    rt, qt = _check(test_rate, test_quality)
    la, lt = np.log(ra), np.log(rt)
    lo, hi = max(la.min(), lt.min()), min(la.max(), lt.max())
    if hi <= lo:
        return math.nan
    return _integral_mean(lt, qt, lo, hi, method) - _integral_mean(la, qa, lo, hi, method)
