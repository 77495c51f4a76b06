"""A trained decoder-side spectral mask: per-bin gains predicted from the decoded spectra.

The fixed postfilter (aecodec.models.spectral_postfilter) restores the contrast an MSE-trained
codec takes out of speech spectra with one rule for every frame. This mask learns the rest
from the codec's own output: a small network reads the log-magnitude short-time spectra of
the decoded waveform (the same 32-ms square-root-Hann frames, hop 8 ms) and the file's
quality, and returns a gain per bin and frame, bounded to +-MAX_DB; the phase is kept. With
``floor`` it also returns a magnitude added to each bin, in the bin's own phase, within
FLOOR_DB of the frame's RMS magnitude: coarse quantisation leaves
spectral holes (bins tens of dB under the original between and above the harmonics) that no
bounded gain can fill; the floor is a learned noise fill, deterministic as the rest. It is
trained with the codec frozen (``mask_only`` in the audio task) on the multi-resolution STFT
loss (spectral convergence + log-magnitude distance) against the original, so it is not
pulled towards the flattened conditional mean as a waveform MSE would be.

Network (``SpectralMask``), input log|S| Tensor[B, bins, F]:
- a wide path over frames: bins are channels; conv k3 -> two residual convs k3 dilated 2 and
  4 -> 1x1 to ``bins`` outputs (reach: 7 frames each side);
- a local path over the (bin, frame) plane: three 5x3 convs, for peak and valley structure
  at any pitch;
both start at zero output, so an untrained mask is the identity (the floor head, a 1x1 conv
of the wide path, starts 40 dB under the frame's RMS magnitude). Decoding runs it in blocks
of frames with 7 frames of context on each side, float32 torch on the CPU, on one thread
whatever the caller's setting (two threads split some sums and move the result by an ulp,
which can flip an int16 rounding).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aecodec.models.spectral_postfilter import filter_spectra, frame_size, frame_window

__all__ = [
    "MAX_DB",
    "FLOOR_DB",
    "LOG_FLOOR",
    "SpectralMask",
    "mask_waveforms",
    "apply_spectral_mask",
]

MAX_DB = 18.0  # largest boost or cut the mask applies to one bin
LOG_FLOOR = 1e-5  # added to magnitudes before the log (a full-scale sine peaks near 90)
FLOOR_DB = (-80.0, 0.0)  # range of the added floor, dB relative to the frame's RMS magnitude
_FLOOR_START_DB = -40.0  # the floor head's output before training
_LEVEL_SCALE = 8.0  # frame mean log-magnitude is divided by this as a feature
_DB = math.log(10) / 20  # natural-log magnitude per dB


class SpectralMask(nn.Module):
    """log|S| Tensor[B, bins, F] and quality Tensor[B] in [0, 1] (quality / levels) ->
    (log gain Tensor[B, bins, F] (natural log, within +-MAX_DB), log floor Tensor[B, bins, F]
    (natural log of the magnitude to add) or None without ``floor``)."""

    REACH = 7  # frames of context on each side that one output depends on

    def __init__(self, bins: int, hidden: int, local: int = 12, floor: bool = False) -> None:
        super().__init__()
        self.bins = bins
        self.wide_in = nn.Conv1d(bins + 2, hidden, 3, padding=1)
        self.wide_body = nn.ModuleList(
            nn.Conv1d(hidden, hidden, 3, padding=d, dilation=d) for d in (2, 4)
        )
        self.wide_out = nn.Conv1d(hidden, bins, 1)
        self.local = nn.Sequential(
            nn.Conv2d(2, local, (5, 3), padding=(2, 1)),
            nn.ELU(),
            nn.Conv2d(local, local, (5, 3), padding=(2, 1)),
            nn.ELU(),
            nn.Conv2d(local, 1, (5, 3), padding=(2, 1)),
        )
        for conv in (self.wide_out, self.local[-1]):  # start as the identity mask
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)
        self.max_log = MAX_DB * _DB
        self.floor_out: nn.Conv1d | None = None
        if floor:
            self.floor_out = nn.Conv1d(hidden, bins, 1)
            nn.init.zeros_(self.floor_out.weight)
            low, high = FLOOR_DB
            start = (_FLOOR_START_DB - low) / (high - low)
            nn.init.constant_(self.floor_out.bias, math.log(start / (1 - start)))

    def forward(self, log_mag: Tensor, quality: Tensor) -> tuple[Tensor, Tensor | None]:
        level = log_mag.mean(1, keepdim=True)
        relative = log_mag - level
        q = quality.view(-1, 1, 1).to(log_mag.dtype)
        frames = log_mag.shape[-1]
        features = [relative, level / _LEVEL_SCALE, q.expand(-1, 1, frames)]
        h = F.elu(self.wide_in(torch.cat(features, 1)))
        for conv in self.wide_body:
            h = h + F.elu(conv(h))
        plane = torch.stack([relative, q.expand(-1, self.bins, frames)], 1)
        gain = self.wide_out(h) + self.local(plane)[:, 0]
        gain = self.max_log * torch.tanh(gain / self.max_log)
        if self.floor_out is None:
            return gain, None
        low, high = FLOOR_DB
        relative = low + (high - low) * torch.sigmoid(self.floor_out(h))
        rms = 0.5 * (torch.logsumexp(2 * log_mag, 1, keepdim=True) - math.log(self.bins))
        return gain, rms + relative * _DB


def mask_waveforms(
    x: Tensor,
    mask: SpectralMask | None,
    quality: Tensor | None,
    rate: int,
    band: Tensor | None = None,
) -> Tensor:
    """Training path: x Tensor[B, T] float -> masked Tensor[B, T] (torch STFT, differentiable).

    quality: Tensor[B] in [0, 1]; band: optional Tensor[bins] magnitude response applied after
    the mask (the low-pass of low qualities). With mask None only the band is applied."""
    n = frame_size(rate)
    window = torch.from_numpy(frame_window(n)).to(x)
    spec = torch.stft(
        x, n, n // 4, window=window, center=True, pad_mode="constant", return_complex=True
    )
    if mask is not None:
        magnitude = spec.abs()
        gain, floor = mask(torch.log(magnitude + LOG_FLOOR), quality)
        masked = spec * torch.exp(gain)
        if floor is not None:  # added in the bin's own phase
            masked = masked + torch.exp(floor) * spec / magnitude.clamp_min(1e-12)
        spec = masked
    if band is not None:
        spec = spec * band.view(1, -1, 1)
    return torch.istft(spec, n, n // 4, window=window, center=True, length=x.shape[-1])


@torch.no_grad()
def apply_spectral_mask(
    signal: np.ndarray,
    rate: int,
    mask: SpectralMask,
    quality: float,
    band: np.ndarray | None = None,
) -> np.ndarray:
    """Decoding path: np.ndarray[T] float32 -> np.ndarray[T] float32, in blocks of frames.

    quality: in [0, 1] (quality / levels); band: optional float64[bins] response after the
    mask. Memory: the output plus one block of frames."""
    q = torch.tensor([quality], dtype=torch.float32)

    def process(spectrum: np.ndarray) -> np.ndarray:
        magnitude = np.abs(spectrum)
        log_mag = torch.from_numpy(np.log(magnitude + LOG_FLOOR).T.astype(np.float32))
        gain, floor = mask(log_mag[None], q)
        masked = spectrum * np.exp(gain[0].double().numpy().T)
        if floor is not None:  # added in the bin's own phase
            phase = spectrum / np.maximum(magnitude, 1e-12)
            masked += np.exp(floor[0].double().numpy().T) * phase
        spectrum = masked
        return spectrum * band if band is not None else spectrum

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # float sums split over threads round differently: one thread
    try:  # makes the decoded samples the same whatever the caller's thread count
        return filter_spectra(signal, rate, process, margin=SpectralMask.REACH)
    finally:
        torch.set_num_threads(threads)
