"""JPEG XL through imagecodecs (libjxl): a distance sweep, effort 7 (libjxl's default)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["JpegXlCodec"]

# Butteraugli distances, coarsest first (the sweep runs from small files to large ones):
# 15 is very coarse, 1 visually lossless, 0.5 near-transparent.
_DISTANCES = [15.0, 11.0, 8.0, 6.0, 4.0, 3.0, 2.0, 1.5, 1.0, 0.75, 0.5]


@dataclass
class JpegXlCodec:
    """JPEG XL (bare codestream, no container), VarDCT mode at a Butteraugli distance."""

    effort: int = 7
    params: list[float] = field(default_factory=lambda: list(_DISTANCES))

    @property
    def name(self) -> str:
        return "jpegxl"

    def settings(self) -> dict:
        import imagecodecs

        libjxl = [v for v in imagecodecs.version().split(", ") if v.startswith("libjxl")]
        libjxl_version = libjxl[0] if libjxl else "libjxl"
        return {
            "library": f"imagecodecs {imagecodecs.__version__}, {libjxl_version}",
            "effort": self.effort,
            "container": False,
            "param": "distance",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        import imagecodecs

        return bytes(
            imagecodecs.jpegxl_encode(
                np.ascontiguousarray(pixels),
                effort=self.effort,
                distance=float(param),
                usecontainer=False,
                numthreads=1,
            )
        )

    def decode(self, data: bytes) -> np.ndarray:
        import imagecodecs

        return np.asarray(imagecodecs.jpegxl_decode(data))
