"""Deep joint source-channel coding of images (Bourtsoulatze, Burth Kurka, Gunduz 2019),
SNR-adaptive through attention feature modules (Xu et al. 2021, ADJSCC).

::

    x: uint8 image -> [0, 1] float, padded to a multiple of 4
      -> conv5x5/2 -> GDN -> PReLU -> AF  (encoder: 4 such blocks, the first two downsample)
      -> conv3x3 -> C real maps at H/4 x W/4
      -> pairs of reals become complex symbols: k = C * (H/4) * (W/4) / 2 channel uses
      -> normalize_power (Es = 1 per complex symbol)            (transmitter)
      -> AWGN, or Rayleigh block fading + zero forcing          (channel, aecodec.channel)
      -> conv3x3 -> IGDN -> PReLU -> AF  (decoder mirrors the encoder, transposed convs up)
      -> sigmoid -> [0, 1] -> cropped back to H x W             (receiver)

Bandwidth ratio k/n with n = 3 H W pixel values: C / 96 (C = 16 gives 1/6, C = 8 gives 1/12).

An AF module rescales every feature channel by a gate computed from the channel-wise means and
the SNR, so one set of weights serves a range of SNRs. The receiver always knows its SNR (for
fading: the instantaneous SNR |h|^2 Es/N0 after zero forcing). The transmitter may or may not:
its AF modules take (snr_db, known) and, with ``known = 0``, serve a transmitter that does not
know the SNR (one fixed configuration). Training draws ``known`` at random, so one model serves
both.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from compressai.layers import GDN
from torch import Tensor, nn

from aecodec.channel import (
    awgn,
    normalize_power,
    rayleigh_block_fading,
    zero_forcing,
)
from aecodec.errors import ConfigError

__all__ = ["JSCCConfig", "DeepJSCC", "CHANNELS", "ratio_channels"]

CHANNELS = ("awgn", "rayleigh")
_SNR_SCALE = 20.0  # SNR in dB is fed to the gates as snr_db / 20


def ratio_channels(ratio: float) -> int:
    """Real latent maps C for a bandwidth ratio k/n = C / 96 (raises if not a whole number)."""
    if not 0 < ratio <= 1:
        raise ConfigError(f"bandwidth ratio must be in (0, 1], got {ratio}")
    c = ratio * 96
    if abs(c - round(c)) > 1e-6 or round(c) % 2:
        raise ConfigError(f"bandwidth ratio {ratio} needs 96 * ratio to be an even whole number")
    return int(round(c))


@dataclass(frozen=True)
class JSCCConfig:
    """filters: width of every hidden layer; c: real latent maps (ratio = c / 96);
    channel: the channel it was trained for ("awgn" or "rayleigh")."""

    filters: int = 96
    c: int = 16
    channel: str = "awgn"

    def __post_init__(self) -> None:
        if self.c < 2 or self.c % 2:
            raise ConfigError("c must be an even number >= 2 (pairs of reals form symbols)")
        if self.channel not in CHANNELS:
            raise ConfigError(f"channel must be one of {', '.join(CHANNELS)}")

    @property
    def ratio(self) -> float:
        """Bandwidth ratio k/n (complex channel uses per pixel value)."""
        return self.c / 96

    def as_dict(self) -> dict:
        return asdict(self)


class AttentionFeature(nn.Module):
    """Channel gate from (channel means, snr_db / 20, known flag): x * sigmoid(MLP(context))."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        hidden = max(16, channels // 4)
        self.mlp = nn.Sequential(
            nn.Linear(channels + 2, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, channels),
            nn.Sigmoid(),
        )

    def forward(self, x: Tensor, side: Tensor) -> Tensor:
        """x: (B, C, H, W); side: (B, 2) = (snr_db / 20, known in {0, 1})."""
        context = torch.cat([x.mean(dim=(2, 3)), side], dim=1)
        return x * self.mlp(context)[:, :, None, None]


class _Block(nn.Module):
    """conv -> (I)GDN -> PReLU -> AF."""

    def __init__(self, conv: nn.Module, channels: int, inverse: bool) -> None:
        super().__init__()
        self.conv = conv
        self.gdn = GDN(channels, inverse=inverse)
        self.act = nn.PReLU(channels)
        self.af = AttentionFeature(channels)

    def forward(self, x: Tensor, side: Tensor) -> Tensor:
        return self.af(self.act(self.gdn(self.conv(x))), side)


def _down(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 5, stride=2, padding=2)


