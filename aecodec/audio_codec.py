"""Audio compress / decompress as arrays and bytes (file handling lives in api.py).

Path of a signal: float [T, C] at any rate -> resampled to the model's rate -> stereo as mid
(L+R)/2 and side (L-R)/2 -> each zero-padded to a multiple of the model's factor -> two strings
per coded channel -> .aec bytes (header: original rate, frames and channels). Decoding mirrors
it (plus the model's decoder-side postfilters, where its config has them), resamples back,
crops to the original length and rounds to int16 (clipped at full scale). A model with coded
band energies (aecodec.models.band_energy) writes a third string per coded channel: the
encoder decodes its own two strings as decoding will and codes how far each band's energy is
from the original's.
The rate of a file is its real size: kbit/s = file bytes x 8 / seconds / 1000.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from aecodec import bitstream, zoo
from aecodec.defaults import DEFAULT_AUDIO_QUALITY
from aecodec.errors import ModelError
from aecodec.media_audio import resample, to_int16
from aecodec.models import band_energy
from aecodec.models.ans_coding import CdfTables
from aecodec.models.audio_hyperprior import AudioHyperprior
from aecodec.models.energy_context import decode_in_context, encode_in_context
from aecodec.models.input_highpass import highpass
from aecodec.models.pitch_postfilter import pitch_postfilter
from aecodec.models.quiet_lift import lift_quiet_blocks
from aecodec.models.spectral_mask import apply_spectral_mask
from aecodec.models.spectral_postfilter import lowpass_response, spectral_postfilter

__all__ = [
    "DEFAULT_AUDIO_QUALITY",
    "pick_audio_model",
    "compress_audio",
    "compress_audio_to_kbps",
    "decompress_audio",
    "audio_work_units",
    "audio_quality_range",
    "postfilter_row",
]

Progress = Callable[[], None] | None


def pick_audio_model(sample_rate: int) -> str:
    """Default model for a signal: among the registered audio models, those with the lowest
    rate that is at least ``sample_rate`` (speech 16 kHz, music 44.1 kHz), else those with the
    highest rate; of these, the one marked default, else the first by name."""
    entries = [e for e in zoo.registry().values() if e.kind == "audio"]
    if not entries:
        raise ModelError("no audio model is registered")
    rates = sorted({e.config["sample_rate"] for e in entries})
    rate = next((r for r in rates if r >= sample_rate), rates[-1])
    candidates = sorted(
        (e for e in entries if e.config["sample_rate"] == rate), key=lambda e: e.name
    )
    return next((e.name for e in candidates if e.default), candidates[0].name)


def _load(name: str | None, sample_rate: int) -> tuple[torch.nn.Module, zoo.ZooEntry]:
    return zoo.load(name or pick_audio_model(sample_rate), kind="audio")


def _fill_coded_signal(x: np.ndarray, index: int, out: np.ndarray) -> None:
    """Write coded signal ``index`` of x [T, C] into out [T]: x itself for mono; for stereo
    0 = mid (L+R)/2, 1 = side (L-R)/2."""
    if x.shape[1] == 1:
        out[:] = x[:, 0]
        return
    (np.add if index == 0 else np.subtract)(x[:, 0], x[:, 1], out=out)
    out *= 0.5


def _row_sink(row: np.ndarray) -> Callable[[int, int, int, int, torch.Tensor], None]:
    """A tiled_synthesis sink that writes each tile of a one-row signal into ``row``."""

    def sink(top: int, left: int, bottom: int, right: int, tile: torch.Tensor) -> None:
        row[left:right] = tile[0, 0, 0].numpy()

    return sink


def postfilter_row(net: AudioHyperprior, quality: float, row: np.ndarray) -> None:
    """Apply the model's decoder-side postfilters, where it has them, to a decoded row in
    place: the fixed sharpening, the trained spectral mask, then the low-pass; the pitch
    postfilter last."""
    config = net.config
    rate, lowpass = config.sample_rate, config.lowpass_at(quality)
    if not config.mask_hidden:
        if config.sharpening or lowpass:
            row[:] = spectral_postfilter(row, rate, config.sharpening, lowpass)
    else:
        if config.sharpening:
            row[:] = spectral_postfilter(row, rate, config.sharpening)
        band = lowpass_response(rate, lowpass)
        row[:] = apply_spectral_mask(row, rate, net.spectral_mask, quality / config.levels, band)
    if config.pitch_strength:
        row[:] = pitch_postfilter(row, rate, config.pitch_strength)


def _model_frames(frames: int, rate: int, model_rate: int) -> int:
    """Length of the signal after resampling from ``rate`` to ``model_rate`` (resample_poly)."""
    return -(-frames * model_rate // rate)


def audio_quality_range(model: str | None, sample_rate: int) -> tuple[float, float]:
    """(lowest, top) quality of the model that codes audio at ``sample_rate``."""
    net, _ = _load(model, sample_rate)
    return net.min_quality, net.max_quality


def audio_work_units(
    frames: int, rate: int, channels: int, model: str | None = None, compress: bool = False
) -> int:
    """Tiles one decompress (or, with ``compress``, one compress) processes (progress bars).
    A model with coded band energies decodes while it encodes: twice the tiles."""
    net, _ = _load(model, rate)
    latent = -(-_model_frames(frames, rate, net.config.sample_rate) // net.factor) * 4
    tiles = channels * -(-latent // net.TILE)
    return tiles * 2 if compress and net.config.energy_step_db else tiles


def _sections_per_channel(net: AudioHyperprior) -> int:
    """z and y, plus the coded band energies where the model has them."""
    return 3 if net.config.energy_step_db else 2


def _energy_tables(net: AudioHyperprior, quality: float) -> CdfTables:
    """The model's band-energy tables for files at ``quality``."""
    counts = net.energy_counts[net.config.energy_bucket(quality)]
    return band_energy.energy_tables(counts, net.config.energy_low)


