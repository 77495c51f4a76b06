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

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from aecodec.errors import ConfigError
from aecodec.models.band_energy import band_edges
from aecodec.models.gained_hyperprior import GainedHyperprior
from aecodec.models.mdct import IMDCT, MDCT
from aecodec.models.spectral_mask import SpectralMask
from aecodec.models.spectral_postfilter import frame_size
from aecodec.models.tiling import tiled_analysis, tiled_synthesis

__all__ = ["AudioConfig", "AudioHyperprior"]


@dataclass(frozen=True)
class AudioConfig:
    """Architecture of one audio model; stored in the zoo, never inferred from weights.

    sample_rate: Hz the model works at; mdct_hop: samples per MDCT frame (= bins);
    strides: downsampling over frames per stage (hop = mdct_hop x product); widths: channels
    at the frame rate, then after each stage; m: channels of y; n: channels of z;
    levels: rate levels; kbps: the rate each level was trained to reach, per mono channel.
    linear_skip: add a linear 1x1 path MDCT -> y beside the encoder and y -> MDCT beside the
    decoder, initialised to keep the lowest m bins (needs every stride 1 and m <= mdct_hop).
    min_quality: lowest quality, in [0, 1]; below 1 the latent is quantised more coarsely than
    at level 1 (step x2 per unit), for rates below the ladder (train the decoder there).
    post_blocks: residual blocks of a postfilter on the decoder's MDCT coefficients, just
    before the inverse MDCT (block i dilated 2**i frames; each starts as the identity). It is
    decoder-side only: a model that adds it to trained weights codes the same bytes.
    sharpening, lowpass_hz, lowpass_below: the fixed spectral postfilter that decoding applies
    (aecodec.models.spectral_postfilter): harmonic sharpening exponent at every quality (0:
    off), and a low-pass at lowpass_hz for qualities below lowpass_below (0: never). Also
    decoder-side only: the bytes stay those of the same weights without it.
    max_quality: top quality, in [levels, levels + 2] (0: levels); above levels the latent is
    quantised more finely than at the top level (step /2 per unit), for rates above the
    ladder. Decoder and encoder both follow it; files at or below levels are unchanged.
    mask_hidden: width of a trained spectral mask decoding applies after the fixed postfilter's
    sharpening and before its low-pass (aecodec.models.spectral_mask; 0: none). Decoder-side
    only too. mask_floor: the mask also adds a trained magnitude floor per bin (fills the
    spectral holes of coarse quantisation); needs mask_hidden.
    energy_step_db: the file also carries coded band energies (aecodec.models.band_energy):
    one correction per band and block of ``energy_block`` short-time frames, in steps of this
    many dB, between energy_low and energy_high steps (0: none). It adds a section per coded
    channel; the codec's own sections stay the bytes of the same weights without it. Below
    quality energy_coarse_below the step doubles per unit of quality (fewer bits where the
    codec itself has few), and each whole quality has its own entropy tables. Below quality
    energy_fade_below only the lowest bands carry a correction, their number growing in
    proportion to the quality (none at 0), so the lowest rates stay those of the codec alone.
    energy_floor_db: before the corrections, decoding raises every bin to at least this many
    dB under its band's RMS in its frame (the holes between harmonics; -20 for speech-v8).
    pitch_strength: decoding ends (before the band energies) with a zero-phase pitch
    postfilter of this strength (aecodec.models.pitch_postfilter; 0: none).
    energy_smooth_db: bands whose coded correction raises them by more than this many dB
    (the codec left little of them: pauses, background noise) are rebuilt smooth in
    frequency and time before the correction, at the same block energy
    (band_energy.apply_corrections; 0: none). Decoder-side only: the bytes do not change.
    highpass_hz: the encoder high-passes its input at this frequency before coding (rumble
    and mains hum; aecodec.models.input_highpass; 0: none). Encoder-side only: decoding and
    the file format do not change.
    quiet_lift_db: the encoder lifts the quiet blocks of its input by up to this many dB
    before coding and the band energies code the lift back down (aecodec.models.quiet_lift;
    0: none; needs energy_step_db). The lift grows from nothing one unit of quality under
    energy_coarse_below to its full size there (where the corrections reach their finest
    step). Encoder-side only.
    """

    sample_rate: int = 16000
    mdct_hop: int = 64
    strides: tuple[int, ...] = (2, 2)
    widths: tuple[int, ...] = (192, 256, 256)
    m: int = 64
    n: int = 32
    levels: int = 4
    kbps: tuple[float, ...] = (3.0, 6.0, 12.0, 24.0)
    linear_skip: bool = False
    post_blocks: int = 0
    min_quality: float = 1.0
    sharpening: float = 0.0
    lowpass_hz: float = 0.0
    lowpass_below: float = 0.0
    mask_hidden: int = 0
    max_quality: float = 0.0
    mask_floor: bool = False
    energy_step_db: float = 0.0
    energy_block: int = 4
    energy_low: int = -12
    energy_high: int = 27
    energy_coarse_below: float = 0.0
    energy_fade_below: float = 0.0
    energy_floor_db: float = -20.0
    pitch_strength: float = 0.0
    energy_smooth_db: float = 0.0
    highpass_hz: float = 0.0
    quiet_lift_db: float = 0.0

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.strides) + 1:
            raise ConfigError("widths needs one entry more than strides")
        if self.linear_skip and (math.prod(self.strides) != 1 or self.m > self.mdct_hop):
            raise ConfigError("linear_skip needs every stride 1 and m <= mdct_hop")
        if len(self.kbps) != self.levels:
            raise ConfigError("kbps needs one entry per level")
        if not 0 <= self.post_blocks <= 6:
            raise ConfigError("post_blocks must be between 0 and 6")
        if not 0.0 <= self.min_quality <= 1.0:
            raise ConfigError("min_quality must be between 0 and 1")
        if not 0.0 <= self.sharpening <= 1.0:
            raise ConfigError("sharpening must be between 0 and 1")
        if not 0.0 <= self.lowpass_hz < self.sample_rate / 2:
            raise ConfigError("lowpass_hz must be between 0 and half the sample rate")
        if self.max_quality and not self.levels <= self.max_quality <= self.levels + 2:
            raise ConfigError("max_quality must be 0 (levels) or between levels and levels + 2")
        if not 0 <= self.mask_hidden <= 1024:
            raise ConfigError("mask_hidden must be between 0 and 1024")
        if self.mask_floor and not self.mask_hidden:
            raise ConfigError("mask_floor needs mask_hidden (a trained spectral mask)")
        if not 0.0 <= self.energy_step_db <= 12.0:
            raise ConfigError("energy_step_db must be between 0 and 12")
        if self.energy_block not in (1, 2, 4, 8, 16, 32, 64):
            raise ConfigError("energy_block must be a power of two up to 64 frames")
        if not self.energy_low <= 0 <= self.energy_high or self.energy_high - self.energy_low > 255:
            raise ConfigError("energy_low <= 0 <= energy_high, at most 256 symbols")
        if not 0.0 <= self.pitch_strength <= 1.0:
            raise ConfigError("pitch_strength must be between 0 and 1")
        if not -60.0 <= self.energy_floor_db <= 0.0:
            raise ConfigError("energy_floor_db must be between -60 and 0")
        if not 0.0 <= self.energy_smooth_db <= 40.0:
            raise ConfigError("energy_smooth_db must be between 0 and 40")
        if not 0.0 <= self.highpass_hz <= 500.0:
            raise ConfigError("highpass_hz must be between 0 and 500")
        if not 0.0 <= self.quiet_lift_db <= 20.0:
            raise ConfigError("quiet_lift_db must be between 0 and 20")
        if self.quiet_lift_db and not (
            self.energy_step_db and self.energy_coarse_below >= self.energy_fade_below + 1
        ):
            raise ConfigError(
                "quiet_lift_db needs band energies coded in every band a unit of quality "
                "under energy_coarse_below"
            )

    def lift_db_at(self, quality: float) -> float:
        """The encoder's largest quiet-block lift at ``quality``, dB (see the class docstring)."""
        ramp = min(max(quality - (self.energy_coarse_below - 1.0), 0.0), 1.0)
        return self.quiet_lift_db * ramp

    def energy_step_at(self, quality: float) -> float:
        """dB per band-energy step at ``quality`` (see the class docstring)."""
        coarse = max(0.0, self.energy_coarse_below - quality)
        return float(self.energy_step_db * 2.0**coarse)

    def energy_bands_at(self, quality: float, bands: int) -> int:
        """How many of the ``bands`` lowest bands carry a correction at ``quality``."""
        if quality >= self.energy_fade_below:
            return bands
        return int(bands * quality / self.energy_fade_below)

    @property
    def energy_buckets(self) -> int:
        """Sets of band-energy tables: one per unit of quality, [0, 1), [1, 2), ... and the
        last one up to the top quality included."""
        return max(1, math.ceil(self.max_quality or self.levels))

    def energy_bucket(self, quality: float) -> int:
        """The set of band-energy tables a file at ``quality`` uses."""
        return min(int(quality), self.energy_buckets - 1)

    def lowpass_at(self, quality: float) -> float:
        """Cut-off of decoding's low-pass at ``quality``, Hz (0: full band)."""
        return self.lowpass_hz if quality < self.lowpass_below else 0.0

    @property
    def hop(self) -> int:
        """Samples per latent frame."""
        return self.mdct_hop * math.prod(self.strides)

    @property
    def post_reach(self) -> int:
        """Latent frames the postfilter reaches on each side (its kernels 7, dilated 2**i)."""
        frames = sum(3 * 2**i for i in range(self.post_blocks))
        return -(-frames // math.prod(self.strides))

    def to_dict(self) -> dict:
        return asdict(self)


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
        if config.energy_step_db:  # symbol counts of the coded band energies, per band
            bands = len(band_edges(config.sample_rate)) - 1
            symbols = config.energy_high - config.energy_low + 1
            shape = (config.energy_buckets, bands, symbols)
            self.register_buffer("energy_counts", torch.zeros(shape, dtype=torch.int64))

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
        """x: Tensor[1, 1, 1, T], T a multiple of ``factor`` -> [z_string, y_string]."""
        self._require_frozen()
        if x.shape[:3] != (1, 1, 1) or x.shape[3] % self.factor:
            raise ValueError(
                f"compress expects one mono signal padded to a multiple of {self.factor}"
            )
        gain, _ = self.gains(quality)
        hop = self.config.hop
        y = tiled_analysis(self.g_a, x, (1, hop), self.TILE, self.HALO, self.config.m, on_tile)
        return self.code_latent(y * gain.view(1, -1, 1, 1))

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
