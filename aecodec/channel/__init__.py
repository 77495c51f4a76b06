"""Differentiable, stateless channel models for learned transmission.

Conventions (used by every function here):

- A *channel use* is one entry of the transmitted tensor: one complex symbol for a complex
  tensor (complex baseband), one real value for a real tensor (real baseband, e.g. BPSK).
- Transmitters normalise to unit average energy per channel use, ``Es = 1``
  (:func:`normalize_power`, per example).
- ``snr_db`` is ``Es/N0`` per channel use, in dB. The noise has variance ``N0/2`` per real
  dimension in both cases (``N0`` per complex symbol), so uncoded BPSK on a real tensor and QPSK
  on a complex one both give a bit error rate of ``Q(sqrt(2 Eb/N0))``.
- ``Eb/N0 = Es/N0 / (code_rate * bits_per_channel_use)``: see :mod:`aecodec.channel.snr`.
- Randomness comes only from an optional ``torch.Generator``; nothing keeps state.
"""

from aecodec.channel.awgn import awgn
from aecodec.channel.fading import rayleigh_block_fading, zero_forcing
from aecodec.channel.power import complex_to_real, normalize_power, real_to_complex
from aecodec.channel.snr import ebno_to_snr_db, noise_variance, snr_to_ebno_db

__all__ = [
    "awgn",
    "rayleigh_block_fading",
    "zero_forcing",
    "normalize_power",
    "real_to_complex",
    "complex_to_real",
    "ebno_to_snr_db",
    "snr_to_ebno_db",
    "noise_variance",
]
