"""Training audio: loaded once into memory as int16 at the model's rate, served as random crops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from aecodec.errors import ConfigError
from aecodec.media_audio import read_audio, resample

__all__ = ["load_clips", "AudioCropSampler"]

# mono mixes drawn for each crop: left, right, mid, side (stereo); mono files give their channel
_MIXES = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, -0.5]], dtype=np.float32)


def load_clips(files: list[Path], rate: int) -> list[np.ndarray]:
    """Each file as np.ndarray[T, C] int16 at ``rate`` Hz."""
    clips = []
    for path in files:
        data, file_rate = read_audio(path)
        data = resample(data, file_rate, rate)
        clips.append(np.round(np.clip(data, -1, 1) * 32767).astype(np.int16))
    return clips


class AudioCropSampler:
    """Random mono crops of ``length`` samples with random gain (seeded, resumable).

    Each crop takes a random mono mix of its file (left, right, mid or side for stereo) and a
    gain drawn uniformly in [-12, +6] dB, limited so the peak stays below full scale; nearly
    silent crops are redrawn.
    """

    def __init__(self, clips: list[np.ndarray], length: int, seed: int) -> None:
        self.clips = [c for c in clips if c.shape[0] >= length]
        if not self.clips:
            raise ConfigError(f"no training clip is at least {length} samples long")
        self.length = length
        sizes = np.array([c.shape[0] for c in self.clips], dtype=np.float64)
        self.weights = sizes / sizes.sum()
        self.rng = np.random.default_rng(seed)

    def _crop(self) -> np.ndarray:
        for _ in range(8):
            clip = self.clips[self.rng.choice(len(self.clips), p=self.weights)]
            start = self.rng.integers(0, clip.shape[0] - self.length + 1)
            seg = clip[start : start + self.length].astype(np.float32) / 32767.0
            if seg.shape[1] == 2:
                seg = seg @ _MIXES[self.rng.integers(len(_MIXES))]
            else:
                seg = seg[:, 0]
            peak = float(np.abs(seg).max())
            if peak > 1e-3:
                break
        gain = 10 ** (self.rng.uniform(-12.0, 6.0) / 20)
        return seg * min(gain, 0.99 / max(peak, 1e-3))

    def batch(self, size: int) -> Tensor:
        """Tensor[size, 1, 1, length] float, full scale ±1."""
        out = np.stack([self._crop() for _ in range(size)])
        return torch.from_numpy(out).view(size, 1, 1, self.length)

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state
