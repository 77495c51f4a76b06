"""The architecture and coding settings of one audio model (AudioConfig): stored in the zoo
beside its weights, never inferred from them; read by the codec (audio_hyperprior), its
encoder and decoder (audio_codec) and training."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from aecodec.errors import ConfigError

__all__ = ["AudioConfig"]

# Settings that must lie in [low, high] (inclusive)
_RANGES: dict[str, tuple[float, float]] = {
    "post_blocks": (0, 6),
    "min_quality": (0, 1),
    "sharpening": (0, 1),
    "mask_hidden": (0, 1024),
    "energy_step_db": (0, 12),
    "pitch_strength": (0, 1),
    "energy_floor_db": (-60, 0),
    "energy_smooth_db": (0, 40),
    "highpass_hz": (0, 500),
    "quiet_lift_db": (0, 20),
    "energy_context": (0, 8),
    "refine_steps": (0, 200),
}


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
    energy_context: K > 0 codes each band-energy symbol with a table chosen by the symbol of
    the band below in the same block, clipped to +-K (2K + 1 tables per band;
    aecodec.models.energy_context); 0: one table per band.
    refine_steps: the encoder refines the latent with this many Adam steps on the signal's own
    rate-distortion cost before coding (aecodec.models.audio_refinement; 0: none), weighing
    the rate by refine_betas (one per level: the rate multipliers training ended with).
    Encoder-side only.
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
    energy_context: int = 0
    refine_steps: int = 0
    refine_betas: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for name, (low, high) in _RANGES.items():
            if not low <= getattr(self, name) <= high:
                raise ConfigError(f"{name} must be between {low:g} and {high:g}")
        if len(self.widths) != len(self.strides) + 1:
            raise ConfigError("widths needs one entry more than strides")
        if self.linear_skip and (math.prod(self.strides) != 1 or self.m > self.mdct_hop):
            raise ConfigError("linear_skip needs every stride 1 and m <= mdct_hop")
        if len(self.kbps) != self.levels:
            raise ConfigError("kbps needs one entry per level")
        if not 0.0 <= self.lowpass_hz < self.sample_rate / 2:
            raise ConfigError("lowpass_hz must be between 0 and half the sample rate")
        if self.max_quality and not self.levels <= self.max_quality <= self.levels + 2:
            raise ConfigError("max_quality must be 0 (levels) or between levels and levels + 2")
        if self.mask_floor and not self.mask_hidden:
            raise ConfigError("mask_floor needs mask_hidden (a trained spectral mask)")
        if self.energy_block not in (1, 2, 4, 8, 16, 32, 64):
            raise ConfigError("energy_block must be a power of two up to 64 frames")
        if not self.energy_low <= 0 <= self.energy_high or self.energy_high - self.energy_low > 255:
            raise ConfigError("energy_low <= 0 <= energy_high, at most 256 symbols")
        if self.quiet_lift_db and not (
            self.energy_step_db and self.energy_coarse_below >= self.energy_fade_below + 1
        ):
            raise ConfigError(
                "quiet_lift_db needs band energies coded in every band a unit of quality "
                "under energy_coarse_below"
            )
        if self.refine_steps and (
            len(self.refine_betas) != self.levels or min(self.refine_betas) <= 0
        ):
            raise ConfigError("refine_steps needs refine_betas: one positive value per level")

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
    def energy_tables_per_band(self) -> int:
        """Band-energy tables per band: one, or one per context (see energy_context)."""
        return 2 * self.energy_context + 1

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
