"""A learned receiver correction on top of SoftCast: deep JSCC that starts as the linear scheme.

::

    image -> SoftCast transmitter (aecodec.softcast; linear, blind to the SNR) -> channel
          -> LLSE receiver -> estimate x~ [B, 3, H, W] on the [0, 1] scale
          -> refiner: x^ = x~ + f(x~, SNR)       (the receiver always knows its SNR)

f is a small residual CNN working at half resolution (pixel unshuffle by 2: 12 channels, the
SNR as one more constant map, snr_db / 20), then pixel shuffle back. Its last layer starts at
zero, so an untrained refiner is exactly SoftCast; training teaches it to remove the noise and
the ringing of dropped DCT chunks that SoftCast's per-coefficient LLSE leaves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["RefinerConfig", "SoftCastRefiner"]

_SNR_SCALE = 20.0


@dataclass(frozen=True)
class RefinerConfig:
    """filters: hidden width; blocks: residual blocks (two 3x3 convs each); ratio_text and
    channel: the link it was trained for (bandwidth ratio k/n as text, "awgn"/"rayleigh")."""

    filters: int = 48
    blocks: int = 3
    ratio: str = "1/6"
    channel: str = "awgn"

    def as_dict(self) -> dict:
        return asdict(self)


class _Block(nn.Module):
    def __init__(self, f: int) -> None:
        super().__init__()
        self.a = nn.Conv2d(f, f, 3, padding=1)
        self.b = nn.Conv2d(f, f, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.b(F.relu(self.a(x)))


class SoftCastRefiner(nn.Module):
    """See module docstring."""

    def __init__(self, config: RefinerConfig) -> None:
        super().__init__()
        self.config = config
        f = config.filters
        self.head = nn.Conv2d(12 + 1, f, 3, padding=1)
        self.body = nn.Sequential(*(_Block(f) for _ in range(config.blocks)))
        self.tail = nn.Conv2d(f, 12, 3, padding=1)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def forward(self, estimate: Tensor, snr_db: Tensor) -> Tensor:
        """estimate: Tensor[B, 3, H, W] (SoftCast's LLSE image, [0, 1] scale, any H, W);
        snr_db: Tensor[B] -> refined Tensor[B, 3, H, W] (unclamped)."""
        h, w = estimate.shape[2:]
        x = F.pad(estimate, (0, w % 2, 0, h % 2), mode="replicate")
        z = F.pixel_unshuffle(x - 0.5, 2)
        snr = (snr_db.to(z.dtype) / _SNR_SCALE).view(-1, 1, 1, 1).expand(-1, 1, *z.shape[2:])
        z = F.relu(self.head(torch.cat([z, snr], 1)))
        residual = F.pixel_shuffle(self.tail(self.body(z)), 2)
        return estimate + residual[:, :, :h, :w]
