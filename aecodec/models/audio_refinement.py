"""Encoder-side latent refinement for the audio codec: spend encoding time on one signal's cost.

As for images (latent_refinement.py; Campos et al. 2019, Yang et al. 2020), g_a predicts the
latent in one pass, and a few Adam steps on the signal's own cost find one that the same
decoder turns into a better signal for fewer bits. The cost is the one the codec was trained
on: per 1-s chunk, the relative waveform MSE plus ``stft_weight`` times the multi-resolution
STFT loss (training/audio_loss.py), averaged, plus beta(quality) times the bitrate in kbit/s,
where beta(quality) interpolates the rate multipliers training ended with
(``AudioConfig.refine_betas``).

The decoder does not change: the refined latent is entropy-coded like any other. Gradients use
the training relaxation (uniform noise for the rate, straight-through rounding around the
predicted means for the synthesis); every iterate is also scored with the hard cost and the
best is kept, so refinement never returns a latent scored worse than g_a's.

The latent is refined in windows of WINDOW frames, each with HALO frames of the current latent
on either side as context for the synthesis (the transforms reach less than that), so memory
stays bounded for hours of audio.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from aecodec.models.latent_refinement import hyper_bits, latent_bits, round_around
from aecodec.training.audio_loss import multi_resolution_stft_loss, stft_sizes

__all__ = ["beta_at", "latent_cost", "refine_audio_latent"]

WINDOW = 1024  # latent frames refined at once (8.2 s of speech at 125 frames/s)
HALO = 16  # frames of context on each side: the synthesis reaches less than that
CHUNK_SECONDS = 1.0  # the distortion is normalised per chunk of this length, as in training
QUIET_FLOOR = 1e-4  # a chunk's energy counts as at least this fraction of the loudest chunk's
STFT_WEIGHT = 0.02  # the multi-resolution STFT term's weight, as the speech codec trained


def beta_at(betas: tuple[float, ...], quality: float) -> float:
    """Rate multiplier at a continuous quality: geometric interpolation between levels 1..L,
    extrapolated beyond them with the slope of the nearest pair (one value: constant)."""
    if len(betas) == 1:
        return float(betas[0])
    logs = [math.log(b) for b in betas]
    lo = min(max(int(math.floor(quality)), 1), len(betas) - 1)
    t = quality - lo
    return math.exp(logs[lo - 1] + t * (logs[lo] - logs[lo - 1]))


def _distortion(x: Tensor, x_hat: Tensor, chunk: int, floor: float, sizes, weight: float) -> Tensor:
    """Mean over chunks of relative MSE (+ weight x MR-STFT). x, x_hat: Tensor[T], T a
    multiple of chunk."""
    xs, hs = x.view(-1, chunk), x_hat.view(-1, chunk)
    energy = xs.pow(2).mean(-1).clamp_min(floor)
    waveform = ((xs - hs).pow(2).mean(-1) / energy).mean()
    if not weight:
        return waveform
    return waveform + weight * multi_resolution_stft_loss(xs, hs, sizes)


class _Window:
    """The cost of latent frames [start, end) of one signal, the frames around them fixed.

    The synthesis sees HALO frames of context on each side (aligned to the hyper-latent's
    groups of 4 frames); the distortion covers the window's own samples, normalised per
    chunk (the rest, under a chunk, as one short chunk); the rate counts the window's y and
    the z over the context."""

    def __init__(self, model, signal, latent, start, end, quality, stft_weight, seed) -> None:
        config = model.config
        self.model, self.hop = model, config.hop
        frames = latent.shape[-1]
        lo = max(0, start - HALO) // 4 * 4
        hi = min(frames, -(-min(frames, end + HALO) // 4) * 4)
        self.own = slice(start - lo, end - lo)
        self.before = latent[..., lo:start].detach()
        self.after = latent[..., end:hi].detach()
        self.target = signal[start * self.hop : end * self.hop]
        rate = config.sample_rate
        self.chunk = int(rate * CHUNK_SECONDS) // self.hop * self.hop
        whole = signal[: signal.numel() // self.chunk * self.chunk].view(-1, self.chunk)
        loudest = float(whole.pow(2).mean(-1).max()) if whole.numel() else 0.0
        loudest = max(loudest, float(signal.pow(2).mean()))
        self.floor = max(loudest * QUIET_FLOOR, 1e-10)
        self.sizes, self.weight = stft_sizes(rate), stft_weight
        self.per_kbit = beta_at(config.refine_betas, quality) / (self.target.numel() / rate) / 1000
        _, inv_gain = model.gains(quality)
        self.inv_gain = inv_gain.detach().view(1, -1, 1, 1)
        self.medians = model._z_medians()
        self.generator = torch.Generator().manual_seed(seed)

    def _noise(self, t: Tensor) -> Tensor:
        return torch.rand(t.shape, generator=self.generator, dtype=t.dtype) - 0.5

    def _distortion(self, x_hat: Tensor) -> Tensor:
        n = self.target.numel()
        cut = n // self.chunk * self.chunk
        d = x_hat.new_zeros(())
        if cut:
            part = _distortion(
                self.target[:cut], x_hat[:cut], self.chunk, self.floor, self.sizes, self.weight
            )
            d = d + part * (cut / n)
        if cut < n:
            part = _distortion(self.target[cut:], x_hat[cut:], n - cut, self.floor, (), 0.0)
            d = d + part * ((n - cut) / n)
        return d

    def costs(self, window: Tensor) -> tuple[Tensor, Tensor]:
        """(hard cost, relaxed cost) of the window's latent Tensor[1, M, 1, end - start]:
        distortion + beta x kbit/s, rounded as the coder rounds / with uniform noise."""
        model, own = self.model, self.own
        latent = torch.cat([self.before, window, self.after], dim=-1)
        z = model.h_a(latent)
        z_hat = round_around(z, self.medians)
        scales, means = model.h_s(z_hat).chunk(2, 1)
        y_hat = round_around(latent, means)
        samples = slice(own.start * self.hop, own.stop * self.hop)
        x_hat = model.g_s(y_hat * self.inv_gain)[0, 0, 0, samples]
        d = self._distortion(x_hat)
        scales, means = scales[..., own], means[..., own]
        eb, gc = model.entropy_bottleneck, model.gaussian_conditional
        hard = latent_bits(gc, y_hat[..., own], scales, means) + hyper_bits(eb, z_hat)
        soft = latent_bits(gc, window + self._noise(window), scales, means)
        soft = soft + hyper_bits(eb, z + self._noise(z))
        return d + self.per_kbit * hard, d + self.per_kbit * soft


def latent_cost(model: torch.nn.Module, x: Tensor, y: Tensor, quality: float) -> float:
    """The hard cost refinement minimises, of the whole gained latent y Tensor[1, M, 1, f]
    of x Tensor[1, 1, 1, f * hop]: distortion + beta(quality) x kbit/s."""
    with torch.no_grad():
        window = _Window(model, x[0, 0, 0], y, 0, y.shape[-1], quality, STFT_WEIGHT, 0)
        return float(window.costs(y)[0])


def refine_audio_latent(
    model: torch.nn.Module,
    x: Tensor,
    y: Tensor,
    quality: float,
    iterations: int,
    lr: float = 0.02,
    seed: int = 0,
    on_step: Callable[[], None] | None = None,
) -> Tensor:
    """Refine the gained latent of one mono signal; returns the refined latent (detached).

    model: an AudioHyperprior with frozen CDFs and ``config.refine_betas`` (weights unchanged).
    x: Tensor[1, 1, 1, T], the signal the codec sections code, T a multiple of model.factor.
    y: Tensor[1, M, 1, T / hop], g_a(x) times the gain of ``quality`` (the starting point).
    Windows are refined in order, each with the already refined ones as its context.
    """
    signal = x.detach()[0, 0, 0]
    refined = y.detach().clone()
    frames = y.shape[-1]
    for start in range(0, frames, WINDOW):
        end = min(start + WINDOW, frames)
        problem = _Window(model, signal, refined, start, end, quality, STFT_WEIGHT, seed + start)
        window = refined[..., start:end].clone().requires_grad_(True)
        optimizer = torch.optim.Adam([window], lr=lr)
        best_cost, best = math.inf, window.detach().clone()
        with torch.enable_grad():
            for step in range(iterations + 1):
                hard, soft = problem.costs(window)
                if hard.item() < best_cost:
                    best_cost, best = hard.item(), window.detach().clone()
                if step == iterations:
                    break
                (window.grad,) = torch.autograd.grad(soft, [window])
                optimizer.step()
                if on_step is not None:
                    on_step()
        refined[..., start:end] = best
    return refined