def _up(cin: int, cout: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(cin, cout, 5, stride=2, padding=2, output_padding=1)


def _same(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1)


class DeepJSCC(nn.Module):
    """Images to complex channel symbols and back; see the module docstring."""

    multiple = 4  # spatial size is padded to a multiple of this

    def __init__(self, config: JSCCConfig) -> None:
        super().__init__()
        self.config = config
        f, c = config.filters, config.c
        self.encoder = nn.ModuleList(
            [
                _Block(_down(3, f), f, False),
                _Block(_down(f, f), f, False),
                _Block(_same(f, f), f, False),
                _Block(_same(f, f), f, False),
            ]
        )
        self.to_symbols = _same(f, c)
        self.from_symbols = _same(c, f)
        self.decoder = nn.ModuleList(
            [
                _Block(_same(f, f), f, True),
                _Block(_same(f, f), f, True),
                _Block(_up(f, f), f, True),
            ]
        )
        self.to_image = _up(f, 3)

    @staticmethod
    def _side(snr_db: Tensor, known: Tensor) -> Tensor:
        return torch.stack([snr_db * known / _SNR_SCALE, known], dim=1)

    def encode(self, x: Tensor, snr_db: Tensor | None = None) -> Tensor:
        """x: (B, 3, H, W) float in [0, 1], H and W multiples of 4; snr_db: (B,) in dB, or
        None for a transmitter that does not know the SNR.

        Returns z: (B, C/2, H/4, W/4) complex64 with unit mean energy per symbol (per example).
        """
        b = x.shape[0]
        if snr_db is None:
            known = torch.zeros(b, device=x.device)
            snr = torch.zeros(b, device=x.device)
        else:
            known = torch.ones(b, device=x.device)
            snr = torch.as_tensor(snr_db, dtype=torch.float32, device=x.device).expand(b)
        return self._transmit(x, self._side(snr, known))

    def _transmit(self, x: Tensor, side: Tensor) -> Tensor:
        """Encoder layers, pairing into complex symbols and power normalisation."""
        h = x * 2 - 1
        for block in self.encoder:
            h = block(h, side)
        s = self.to_symbols(h).float()
        return normalize_power(torch.complex(s[:, 0::2], s[:, 1::2]))

    def decode(self, z_hat: Tensor, snr_db: Tensor) -> Tensor:
        """z_hat: (B, C/2, H/4, W/4) complex (equalised); snr_db: (B,) effective SNR in dB.

        Returns (B, 3, H, W) float in [0, 1].
        """
        b = z_hat.shape[0]
        s = torch.stack([z_hat.real, z_hat.imag], dim=2).flatten(1, 2)  # undo the pairing
        side = self._side(
            torch.as_tensor(snr_db, dtype=torch.float32, device=s.device).expand(b),
            torch.ones(b, device=s.device),
        )
        h = self.from_symbols(s)
        for block in self.decoder:
            h = block(h, side)
        return torch.sigmoid(self.to_image(h))

    def channel(
        self,
        z: Tensor,
        snr_db: Tensor,
        channel: str | None = None,
        generator: torch.Generator | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Send z through the channel; returns (equalised z_hat, effective SNR in dB, (B,)).

        AWGN: effective SNR = snr_db. Rayleigh block fading (one h per image, perfect CSI at
        the receiver): z_hat = y / h, effective SNR = snr_db + 10 log10 |h|^2.
        """
        channel = channel or self.config.channel
        if channel == "awgn":
            return awgn(z, snr_db, generator), snr_db
        if channel == "rayleigh":
            y, h = rayleigh_block_fading(z, snr_db, generator)
            gain_db = 10 * torch.log10(h.abs().square().flatten(1)[:, 0].clamp_min(1e-12))
            return zero_forcing(y, h), snr_db + gain_db
        raise ConfigError(f"unknown channel {channel!r} (use {' or '.join(CHANNELS)})")

    def forward(
        self,
        x: Tensor,
        snr_db: Tensor,
        known: bool | Tensor = True,
        channel: str | None = None,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """x: (B, 3, H, W) in [0, 1] (H, W multiples of 4); snr_db: (B,) average Es/N0 in dB;
        known: whether the transmitter is told the SNR (a bool, or a (B,) 0/1 tensor).
        Returns the reconstruction, (B, 3, H, W) in [0, 1]."""
        b = x.shape[0]
        snr_db = torch.as_tensor(snr_db, dtype=torch.float32, device=x.device).expand(b)
        known_t = torch.as_tensor(known, dtype=torch.float32, device=x.device).expand(b)
        z = self._transmit(x, self._side(snr_db, known_t))
        z_hat, effective = self.channel(z, snr_db, channel, generator)
        return self.decode(z_hat, effective)

    @staticmethod
    def channel_uses(height: int, width: int, c: int) -> int:
        """Complex channel uses for an image of height x width (after padding to 4)."""
        return (math.ceil(height / 4) * math.ceil(width / 4)) * c // 2
