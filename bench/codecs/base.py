"""The one interface every image codec adapter follows."""

from __future__ import annotations

from typing import Protocol

import numpy as np

__all__ = ["ImageCodec"]


class ImageCodec(Protocol):
    """Encode uint8 RGB [H, W, 3] to the bytes of a real file, and decode them back.

    ``params`` is the default sweep (quality, or target bits per pixel, per codec);
    ``settings`` records the library version and every setting used, for the results JSON.
    """

    name: str
    params: list[float]

    def settings(self) -> dict: ...

    def encode(self, pixels: np.ndarray, param: float) -> bytes: ...

    def decode(self, data: bytes) -> np.ndarray: ...
