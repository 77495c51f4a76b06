"""Sending an image over a simulated channel: what ``aecodec transmit`` calls.

``transmit`` runs any scheme a user can pick (SCHEMES): deep JSCC, SoftCast, SoftCast with a
learned receiver, and the digital chains (aecodec.digital, which need the bench extra).

Deep JSCC: uint8 [H, W, 3] -> [0, 1] float padded (edge replication) to a multiple of 4 ->
JSCC encoder -> complex symbols -> AWGN or Rayleigh block fading -> JSCC decoder -> cropped,
rounded to uint8.
Every number of channel uses is counted on the padded image: k = C/2 x ceil(H/4) x ceil(W/4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from aecodec import zoo
from aecodec.defaults import TRANSMIT_SCHEMES
from aecodec.errors import ConfigError, ModelError
from aecodec.models.jscc import DeepJSCC
from aecodec.softcast import SoftCastResult, softcast_transmit

__all__ = [
    "SCHEMES",
    "transmit",
    "TransmitResult",
    "load_jscc",
    "jscc_transmit",
    "find_jscc_model",
    "find_refiner",
    "refine_softcast",
    "refined_softcast_transmit",
]

MAX_PIXELS = 25_000_000  # larger images are refused: memory grows with the image (~8 GB here)


@dataclass(frozen=True)
class TransmitResult:
    """pixels: received uint8 [H, W, 3]; channel_uses: complex channel uses spent."""

    pixels: np.ndarray
    channel_uses: int
    model: str
    details: dict = field(default_factory=dict)  # scheme-specific, JSON-ready


SCHEMES = TRANSMIT_SCHEMES


def transmit(
    pixels: np.ndarray,
    snr_db: float,
    scheme: str = "djscc",
    ratio: float = 1 / 6,
    channel: str = "awgn",
    seed: int = 0,
    model: str | None = None,
    known_snr: bool = False,
    design_snr_db: float | None = None,
    calibration: Path | None = None,
) -> TransmitResult:
    """Send uint8 RGB ``pixels`` [H, W, 3] with ``scheme`` over ``channel`` at ``snr_db``
    (Es/N0 per complex use, dB) and return what the receiver shows.

    ratio: complex channel uses per pixel value (SoftCast); deep JSCC and the digital chains
    spend the channel uses of the deep JSCC model registered for ``ratio`` (``model`` picks
    another). known_snr: deep JSCC's transmitter is told the SNR. design_snr_db: the SNR the
    digital chain's MCS is chosen for (default ``snr_db``); calibration: its cached thresholds.
    """
    if scheme not in SCHEMES:
        raise ConfigError(f"unknown scheme {scheme!r} (use {', '.join(SCHEMES)})")
    if scheme in ("softcast", "softcast-refined"):
        uses = max(1, math.floor(ratio * pixels.size))
        if scheme == "softcast-refined":
            name = model or find_refiner(ratio, channel)
            r = refined_softcast_transmit(pixels, snr_db, uses, name, channel, seed)
            return TransmitResult(r.pixels, uses, name)
        sent = softcast_transmit(pixels, snr_db, uses, channel, seed)
        details = {"kept_chunks": sent.kept_chunks, "total_chunks": sent.total_chunks}
        return TransmitResult(sent.pixels, uses, "", details)
    name = model or find_jscc_model(ratio, "awgn" if scheme != "djscc" else channel)
    entry = zoo.entry_of_kind(name, "jscc")
    if scheme == "djscc":
        return jscc_transmit(pixels, snr_db, name, channel, seed, known_snr)
    from aecodec.digital.scheme import digital_transmit

    uses = DeepJSCC.channel_uses(pixels.shape[0], pixels.shape[1], entry.config["c"])
    design = snr_db if design_snr_db is None else design_snr_db
    codec = scheme.split("-", 1)[1]
    received, details = digital_transmit(
        pixels, codec, uses, snr_db, design, channel, seed, calibration
    )
    return TransmitResult(received, uses, "", details)


def load_jscc(name: str) -> DeepJSCC:
    """A registered deep JSCC model (hash-checked)."""
    return zoo.load(name, kind="jscc")[0]


def _find_model(kind: str, ratio_of, ratio: float, channel: str, what: str) -> str:
    """The registered model of ``kind`` whose ``ratio_of(config)`` is ``ratio`` and whose
    channel is ``channel`` (the default first, then by name)."""
    matches = [
        e
        for e in zoo.registry().values()
        if e.kind == kind
        and abs(ratio_of(e.config) - ratio) < 1e-6
        and e.config["channel"] == channel
    ]
    if not matches:
        raise ModelError(f"no {what} is registered for ratio {ratio:.4g} over {channel}")
    matches.sort(key=lambda e: (not e.default, e.name))
    return matches[0].name


def find_jscc_model(ratio: float, channel: str) -> str:
    """The registered deep JSCC model for a bandwidth ratio and channel (default first)."""
    return _find_model("jscc", lambda c: c["c"] / 96, ratio, channel, "deep JSCC model")


@torch.no_grad()
def jscc_transmit(
    pixels: np.ndarray,
    snr_db: float,
    model: str,
    channel: str | None = None,
    seed: int = 0,
    snr_known_at_transmitter: bool = False,
) -> TransmitResult:
    """Send one image through deep JSCC at ``snr_db`` (average Es/N0 per complex use, dB).

    Args:
        pixels: uint8 RGB [H, W, 3].
        channel: "awgn" or "rayleigh" (None: the channel the model was trained for).
        seed: seeds the channel noise (and fading), so a run can be repeated exactly.
        snr_known_at_transmitter: tell the encoder the SNR (the receiver always knows it).
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("expected pixels of shape [H, W, 3] and dtype uint8")
    h, w, _ = pixels.shape
    if h * w > MAX_PIXELS:
        raise ConfigError(f"image of {h}x{w} is too large to transmit (limit {MAX_PIXELS} pixels)")
    net = load_jscc(model)
    m = net.multiple
    ph, pw = -(-h // m) * m - h, -(-w // m) * m - w
    padded = np.pad(pixels, ((0, ph), (0, pw), (0, 0)), mode="edge") if ph or pw else pixels
    x = torch.from_numpy(np.ascontiguousarray(padded)).permute(2, 0, 1)[None].float() / 255
    g = torch.Generator().manual_seed(seed)
    snr = torch.tensor([float(snr_db)])
    x_hat = net(x, snr, known=snr_known_at_transmitter, channel=channel, generator=g)
    out = x_hat[0, :, :h, :w].mul(255).round().clamp(0, 255).to(torch.uint8)
    uses = DeepJSCC.channel_uses(h, w, net.config.c)
    return TransmitResult(out.permute(1, 2, 0).numpy(), uses, model)


def find_refiner(ratio: float, channel: str) -> str:
    """The registered SoftCast refiner for a bandwidth ratio and channel (default first)."""
    from aecodec.channel.ratio import parse_ratio

    return _find_model(
        "softcast", lambda c: parse_ratio(c["ratio"]), ratio, channel, "SoftCast refiner"
    )


@torch.no_grad()
def refine_softcast(sent: SoftCastResult, model: str) -> np.ndarray:
    """A SoftCast reception (aecodec.softcast) corrected by a registered refiner
    (aecodec.models.softcast_refiner), told the SNR the receiver sees -> uint8 RGB [H, W, 3]."""
    net, _ = zoo.load(model, kind="softcast")
    est = torch.from_numpy(sent.estimate.astype(np.float32)).permute(2, 0, 1)[None]
    out = net(est, torch.tensor([float(sent.receiver_snr_db)]))[0]
    return out.clamp(0, 1).mul(255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def refined_softcast_transmit(
    pixels: np.ndarray, snr_db: float, channel_uses: int, model: str, channel: str, seed: int = 0
) -> TransmitResult:
    """SoftCast (blind transmitter) and a learned receiver correction at ``snr_db``;
    pixels: uint8 RGB [H, W, 3]."""
    h, w, _ = pixels.shape
    if h * w > MAX_PIXELS:
        raise ConfigError(f"image of {h}x{w} is too large to transmit (limit {MAX_PIXELS} pixels)")
    zoo.entry_of_kind(model, "softcast")  # a clear error for a wrong name before any work
    sent = softcast_transmit(pixels, snr_db, channel_uses, channel, seed)
    return TransmitResult(refine_softcast(sent, model), channel_uses, model)
