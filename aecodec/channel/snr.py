"""Conversions between Eb/N0, Es/N0 (the SNR per channel use) and noise variance."""

from __future__ import annotations

import math

import torch

from aecodec.errors import ConfigError

__all__ = ["ebno_to_snr_db", "snr_to_ebno_db", "noise_variance", "as_snr_tensor"]


def ebno_to_snr_db(
    ebno_db: float | torch.Tensor, code_rate: float = 1.0, bits_per_symbol: float = 1.0
) -> float | torch.Tensor:
    """Es/N0 in dB for a given Eb/N0 in dB.

    ``Es/N0 = Eb/N0 * code_rate * bits_per_symbol``, with ``bits_per_symbol`` the coded bits
    carried by one channel use (1 for BPSK on a real channel use, 2 for QPSK on a complex one).
    A learned (n, k) code over n channel uses has ``code_rate * bits_per_symbol = k / n``.
    """
    if code_rate <= 0 or bits_per_symbol <= 0:
        raise ConfigError("code_rate and bits_per_symbol must be positive")
    return ebno_db + 10.0 * math.log10(code_rate * bits_per_symbol)


def snr_to_ebno_db(
    snr_db: float | torch.Tensor, code_rate: float = 1.0, bits_per_symbol: float = 1.0
) -> float | torch.Tensor:
    """Eb/N0 in dB for a given Es/N0 in dB (inverse of :func:`ebno_to_snr_db`)."""
    if code_rate <= 0 or bits_per_symbol <= 0:
        raise ConfigError("code_rate and bits_per_symbol must be positive")
    return snr_db - 10.0 * math.log10(code_rate * bits_per_symbol)


def noise_variance(snr_db: float | torch.Tensor) -> float | torch.Tensor:
    """N0 (noise variance per complex channel use, N0/2 per real dimension) for Es = 1."""
    if isinstance(snr_db, torch.Tensor):
        return torch.pow(10.0, -snr_db / 10.0)
    return 10.0 ** (-snr_db / 10.0)


def as_snr_tensor(snr_db: float | torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """SNR (dB) as a real tensor broadcastable to ``x``.

    A scalar applies to every example; a tensor of shape (B,) (or any prefix of ``x``'s shape)
    gives one SNR per example and is broadcast over the trailing dimensions.
    """
    real_dtype = x.real.dtype if x.is_complex() else x.dtype
    s = torch.as_tensor(snr_db, dtype=real_dtype, device=x.device)
    if s.dim() > x.dim() or tuple(s.shape) != tuple(x.shape[: s.dim()]):
        raise ConfigError(
            f"snr_db of shape {tuple(s.shape)} does not match the leading dimensions "
            f"of the signal {tuple(x.shape)}"
        )
    return s.reshape(tuple(s.shape) + (1,) * (x.dim() - s.dim()))
