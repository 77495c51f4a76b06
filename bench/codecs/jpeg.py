"""JPEG through Pillow's libjpeg (aecodec.media): quality sweep and size matching."""

from __future__ import annotations

import numpy as np
import PIL

from aecodec import media
from aecodec.rate_control import jpeg_within

__all__ = ["encode", "decode", "encode_at_most", "settings"]


def settings(subsampling: str = "4:2:0") -> dict:
    return {"library": f"Pillow {PIL.__version__} (libjpeg)", "subsampling": subsampling}


def encode(pixels: np.ndarray, quality: int, subsampling: str = "4:2:0") -> bytes:
    """uint8 [H, W, 3] -> JPEG bytes at Pillow quality 1..100 (baseline, optimised Huffman)."""
    return media.encode_jpeg(pixels, quality, subsampling)


def decode(data: bytes) -> np.ndarray:
    return media.read_image(data)


def encode_at_most(
    pixels: np.ndarray, max_bytes: int, subsampling: str = "4:2:0"
) -> tuple[bytes, int] | None:
    """Highest-quality JPEG whose file is at most ``max_bytes``: (bytes, quality), or None."""
    return jpeg_within(pixels, max_bytes, subsampling)