def _energy_section(
    net: AudioHyperprior, codec: list[bytes], quality: float, row: np.ndarray, progress: Progress
) -> bytes:
    """The band-energy section of one coded channel: decode ``codec`` as decompress_audio
    does, compare with the original row float32[padded] and code the corrections."""
    config = net.config
    decoded = np.zeros_like(row)
    y_hat = net.decode_latent(codec, row.shape[0], quality)
    net.synthesize(y_hat, sink=_row_sink(decoded), on_tile=progress)
    del y_hat
    postfilter_row(net, quality, decoded)
    symbols = band_energy.correction_symbols(
        decoded,
        row,
        config.sample_rate,
        config.energy_step_at(quality),
        config.energy_block,
        config.energy_low,
        config.energy_high,
        _coded_bands(net, quality),
        config.energy_floor_db,
    )
    tables = _energy_tables(net, quality)
    if config.energy_context:
        return encode_in_context(symbols, tables, config.energy_context, config.energy_low)
    return band_energy.encode_corrections(symbols, tables)


def _coded_bands(net: AudioHyperprior, quality: float) -> int:
    """Bands whose band energies files at ``quality`` carry (the lowest ones)."""
    return net.config.energy_bands_at(quality, net.energy_bands)


def _decode_energy(net: AudioHyperprior, section: bytes, padded: int, quality: float) -> np.ndarray:
    config = net.config
    bands = _coded_bands(net, quality)
    blocks = band_energy.block_count(padded, config.sample_rate, config.energy_block)
    tables = _energy_tables(net, quality)
    low, high = config.energy_low, config.energy_high
    if config.energy_context:
        return decode_in_context(section, bands, blocks, tables, config.energy_context, low, high)
    return band_energy.decode_corrections(section, bands, blocks, tables, low, high)


def _apply_energy(
    net: AudioHyperprior, row: np.ndarray, symbols: np.ndarray, quality: float
) -> np.ndarray:
    """A decoded, postfiltered row float32[padded] with its coded band energies restored."""
    config = net.config
    step = config.energy_step_at(quality)
    return band_energy.apply_corrections(
        row,
        symbols,
        config.sample_rate,
        step,
        config.energy_block,
        config.energy_floor_db,
        config.energy_smooth_db,
    )


def _lifted(net: AudioHyperprior, t: torch.Tensor, lift_db: float) -> torch.Tensor:
    """The signal Tensor[1, 1, 1, T] the codec sections code: t itself, or (lift_db > 0) a
    copy with its quiet blocks lifted; the band energies compare with t."""
    if not lift_db:
        return t
    config = net.config
    row = lift_quiet_blocks(t[0, 0, 0].numpy(), config.sample_rate, config.energy_block, lift_db)
    return torch.from_numpy(row).view_as(t)


