"""Modulation and coding schemes (MCS) of the practical digital chain.

QAM orders and 5G NR LDPC code rates spanning about -3 to 20 dB, in the spirit of the 5G CQI
table. Spectral efficiency = bits per symbol x code rate (information bits per complex channel
use).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from aecodec.errors import ConfigError

__all__ = ["Mcs", "MCS_TABLE", "CODEWORD_BITS", "mcs_by_name"]

CODEWORD_BITS = 4032  # coded bits per LDPC codeword (divisible by 2, 4, 6 and 8)


@dataclass(frozen=True)
class Mcs:
    """bits_per_symbol: 2 (QPSK), 4 (16-QAM), 6 (64-QAM), 8 (256-QAM); rate: LDPC code rate."""

    bits_per_symbol: int
    rate: Fraction

    @property
    def name(self) -> str:
        qam = {2: "qpsk", 4: "16qam", 6: "64qam", 8: "256qam"}[self.bits_per_symbol]
        return f"{qam}-r{self.rate.numerator}/{self.rate.denominator}"

    @property
    def info_bits(self) -> int:
        """Information bits per codeword of CODEWORD_BITS coded bits."""
        return math.ceil(CODEWORD_BITS * self.rate)

    @property
    def efficiency(self) -> float:
        """Information bits per complex channel use."""
        return self.bits_per_symbol * self.info_bits / CODEWORD_BITS

    @property
    def symbols_per_codeword(self) -> int:
        return CODEWORD_BITS // self.bits_per_symbol

    def shannon_snr_db(self) -> float:
        """The least SNR (dB) at which this efficiency is below AWGN capacity."""
        return 10 * math.log10(2**self.efficiency - 1)


def _table() -> tuple[Mcs, ...]:
    rates = {
        2: ["1/5", "1/4", "1/3", "1/2", "2/3", "3/4", "5/6"],
        4: ["1/2", "2/3", "3/4", "5/6"],
        6: ["2/3", "3/4", "5/6"],
        8: ["3/4", "5/6", "9/10"],
    }
    out = [Mcs(m, Fraction(r)) for m, rs in rates.items() for r in rs]
    return tuple(sorted(out, key=lambda c: c.efficiency))


MCS_TABLE = _table()


def mcs_by_name(name: str) -> Mcs:
    for m in MCS_TABLE:
        if m.name == name:
            return m
    raise ConfigError(f"unknown MCS {name!r} (known: {', '.join(m.name for m in MCS_TABLE)})")
