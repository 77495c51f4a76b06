"""Channel-conditional entropy parameters over the latent (Minnen & Singh, ICIP 2020).

The M latent channels are split into S slices coded one after another. Slice i's Gaussian mean
and scale are the hyperprior's plus a learned correction from the slices already decoded::

    (σ_i, μ_i) = (σ_i^hyper, μ_i^hyper) + f_i(σ_i^hyper, μ_i^hyper, ŷ_0, ..., ŷ_{i-1})

f_i is a small ReLU conv stack (3x3, stride 1) whose last layer starts at zero, so an untrained
context is exactly the hyperprior: a trained hyperprior model grows a context without losing
anything, and the context can be trained alone on cached latents (training/context_task.py).
The correction is additive (no exp or other transcendental function), and at coding time f_i
runs as an exact integer network (integer_conv.py), tiled losslessly, so encoder and decoder
derive the same tables on every machine and with every thread count.

Shapes: y, scales, means Tensor[B, M, h, w] (latent units); slice i covers channels
``bounds[i][0]:bounds[i][1]``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from aecodec.errors import ConfigError
from aecodec.models.integer_conv import IntegerConvStack
from aecodec.models.tiling import tiled_synthesis

__all__ = ["ChannelContext", "slice_bounds"]

KERNEL = 3
LAYERS = 3
HALO = LAYERS * (KERNEL // 2)  # receptive radius of f_i, latent pixels: tiling stays exact
TILE = 64  # latent pixels per tile side of the exact path (bounds its float64 buffers)


def slice_bounds(m: int, slices: int) -> list[tuple[int, int]]:
    """[(start, end)] of ``slices`` near-equal channel groups covering range(m)."""
    if not 1 <= slices <= m:
        raise ConfigError(f"slices must be in [1, {m}], got {slices}")
    edges = [round(i * m / slices) for i in range(slices + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _stack(cin: int, hidden: int, cout: int) -> nn.Sequential:
    pad = KERNEL // 2
    last = nn.Conv2d(hidden, cout, KERNEL, padding=pad)
    nn.init.zeros_(last.weight)
    nn.init.zeros_(last.bias)
    return nn.Sequential(
        nn.Conv2d(cin, hidden, KERNEL, padding=pad),
        nn.ReLU(),
        nn.Conv2d(hidden, hidden, KERNEL, padding=pad),
        nn.ReLU(),
        last,
    )


def _ste_round(y: Tensor, means: Tensor) -> Tensor:
    """round(y - means) + means in the forward pass, identity gradient (straight-through)."""
    r = y - means
    return torch.round(r).detach() + r - r.detach() + means


class ChannelContext(nn.Module):
    """See module docstring. ``forward`` trains; ``exact_params`` serves the coder."""

    def __init__(self, m: int, slices: int, hidden: int) -> None:
        super().__init__()
        self.bounds = slice_bounds(m, slices)
        self.nets = nn.ModuleList(
            _stack(2 * (b - a) + a, hidden, 2 * (b - a)) for a, b in self.bounds
        )
        self._integer: list[IntegerConvStack] | None = None

    def params(
        self, i: int, scales: Tensor, means: Tensor, decoded: list[Tensor]
    ) -> tuple[Tensor, Tensor]:
        """Float path: slice i's hyperprior (scales, means) Tensor[B, c_i, h, w] and the
        decoded earlier slices -> corrected (scales, means)."""
        delta = self.nets[i](torch.cat([scales, means, *decoded], 1))
        d_scale, d_mean = delta.chunk(2, 1)
        return scales + d_scale, means + d_mean

    def forward(self, y: Tensor, scales: Tensor, means: Tensor, gaussian) -> tuple[Tensor, Tensor]:
        """Training: gained y and the hyperprior's (scales, means) Tensor[B, M, h, w] ->
        (ŷ rounded around the corrected means, straight-through; y likelihoods, noise proxy)."""
        decoded: list[Tensor] = []
        likelihoods = []
        for i, (a, b) in enumerate(self.bounds):
            s, mu = self.params(i, scales[:, a:b], means[:, a:b], decoded)
            _, lik = gaussian(y[:, a:b], s, means=mu)
            likelihoods.append(lik)
            decoded.append(_ste_round(y[:, a:b], mu))
        return torch.cat(decoded, 1), torch.cat(likelihoods, 1)

    def forget_integer(self) -> None:
        """Drop the integer networks (weights changed, e.g. at freeze)."""
        self._integer = None

    def exact_params(
        self, i: int, scales: Tensor, means: Tensor, decoded: list[Tensor]
    ) -> tuple[Tensor, Tensor]:
        """Coding path: as ``params`` for batch 1, bit-reproducible (integer f_i, tiled)."""
        if self._integer is None:
            self._integer = [IntegerConvStack(net) for net in self.nets]
        stack: Callable[[Tensor], Tensor] = self._integer[i]
        x = torch.cat([scales, means, *decoded], 1)
        c = self.bounds[i][1] - self.bounds[i][0]
        delta = tiled_synthesis(stack, x, 1, TILE, HALO, 2 * c)
        d_scale, d_mean = delta.chunk(2, 1)
        return scales + d_scale, means + d_mean
