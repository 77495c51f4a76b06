"""Variable-rate 1-D convolutional audio codec with a mean-scale hyperprior, on MDCT frames.

::

    x ─ MDCT(H) ─ conv ─ [ELU ─ down s_i ─ res]_i ─ ELU ─ conv ─ y ─ (gain, hyperprior, Q) ─ ŷ
    x̂ ─ IMDCT(H) ─ conv ─ [res ─ ELU ─ up s_i]_i reversed ─ ELU ─ conv ──────────────────────┘

A fixed, orthonormal MDCT (sine window, hop H) turns the waveform into H frequency channels
per frame; the learned 1-D convolutions work over frames, with the H bins as channels, and the
inverse MDCT maps the decoder's coefficients back to a waveform. The fixed transform does the
first, long downsampling exactly and keeps coefficients aligned with the waveform, so the
network learns waveform fidelity (SI-SDR) in a few thousand steps; a plain strided waveform
autoencoder of the same depth did not learn it on this budget (SI-SDR stayed near -40 dB).

Mono in, mono out; stereo is coded as mid and side, two passes of the same model (api side).
Audio runs as a one-row image, so the 2-D layers, tiling and exact integer hyper-synthesis of
the image codec serve unchanged: x Tensor[B, 1, 1, T] float, full scale ±1, T a multiple of
``hop * 4``; y Tensor[B, M, 1, T / hop]; z Tensor[B, N, 1, T / (4 hop)], hop = H x prod(s_i).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from aecodec.models.audio_config import AudioConfig
from aecodec.models.audio_refinement import refine_audio_latent
from aecodec.models.band_energy import band_edges
from aecodec.models.gained_hyperprior import GainedHyperprior
from aecodec.models.mdct import IMDCT, MDCT
from aecodec.models.spectral_mask import SpectralMask
from aecodec.models.spectral_postfilter import frame_size
from aecodec.models.tiling import tiled_analysis, tiled_synthesis

__all__ = ["AudioConfig", "AudioHyperprior"]


def _conv(cin: int, cout: int, k: int, stride: int = 1, dilation: int = 1) -> nn.Conv2d:
    """Conv along time only: kernel (1, k), 'same' padding for stride 1."""
    pad = dilation * (k - 1) // 2
    return nn.Conv2d(
        cin, cout, (1, k), stride=(1, stride), padding=(0, pad), dilation=(1, dilation)
    )


def _down(cin: int, cout: int, s: int) -> nn.Conv2d:
    """Time / s exactly (T a multiple of s): kernel 2s+1, padding s."""
    return nn.Conv2d(cin, cout, (1, 2 * s + 1), stride=(1, s), padding=(0, s))


def _up(cin: int, cout: int, s: int) -> nn.ConvTranspose2d:
    """Time x s exactly: kernel 2s+1, padding s, output padding s-1."""
    return nn.ConvTranspose2d(
        cin, cout, (1, 2 * s + 1), stride=(1, s), padding=(0, s), output_padding=(0, s - 1)
    )


class _Scale(nn.Module):
    """Multiply by a fixed constant (no parameters): keeps the latent well above the unit
    quantisation step for audio whose level is far below full scale."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: Tensor) -> Tensor:
        return x * self.factor


