"""SoftCast: linear analog transmission of an image (Jakubczak & Katabi, MobiCom 2011).

No quantisation and no channel code: the quality follows the channel SNR smoothly. Steps::

    RGB -> YCbCr (JPEG's ICT), minus each plane's mean
        -> full-frame orthonormal 2-D DCT per plane (scipy.fft.dctn)
        -> chunks: each plane's coefficients cut into a grid x grid array of rectangles
        -> keep the chunks of largest variance that fit the channel uses; drop the rest
        -> scale chunk i by g_i = c * lambda_i^(-1/4) (the MSE-optimal linear power allocation,
           c set so that the average symbol energy is exactly 1)
        -> pairs of real values -> complex symbols -> the channel (AWGN or Rayleigh block fading)
    receiver: per kept chunk the LLSE estimate  x^ = g lambda / (g^2 lambda + sigma^2) * y,
              dropped chunks -> 0; inverse DCT, add the means, back to RGB, round to uint8.

Side information (the metadata SoftCast sends with a robust digital code): which chunks were
kept and their variances, log-quantised to 8 bits each (both ends use the quantised values),
the three plane means and the power scale c as float16. It is assumed to arrive without
error, and its cost is counted: at 2/3 bit per complex use (QPSK, rate 1/3) its channel uses
(``metadata_uses``) are taken out of the budget before the chunks are chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.fft import dctn, idctn

from aecodec.channel.awgn import awgn
from aecodec.channel.fading import rayleigh_block_fading
from aecodec.errors import ConfigError

__all__ = [
    "SoftCastResult",
    "softcast_transmit",
    "softcast_planes",
    "send_chunks",
    "rgb_to_ycc",
    "ycc_to_rgb",
    "DEFAULT_GRID",
    "metadata_uses",
]

DEFAULT_GRID = 16  # chunks per side of each plane's coefficient array
_VAR_BITS = 8
_LOG2_VAR_STEP = 0.25  # log2 variance quantiser step: 8 bits cover 2^-32 .. 2^32
_LOG2_VAR_MIN = -32.0
_METADATA_BITS_PER_USE = 2 / 3  # QPSK with a rate-1/3 code
_METADATA_SHARES = (0.1, 0.5)  # the grid shrinks until the metadata takes at most this share
# JPEG's RGB -> YCbCr (ICT) without offsets, and its inverse
_ICT = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])
_ICT_INV = np.linalg.inv(_ICT)


@dataclass(frozen=True)
class SoftCastResult:
    """pixels: received uint8 [H, W, 3]; channel_uses: complex uses, metadata included;
    kept_chunks of total_chunks were sent; estimate: the LLSE image before rounding, float64
    [H, W, 3] on the [0, 1] scale (unclipped), what a learned refiner starts from;
    receiver_snr_db: the SNR the receiver sees (dB): the average SNR plus 20 log10 |h| of
    the fading coefficient it knows (the average SNR itself over AWGN)."""

    pixels: np.ndarray
    channel_uses: int
    kept_chunks: int
    total_chunks: int
    estimate: np.ndarray
    receiver_snr_db: float


def _edges(length: int, grid: int) -> list[tuple[int, int]]:
    cuts = [round(i * length / grid) for i in range(grid + 1)]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def _quantise_variance(var: np.ndarray) -> np.ndarray:
    """Chunk variances as both ends know them: log2-quantised to 8 bits (0 stays 0)."""
    safe = np.maximum(var, 2.0**_LOG2_VAR_MIN)
    code = np.clip(np.round((np.log2(safe) - _LOG2_VAR_MIN) / _LOG2_VAR_STEP), 0, 2**_VAR_BITS - 1)
    return np.where(var > 0, 2.0 ** (_LOG2_VAR_MIN + code * _LOG2_VAR_STEP), 0.0)


def metadata_uses(chunks: int) -> int:
    """Complex channel uses of the side information for ``chunks`` chunks: a kept bit and an
    8-bit variance per chunk, three float16 means and the float16 power scale."""
    bits = chunks * (1 + _VAR_BITS) + 4 * 16
    return math.ceil(bits / _METADATA_BITS_PER_USE)


def _fitting_grid(grid: int, channel_uses: int, side: int) -> int:
    """The largest grid <= ``grid`` (and <= the image side) whose metadata costs at most
    a tenth of the channel uses (for a tiny image or budget, half); at least 1."""
    for share in _METADATA_SHARES:
        for g in range(min(grid, side), 1, -1):
            if metadata_uses(3 * g * g) <= share * channel_uses:
                return g
    return 1


def softcast_transmit(
    pixels: np.ndarray,
    snr_db: float,
    channel_uses: int,
    channel: str = "awgn",
    seed: int = 0,
    grid: int = DEFAULT_GRID,
) -> SoftCastResult:
    """Send one image with SoftCast over ``channel_uses`` complex channel uses.

    Args:
        pixels: uint8 RGB [H, W, 3].
        snr_db: average Es/N0 per complex use (dB), Es = 1.
        channel_uses: the budget, metadata included (e.g. the deep JSCC model's count).
        channel: "awgn", or "rayleigh" (one fading coefficient for the image, perfect CSI at
            the receiver, which equalises the phase and uses |h| in its LLSE).
        seed: seeds the noise (and the fading).
        grid: chunks per side of each plane's DCT, at most: a small image or budget gets
            fewer, so that the metadata takes at most a tenth of the channel uses.
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ConfigError("expected pixels of shape [H, W, 3] and dtype uint8")
    if channel not in ("awgn", "rayleigh"):
        raise ConfigError(f"unknown channel {channel!r}")
    ycc = rgb_to_ycc(pixels.astype(np.float64) / 255.0)
    estimate, kept, total, amplitude = softcast_planes(
        ycc, snr_db, channel_uses, channel, seed, grid
    )
    rgb = ycc_to_rgb(estimate)
    out = np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)
    receiver_snr = snr_db + 20 * math.log10(max(amplitude, 1e-6))
    return SoftCastResult(out, int(channel_uses), kept, total, rgb, receiver_snr)


