"""Training images: loaded once into memory, served as random crops with flips."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from aecodec.datasets import list_images
from aecodec.errors import ConfigError

__all__ = ["load_validation_images", "ImageCropSampler"]


def load_validation_images(
    folder: str | Path, count: int, multiple: int, side: int = 0
) -> list[Tensor]:
    """The first ``count`` images of a folder as Tensor[3, h, w] float in [0, 1].

    Each is cut to a multiple of ``multiple`` pixels: from the top-left corner, or, with
    ``side`` > 0, as a centred square of at most ``side`` pixels.
    """
    out = []
    for path in list_images(folder)[:count]:
        with Image.open(path) as im:
            arr = np.asarray(im.convert("RGB"))
        h, w = arr.shape[0] // multiple * multiple, arr.shape[1] // multiple * multiple
        top = left = 0
        if side:
            s = min(side, h, w)
            top, left = (arr.shape[0] - s) // 2, (arr.shape[1] - s) // 2
            h = w = s
        crop = arr[top : top + h, left : left + w].copy()
        out.append(torch.from_numpy(crop).permute(2, 0, 1).float() / 255)
    return out


class ImageCropSampler:
    """Random crops (uint8 kept in RAM, float only per batch).

    Images smaller than the crop are skipped. Every crop comes from a seeded numpy Generator,
    whose state is saved in checkpoints, so a resumed run sees the same batches.
    """

    def __init__(self, folder: str | Path, crop: int, seed: int) -> None:
        """folder: one training folder, or several joined by os.pathsep (``a:b``; ``~`` is
        expanded)."""
        self.crop = crop
        self.images: list[np.ndarray] = []
        parts = [os.path.expanduser(part) for part in str(folder).split(os.pathsep) if part]
        paths = [p for part in parts for p in list_images(part)]
        for path in paths:
            with Image.open(path) as im:
                arr = np.asarray(im.convert("RGB"))
            if min(arr.shape[:2]) >= crop:
                self.images.append(arr)
        if not self.images:
            raise ConfigError(f"no image in {folder} is at least {crop}x{crop}")
        # Sample images in proportion to their area, so large photos give more crops.
        areas = np.array([a.shape[0] * a.shape[1] for a in self.images], dtype=np.float64)
        self.weights = areas / areas.sum()
        self.rng = np.random.default_rng(seed)

    def batch(self, size: int) -> Tensor:
        """Tensor[size, 3, crop, crop] float in [0, 1]."""
        c = self.crop
        out = np.empty((size, c, c, 3), dtype=np.uint8)
        for i in range(size):
            img = self.images[self.rng.choice(len(self.images), p=self.weights)]
            top = self.rng.integers(0, img.shape[0] - c + 1)
            left = self.rng.integers(0, img.shape[1] - c + 1)
            patch = img[top : top + c, left : left + c]
            if self.rng.random() < 0.5:
                patch = patch[:, ::-1]
            if self.rng.random() < 0.5:
                patch = patch[::-1]
            out[i] = patch
        return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(255.0)

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state
