"""End-to-end communication autoencoder (O'Shea & Hoydis, 2017).

::

    message s in [0, 2^k)
      -> embedding (one-hot x dense) -> ReLU -> dense -> x in R^n      (transmitter)
      -> normalize_power: ||x||^2 = n, one real channel use per entry
      -> AWGN at Es/N0 = Eb/N0 * k / n                                  (channel)
      -> dense -> ReLU -> dense -> ReLU -> dense -> logits over 2^k     (receiver)

An (n, k) autoencoder sends k bits in n real channel uses, the same budget as an (n, k) block
code with BPSK, so the two are compared at equal Eb/N0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from aecodec.channel import awgn, ebno_to_snr_db, normalize_power
from aecodec.errors import ConfigError

__all__ = ["CommConfig", "CommAutoencoder"]


@dataclass(frozen=True)
class CommConfig:
    """n: real channel uses per message; k: bits per message; hidden: layer width."""

    n: int = 7
    k: int = 4
    hidden: int = 0  # 0: max(64, 2 * 2^k)

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 12:
            raise ConfigError("k must be between 1 and 12 bits")
        if not 1 <= self.n <= 256:
            raise ConfigError("n must be between 1 and 256 channel uses")

    @property
    def width(self) -> int:
        return self.hidden or max(64, 2 * 2**self.k)

    def as_dict(self) -> dict:
        return asdict(self)


class CommAutoencoder(nn.Module):
    """Learned transmitter and receiver for one (n, k) block code over a real AWGN channel."""

    def __init__(self, config: CommConfig) -> None:
        super().__init__()
        self.config = config
        m, w = 2**config.k, config.width
        self.transmitter = nn.Sequential(nn.Embedding(m, w), nn.ReLU(), nn.Linear(w, config.n))
        self.receiver = nn.Sequential(
            nn.Linear(config.n, w), nn.ReLU(), nn.Linear(w, w), nn.ReLU(), nn.Linear(w, m)
        )

    @property
    def rate(self) -> float:
        """Information bits per real channel use, k / n."""
        return self.config.k / self.config.n

    def encode(self, messages: torch.Tensor) -> torch.Tensor:
        """(B,) int64 messages in [0, 2^k) -> (B, n) float32 symbols with energy n each."""
        return normalize_power(self.transmitter(messages))

    def decode(self, y: torch.Tensor) -> torch.Tensor:
        """(B, n) received values -> (B, 2^k) logits."""
        return self.receiver(y)

    def forward(
        self,
        messages: torch.Tensor,
        ebno_db: float | torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """(B,) messages, Eb/N0 in dB (float or (B,)) -> (B, 2^k) logits after the channel."""
        snr_db = ebno_to_snr_db(ebno_db, self.rate)
        return self.decode(awgn(self.encode(messages), snr_db, generator))