def rgb_to_ycc(rgb: np.ndarray) -> np.ndarray:
    """float [..., 3] RGB -> YCbCr by JPEG's ICT, without offsets (any scale)."""
    return rgb @ _ICT.T


def ycc_to_rgb(ycc: np.ndarray) -> np.ndarray:
    """The inverse of rgb_to_ycc."""
    return ycc @ _ICT_INV.T


def softcast_planes(
    ycc: np.ndarray,
    snr_db: float,
    channel_uses: int,
    channel: str = "awgn",
    seed: int = 0,
    grid: int = DEFAULT_GRID,
) -> tuple[np.ndarray, int, int, float]:
    """SoftCast of any three float planes (an image in YCbCr, or a residual): float64
    [H, W, 3] -> (the receiver's LLSE estimate, float64 [H, W, 3]; kept chunks; total chunks;
    |h| of the fading, 1.0 over AWGN). Arguments as in softcast_transmit."""
    h, w, _ = ycc.shape
    means = ycc.reshape(-1, 3).mean(0).astype(np.float16).astype(np.float64)
    coeffs = np.stack([dctn(ycc[..., p] - means[p], norm="ortho") for p in range(3)])
    grid = _fitting_grid(grid, channel_uses, min(h, w))
    rows, cols = _edges(h, grid), _edges(w, grid)
    chunks = [(p, r, c) for p in range(3) for r in rows for c in cols]
    var = np.array([np.mean(coeffs[p, r0:r1, c0:c1] ** 2) for p, (r0, r1), (c0, c1) in chunks])
    var = _quantise_variance(var)
    sizes = np.array([(r1 - r0) * (c1 - c0) for _, (r0, r1), (c0, c1) in chunks])
    # keep the largest-variance chunks whose real values fit two per complex use
    capacity = 2 * max(0, channel_uses - metadata_uses(len(chunks)))
    kept = []
    used = 0
    for i in np.argsort(-var, kind="stable"):
        if var[i] <= 0 or used + sizes[i] > capacity:
            continue
        kept.append(int(i))
        used += int(sizes[i])
    estimate = np.zeros_like(coeffs)
    amplitude = 1.0
    if kept:
        parts = [
            coeffs[chunks[i][0], slice(*chunks[i][1]), slice(*chunks[i][2])].reshape(-1)
            for i in kept
        ]
        received, amplitude = send_chunks(parts, var[kept], snr_db, channel, seed)
        for i, part in zip(kept, received, strict=True):
            p, (r0, r1), (c0, c1) = chunks[i]
            estimate[p, r0:r1, c0:c1] = part.reshape(r1 - r0, c1 - c0)
    planes = np.stack([idctn(estimate[p], norm="ortho") + means[p] for p in range(3)], -1)
    return planes, len(kept), len(chunks), amplitude


