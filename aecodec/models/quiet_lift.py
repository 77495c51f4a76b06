"""The encoder's lift of quiet passages: a level compressor that the band energies undo.

A codec trained on squared error codes each part of a signal in proportion to its energy, so
the quieter half of speech (weak syllables, decays, the background of the pauses) gets few
bits; speech codecs instead hold the error at a steady ratio to the local level (libopus's
SILK adapts its quantiser gain every 5 ms). A model with ``quiet_lift_db`` moves its codec
partway there without retraining it: before coding, every block of short-time frames (the
band energies' blocks, 32 ms at 16 kHz) quieter than ``THRESHOLD_DB`` under the signal's loud
level (the 95th percentile of its block levels) is raised by ``SLOPE`` dB per dB beyond the
threshold, at most ``quiet_lift_db`` dB. The band energies, which compare the decoding with the
unlifted input, then code the lift back down with everything else they correct, so the
decoder and the file format do not change; only the encoder's input does.

The lift is applied only where every band carries a correction (quality at least
``energy_fade_below``): a band without one would keep its lift. Frames are those of
``spectral_postfilter.filter_spectra``, in float64 numpy, deterministic.
"""

from __future__ import annotations

import numpy as np

from aecodec.models.spectral_postfilter import filter_spectra, frame_features

__all__ = ["SLOPE", "THRESHOLD_DB", "lift_gains_db", "lift_quiet_blocks"]

SLOPE = 0.5  # dB of lift per dB a block lies beyond the threshold
THRESHOLD_DB = 10.0  # blocks up to this far under the loud level are left alone
LOUD_PERCENTILE = 95.0  # the loud level: this percentile of the block levels, dB


def lift_gains_db(x: np.ndarray, rate: int, block: int, max_db: float) -> np.ndarray:
    """x float32[T] -> float64[J], the lift in dB of each block of ``block`` frames (the
    last block may be short); all zeros for a silent signal."""
    power = frame_features(x, rate, lambda s: (s.real**2 + s.imag**2).sum(1))
    frames = power.shape[0]
    padded = np.zeros(-(-frames // block) * block)
    padded[:frames] = power
    counts = np.minimum(block, frames - np.arange(0, frames, block))
    level = padded.reshape(-1, block).sum(1) / counts
    if not level.max() > 0:
        return np.zeros(level.shape[0])
    db = 10 * np.log10(np.maximum(level, level.max() * 1e-12))
    below = np.percentile(db, LOUD_PERCENTILE) - db
    return np.clip(SLOPE * (below - THRESHOLD_DB), 0.0, max_db)


def lift_quiet_blocks(x: np.ndarray, rate: int, block: int, max_db: float) -> np.ndarray:
    """x float32[T] -> float32[T] with its quiet blocks lifted (see the module docstring)."""
    gains = 10 ** (np.repeat(lift_gains_db(x, rate, block, max_db), block) / 20)

    def scale(spectra: np.ndarray, first: int) -> np.ndarray:
        return spectra * gains[first : first + spectra.shape[0], None]

    return filter_spectra(x, rate, scale, indexed=True)
