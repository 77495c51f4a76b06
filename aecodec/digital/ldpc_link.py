"""A coded link over aecodec's channels: 5G NR LDPC and QAM from Sionna.

bits -> LDPC5GEncoder (k, n = CODEWORD_BITS) -> QAM Mapper (unit energy) -> AWGN, or Rayleigh
block fading with zero forcing at the receiver (perfect CSI) -> APP Demapper (LLRs at the
effective noise variance) -> LDPC5GDecoder (belief propagation, 20 iterations) -> bits.

A codeword counts as failed when any decoded bit differs: a real receiver detects this with the
transport block's CRC, so a failed file is known to be undecodable.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from aecodec.channel import awgn, rayleigh_block_fading
from aecodec.digital.mcs import CODEWORD_BITS, Mcs
from aecodec.errors import ConfigError

__all__ = ["LdpcLink", "simulate_codeword_errors"]

DECODER_ITERATIONS = 20
_BATCH = 64  # codewords per Sionna call


@functools.lru_cache(maxsize=32)
def _blocks(mcs: Mcs) -> tuple:
    from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder
    from sionna.phy.mapping import Demapper, Mapper

    encoder = LDPC5GEncoder(mcs.info_bits, CODEWORD_BITS)
    decoder = LDPC5GDecoder(encoder, num_iter=DECODER_ITERATIONS, hard_out=True)
    mapper = Mapper("qam", mcs.bits_per_symbol)
    demapper = Demapper("app", "qam", mcs.bits_per_symbol)
    return encoder, decoder, mapper, demapper


class LdpcLink:
    """One MCS over one channel. ``send`` takes (B, info_bits) 0/1 float tensors."""

    def __init__(self, mcs: Mcs, channel: str = "awgn") -> None:
        if channel not in ("awgn", "rayleigh"):
            raise ConfigError(f"unknown channel {channel!r}")
        self.mcs = mcs
        self.channel = channel

    @torch.no_grad()
    def send(self, bits: torch.Tensor, snr_db: float, generator: torch.Generator) -> torch.Tensor:
        """bits: (B, info_bits) -> decoded bits (B, info_bits). For Rayleigh block fading the
        whole batch is one block (one h): pass one file's codewords together."""
        encoder, decoder, mapper, demapper = _blocks(self.mcs)
        out = []
        h = None
        for start in range(0, bits.shape[0], _BATCH):
            chunk = bits[start : start + _BATCH]
            x = mapper(encoder(chunk))  # (b, symbols) complex64, unit energy
            n0 = 10 ** (-snr_db / 10)
            if self.channel == "awgn":
                y = awgn(x, snr_db, generator)
                no = n0
            else:
                if h is None:  # one fading coefficient for the whole file
                    _, h = rayleigh_block_fading(x[:1], snr_db, generator)
                    h = h.reshape(())
                y = h * x + (awgn(torch.zeros_like(x), snr_db, generator))
                y = y / h
                no = n0 / float(h.abs().square())
            llr = demapper(y, torch.tensor(no, dtype=torch.float32))
            out.append(decoder(llr))
        return torch.cat(out)


def simulate_codeword_errors(mcs: Mcs, snr_db: float, codewords: int, seed: int) -> tuple[int, int]:
    """(failed, sent) codewords of random data over AWGN at ``snr_db`` (Es/N0, dB)."""
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    bits = torch.from_numpy(rng.integers(0, 2, (codewords, mcs.info_bits))).float()
    decoded = LdpcLink(mcs, "awgn").send(bits, snr_db, g)
    failed = int((decoded != bits).any(dim=1).sum())
    return failed, codewords
