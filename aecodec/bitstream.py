"""The ``.aec`` container: the only code that reads or writes its bytes (layout: docs/FORMAT.md).

All integers are big-endian (network order). A file is::

    fixed header   magic "\\x8bAEC" | version u8 | kind u8 | model-name length u8 | section count u8
    model name     ASCII, 1..64 bytes
    weights hash   8 bytes: the first bytes of the weights file's sha256
    quality        float32
    geometry       image: height u32 | width u32 | channels u8
                   audio: sample rate u32 | frames u32 | channels u8
    section sizes  u32 each
    sections       the entropy-coded strings, in order
    crc32          u32 over every byte before it

The reader checks everything before it trusts anything: magic, version, kind, bounds, the
sizes against the real length, and the CRC. It never unpickles and never allocates from an
unchecked size.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field

__all__ = [
    "MAGIC",
    "VERSION",
    "KIND_IMAGE",
    "KIND_AUDIO",
    "MAX_PIXELS",
    "MAX_SIDE",
    "BitstreamError",
    "AecHeader",
    "encode",
    "decode",
]

MAGIC = b"\x8bAEC"
VERSION = 2  # 2: sections coded by aecodec.models.ans_coding; 1: CompressAI's rANS (decoded)
READABLE_VERSIONS = (1, 2)
KIND_IMAGE = 1
KIND_AUDIO = 2
KIND_NAMES = {KIND_IMAGE: "image", KIND_AUDIO: "audio"}
HASH_BYTES = 8
MAX_MODEL_NAME = 64
MAX_SECTIONS = 16
MAX_SIDE = 65535
MAX_PIXELS = 200_000_000  # 200 megapixels: beyond any camera, far below what would exhaust RAM
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 1000, 384_000  # Hz
MAX_AUDIO_SECONDS = 4 * 3600  # 4 hours

_FIXED = struct.Struct("!4sBBBB")
_QUALITY = struct.Struct("!f")
_GEOMETRY = struct.Struct("!IIB")  # image: height, width, channels; audio: rate, frames, ch
_SIZE = struct.Struct("!I")
_CRC = struct.Struct("!I")


class BitstreamError(ValueError):
    """A file that is not a valid .aec container; the message is one line for the user."""


@dataclass(frozen=True)
class AecHeader:
    """Everything a decoder needs besides the weights.

    Image: height, width: original size in pixels (before padding); channels: 3 (RGB).
    Audio: sample_rate (Hz) and frames (samples per channel) of the original signal;
    channels: 1 or 2; height and width are 0.
    quality: the continuous rate level the file was coded with.
    """

    kind: int
    model: str
    weights_hash: bytes
    quality: float
    height: int
    width: int
    channels: int
    sections: list[bytes] = field(default_factory=list, repr=False)
    sample_rate: int = 0
    frames: int = 0
    version: int = VERSION  # format version the file was read with (writing: always VERSION)

    @property
    def seconds(self) -> float:
        """Duration of an audio file in seconds."""
        return self.frames / self.sample_rate

    def info(self) -> dict:
        """JSON-ready summary (no payload bytes)."""
        out = {
            "format_version": self.version,
            "kind": KIND_NAMES.get(self.kind, str(self.kind)),
            "model": self.model,
            "weights_sha256_prefix": self.weights_hash.hex(),
            "quality": round(self.quality, 6),
        }
        if self.kind == KIND_AUDIO:
            out.update(sample_rate=self.sample_rate, frames=self.frames, seconds=self.seconds)
        else:
            out.update(height=self.height, width=self.width)
        out.update(channels=self.channels, section_bytes=[len(s) for s in self.sections])
        return out


def _check_audio_geometry(sample_rate: int, frames: int, channels: int) -> None:
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise BitstreamError(
            f"sample rate {sample_rate} Hz is outside {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE}"
        )
    if not 1 <= frames <= sample_rate * MAX_AUDIO_SECONDS:
        raise BitstreamError(f"audio length of {frames} samples is outside 1 sample..4 hours")
    if channels not in (1, 2):
        raise BitstreamError(f"unsupported audio channel count {channels}")


def _check_image_geometry(height: int, width: int, channels: int) -> None:
    if not (1 <= height <= MAX_SIDE and 1 <= width <= MAX_SIDE):
        raise BitstreamError(f"image size {width}x{height} is outside 1..{MAX_SIDE}")
    if height * width > MAX_PIXELS:
        raise BitstreamError(
            f"image of {height * width} pixels exceeds the {MAX_PIXELS}-pixel limit"
        )
    if channels != 3:
        raise BitstreamError(f"unsupported channel count {channels}")


def encode(header: AecHeader) -> bytes:
    """Serialise a header and its sections to the bytes of a .aec file."""
    name = header.model.encode("ascii")
    if not 1 <= len(name) <= MAX_MODEL_NAME:
        raise ValueError(f"model name must be 1..{MAX_MODEL_NAME} ASCII characters")
    if len(header.weights_hash) != HASH_BYTES:
        raise ValueError(f"weights hash must be {HASH_BYTES} bytes")
    if header.kind not in KIND_NAMES:
        raise ValueError(f"unsupported media kind {header.kind}")
    if not 1 <= len(header.sections) <= MAX_SECTIONS:
        raise ValueError(f"1..{MAX_SECTIONS} sections required")
    if not math.isfinite(header.quality):
        raise ValueError("quality must be finite")
    if header.kind == KIND_AUDIO:
        geometry = (header.sample_rate, header.frames, header.channels)
        _check_audio_geometry(*geometry)
    else:
        geometry = (header.height, header.width, header.channels)
        _check_image_geometry(*geometry)
    parts = [
        _FIXED.pack(MAGIC, VERSION, header.kind, len(name), len(header.sections)),
        name,
        header.weights_hash,
        _QUALITY.pack(header.quality),
        _GEOMETRY.pack(*geometry),
        *(_SIZE.pack(len(s)) for s in header.sections),
        *header.sections,
    ]
    body = b"".join(parts)
    return body + _CRC.pack(zlib.crc32(body))


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise BitstreamError(f"truncated file: it ends inside the {what}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def decode(data: bytes) -> AecHeader:
    """Parse and verify .aec bytes; raises BitstreamError with a one-line reason."""
    data = bytes(data)
    r = _Reader(data)
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise BitstreamError("not an .aec file (wrong magic bytes)")
    magic, version, kind, name_len, n_sections = _FIXED.unpack(r.take(_FIXED.size, "header"))
    if version not in READABLE_VERSIONS:
        raise BitstreamError(
            f"unsupported .aec format version {version} (this aecodec reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))})"
        )
    if kind not in KIND_NAMES:
        raise BitstreamError(f"unknown media kind {kind}")
    if not 1 <= name_len <= MAX_MODEL_NAME:
        raise BitstreamError(f"invalid model-name length {name_len}")
    if not 1 <= n_sections <= MAX_SECTIONS:
        raise BitstreamError(f"invalid section count {n_sections}")
    # The CRC covers everything before it: check it as soon as the length is plausible.
    if len(data) < _FIXED.size + _CRC.size:
        raise BitstreamError("truncated file")
    try:
        name = r.take(name_len, "model name").decode("ascii")
    except UnicodeDecodeError:
        raise BitstreamError("model name is not ASCII") from None
    weights_hash = r.take(HASH_BYTES, "weights hash")
    (quality,) = _QUALITY.unpack(r.take(_QUALITY.size, "quality"))
    geometry = _GEOMETRY.unpack(r.take(_GEOMETRY.size, "geometry"))
    sizes = [_SIZE.unpack(r.take(_SIZE.size, "section table"))[0] for _ in range(n_sections)]
    expected = r.pos + sum(sizes) + _CRC.size
    if len(data) < expected:
        raise BitstreamError(f"truncated file: {len(data)} bytes, the header announces {expected}")
    if len(data) > expected:
        raise BitstreamError(f"{len(data) - expected} unexpected bytes after the payload")
    sections = [r.take(n, "payload") for n in sizes]
    (crc,) = _CRC.unpack(r.take(_CRC.size, "checksum"))
    if zlib.crc32(data[: -_CRC.size]) != crc:
        raise BitstreamError("checksum mismatch: the file is corrupted")
    if not math.isfinite(quality):
        raise BitstreamError("invalid quality value")
    if kind == KIND_AUDIO:
        _check_audio_geometry(*geometry)
        rate, frames, channels = geometry
        return AecHeader(
            kind, name, weights_hash, quality, 0, 0, channels, sections, rate, frames, version
        )
    _check_image_geometry(*geometry)
    return AecHeader(kind, name, weights_hash, quality, *geometry, sections, version=version)