def send_chunks(
    parts: list[np.ndarray], variances: np.ndarray, snr_db: float, channel: str, seed: int
) -> tuple[list[np.ndarray], float]:
    """SoftCast's core on chunks of real values: power allocation, the channel, LLSE.
    Returns (the LLSE estimate of each chunk, |h| of the fading: 1.0 over AWGN).

    parts[i]: the values of chunk i (float64[n_i]); variances[i]: the lambda_i both ends
    know. Chunk i is scaled by g_i = c lambda_i^(-1/4), c (rounded to float16, as sent) set so
    that the mean energy per complex symbol is exactly 1; the receiver returns
    g_i lambda_i / (g_i^2 lambda_i + sigma^2) * y for each value (sigma^2 = N0 / 2 per real
    dimension; under fading g_i is scaled by |h|). Expected MSE of chunk i, per value:
    lambda_i sigma^2 / (g_i^2 lambda_i + sigma^2).
    """
    used = sum(len(v) for v in parts)
    shape = np.asarray(variances, dtype=np.float64) ** -0.25
    energy = sum(float(np.sum(v * v)) * s * s for v, s in zip(parts, shape, strict=True))
    c = float(np.float16(math.sqrt((used / 2) / max(energy, 1e-30))))
    gains = c * shape
    values = np.concatenate([v * g for v, g in zip(parts, gains, strict=True)])
    received, amplitude = _through_channel(values, snr_db, channel, seed)
    sigma2 = 10 ** (-snr_db / 10) / 2
    out = []
    start = 0
    for v, g, lam in zip(parts, gains, variances, strict=True):
        ge = g * amplitude
        out.append(received[start : start + len(v)] * (ge * lam / (ge * ge * lam + sigma2)))
        start += len(v)
    return out, amplitude


def _through_channel(
    values: np.ndarray, snr_db: float, channel: str, seed: int
) -> tuple[np.ndarray, float]:
    """Real values (even count after padding) -> (received real values, |h|) through the
    channel layers as complex symbols; the receiver removes the fading phase."""
    padded = np.concatenate([values, np.zeros(len(values) % 2)])
    symbols = torch.from_numpy(padded.reshape(-1, 2)).to(torch.float64)
    x = torch.view_as_complex(symbols.contiguous()).unsqueeze(0)
    g = torch.Generator().manual_seed(seed)
    if channel == "awgn":
        y, amplitude = awgn(x, snr_db, generator=g), 1.0
    else:
        y, hh = rayleigh_block_fading(x, snr_db, generator=g)
        amplitude = float(hh.abs().reshape(-1)[0])
        y = y * (hh.conj() / max(amplitude, 1e-12))  # phase removed: y = |h| x + n
    real = torch.view_as_real(y[0]).reshape(-1).numpy()
    return real[: len(values)], amplitude
