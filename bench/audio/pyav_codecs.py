"""libopus and FFmpeg's AAC encoder through PyAV, at exact target bitrates.

libsndfile reaches Opus only through one ``compression_level`` knob and cannot go below about
8.7 kbit/s on speech; libopus itself takes a bitrate. Here the encoder's bitrate setting is
searched (secant steps on the measured rate) until the *real file*, container included, is
within 2% of the target, so a row at 6 kbit/s is a 6 kbit/s file (CBR moves in steps of one
byte per 20-ms frame, 0.4 kbit/s: it lands on the nearest step).

- ``opus``: libopus in Ogg, VBR (its default), ``application`` voip for speech (16 kHz input)
  and audio otherwise; Opus codes at 8, 12, 16, 24 or 48 kHz: 16 kHz speech stays at 16 kHz,
  anything else is resampled to 48 kHz; the decoder's 48 kHz output is resampled back.
- ``opus-cbr``: the same with ``vbr`` off (constant bitrate).
- ``aac``: FFmpeg's native AAC-LC encoder in an ADTS stream, at the input's rate.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from aecodec.bench.audio.codecs import AudioCodec
from aecodec.media_audio import resample

__all__ = ["PyavAudioCodec", "OPUS_RATES"]

OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
_SEARCH_STEPS = 6
_TOLERANCE = 0.02  # relative distance of the real rate to the target that ends the search


def _encode(x: np.ndarray, rate: int, bit_rate: int, codec: str, fmt: str, options: dict):
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.bit_rate = bit_rate
        stream.layout = "mono" if x.shape[1] == 1 else "stereo"
        stream.options = options
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(x.T, dtype=np.float32), format="fltp", layout=stream.layout
        )
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


@dataclass
class PyavAudioCodec(AudioCodec):
    """One PyAV encoder: ``kind`` is "opus", "opus-cbr" or "aac" (see module docstring)."""

    kind: str = "opus"

    def settings(self) -> dict:
        import av

        library = f"PyAV {av.__version__} (FFmpeg {av.ffmpeg_version_info})"
        if self.kind == "aac":
            return {"library": f"{library}, aac (FFmpeg native AAC-LC)", "container": "ADTS"}
        return {
            "library": f"{library}, libopus",
            "container": "Ogg",
            "vbr": self.kind == "opus",
            "application": "voip for 16 kHz input, audio otherwise",
            "knob": "bitrate, searched until the real file is within 2% of the target",
        }

    def _plan(self, rate: int) -> tuple[int, str, str, dict]:
        """(coding rate, encoder, container, options) for input at ``rate``."""
        if self.kind == "aac":
            return rate, "aac", "adts", {}
        coding_rate = rate if rate in OPUS_RATES else 48000
        options = {"application": "voip" if rate == 16000 else "audio"}
        options["vbr"] = "on" if self.kind == "opus" else "off"
        return coding_rate, "libopus", "ogg", options

    def encode(self, x: np.ndarray, rate: int, kbps: float) -> tuple[bytes, dict]:
        coding_rate, codec, fmt, options = self._plan(rate)
        y = np.clip(resample(x, rate, coding_rate), -1, 1)
        seconds = x.shape[0] / rate
        setting = kbps * 1000
        best: tuple[float, bytes, int] | None = None
        for _ in range(_SEARCH_STEPS):
            bit_rate = max(500, int(round(setting)))
            data = _encode(y, coding_rate, bit_rate, codec, fmt, options)
            got = len(data) * 8 / seconds / 1000
            err = abs(got - kbps) / kbps
            if best is None or err < best[0]:
                best = (err, data, bit_rate)
            if err <= _TOLERANCE:
                break
            setting *= kbps / got  # the file's rate is near-proportional to the setting
        assert best is not None
        return best[1], {"sample_rate": coding_rate, "bit_rate": best[2]}

    def decode(self, data: bytes, rate: int) -> np.ndarray:
        import av

        with av.open(io.BytesIO(data)) as source:
            parts = [_samples(f) for f in source.decode(audio=0)]
            coded_rate = source.streams.audio[0].rate
        return resample(np.concatenate(parts).astype(np.float32), coded_rate, rate)


def _samples(frame) -> np.ndarray:
    """A decoded frame as [T, C]: planar [C, T] transposed, packed [1, T*C] reshaped."""
    a = frame.to_ndarray()
    channels = len(frame.layout.channels)
    return a.T if frame.format.is_planar else a.reshape(-1, channels)
