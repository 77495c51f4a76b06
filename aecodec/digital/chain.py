"""The digital chain end to end on one image: source code -> LDPC + QAM -> channel -> decode.

Two budgets for the same number of complex channel uses k:

- ideal separation: k log2(1 + SNR) bits (AWGN capacity; for block fading the capacity of the
  realised block), all delivered without error;
- practical: the MCS chosen for a design SNR carries floor(k / symbols per codeword) codewords of
  ``mcs.info_bits`` information bits; the file must fit in them, and it is received only if every
  codeword decodes. Otherwise the receiver has no image and shows mid-grey (value 128).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import torch

from aecodec.digital.ldpc_link import LdpcLink
from aecodec.digital.mcs import Mcs
from aecodec.digital.source_fit import fit_aecodec, fit_jpeg2000
from aecodec.errors import ConfigError

__all__ = [
    "SOURCE_CODECS",
    "capacity_bytes",
    "practical_bytes",
    "encode_source",
    "decode_source",
    "grey_image",
    "send_file",
    "DigitalOutcome",
]

SOURCE_CODECS = ("j2k", "aec")
GREY = 128


def capacity_bytes(channel_uses: int, snr_db: float) -> int:
    """Whole bytes that fit in ``channel_uses`` complex uses at AWGN capacity log2(1 + SNR)."""
    return int(channel_uses * math.log2(1 + 10 ** (snr_db / 10)) // 8)


def practical_bytes(channel_uses: int, mcs: Mcs) -> tuple[int, int]:
    """(codewords, whole information bytes) an MCS carries in ``channel_uses``."""
    codewords = channel_uses // mcs.symbols_per_codeword
    return codewords, codewords * mcs.info_bits // 8


def encode_source(pixels: np.ndarray, codec: str, max_bytes: int) -> bytes | None:
    """The best file of ``codec`` ("j2k" or "aec") within ``max_bytes``, or None."""
    if codec == "j2k":
        return fit_jpeg2000(pixels, max_bytes)
    if codec == "aec":
        return fit_aecodec(pixels, max_bytes)
    raise ConfigError(f"unknown source codec {codec!r} (use {' or '.join(SOURCE_CODECS)})")


def decode_source(data: bytes, codec: str) -> np.ndarray:
    """uint8 RGB [H, W, 3] of a file written by :func:`encode_source`."""
    if codec == "aec":
        from aecodec.image_codec import decompress_image

        return decompress_image(data)[0]
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return np.array(im.convert("RGB"))


def grey_image(shape: tuple[int, ...]) -> np.ndarray:
    """What a receiver shows when the file is lost: a uniform mid-grey image."""
    return np.full(shape, GREY, dtype=np.uint8)


@dataclass
class DigitalOutcome:
    """One file through the practical chain. ``received`` is None when decoding failed."""

    received: bytes | None
    codewords: int
    failed_codewords: int


def send_file(
    data: bytes,
    mcs: Mcs,
    channel_uses: int,
    snr_db: float,
    channel: str,
    generator: torch.Generator,
) -> DigitalOutcome:
    """Send real bits: the file padded to whole codewords, every codeword simulated."""
    codewords, capacity = practical_bytes(channel_uses, mcs)
    if len(data) > capacity:
        raise ValueError(f"file of {len(data)} bytes exceeds the {capacity} bytes of the link")
    used = math.ceil(len(data) * 8 / mcs.info_bits)
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
    bits = np.concatenate([bits, np.zeros(used * mcs.info_bits - bits.size, dtype=np.uint8)])
    sent = torch.from_numpy(bits.reshape(used, mcs.info_bits)).float()
    decoded = LdpcLink(mcs, channel).send(sent, snr_db, generator)
    failed = int((decoded != sent).any(dim=1).sum())
    if failed:
        return DigitalOutcome(None, used, failed)
    return DigitalOutcome(data, used, 0)
