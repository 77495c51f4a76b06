"""Encoder-side latent refinement: spend encoding time to lower one image's rate-distortion cost.

The analysis transform g_a predicts a latent in one pass, but the latent that minimises a given
image's own cost R + λ·255²·MSE is usually a little different: the amortisation gap (Campos et
al., "Content adaptive optimization for neural image compression", 2019; Yang et al.,
"Improving inference for neural image compression", NeurIPS 2020). ``refine_latent`` starts
from g_a's latent and takes Adam steps on that cost with the model's weights held fixed.

The decoder does not change: the refined latent is entropy-coded like any other, so a file made
with refinement decodes with any aecodec that ships the model, deterministically as ever.

Gradients use the training relaxation (additive uniform noise for the rate, straight-through
rounding for the synthesis). Every iterate is also scored with the hard cost the coder will
see (latents rounded around their predicted means, rate from the rounded values), and the best
iterate is returned: refinement never returns a latent whose estimated cost is above g_a's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from aecodec.errors import ConfigError

if TYPE_CHECKING:
    from compressai.entropy_models import EntropyBottleneck, GaussianConditional

__all__ = [
    "MAX_REFINE_PIXELS",
    "hyper_bits",
    "lambda_at",
    "latent_bits",
    "refine_latent",
    "round_around",
]

# Refinement back-propagates through the whole synthesis at once (no tiling): about 2.5 GB of
# activations per megapixel for the shipped models, so it is limited to this many pixels.
MAX_REFINE_PIXELS = 1_600_000


def lambda_at(lambdas: tuple[float, ...], quality: float) -> float:
    """The rate-distortion trade-off at a continuous quality in [1, len(lambdas)].

    Geometric interpolation between ladder points, as the gain vectors are interpolated.
    """
    q = float(quality)
    lo = min(int(math.floor(q)), len(lambdas) - 1)
    t = q - lo
    return math.exp((1 - t) * math.log(lambdas[lo - 1]) + t * math.log(lambdas[lo]))


def _bits(likelihoods: Tensor, bound: Callable[[Tensor], Tensor]) -> Tensor:
    return -torch.log2(bound(likelihoods)).sum()


def round_around(t: Tensor, centre: Tensor) -> Tensor:
    """t rounded to the integer grid around ``centre``, straight-through (t's gradient)."""
    return t + (torch.round(t - centre) + centre - t).detach()


def hyper_bits(eb: EntropyBottleneck, z: Tensor) -> Tensor:
    """Bits of a hyper-latent z Tensor[B, N, h, w] (rounded or noisy) under an
    EntropyBottleneck (which takes its input as (N, 1, -1))."""
    flat = z.permute(1, 0, 2, 3).reshape(z.shape[1], 1, -1)
    return _bits(eb._likelihood(flat)[0], eb.likelihood_lower_bound)


def latent_bits(gc: GaussianConditional, y: Tensor, scales: Tensor, means: Tensor) -> Tensor:
    """Bits of a latent y (rounded or noisy) under a GaussianConditional N(means, scales)."""
    return _bits(gc._likelihood(y, scales, means), gc.likelihood_lower_bound)


def refine_latent(
    model: torch.nn.Module,
    x: Tensor,
    y: Tensor,
    quality: float,
    iterations: int,
    valid: tuple[int, int],
    lr: float = 0.01,
    seed: int = 0,
    on_step: Callable[[], None] | None = None,
) -> Tensor:
    """Refine a gained latent for one image; returns the best latent found (detached).

    model: a MeanScaleHyperprior (frozen CDFs; its weights are not changed).
    x: Tensor[1, 3, H, W] in [0, 1], padded to the model's multiple.
    y: Tensor[1, M, H/16, W/16], g_a(x) times the gain of ``quality`` (the starting point).
    valid: (height, width) of the real image inside the padding; only those pixels count in
    the distortion and the rate is per real pixel. ``seed`` fixes the relaxation noise.
    """
    h, w = valid
    if h * w > MAX_REFINE_PIXELS:
        raise ConfigError(
            f"latent refinement handles images up to {MAX_REFINE_PIXELS / 1e6:.1f} megapixels "
            f"(this one has {h * w / 1e6:.1f}); compress without it"
        )
    eb, gc = model.entropy_bottleneck, model.gaussian_conditional
    scale = lambda_at(model.config.lambdas, quality) * 255**2
    _, inv_gain = model.gains(quality)
    inv_gain = inv_gain.detach().view(1, -1, 1, 1)
    target = x[..., :h, :w]
    medians = eb._get_medians().detach().view(1, -1, 1, 1)
    generator = torch.Generator().manual_seed(seed)

    def noise(t: Tensor) -> Tensor:
        return torch.rand(t.shape, generator=generator, dtype=t.dtype) - 0.5

    latent = y.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([latent], lr=lr)
    best_cost, best = math.inf, y.detach().clone()
    with torch.enable_grad():
        for step in range(iterations + 1):
            z = model.h_a(latent)
            z_hat = round_around(z, medians)
            scales, means = model.h_s(z_hat).chunk(2, 1)
            y_hat = round_around(latent, means)
            x_hat = model.g_s(y_hat * inv_gain)[..., :h, :w]
            distortion = scale * torch.mean((x_hat - target) ** 2)
            hard_bits = hyper_bits(eb, z_hat) + latent_bits(gc, y_hat, scales, means)
            cost = (distortion + hard_bits / (h * w)).item()
            if cost < best_cost:
                best_cost, best = cost, latent.detach().clone()
            if step == iterations:
                break
            soft_bits = hyper_bits(eb, z + noise(z)) + latent_bits(
                gc, latent + noise(latent), scales, means
            )
            loss = distortion + soft_bits / (h * w)
            (latent.grad,) = torch.autograd.grad(loss, [latent])
            optimizer.step()
            if on_step is not None:
                on_step()
    return best
