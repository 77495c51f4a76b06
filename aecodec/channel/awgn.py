"""Additive white Gaussian noise channel (real or complex baseband), differentiable."""

from __future__ import annotations

import torch

from aecodec.channel.snr import as_snr_tensor, noise_variance

__all__ = ["awgn", "gaussian_noise"]


def gaussian_noise(
    like: torch.Tensor, n0: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Noise shaped like ``like``: N(0, N0/2) per real dimension (CN(0, N0) if complex)."""
    real_dtype = like.real.dtype if like.is_complex() else like.dtype
    std = torch.sqrt(n0 / 2.0)
    if like.is_complex():
        shape = tuple(like.shape) + (2,)
        z = torch.randn(shape, generator=generator, dtype=real_dtype, device=like.device)
        return torch.view_as_complex(z) * std
    z = torch.randn(like.shape, generator=generator, dtype=real_dtype, device=like.device)
    return z * std


def awgn(
    x: torch.Tensor,
    snr_db: float | torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``y = x + n``: AWGN at ``snr_db`` = Es/N0 per channel use, with Es = 1 assumed.

    Args:
        x: transmitted signal, any shape (B, ...), real (real baseband: one real channel use
            per entry) or complex (one complex symbol per entry), normalised to unit average
            energy per channel use (see :func:`aecodec.channel.normalize_power`).
        snr_db: Es/N0 in dB: a float for all examples, or a tensor of shape (B,) for one SNR
            per example.
        generator: source of the noise (None: torch's global generator).

    Returns:
        y, same shape and dtype as ``x``. Gradients flow to ``x`` (the noise is additive).
    """
    n0 = noise_variance(as_snr_tensor(snr_db, x))
    return x + gaussian_noise(x, n0, generator)
