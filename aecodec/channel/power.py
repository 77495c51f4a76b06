"""Per-example power normalisation and real <-> complex views of channel symbols."""

from __future__ import annotations

import torch

__all__ = ["normalize_power", "real_to_complex", "complex_to_real"]


def normalize_power(x: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Scale each example to unit average energy per channel use.

    Args:
        x: (B, ...) real or complex. Every dimension after the first belongs to one example.

    Returns:
        x / sqrt(mean |x|^2) per example: for a complex tensor, mean |x|^2 = 1 per complex
        symbol; for a real tensor, mean x^2 = 1 per real channel use (so an example of n real
        channel uses has energy n).
    """
    if x.dim() < 2:
        raise ValueError("normalize_power expects a batch: shape (B, ...)")
    energy = x.abs().square().flatten(1).mean(dim=1)
    scale = torch.rsqrt(energy + eps).reshape((-1,) + (1,) * (x.dim() - 1))
    return x * scale


def real_to_complex(x: torch.Tensor) -> torch.Tensor:
    """(..., 2k) real -> (..., k) complex: consecutive pairs become (I, Q) of one symbol."""
    if x.shape[-1] % 2:
        raise ValueError("the last dimension must be even to pair values into complex symbols")
    return torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2).contiguous())


def complex_to_real(z: torch.Tensor) -> torch.Tensor:
    """(..., k) complex -> (..., 2k) real, the inverse of :func:`real_to_complex`."""
    return torch.view_as_real(z).reshape(*z.shape[:-1], -1)
