"""Audio distortion: relative waveform MSE plus a multi-resolution STFT term; SI-SDR."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = []


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


def ranged_stft_loss(
    x: Tensor, x_hat: Tensor, sizes: tuple[int, ...], range_db: float = 60.0
) -> Tensor:
    """Mean over resolutions of spectral convergence + mean |log magnitude difference|, with
    both magnitudes floored ``range_db`` below the loudest bin of x (per example), so that
    what lies under that floor (inaudible next to the loud parts) weighs nothing.

    x, x_hat: Tensor[B, T] float. Returns a scalar (dimensionless).
    """
    total = x.new_zeros(())
    for n_fft in sizes:
        s, s_hat = _magnitude(x, n_fft), _magnitude(x_hat, n_fft)
        floor = s.amax((1, 2), keepdim=True) * 10 ** (-range_db / 20)
        convergence = torch.linalg.norm(s - s_hat) / torch.linalg.norm(s).clamp_min(1e-7)
        log_s, log_s_hat = (
            torch.log(torch.maximum(s, floor)),
            torch.log(torch.maximum(s_hat, floor)),
        )
        total = total + convergence + torch.mean(torch.abs(log_s - log_s_hat))
    return total / len(sizes)


def pre_emphasis(x: Tensor, coefficient: float) -> Tensor:
    """First-order high-pass y[t] = x[t] - coefficient * x[t - 1] along the last axis.

    x: Tensor[..., T] -> Tensor[..., T] (x[-1] taken as 0). Speech codecs weight their error
    this way so that the coding noise follows the falling spectrum of speech instead of
    being white: plain MSE spends the bits on the loud low harmonics and leaves the weaker
    formants above 1 kHz, which carry intelligibility, to noise.
    """
    if coefficient == 0:
        return x
    return torch.cat([x[..., :1], x[..., 1:] - coefficient * x[..., :-1]], dim=-1)


def audio_distortion(
    x: Tensor, x_hat: Tensor, sample_rate: int, stft_weight: float, emphasis: float = 0.0
) -> Tensor:
    """Training distortion: relative waveform MSE + stft_weight * MR-STFT loss.

    x, x_hat: Tensor[B, T]. The waveform term is mean_t (e - e_hat)^2 / mean_t e^2 per
    example, where e = pre_emphasis(x, emphasis) (e = x when emphasis is 0: then 1 for
    silence out, 0 for a perfect copy, and -10 log10 of it is the SNR), so it weighs the
    same at any level. It leads: with the MR-STFT loss in front, the model learned magnitudes
    but hardly the waveform (SI-SDR near -30 dB after hundreds of steps); the STFT term, kept
    small, adds weight to quiet spectral regions that MSE neglects.
    """
    e, e_hat = pre_emphasis(x, emphasis), pre_emphasis(x_hat, emphasis)
    energy = e.pow(2).mean(-1).clamp_min(1e-8)
    waveform = ((e - e_hat).pow(2).mean(-1) / energy).mean()
    if stft_weight == 0:
        return waveform
    return waveform + stft_weight * multi_resolution_stft_loss(x, x_hat, stft_sizes(sample_rate))
