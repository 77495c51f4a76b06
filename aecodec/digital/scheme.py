"""The digital transmission scheme a user can pick: source file -> 5G LDPC + QAM -> channel.

The transmitter fits the best file of its source codec into what the MCS designed for
``design_snr_db`` carries in the channel uses, sends every codeword through the channel
(real bits) and the receiver decodes the file only if every codeword decodes; otherwise it
shows mid-grey. Sionna (the bench extra) provides the LDPC code and the QAM mapping.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch

from aecodec.errors import AecodecError

__all__ = ["digital_transmit", "require_sionna"]


def require_sionna(what: str) -> None:
    """One line naming the extra to install when Sionna is missing."""
    if importlib.util.find_spec("sionna") is None:
        raise AecodecError(f"{what} needs the bench extra: pip install 'aecodec[bench]'")


def digital_transmit(
    pixels: np.ndarray,
    codec: str,
    channel_uses: int,
    snr_db: float,
    design_snr_db: float,
    channel: str = "awgn",
    seed: int = 0,
    calibration: Path | None = None,
) -> tuple[np.ndarray, dict]:
    """Send ``pixels`` (uint8 RGB [H, W, 3]) as a ``codec`` file ("j2k" or "aec") over
    ``channel_uses`` complex uses at ``snr_db`` with the MCS designed for ``design_snr_db``
    (both Es/N0 in dB). ``calibration``: the cached MCS thresholds (computed and saved if
    missing). Returns (received uint8 RGB, details: design SNR, MCS, capacity, file bytes,
    codewords, failed codewords, decoded)."""
    require_sionna(f"digital-{codec} (Sionna's 5G LDPC and QAM)")
    from aecodec.digital.calibration import Calibration
    from aecodec.digital.chain import (
        decode_source,
        encode_source,
        grey_image,
        practical_bytes,
        send_file,
    )
    from aecodec.digital.mcs import MCS_TABLE

    mcs = Calibration(calibration).design_mcs(design_snr_db, MCS_TABLE)
    info: dict = {"design_snr_db": design_snr_db, "mcs": mcs.name if mcs else None}
    data = None
    if mcs is not None:
        info["capacity_bytes"] = practical_bytes(channel_uses, mcs)[1]
        data = encode_source(pixels, codec, info["capacity_bytes"])
    if data is None:
        info.update(decoded=False, reason="no file fits the link at this design SNR")
        return grey_image(pixels.shape), info
    g = torch.Generator().manual_seed(seed)
    outcome = send_file(data, mcs, channel_uses, snr_db, channel, g)
    info.update(
        file_bytes=len(data),
        codewords=outcome.codewords,
        failed_codewords=outcome.failed_codewords,
        decoded=outcome.received is not None,
    )
    if outcome.received is None:
        return grey_image(pixels.shape), info
    return decode_source(outcome.received, codec), info
