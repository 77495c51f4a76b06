"""Classic codecs through Pillow: JPEG (libjpeg), JPEG 2000 (OpenJPEG), WebP, AVIF (libavif)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import PIL
from PIL import Image, features

from aecodec import media

__all__ = ["JpegCodec", "Jpeg2000Codec", "WebpCodec", "AvifCodec"]

_RATES = [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0, 1.25, 1.5, 2.0]


def _save(pixels: np.ndarray, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _load(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.array(im.convert("RGB"))


@dataclass
class JpegCodec:
    """JPEG, Pillow quality 1..100, optimised Huffman tables."""

    subsampling: str = "4:2:0"
    params: list[float] = field(default_factory=lambda: [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95])

    @property
    def name(self) -> str:
        return "jpeg-" + self.subsampling.replace(":", "")

    def settings(self) -> dict:
        return {
            "library": f"Pillow {PIL.__version__}, libjpeg {features.version('jpg')}",
            "subsampling": self.subsampling,
            "optimize": True,
            "param": "quality",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        return media.encode_jpeg(pixels, int(param), self.subsampling)

    def decode(self, data: bytes) -> np.ndarray:
        return _load(data)


@dataclass
class Jpeg2000Codec:
    """JPEG 2000 (raw J2K codestream) in rate mode at exact target bits per pixel.

    strong: irreversible 9/7 wavelet with the multi-component (YCbCr) transform, the best
    configuration OpenJPEG offers. Otherwise reversible 5/3, as CompressAI ran opj_compress
    for its published JPEG 2000 curve (labelled ``jpeg2000-53``).
    """

    strong: bool = True
    params: list[float] = field(default_factory=lambda: list(_RATES))

    @property
    def name(self) -> str:
        return "jpeg2000" if self.strong else "jpeg2000-53"

    def settings(self) -> dict:
        return {
            "library": f"Pillow {PIL.__version__}, OpenJPEG {features.version('jpg_2000')}",
            "wavelet": "irreversible 9/7" if self.strong else "reversible 5/3",
            "mct": 1,
            "quality_mode": "rates",
            "codestream": "j2k (no JP2 box)",
            "param": "target bits per pixel",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        return media.encode_jpeg2000(pixels, float(param), self.strong)

    def decode(self, data: bytes) -> np.ndarray:
        return _load(data)


@dataclass
class WebpCodec:
    """WebP (libwebp, lossy), quality 0..100, method 6 (slowest, best)."""

    params: list[float] = field(default_factory=lambda: [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95])
    name: str = "webp"

    def settings(self) -> dict:
        return {
            "library": f"Pillow {PIL.__version__}, libwebp {features.version('webp')}",
            "method": 6,
            "param": "quality",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        return _save(pixels, "WEBP", quality=int(param), method=6)

    def decode(self, data: bytes) -> np.ndarray:
        return _load(data)


@dataclass
class AvifCodec:
    """AVIF (libavif, AV1 intra), quality 0..100, 4:4:4, speed 6."""

    params: list[float] = field(default_factory=lambda: [10, 20, 30, 40, 50, 60, 70, 80, 90])
    name: str = "avif"

    def settings(self) -> dict:
        return {
            "library": f"Pillow {PIL.__version__}, libavif {features.version('avif')}",
            "subsampling": "4:4:4",
            "speed": 6,
            "param": "quality",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        return _save(pixels, "AVIF", quality=int(param), subsampling="4:4:4", speed=6)

    def decode(self, data: bytes) -> np.ndarray:
        return _load(data)