def _init_weights(module: nn.Module) -> None:
    """He (fan-in) normal init of the transforms, so signal scale survives the depth."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)


class _Residual(nn.Module):
    """x + conv1(ELU(conv7_dilated(ELU(x)))): Tensor[B, C, 1, T] -> same shape."""

    def __init__(self, c: int, dilation: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ELU(), _conv(c, c, 7, dilation=dilation), nn.ELU(), _conv(c, c, 1)
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class _PostFilter(nn.Module):
    """Residual blocks over MDCT frames, Tensor[B, bins, 1, F] -> same shape; block i is
    dilated 2**i frames. Each block's last layer starts at zero, so the filter starts as the
    identity and a trained decoder keeps its output until the filter learns a correction."""

    def __init__(self, bins: int, blocks: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*(_Residual(bins, dilation=2**i) for i in range(blocks)))
        with torch.no_grad():
            for block in self.blocks:
                block.body[-1].weight.zero_()
                block.body[-1].bias.zero_()

    def forward(self, x: Tensor) -> Tensor:
        return self.blocks(x)


class _PlusLinear(nn.Module):
    """body(x) + linear(x), both Tensor[B, C_in, 1, T] -> Tensor[B, C_out, 1, T]: a learned
    nonlinear transform beside a linear 1x1 map, so the model starts as (and can stay close to)
    plain transform coding of the MDCT and learns only the correction."""

    def __init__(self, body: nn.Module, cin: int, cout: int) -> None:
        super().__init__()
        self.body = body
        self.linear = nn.Conv2d(cin, cout, 1, bias=False)
        with torch.no_grad():  # identity on the first min(cin, cout) channels: lowest bins
            self.linear.weight.zero_()
            for i in range(min(cin, cout)):
                self.linear.weight[i, i] = 1.0

    def forward(self, x: Tensor) -> Tensor:
        return self.body(x) + self.linear(x)


class AudioHyperprior(GainedHyperprior):
    """See module docstring. ``forward`` trains; compress, decode_latent and synthesize code."""

    INPUT_SCALE = 32.0  # lifts speech (near -30 dBFS) so y starts at several quantisation steps
    TILE = 256  # latent frames per tile (analysis and synthesis)
    HALO = 16  # latent frames of context around a tile: more than both transforms' reach
    # (synthesis adds the postfilter's reach: see synthesis_halo)
    HYPER_TILE = 2048  # hyper-latent frames per tile of the exact h_s (its reach: < 2 frames)

    def __init__(self, config: AudioConfig) -> None:
        super().__init__()
        self.config = config
        w, s, m, n = config.widths, config.strides, config.m, config.n
        bins = config.mdct_hop
        enc: list[nn.Module] = [_Scale(self.INPUT_SCALE), MDCT(bins), _conv(bins, w[0], 3)]
        for i, stride in enumerate(s):
            enc += [nn.ELU(), _down(w[i], w[i + 1], stride), _Residual(w[i + 1])]
        enc += [nn.ELU(), _conv(w[-1], m, 3)]
        dec: list[nn.Module] = [_conv(m, w[-1], 3)]
        for i in reversed(range(len(s))):
            dec += [_Residual(w[i + 1]), nn.ELU(), _up(w[i + 1], w[i], s[i])]
        dec += [nn.ELU(), _conv(w[0], bins, 3)]
        for module in (*enc, *dec):
            if not isinstance(module, _Residual):  # residual branches start at zero
                _init_weights(module)
        with torch.no_grad():  # the decoder starts near silence, not loud noise
            dec[-1].weight.mul_(0.01)
        tail = [IMDCT(bins), _Scale(1.0 / self.INPUT_SCALE)]
        if config.post_blocks:
            tail.insert(0, _PostFilter(bins, config.post_blocks))
        if config.linear_skip:
            with torch.no_grad():  # start as plain transform coding of the lowest m bins
                enc[-1].weight.mul_(0.01)
            self.g_a = nn.Sequential(*enc[:2], _PlusLinear(nn.Sequential(*enc[2:]), bins, m))
            self.g_s = nn.Sequential(_PlusLinear(nn.Sequential(*dec), m, bins), *tail)
        else:  # the layout music-v1 and speech-v1 were trained with
            self.g_a = nn.Sequential(*enc)
            self.g_s = nn.Sequential(*dec, *tail)
        self.h_a = nn.Sequential(
            _conv(m, n, 3), nn.LeakyReLU(), _down(n, n, 2), nn.LeakyReLU(), _down(n, n, 2)
        )
        self.h_s = nn.Sequential(
            _up(n, m, 2), nn.ReLU(), _up(m, m * 3 // 2, 2), nn.ReLU(), _conv(m * 3 // 2, 2 * m, 3)
        )
        self._init_entropy(n, m, config.levels)
        if config.mask_hidden:
            bins = frame_size(config.sample_rate) // 2 + 1
            self.spectral_mask = SpectralMask(bins, config.mask_hidden, floor=config.mask_floor)
        if config.energy_step_db:  # band-energy symbol counts, per band (and context)
            bands = len(band_edges(config.sample_rate)) - 1
            symbols = config.energy_high - config.energy_low + 1
            shape = (config.energy_buckets, bands * config.energy_tables_per_band, symbols)
            self.register_buffer("energy_counts", torch.zeros(shape, dtype=torch.int64))

    @property
    def energy_bands(self) -> int:
        """Bands of the coded band energies at the model's rate."""
        return len(band_edges(self.config.sample_rate)) - 1

    def run_h_s(self, z_hat: Tensor) -> Tensor:
        """Exact h_s over ẑ Tensor[1, N, 1, f] -> Tensor[1, 2M, 1, 4f], in tiles of HYPER_TILE
        frames (its float64 buffers for an hour of audio would take gigabytes); integer
        arithmetic makes the tiled result bit-identical to the whole one."""
        m = self.config.m
        return tiled_synthesis(self.integer_h_s(), z_hat, (1, 4), self.HYPER_TILE, 3, 2 * m)

    @property
    def synthesis_halo(self) -> int:
        """Latent frames of context around a synthesis tile: HALO plus the postfilter's reach."""
        return self.HALO + self.config.post_reach

    def decoder_parameters(self) -> list[nn.Parameter]:
        """What a decoder-side fine-tune trains: g_s (postfilter included) and the inverse
        gains. Everything else fixes the bitstream."""
        return [*self.g_s.parameters(), self.log_inv_gain]

    @torch.no_grad()
    def coded_latent(self, x: Tensor, quality: float) -> Tensor:
        """x Tensor[B, 1, 1, T] -> the gained ŷ a file at ``quality`` carries, Tensor[B, M, 1,
        T / hop] (times the inverse gain, it is g_s's input): z rounded around its medians, y
        around the hyper means (h_s in float here; coding runs it in integers, which moves a
        rounding only rarely)."""
        gain, _ = self.gains(quality)
        y = self.g_a(x) * gain.view(1, -1, 1, 1)
        medians = self._z_medians()
        z_hat = torch.round(self.h_a(y) - medians) + medians
        _, means = self.h_s(z_hat).chunk(2, 1)
        return torch.round(y - means) + means

    @property
    def factor(self) -> int:
        """Input length must be a multiple of this (samples)."""
        return self.config.hop * 4

    def forward(self, x: Tensor, level: int) -> dict:
        """x: Tensor[B, 1, 1, T] (T a multiple of ``factor``); level in [0, levels).

        Returns x_hat Tensor[B, 1, 1, T] and likelihoods {"y", "z"} for the rate term.
        """
        gain, inv_gain = self.level_gains(level)
        y_hat, likelihoods = self.quantize_with_rate(self.g_a(x) * gain, x.device.type)
        return {"x_hat": self.g_s(y_hat * inv_gain), "likelihoods": likelihoods}

    @torch.no_grad()
    def compress(self, x: Tensor, quality: float, on_tile=None) -> list[bytes]:
        """x: Tensor[1, 1, 1, T], T a multiple of ``factor`` -> [z_string, y_string]; a model
        with ``refine_steps`` refines the latent first (audio_refinement.py)."""
        self._require_frozen()
        if x.shape[:3] != (1, 1, 1) or x.shape[3] % self.factor:
            raise ValueError(
                f"compress expects one mono signal padded to a multiple of {self.factor}"
            )
        gain, _ = self.gains(quality)
        hop = self.config.hop
        y = tiled_analysis(self.g_a, x, (1, hop), self.TILE, self.HALO, self.config.m, on_tile)
        y = y * gain.view(1, -1, 1, 1)
        if self.config.refine_steps:
            y = refine_audio_latent(self, x, y, quality, self.config.refine_steps)
        return self.code_latent(y)

    @torch.no_grad()
    def decode_latent(
        self, strings: list[bytes], samples: int, quality: float, version: int = 2
    ) -> Tensor:
        """Entropy-decode to the un-gained ŷ Tensor[1, M, 1, samples / hop] (padded samples).
        version: the file's format version (see GainedHyperprior.decode_strings)."""
        return self.decode_strings(strings, (1, samples // self.factor), quality, version)

    @torch.no_grad()
    def synthesize(self, y_hat: Tensor, sink=None, on_tile=None) -> Tensor | None:
        """ŷ Tensor[1, M, 1, f] -> x̂ Tensor[1, 1, 1, f * hop] (unclamped), tiled; see tiling."""
        hop = self.config.hop
        halo = self.synthesis_halo
        return tiled_synthesis(self.g_s, y_hat, (1, hop), self.TILE, halo, 1, sink, on_tile)
