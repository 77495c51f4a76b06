"""The encoder's input high-pass: a speech model removes rumble and mains hum before coding.

A waveform codec trained on mean squared error spends its bits where the energy is. In the
pauses of the noisiest LibriSpeech test-other recordings the loudest parts are under 160 Hz (on
speaker 2609: rumble near 0 Hz and mains hum near 60 and 120 Hz, far above the noise between
300 Hz and 1 kHz), so the codec coded those and left the weaker noise above as a few
isolated MDCT lines, which ViSQOL, comparing spectrograms, reads as a different sound in every
pause. Speech carries little under the lowest pitch (about 80 Hz), and voice codecs filter it
out first: libopus in its VoIP mode high-passes its input at 60 Hz or more. So does a model
with ``highpass_hz``: a 4th-order Butterworth run forward and backward (zero phase: the
waveform above the cutoff is kept as it is; -6 dB at the cutoff, -48 dB an octave below), in
float64 with scipy, deterministic. It runs on the encoder only: the decoder and the file format
do not change, and the band energies compare the decoding with the filtered input.
"""

from __future__ import annotations

import numpy as np

__all__ = ["highpass"]

ORDER = 4


def highpass(x: np.ndarray, rate: int, hz: float) -> np.ndarray:
    """np.ndarray[T, C] float32 at ``rate`` Hz -> the same shape and dtype, high-passed at
    ``hz`` (zero phase; see the module docstring); ``hz`` = 0 returns x itself."""
    if not hz:
        return x
    # scipy.signal on first use: the image path imports this module and must stay light
    from scipy.signal import butter, sosfiltfilt

    sos = butter(ORDER, hz, "highpass", fs=rate, output="sos")
    # scipy's default edge padding, shortened for signals shorter than it
    padlen = min(3 * (2 * len(sos) + 1), x.shape[0] - 1)
    return sosfiltfilt(sos, x, axis=0, padlen=padlen).astype(np.float32)
