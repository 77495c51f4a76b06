"""aecodec's own image models as a benchmark codec (real .aec files)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aecodec import __version__, api, zoo
from aecodec.bench.codecs.library_digest import aecodec_source_digest

__all__ = ["AecodecCodec"]


@dataclass
class AecodecCodec:
    """A registered image model swept over its continuous quality."""

    model: str | None = None
    params: list[float] = field(
        default_factory=lambda: [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0]
    )

    @property
    def name(self) -> str:
        return "aecodec-" + zoo.load(self.model)[1].name

    def settings(self) -> dict:
        entry = zoo.load(self.model)[1]
        return {
            "library": f"aecodec {__version__}",
            "source": aecodec_source_digest(),
            "model": entry.name,
            "weights_sha256": entry.sha256,
            "config": entry.config,
            "param": "quality",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        return api.compress_image(pixels, float(param), self.model)

    def decode(self, data: bytes) -> np.ndarray:
        return api.decompress_image(data)[0]
