"""Variable-rate mean-scale hyperprior image codec (Minnen, Ballé, Toderici 2018, no context).

::

    x ─ g_a ─ y ─ ×gain[q] ─ y' ─┬──────────────── Q ─ ŷ' ─ ×inv_gain[q] ─ g_s ─ x̂
                                 │                 ▲  (GaussianConditional, N(μ, σ))
                                 └─ h_a ─ z ─ Q ─ ẑ ─ h_s (exact integer) ─ μ, σ
                                              (EntropyBottleneck)

Shapes: x Tensor[B, 3, H, W] float in [0, 1], H and W multiples of 64;
y Tensor[B, M, H/16, W/16]; z Tensor[B, N, H/64, W/64].
The entropy half (gain units, hyperprior, exact integer h_s) lives in gained_hyperprior.py and
is shared with the audio codec.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from compressai.layers import GDN
from torch import Tensor, nn

from aecodec.models.gained_hyperprior import GainedHyperprior, scale_table
from aecodec.models.latent_refinement import refine_latent
from aecodec.models.tiling import tiled_analysis, tiled_synthesis

__all__ = ["HyperpriorConfig", "MeanScaleHyperprior", "scale_table"]


@dataclass(frozen=True)
class HyperpriorConfig:
    """Architecture of one image model; stored in the zoo, never inferred from weights.

    n: channels of the transforms and of z; m: channels of y; levels: rate levels (gain pairs);
    lambdas: the rate-distortion trade-off each level was trained for (MSE on [0, 255] scale);
    context_slices: 0 for none, else y is coded in that many channel slices with a channel
    context (channel_context.py) of ``context_hidden`` channels.
    """

    n: int = 128
    m: int = 192
    levels: int = 6
    lambdas: tuple[float, ...] = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483)
    context_slices: int = 0
    context_hidden: int = 96

    def to_dict(self) -> dict:
        return asdict(self)


def _conv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


def _deconv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(
        cin, cout, k, stride=stride, padding=k // 2, output_padding=stride - 1
    )


class MeanScaleHyperprior(GainedHyperprior):
    """See module docstring. ``forward`` is for training, ``compress``/``decompress`` code."""

    FACTOR = 64  # H and W must be multiples of this (two stride-2 steps after g_a's 16)
    TILE = 64  # analysis tile side, latent pixels (1024 image pixels)
    SYNTHESIS_TILE = 32  # synthesis tile side: small enough that a Kodak image gives 2 tiles
    HYPER_TILE = 16  # h_s tile side in z pixels (exact integer arithmetic: tiling is lossless)
    HALO = 4  # latent pixels of context around each tile: covers g_a's and g_s's reach

    def __init__(self, config: HyperpriorConfig) -> None:
        super().__init__()
        n, m = config.n, config.m
        self.config = config
        self.g_a = nn.Sequential(
            _conv(3, n), GDN(n), _conv(n, n), GDN(n), _conv(n, n), GDN(n), _conv(n, m)
        )
        self.g_s = nn.Sequential(
            _deconv(m, n),
            GDN(n, inverse=True),
            _deconv(n, n),
            GDN(n, inverse=True),
            _deconv(n, n),
            GDN(n, inverse=True),
            _deconv(n, 3),
        )
        self.h_a = nn.Sequential(
            _conv(m, n, 3, 1), nn.LeakyReLU(), _conv(n, n), nn.LeakyReLU(), _conv(n, n)
        )
        self.h_s = nn.Sequential(
            _deconv(n, m),
            nn.ReLU(),
            _deconv(m, m * 3 // 2),
            nn.ReLU(),
            _conv(m * 3 // 2, 2 * m, 3, 1),
        )
        self._init_entropy(n, m, config.levels, config.context_slices, config.context_hidden)

    # ----------------------------------------------------------------- training
    def forward(self, x: Tensor, level: int) -> dict:
        """x: Tensor[B, 3, H, W] in [0, 1]; level: rate level index in [0, levels).

        Returns x_hat Tensor[B, 3, H, W] and likelihoods {"y", "z"} for the rate term.
        The likelihood uses additive noise; the synthesis sees the rounded latent (straight-
        through), as at test time.
        """
        gain, inv_gain = self.level_gains(level)
        y_hat, likelihoods = self.quantize_with_rate(self.g_a(x) * gain, x.device.type)
        x_hat = self.g_s(y_hat * inv_gain)
        return {"x_hat": x_hat, "likelihoods": likelihoods}

    # ----------------------------------------------------------------- coding
    def run_h_s(self, z_hat: Tensor) -> Tensor:
        """Exact h_s, tiled to bound memory (float64 im2col buffers); integer arithmetic makes
        the tiled result bit-identical to the whole one."""
        m = self.config.m
        return tiled_synthesis(self.integer_h_s(), z_hat, 4, self.HYPER_TILE, 3, 2 * m)

    @torch.no_grad()
    def compress(
        self,
        x: Tensor,
        quality: float,
        on_tile=None,
        refine: int = 0,
        valid: tuple[int, int] | None = None,
    ) -> list[bytes]:
        """x: Tensor[1, 3, H, W] in [0, 1], H and W multiples of 64 -> [z_string, y_string].

        refine: iterations of encoder-side latent refinement (latent_refinement.py; 0: none),
        on the real image of size ``valid`` (height, width) inside the padding (default: all).
        """
        self._require_frozen()
        if x.shape[0] != 1 or x.shape[2] % self.FACTOR or x.shape[3] % self.FACTOR:
            raise ValueError("compress expects one image padded to a multiple of 64")
        gain, _ = self.gains(quality)
        y = tiled_analysis(self.g_a, x, 16, self.TILE, self.HALO, self.config.m, on_tile)
        y = y * gain.view(1, -1, 1, 1)
        if refine > 0:
            valid = valid or (x.shape[2], x.shape[3])
            y = refine_latent(self, x, y, quality, refine, valid, on_step=on_tile)
        return self.code_latent(y)

    @torch.no_grad()
    def decode_latent(
        self, strings: list[bytes], height: int, width: int, quality: float, version: int = 2
    ) -> Tensor:
        """Entropy-decode to the un-gained latent ŷ: Tensor[1, M, height/16, width/16].
        version: the file's format version (see GainedHyperprior.decode_strings)."""
        z_shape = (height // self.FACTOR, width // self.FACTOR)
        return self.decode_strings(strings, z_shape, quality, version)

    @torch.no_grad()
    def synthesize(self, y_hat: Tensor, sink=None, on_tile=None) -> Tensor | None:
        """ŷ Tensor[1, M, h, w] -> x̂ Tensor[1, 3, 16h, 16w] (unclamped), tiled; see tiling."""
        return tiled_synthesis(
            self.g_s, y_hat, 16, self.SYNTHESIS_TILE, self.HALO, 3, sink, on_tile
        )
