"""Quality metrics: images as uint8 RGB arrays [H, W, 3]; SI-SDR of audio signals."""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["psnr_rgb", "mse_rgb", "ms_ssim_rgb", "ms_ssim_db", "si_sdr_db"]


def mse_rgb(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared error over all RGB samples, on the [0, 255] scale."""
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    d = a.astype(np.float64) - b.astype(np.float64)
    return float(np.mean(d * d))


def psnr_rgb(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB over RGB at 8 bits: 10 log10(255^2 / MSE); inf for identical images."""
    mse = mse_rgb(a, b)
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def ms_ssim_rgb(a: np.ndarray, b: np.ndarray) -> float:
    """MS-SSIM (pytorch-msssim, 5 scales, data range 255) averaged over RGB; NaN if the
    image is smaller than the 161 px the five scales need."""
    from pytorch_msssim import ms_ssim

    if min(a.shape[:2]) < 161:
        return math.nan
    x = torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)[None].float()
    y = torch.from_numpy(np.ascontiguousarray(b)).permute(2, 0, 1)[None].float()
    return float(ms_ssim(x, y, data_range=255.0, size_average=True))


def ms_ssim_db(value: float) -> float:
    """MS-SSIM in dB: -10 log10(1 - ms_ssim)."""
    return math.inf if value >= 1 else -10 * math.log10(1 - value)


def si_sdr_db(reference: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
    """Scale-invariant SDR in dB (Le Roux et al. 2019), per row: Tensor[B, T] -> Tensor[B].

    Both signals are made zero-mean; the reference is scaled to best fit the estimate.
    """
    ref = reference - reference.mean(-1, keepdim=True)
    est = estimate - estimate.mean(-1, keepdim=True)
    scale = (est * ref).sum(-1, keepdim=True) / (ref.pow(2).sum(-1, keepdim=True) + 1e-12)
    target = scale * ref
    noise = est - target
    return 10 * torch.log10((target.pow(2).sum(-1) + 1e-12) / (noise.pow(2).sum(-1) + 1e-12))
