"""Rate control: find the quality whose real file hits a target size (like JPEG 2000's rate mode).

The file size grows monotonically with the (continuous) quality, up to entropy-coding noise, so
a bisection on quality in [1, levels] converges; every candidate is a real compressed file,
never an estimate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aecodec.errors import ModelError

__all__ = ["compress_to_bpp"]


def compress_to_bpp(
    compress: Callable[[float], bytes],
    pixels: float,
    target_bpp: float,
    levels: int,
    tolerance: float = 0.03,
    max_steps: int = 16,
    unit: str = "bpp",
) -> tuple[bytes, float]:
    """The file closest to ``target_bpp`` (relative error within ``tolerance``) and its quality.

    Args:
        compress: quality -> .aec bytes for the image (or audio).
        pixels: height x width of the image; for audio, seconds x 1000, so that the rate is
            in kbit/s (then pass unit="kbps" for the messages).
        target_bpp: bits per pixel (or kbit/s) of the whole file, header included.
        levels: the model's top quality (qualities span [1, levels]).
        tolerance: accepted relative error of the final rate (0.03 = 3%).
        unit: how messages name the rate.

    Raises:
        ModelError: the target lies outside what the model can reach for this image, or no
            quality came within the tolerance.
    """
    if not target_bpp > 0 or not np.isfinite(target_bpp):
        raise ModelError(f"target {unit} must be a positive number, got {target_bpp}")

    def bpp_of(data: bytes) -> float:
        return len(data) * 8 / pixels

    def error(data: bytes) -> float:
        return abs(bpp_of(data) - target_bpp) / target_bpp

    low_q, high_q = 1.0, float(levels)
    low, high = compress(low_q), compress(high_q)
    if bpp_of(low) > target_bpp * (1 + tolerance) or bpp_of(high) < target_bpp * (1 - tolerance):
        raise ModelError(
            f"target {target_bpp:g} {unit} is outside this model's range for this input "
            f"({bpp_of(low):.3f} to {bpp_of(high):.3f} {unit})"
        )
    best, best_q = min(((low, low_q), (high, high_q)), key=lambda c: error(c[0]))
    for _ in range(max_steps):
        if error(best) <= tolerance / 3:
            break
        q = float(np.float32((low_q + high_q) / 2))
        data = compress(q)
        if error(data) < error(best):
            best, best_q = data, q
        if bpp_of(data) > target_bpp:
            high_q = q
        else:
            low_q = q
    if error(best) > tolerance:
        raise ModelError(
            f"no quality reached {target_bpp:g} {unit} within {tolerance:.0%} "
            f"(closest: {bpp_of(best):.4f} {unit})"
        )
    return best, best_q
