"""Rate control: find the quality whose real file hits a target size (like JPEG 2000's rate mode).

The file size grows monotonically with the (continuous) quality, up to entropy-coding noise, so
a bisection on quality in [lowest, levels] converges; every candidate is a real compressed file,
never an estimate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aecodec.errors import ModelError

__all__ = ["compress_to_bpp", "largest_within", "jpeg_within"]


def compress_to_bpp(
    compress: Callable[[float], bytes],
    pixels: float,
    target_bpp: float,
    levels: float,
    tolerance: float = 0.03,
    max_steps: int = 16,
    unit: str = "bpp",
    lowest: float = 1.0,
) -> tuple[bytes, float]:
    """The file closest to ``target_bpp`` (relative error within ``tolerance``) and its quality.

    Args:
        compress: quality -> .aec bytes for the image (or audio).
        pixels: height x width of the image; for audio, seconds x 1000, so that the rate is
            in kbit/s (then pass unit="kbps" for the messages).
        target_bpp: bits per pixel (or kbit/s) of the whole file, header included.
        levels: the model's top quality (qualities span [lowest, levels]).
        tolerance: accepted relative error of the final rate (0.03 = 3%).
        unit: how messages name the rate.
        lowest: the model's lowest quality (1 unless it extends below its ladder).

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

    low_q, high_q = float(lowest), float(levels)
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


def largest_within(
    encode: Callable[[float], bytes],
    max_bytes: int,
    low: float,
    high: float,
    *,
    steps: int = 10,
    integer: bool = False,
) -> tuple[bytes, float] | None:
    """The file of the highest quality in [low, high] whose size is at most ``max_bytes``,
    and that quality; None when not even ``low`` fits.

    A bisection on quality (file size grows with it); with ``integer`` over whole qualities
    (e.g. JPEG's 1..100) to the exact answer, else ``steps`` halvings of a continuous range
    (float32 midpoints, as stored in .aec headers). Every candidate is a real file.
    """
    if integer:
        lo, hi, best = int(low), int(high), None
        while lo <= hi:
            q = (lo + hi) // 2
            data = encode(q)
            if len(data) <= max_bytes:
                best, lo = (data, float(q)), q + 1
            else:
                hi = q - 1
        return best
    first = encode(low)
    if len(first) > max_bytes:
        return None
    top = encode(high)
    if len(top) <= max_bytes:
        return top, high
    best, lo_q, hi_q = (first, low), low, high
    for _ in range(steps):
        q = float(np.float32((lo_q + hi_q) / 2))
        data = encode(q)
        if len(data) <= max_bytes:
            best, lo_q = (data, q), q
        else:
            hi_q = q
    return best


def jpeg_within(
    pixels: np.ndarray, max_bytes: int, subsampling: str = "4:2:0"
) -> tuple[bytes, int] | None:
    """The highest-quality JPEG (aecodec.media.encode_jpeg, quality 1..100) of uint8 RGB
    ``pixels`` [H, W, 3] whose file is at most ``max_bytes``: (bytes, quality), or None."""
    from aecodec import media

    fit = largest_within(
        lambda q: media.encode_jpeg(pixels, int(q), subsampling), max_bytes, 1, 100, integer=True
    )
    return None if fit is None else (fit[0], int(fit[1]))
