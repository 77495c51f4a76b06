"""The MDCT and its inverse as fixed convolutions (sine window, orthonormal, TDAC).

With hop H, frame i covers samples [iH - H/2, iH + 3H/2) (2H samples, sine window) and gives
H coefficients; the inverse is the transposed convolution with the same kernel, whose overlap-
add cancels the time-domain aliasing (Princen-Bradley), so ``imdct(mdct(x)) == x`` up to float
error, except in the first and last H/2 samples, where one overlapping frame is missing.
Because the basis is orthonormal, squared error in the coefficients equals squared error in
the waveform. Audio runs as one row: x Tensor[B, 1, 1, T], T a multiple of H ->
Tensor[B, H, 1, T / H].
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["mdct_kernel", "MDCT", "IMDCT"]


def mdct_kernel(hop: int) -> Tensor:
    """Tensor[H, 1, 1, 2H]: row k is the windowed cosine w[n] sqrt(2/H) cos(pi/H (n + 1/2 +
    H/2)(k + 1/2)), n in [0, 2H)."""
    if hop % 2:
        raise ValueError("the MDCT hop must be even")
    n = torch.arange(2 * hop, dtype=torch.float64)
    k = torch.arange(hop, dtype=torch.float64).unsqueeze(1)
    window = torch.sin(math.pi * (n + 0.5) / (2 * hop))
    basis = torch.cos(math.pi / hop * (n + 0.5 + hop / 2) * (k + 0.5))
    return (window * math.sqrt(2.0 / hop) * basis).float().view(hop, 1, 1, 2 * hop)


class MDCT(nn.Module):
    """x Tensor[B, 1, 1, T] -> coefficients Tensor[B, H, 1, T / H] (no trainable weights)."""

    def __init__(self, hop: int) -> None:
        super().__init__()
        self.hop = hop
        self.register_buffer("kernel", mdct_kernel(hop), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        h = self.hop
        return F.conv2d(x, self.kernel.to(x.dtype), stride=(1, h), padding=(0, h // 2))


class IMDCT(nn.Module):
    """Coefficients Tensor[B, H, 1, L] -> x Tensor[B, 1, 1, L * H] (overlap-add)."""

    def __init__(self, hop: int) -> None:
        super().__init__()
        self.hop = hop
        self.register_buffer("kernel", mdct_kernel(hop), persistent=False)

    def forward(self, c: Tensor) -> Tensor:
        h = self.hop
        return F.conv_transpose2d(c, self.kernel.to(c.dtype), stride=(1, h), padding=(0, h // 2))
