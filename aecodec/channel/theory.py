"""Closed-form error rates on the AWGN channel (the references the simulations are checked on)."""

from __future__ import annotations

import math

__all__ = ["q_function", "bpsk_ber", "uncoded_bler", "hamming74_hard_bler"]


def q_function(x: float) -> float:
    """Gaussian tail probability Q(x) = P(N(0, 1) > x)."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def bpsk_ber(ebno_db: float) -> float:
    """Bit error rate of uncoded BPSK (and Gray QPSK): Q(sqrt(2 Eb/N0))."""
    return q_function(math.sqrt(2.0 * 10.0 ** (ebno_db / 10.0)))


def uncoded_bler(ebno_db: float, k: int) -> float:
    """Probability that a block of k uncoded BPSK bits holds at least one error."""
    return 1.0 - (1.0 - bpsk_ber(ebno_db)) ** k


def hamming74_hard_bler(ebno_db: float) -> float:
    """Block error rate of Hamming(7,4), BPSK, hard decisions, single-error correction.

    Each coded bit carries Eb * 4/7; decoding fails when two or more of the 7 bits flip.
    """
    p = q_function(math.sqrt(2.0 * 10.0 ** (ebno_db / 10.0) * 4.0 / 7.0))
    return 1.0 - (1.0 - p) ** 7 - 7.0 * p * (1.0 - p) ** 6
