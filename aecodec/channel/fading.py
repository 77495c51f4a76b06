"""Rayleigh block fading with perfect channel knowledge at the receiver."""

from __future__ import annotations

import torch

from aecodec.channel.awgn import gaussian_noise
from aecodec.channel.snr import as_snr_tensor, noise_variance

__all__ = ["rayleigh_block_fading", "zero_forcing"]


def rayleigh_block_fading(
    x: torch.Tensor,
    snr_db: float | torch.Tensor,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``y = h x + n`` with one fading coefficient per example (block fading).

    Args:
        x: (B, ...) transmitted signal with unit average energy per channel use.
        snr_db: average Es/N0 in dB (E|h|^2 = 1): a float or a (B,) tensor.
        generator: source of the fading and the noise.

    Returns:
        (y, h). For complex ``x``, h ~ CN(0, 1); for real ``x``, h is the Rayleigh amplitude
        |CN(0, 1)| (a coherent real-baseband receiver). h has shape (B, 1, ..., 1). The
        receiver is assumed to know h exactly (perfect CSI): pass it to :func:`zero_forcing`
        or feed it to a learned decoder.
    """
    real_dtype = x.real.dtype if x.is_complex() else x.dtype
    shape = (x.shape[0],) + (1,) * (x.dim() - 1) + (2,)
    g = torch.randn(shape, generator=generator, dtype=real_dtype, device=x.device)
    h = torch.view_as_complex(g * (0.5**0.5))
    if not x.is_complex():
        h = h.abs()
    n0 = noise_variance(as_snr_tensor(snr_db, x))
    return h * x + gaussian_noise(x, n0, generator), h


def zero_forcing(y: torch.Tensor, h: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Equalised signal ``y / h`` (computed as conj(h) y / |h|^2)."""
    if h.is_complex():
        return y * h.conj() / (h.abs().square() + eps)
    return y * h / (h.square() + eps)
