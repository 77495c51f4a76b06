"""JPEG through Pillow's libjpeg: quality sweep and size matching."""

from __future__ import annotations

import io

import numpy as np
import PIL
from PIL import Image

__all__ = ["encode", "decode", "encode_at_most", "settings"]

SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


def settings(subsampling: str = "4:2:0") -> dict:
    return {"library": f"Pillow {PIL.__version__} (libjpeg)", "subsampling": subsampling}


def encode(pixels: np.ndarray, quality: int, subsampling: str = "4:2:0") -> bytes:
    """uint8 [H, W, 3] -> JPEG bytes at Pillow quality 1..100 (baseline, optimised Huffman)."""
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(
        buf,
        format="JPEG",
        quality=int(quality),
        subsampling=SUBSAMPLING[subsampling],
        optimize=True,
    )
    return buf.getvalue()


def decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def encode_at_most(
    pixels: np.ndarray, max_bytes: int, subsampling: str = "4:2:0"
) -> tuple[bytes, int] | None:
    """Highest-quality JPEG whose file is at most ``max_bytes``: (bytes, quality), or None.

    File size grows with quality, so a binary search over 1..100 finds it.
    """
    lo, hi, best = 1, 100, None
    while lo <= hi:
        q = (lo + hi) // 2
        data = encode(pixels, q, subsampling)
        if len(data) <= max_bytes:
            best, lo = (data, q), q + 1
        else:
            hi = q - 1
    return best
