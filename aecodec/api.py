"""The one face of aecodec: compress and decompress images and audio as arrays, bytes and
files, and transmit images over a simulated channel. The CLI calls only these.

- images (arrays <-> .aec bytes): ``compress_image``, ``compress_image_to_bpp``,
  ``decompress_image`` (aecodec.image_codec);
- audio (arrays <-> .aec bytes): ``compress_audio``, ``compress_audio_to_kbps``,
  ``decompress_audio`` (aecodec.audio_codec);
- files of either kind (audio by file extension, or by content on stdin): ``compress_file``,
  ``decompress_file``; outputs are written atomically (aecodec.files);
- transmission: ``transmit`` for every scheme of ``TRANSMIT_SCHEMES`` (aecodec.transmission,
  imported on first use).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aecodec import audio_codec, bitstream, media, media_audio
from aecodec.audio_codec import compress_audio, compress_audio_to_kbps, decompress_audio
from aecodec.defaults import DEFAULT_AUDIO_QUALITY, DEFAULT_QUALITY, TRANSMIT_SCHEMES
from aecodec.errors import AecodecError, MediaError
from aecodec.files import check_output, read_input, write_atomic, write_output
from aecodec.image_codec import (
    compress_image,
    compress_image_to_bpp,
    decompress_image,
    work_units,
)

if TYPE_CHECKING:
    from aecodec.transmission import TransmitResult

__all__ = [
    "DEFAULT_QUALITY",
    "DEFAULT_AUDIO_QUALITY",
    "TRANSMIT_SCHEMES",
    "CodingStats",
    "compress_image",
    "compress_image_to_bpp",
    "decompress_image",
    "compress_audio",
    "compress_audio_to_kbps",
    "decompress_audio",
    "compress_file",
    "decompress_file",
    "transmit",
    "is_audio_name",
    "write_atomic",
    "work_units",
]

Progress = Callable[[], None] | None


@dataclass(frozen=True)
class CodingStats:
    """What one compress or decompress did. bpp: real file bytes x 8 / pixels (images);
    kbps: real file bytes x 8 / seconds / 1000 (audio, where height = width = 0)."""

    bytes: int
    height: int
    width: int
    seconds: float = 0.0
    kind: str = "image"

    @property
    def bpp(self) -> float:
        return self.bytes * 8 / (self.height * self.width)

    @property
    def kbps(self) -> float:
        return self.bytes * 8 / self.seconds / 1000


def transmit(
    pixels: np.ndarray, snr_db: float, scheme: str = "djscc", **options: object
) -> TransmitResult:
    """aecodec.transmission.transmit (see there): send uint8 RGB ``pixels`` [H, W, 3] with
    ``scheme`` at ``snr_db`` and return the TransmitResult the receiver shows."""
    from aecodec.transmission import transmit as run

    return run(pixels, snr_db, scheme, **options)


def is_audio_name(path: str | Path) -> bool:
    """True when a file name's extension is an audio format (.wav, .flac, .ogg, .mp3, ...)."""
    return Path(str(path)).suffix.lower() in media_audio.AUDIO_SUFFIXES


def _read_media(raw: bytes, src: str | Path) -> tuple[str, object]:
    """('image', pixels) or ('audio', (samples, rate)): by extension, or by content for '-'."""
    name = "<stdin>" if str(src) == "-" else str(src)
    if str(src) != "-":
        if is_audio_name(src):
            return "audio", media_audio.read_audio(raw, name)
        return "image", media.read_image(raw, name)
    try:
        return "image", media.read_image(raw, name)
    except MediaError:
        try:
            return "audio", media_audio.read_audio(raw, name)
        except MediaError:
            raise MediaError(
                f"{name}: neither an image nor an audio format aecodec reads"
            ) from None


def compress_file(
    src: str | Path,
    dst: str | Path,
    quality: float | None = None,
    model: str | None = None,
    force: bool = False,
    progress: Progress = None,
    target_bpp: float | None = None,
    target_kbps: float | None = None,
    refine: int = 0,
) -> CodingStats:
    """Image or audio file (or '-') -> .aec file (or '-'). The input is only read.

    quality: None for the media's default. With ``target_bpp`` (images) or ``target_kbps``
    (audio), the quality is searched so the file lands within 3% of that rate. refine: image
    latent refinement iterations (see compress_image).
    """
    check_output(dst, force, src)
    raw = read_input(src)
    kind, content = _read_media(raw, src)
    if kind == "audio":
        if target_bpp is not None:
            raise AecodecError("--bpp is for images; give audio rates with --kbps")
        if refine:
            raise AecodecError("--refine is for images")
        samples, rate = content
        if target_kbps is not None:
            data, _ = audio_codec.compress_audio_to_kbps(samples, rate, target_kbps, model)
        else:
            q = audio_codec.DEFAULT_AUDIO_QUALITY if quality is None else quality
            data = audio_codec.compress_audio(samples, rate, q, model, progress)
        write_output(dst, data, force, src)
        return CodingStats(len(data), 0, 0, samples.shape[0] / rate, "audio")
    if target_kbps is not None:
        raise AecodecError("--kbps is for audio; give image rates with --bpp")
    pixels = content
    if target_bpp is not None:
        data, _ = compress_image_to_bpp(pixels, target_bpp, model, refine=refine)
    else:
        q = DEFAULT_QUALITY if quality is None else quality
        data = compress_image(pixels, q, model, progress, refine)
    write_output(dst, data, force, src)
    return CodingStats(len(data), pixels.shape[0], pixels.shape[1])


def decompress_file(
    src: str | Path, dst: str | Path, force: bool = False, progress: Progress = None
) -> CodingStats:
    """.aec file (or '-') -> PNG (image) or WAV/FLAC/OGG by extension (audio; '-' gives WAV)."""
    check_output(dst, force, src)
    data = read_input(src)
    header = bitstream.decode(data)
    if header.kind == bitstream.KIND_AUDIO:
        fmt = ("WAV", "PCM_16") if str(dst) == "-" else media_audio.audio_format_for(dst)
        samples, header = audio_codec.decompress_audio(data, progress)
        encoded = media_audio.encode_audio(samples, header.sample_rate, *fmt)
        write_output(dst, encoded, force, src)
        return CodingStats(len(data), 0, 0, header.seconds, "audio")
    if str(dst) != "-" and is_audio_name(dst):
        raise AecodecError(f"{src} holds an image: write it as .png, not {Path(dst).suffix}")
    pixels, header = decompress_image(data, progress)
    write_output(dst, media.encode_png(pixels), force, src)
    return CodingStats(len(data), header.height, header.width)
