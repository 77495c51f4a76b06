"""Variable-rate mean-scale hyperprior image codec (Minnen, Ballé, Toderici 2018, no context).

::

    x ─ g_a ─ y ─ ×gain[q] ─ y' ─┬──────────────── Q ─ ŷ' ─ ×inv_gain[q] ─ g_s ─ x̂
                                 │                 ▲  (GaussianConditional, N(μ, σ))
                                 └─ h_a ─ z ─ Q ─ ẑ ─ h_s (exact integer) ─ μ, σ
                                              (EntropyBottleneck)

Shapes: x Tensor[B, 3, H, W] float in [0, 1], H and W multiples of 64;
y Tensor[B, M, H/16, W/16]; z Tensor[B, N, H/64, W/64].

Variable rate follows Cui et al. (CVPR 2021): per-channel gain and inverse-gain vectors, one
pair per rate level, scale the latent before quantisation; a continuous quality between two
levels interpolates the vectors geometrically. h_s runs as an exact integer network at coding
time (see integer_conv.py), so encoder and decoder derive identical scale indexes and means on
any machine and with any thread count.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from compressai.entropy_models import EntropyBottleneck, GaussianConditional
from compressai.layers import GDN
from compressai.models.base import CompressionModel
from torch import Tensor, nn

from aecodec.errors import ModelError
from aecodec.models.integer_conv import IntegerConvStack
from aecodec.models.tiling import tiled_analysis, tiled_synthesis

__all__ = ["HyperpriorConfig", "MeanScaleHyperprior", "scale_table"]

# Scales below this are clamped: the table covers [SCALE_MIN, SCALE_MAX] log-uniformly.
SCALE_MIN, SCALE_MAX, SCALE_LEVELS = 0.11, 256.0, 64


def scale_table() -> Tensor:
    """Tensor[64] of Gaussian scales (latent units) for which CDFs are tabulated."""
    return torch.exp(torch.linspace(math.log(SCALE_MIN), math.log(SCALE_MAX), SCALE_LEVELS))


@dataclass(frozen=True)
class HyperpriorConfig:
    """Architecture of one image model; stored in the zoo, never inferred from weights.

    n: channels of the transforms and of z; m: channels of y; levels: rate levels (gain pairs);
    lambdas: the rate-distortion trade-off each level was trained for (MSE on [0, 255] scale).
    """

    n: int = 128
    m: int = 192
    levels: int = 6
    lambdas: tuple[float, ...] = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483)

    def to_dict(self) -> dict:
        return asdict(self)


def _conv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


def _deconv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(
        cin, cout, k, stride=stride, padding=k // 2, output_padding=stride - 1
    )


class MeanScaleHyperprior(CompressionModel):
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
        self.entropy_bottleneck = EntropyBottleneck(n)
        self.gaussian_conditional = GaussianConditional(None)
        # log-gains, initialised to spread the levels over a factor of 8 in step size.
        spread = torch.linspace(-1.0, 1.0, config.levels).unsqueeze(1) * math.log(8.0) / 2
        self.log_gain = nn.Parameter(spread.repeat(1, m))
        self.log_inv_gain = nn.Parameter(-spread.repeat(1, m))
        self._integer_h_s: IntegerConvStack | None = None

    # ----------------------------------------------------------------- rate control
    def gains(self, quality: float | Tensor) -> tuple[Tensor, Tensor]:
        """Gain and inverse gain for a quality in [1, levels]: two Tensor[M] (geometric interp)."""
        levels = self.config.levels
        q = float(quality)
        if not 1.0 <= q <= levels:
            raise ValueError(f"quality must be in [1, {levels}], got {q}")
        lo = min(int(math.floor(q)), levels - 1)
        t = q - lo
        lg = (1 - t) * self.log_gain[lo - 1] + t * self.log_gain[lo]
        lig = (1 - t) * self.log_inv_gain[lo - 1] + t * self.log_inv_gain[lo]
        return torch.exp(lg), torch.exp(lig)

    # ----------------------------------------------------------------- training
    def forward(self, x: Tensor, level: int) -> dict:
        """x: Tensor[B, 3, H, W] in [0, 1]; level: rate level index in [0, levels).

        Returns x_hat Tensor[B, 3, H, W] and likelihoods {"y", "z"} for the rate term.
        The likelihood uses additive noise; the synthesis sees the rounded latent (straight-
        through), as at test time.
        """
        gain = torch.exp(self.log_gain[level]).view(1, -1, 1, 1)
        inv_gain = torch.exp(self.log_inv_gain[level]).view(1, -1, 1, 1)
        y = self.g_a(x) * gain
        z = self.h_a(y)
        with torch.autocast(x.device.type, enabled=False):  # entropy models stay in fp32
            z_hat, z_likelihoods = self.entropy_bottleneck(z.float())
        scales, means = self.h_s(z_hat).float().chunk(2, 1)
        y = y.float()
        with torch.autocast(x.device.type, enabled=False):
            _, y_likelihoods = self.gaussian_conditional(y, scales, means=means)
        y_hat = torch.round(y - means).detach() + (y - means) - (y - means).detach() + means
        x_hat = self.g_s(y_hat * inv_gain)
        return {"x_hat": x_hat, "likelihoods": {"y": y_likelihoods, "z": z_likelihoods}}

    # ----------------------------------------------------------------- export / coding
    def freeze(self) -> None:
        """Compute and freeze the entropy models' CDF tables (call once at export)."""
        self.update(scale_table=scale_table(), force=True)
        self._integer_h_s = None

    def cdfs_frozen(self) -> bool:
        eb, gc = self.entropy_bottleneck, self.gaussian_conditional
        return all(t.numel() > 0 for t in (eb._offset, eb._quantized_cdf, gc._quantized_cdf))

    def _require_frozen(self) -> None:
        if not self.cdfs_frozen():
            raise ModelError("entropy model CDFs are not frozen: export the model first")

    def _hyper_params(self, z_hat: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Exact (integer) h_s: Tensor[1, N, h, w] -> scales, means, scale indexes."""
        if self._integer_h_s is None:
            self._integer_h_s = IntegerConvStack(self.h_s)
        # Tiled to bound memory (float64 im2col buffers); integer arithmetic makes the tiled
        # result bit-identical to the whole one.
        params = tiled_synthesis(self._integer_h_s, z_hat, 4, self.HYPER_TILE, 3, 2 * self.config.m)
        scales, means = params.chunk(2, 1)
        indexes = self.gaussian_conditional.build_indexes(scales)
        return scales, means, indexes

    @torch.no_grad()
    def compress(self, x: Tensor, quality: float, on_tile=None) -> list[bytes]:
        """x: Tensor[1, 3, H, W] in [0, 1], H and W multiples of 64 -> [z_string, y_string]."""
        self._require_frozen()
        if x.shape[0] != 1 or x.shape[2] % self.FACTOR or x.shape[3] % self.FACTOR:
            raise ValueError("compress expects one image padded to a multiple of 64")
        gain, _ = self.gains(quality)
        y = tiled_analysis(self.g_a, x, 16, self.TILE, self.HALO, self.config.m, on_tile)
        y = y * gain.view(1, -1, 1, 1)
        z = self.h_a(y)
        z_string = self.entropy_bottleneck.compress(z)[0]
        z_hat = self.entropy_bottleneck.decompress([z_string], z.shape[-2:])
        _, means, indexes = self._hyper_params(z_hat)
        y_string = self.gaussian_conditional.compress(y, indexes, means=means)[0]
        return [z_string, y_string]

    @torch.no_grad()
    def decode_latent(
        self, strings: list[bytes], height: int, width: int, quality: float
    ) -> Tensor:
        """Entropy-decode to the un-gained latent ŷ: Tensor[1, M, height/16, width/16]."""
        self._require_frozen()
        z_shape = (height // self.FACTOR, width // self.FACTOR)
        z_hat = self.entropy_bottleneck.decompress([strings[0]], z_shape)
        _, means, indexes = self._hyper_params(z_hat)
        y_hat = self.gaussian_conditional.decompress([strings[1]], indexes, means=means)
        _, inv_gain = self.gains(quality)
        return y_hat * inv_gain.view(1, -1, 1, 1)

    @torch.no_grad()
    def synthesize(self, y_hat: Tensor, sink=None, on_tile=None) -> Tensor | None:
        """ŷ Tensor[1, M, h, w] -> x̂ Tensor[1, 3, 16h, 16w] (unclamped), tiled; see tiling."""
        return tiled_synthesis(
            self.g_s, y_hat, 16, self.SYNTHESIS_TILE, self.HALO, 3, sink, on_tile
        )
