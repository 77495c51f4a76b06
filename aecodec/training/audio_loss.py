"""Audio distortion: multi-resolution STFT loss plus a time-domain term; SI-SDR for validation."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["stft_sizes", "multi_resolution_stft_loss", "audio_distortion", "si_sdr_db"]


def stft_sizes(sample_rate: int) -> tuple[int, ...]:
    """FFT sizes of the loss: 16, 32 and 64 ms windows (powers of two) at ``sample_rate``."""
    base = 1 << max(6, round(sample_rate * 0.016).bit_length() - 1)
    return (base, 2 * base, 4 * base)


def _magnitude(x: Tensor, n_fft: int) -> Tensor:
    window = torch.hann_window(n_fft, device=x.device)
    spec = torch.stft(x, n_fft, hop_length=n_fft // 4, window=window, return_complex=True)
    return spec.abs().clamp_min(1e-7)


def multi_resolution_stft_loss(x: Tensor, x_hat: Tensor, sizes: tuple[int, ...]) -> Tensor:
    """Mean over resolutions of spectral convergence + mean |log magnitude difference|.

    x, x_hat: Tensor[B, T] float, full scale ±1. Returns a scalar (dimensionless).
    """
    total = x.new_zeros(())
    for n_fft in sizes:
        s, s_hat = _magnitude(x, n_fft), _magnitude(x_hat, n_fft)
        convergence = torch.linalg.norm(s - s_hat) / torch.linalg.norm(s).clamp_min(1e-7)
        log_mag = torch.mean(torch.abs(torch.log(s) - torch.log(s_hat)))
        total = total + convergence + log_mag
    return total / len(sizes)


def audio_distortion(x: Tensor, x_hat: Tensor, sample_rate: int, time_weight: float) -> Tensor:
    """Training distortion: MR-STFT loss + time_weight * mean |x - x_hat|. x: Tensor[B, T]."""
    stft = multi_resolution_stft_loss(x, x_hat, stft_sizes(sample_rate))
    return stft + time_weight * torch.mean(torch.abs(x - x_hat))


def si_sdr_db(reference: Tensor, estimate: Tensor) -> Tensor:
    """Scale-invariant SDR in dB (Le Roux et al. 2019), per row: Tensor[B, T] -> Tensor[B].

    Both signals are made zero-mean; the reference is scaled to best fit the estimate.
    """
    ref = reference - reference.mean(-1, keepdim=True)
    est = estimate - estimate.mean(-1, keepdim=True)
    scale = (est * ref).sum(-1, keepdim=True) / (ref.pow(2).sum(-1, keepdim=True) + 1e-12)
    target = scale * ref
    noise = est - target
    return 10 * torch.log10((target.pow(2).sum(-1) + 1e-12) / (noise.pow(2).sum(-1) + 1e-12))