def compress_audio(
    samples: np.ndarray,
    sample_rate: int,
    quality: float = DEFAULT_AUDIO_QUALITY,
    model: str | None = None,
    progress: Progress = None,
) -> bytes:
    """np.ndarray[T, C] float32 (full scale ±1, C in {1, 2}) at sample_rate Hz -> .aec bytes.

    quality: in [min_quality, max_quality] of the model (1 and levels unless the model extends
    below or above its ladder; fractions interpolate); model: None picks one by rate.
    """
    if samples.ndim != 2 or samples.shape[1] not in (1, 2) or samples.shape[0] == 0:
        raise ValueError("expected samples of shape [T, 1 or 2] with T > 0")
    net, entry = _load(model, sample_rate)
    quality = float(np.float32(quality))  # the header stores float32: code with that value
    if not net.min_quality <= quality <= net.max_quality:
        raise ModelError(
            f"quality must be between {net.min_quality:g} and {net.max_quality:g} for {entry.name}"
        )
    x = resample(np.asarray(samples, dtype=np.float32), sample_rate, net.config.sample_rate)
    x = highpass(x, net.config.sample_rate, net.config.highpass_hz)
    padded = -(-x.shape[0] // net.factor) * net.factor
    sections: list[bytes] = []
    t = torch.zeros(1, 1, 1, padded)  # one buffer, reused per coded channel (memory)
    lift_db = net.config.lift_db_at(quality)  # 0 for models without the lift
    for index in range(samples.shape[1]):
        _fill_coded_signal(x, index, t[0, 0, 0, : x.shape[0]].numpy())
        codec = net.compress(_lifted(net, t, lift_db), quality, on_tile=progress)
        sections += codec
        if net.config.energy_step_db:
            sections.append(_energy_section(net, codec, quality, t[0, 0, 0].numpy(), progress))
    header = bitstream.AecHeader(
        kind=bitstream.KIND_AUDIO,
        model=entry.name,
        weights_hash=entry.hash_prefix,
        quality=quality,
        height=0,
        width=0,
        channels=samples.shape[1],
        sections=sections,
        sample_rate=sample_rate,
        frames=samples.shape[0],
    )
    return bitstream.encode(header)


def compress_audio_to_kbps(
    samples: np.ndarray,
    sample_rate: int,
    target_kbps: float,
    model: str | None = None,
    tolerance: float = 0.03,
) -> tuple[bytes, float]:
    """Like compress_audio, at the quality whose file is within ``tolerance`` of target_kbps.

    Returns (.aec bytes, quality used). Raises ModelError when the target is out of reach.
    """
    from aecodec.rate_control import compress_to_bpp

    net, entry = _load(model, sample_rate)
    kilo_seconds = samples.shape[0] / sample_rate * 1000
    return compress_to_bpp(
        lambda q: compress_audio(samples, sample_rate, q, entry.name),
        kilo_seconds,
        target_kbps,
        net.max_quality,
        tolerance,
        unit="kbps",
        lowest=net.min_quality,
    )


def decompress_audio(
    data: bytes, progress: Progress = None
) -> tuple[np.ndarray, bitstream.AecHeader]:
    """.aec bytes -> (np.ndarray[T, C] int16 at the original rate, header).

    Raises BitstreamError or ModelError with a one-line message.
    """
    header = bitstream.decode(data)
    if header.kind != bitstream.KIND_AUDIO:
        raise bitstream.BitstreamError("this .aec file holds an image, not audio")
    net, entry = zoo.load(header.model)
    if entry.kind != "audio":
        raise bitstream.BitstreamError(f"model {header.model!r} is not an audio model")
    if entry.hash_prefix != header.weights_hash:
        raise ModelError(
            f"file was coded with other weights of model {header.model!r} "
            f"(sha256 {header.weights_hash.hex()}..., installed {entry.sha256[:16]}...)"
        )
    energy = bool(net.config.energy_step_db)
    per = _sections_per_channel(net)
    if len(header.sections) != per * header.channels:
        raise bitstream.BitstreamError(f"audio file must hold {per * header.channels} sections")
    if not net.min_quality <= header.quality <= net.max_quality:
        raise bitstream.BitstreamError(f"quality {header.quality} out of the model's range")
    model_rate = net.config.sample_rate
    frames = _model_frames(header.frames, header.sample_rate, model_rate)
    padded = -(-frames // net.factor) * net.factor
    coded = np.zeros((header.channels, padded), dtype=np.float32)
    for i in range(header.channels):
        y_hat = net.decode_latent(
            header.sections[per * i : per * i + 2], padded, header.quality, header.version
        )
        net.synthesize(y_hat, sink=_row_sink(coded[i]), on_tile=progress)
        postfilter_row(net, header.quality, coded[i])
        if energy:
            symbols = _decode_energy(net, header.sections[per * i + 2], padded, header.quality)
            coded[i] = _apply_energy(net, coded[i], symbols, header.quality)
    x = np.empty((frames, header.channels), dtype=np.float32)
    if header.channels == 2:  # left = mid + side, right = mid - side
        np.add(coded[0, :frames], coded[1, :frames], out=x[:, 0])
        np.subtract(coded[0, :frames], coded[1, :frames], out=x[:, 1])
    else:
        x[:, 0] = coded[0, :frames]
    del coded
    x = resample(x, model_rate, header.sample_rate)
    if x.shape[0] != header.frames:  # resampling can miss the original length by a sample
        fitted = np.zeros((header.frames, header.channels), dtype=np.float32)
        n = min(header.frames, x.shape[0])
        fitted[:n] = x[:n]
        x = fitted
    return to_int16(x, overwrite=True), header
