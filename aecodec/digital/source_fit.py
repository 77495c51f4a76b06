"""Source coding at a bit budget: the best real file that fits in ``max_bytes``.

JPEG 2000 (strong: 9/7, MCT, OpenJPEG rate mode) is asked for the exact budget and, if
OpenJPEG overshoots, for 2% less until it fits. aecodec's image codec takes the highest
continuous quality that fits, by bisection on real files. Either returns None when not even
the smallest file fits (the receiver then has nothing to decode).
"""

from __future__ import annotations

import numpy as np

from aecodec import media
from aecodec.rate_control import largest_within

__all__ = ["fit_jpeg2000", "fit_aecodec"]

_J2K_MIN_BYTES = 64  # below this OpenJPEG cannot write a codestream with any image data


def fit_jpeg2000(pixels: np.ndarray, max_bytes: int, tries: int = 40) -> bytes | None:
    """JPEG 2000 codestream of at most ``max_bytes`` bytes for uint8 RGB [H, W, 3], or None."""
    if max_bytes < _J2K_MIN_BYTES:
        return None
    pixels_count = pixels.shape[0] * pixels.shape[1]
    bpp = max_bytes * 8 / pixels_count
    for _ in range(tries):
        data = media.encode_jpeg2000(pixels, bpp, strong=True)
        if len(data) <= max_bytes:
            return data
        bpp *= 0.98 * max_bytes / len(data) if len(data) > max_bytes * 1.02 else 0.98
    return None


def fit_aecodec(pixels: np.ndarray, max_bytes: int, model: str | None = None) -> bytes | None:
    """.aec file of at most ``max_bytes`` bytes at the highest quality that fits, or None."""
    from aecodec import zoo
    from aecodec.image_codec import compress_image

    levels = len(zoo.load(model, kind="image")[1].config["lambdas"])
    fit = largest_within(
        lambda q: compress_image(pixels, quality=q, model=model), max_bytes, 1.0, float(levels)
    )
    return None if fit is None else fit[0]
