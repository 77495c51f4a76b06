"""Reading, writing and resampling audio: the only module that touches audio file formats.

Audio is ``np.ndarray[T, C]`` float32, full scale ±1, C in {1, 2}. Files go through soundfile
(libsndfile): WAV, FLAC, OGG (Vorbis, Opus), MP3 and the other formats it knows. Resampling is
scipy's polyphase ``resample_poly`` (an anti-aliasing FIR, exact rational ratio).
"""

from __future__ import annotations

import io
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf

from aecodec.errors import MediaError

__all__ = [
    "AUDIO_SUFFIXES",
    "MAX_AUDIO_SAMPLES",
    "read_audio",
    "encode_audio",
    "audio_format_for",
    "resample",
    "to_int16",
]

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff"}
# 4 hours of stereo at 48 kHz: refuse larger inputs before allocating them.
MAX_AUDIO_SAMPLES = 4 * 3600 * 48_000 * 2
_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}


def read_audio(source: str | Path | bytes, name: str | None = None) -> tuple[np.ndarray, int]:
    """Decode an audio file (path or bytes) -> (np.ndarray[T, C] float32, sample rate in Hz).

    Raises MediaError (one line) for a missing or unreadable file, an unsupported format,
    zero-length audio, more than 2 channels, or more than MAX_AUDIO_SAMPLES values.
    """
    if name is None:
        name = "<stdin>" if isinstance(source, bytes) else str(source)
    if not isinstance(source, bytes):
        path = Path(source)
        if not path.exists():
            raise MediaError(f"{name}: no such file")
        if path.is_dir():
            raise MediaError(f"{name}: is a directory")
    try:
        with sf.SoundFile(io.BytesIO(source) if isinstance(source, bytes) else str(source)) as f:
            frames, channels, rate = f.frames, f.channels, f.samplerate
            if channels not in (1, 2):
                raise MediaError(f"{name}: {channels} channels; aecodec codes mono or stereo")
            if frames * channels > MAX_AUDIO_SAMPLES:
                raise MediaError(f"{name}: longer than aecodec's limit (4 hours of 48 kHz stereo)")
            data = f.read(dtype="float32", always_2d=True)
    except MediaError:
        raise
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise MediaError(f"{name}: not an audio format aecodec can read ({msg})") from None
    if data.shape[0] == 0:
        raise MediaError(f"{name}: zero-length audio")
    if not np.isfinite(data).all():
        raise MediaError(f"{name}: audio holds NaN or infinite samples")
    return data, int(rate)


def audio_format_for(path: str | Path) -> tuple[str, str]:
    """(soundfile format, subtype) chosen by extension: .wav, .flac or .ogg."""
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise MediaError(f"{path}: output must end in .wav, .flac or .ogg")
    return _FORMATS[suffix]


def encode_audio(
    samples: np.ndarray, rate: int, fmt: str = "WAV", subtype: str = "PCM_16"
) -> bytes:
    """np.ndarray[T, C] (int16, or float full scale ±1, clipped) -> file bytes."""
    buf = io.BytesIO()
    if samples.dtype != np.int16:
        samples = np.clip(samples, -1.0, 1.0).astype(np.float32)
    sf.write(buf, samples, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """np.ndarray[T, C] float32 at rate_in -> np.ndarray[T', C] float32 at rate_out (polyphase)."""
    if rate_in == rate_out:
        return x
    from scipy.signal import resample_poly  # here: scipy.signal imports scipy.stats (slow)

    g = gcd(rate_in, rate_out)
    return resample_poly(x, rate_out // g, rate_in // g, axis=0).astype(np.float32)


def to_int16(x: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """Float audio (any shape, full scale ±1) -> int16, clipped, rounded to nearest.

    overwrite: work in place in ``x`` (float32) instead of on a copy (saves memory).
    """
    y = x if overwrite else np.array(x, dtype=np.float32)
    np.clip(y, -1.0, 1.0, out=y)
    y *= 32767.0
    np.round(y, out=y)
    return y.astype(np.int16)
