"""Audio codec adapters for the benchmark: aecodec, libsndfile's Opus, Vorbis and MP3
(libopus at exact bitrates and AAC are in pyav_codecs.py).

Every adapter turns float audio ``np.ndarray[T, C]`` at ``rate`` Hz into the bytes of a real
file for a target bitrate, and decodes them back to ``np.ndarray[T, C]`` at ``rate``. The
bitrate of a result is always measured from the file size, never taken from a setting.

libsndfile exposes one knob for these encoders, ``compression_level`` in [0, 1] (soundfile's
``compression_level``), whose bitrate depends on the signal and the sample rate. The adapter
searches it by bisection for the file closest to the target. Where a codec cannot go that low
at the input's rate (Vorbis and MP3 stop near 20 to 60 kbit/s), it tries the lower sample
rates the format offers, as LAME and oggenc do themselves at low bitrates, and decodes back
up to the input's rate. Opus runs at 16 kHz for speech and 48 kHz otherwise (it has no
44.1 kHz mode).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import soundfile as sf

from aecodec import audio_codec
from aecodec.errors import ConfigError, ModelError
from aecodec.media_audio import resample

__all__ = ["AudioCodec", "LibsndfileCodec", "AecodecAudio", "make_audio_codecs", "AUDIO_CODECS"]

_LEVEL_STEPS = 7  # bisection steps on compression_level


@dataclass
class AudioCodec:
    """Base of the adapters: ``encode(x, rate, kbps) -> (file bytes, settings used)``."""

    name: str

    def settings(self) -> dict:
        raise NotImplementedError

    def encode(self, x: np.ndarray, rate: int, kbps: float) -> tuple[bytes, dict]:
        raise NotImplementedError

    def decode(self, data: bytes, rate: int) -> np.ndarray:
        raise NotImplementedError


@dataclass
class LibsndfileCodec(AudioCodec):
    """One libsndfile encoder (format, subtype) over a ladder of sample rates."""

    fmt: str = "OGG"
    subtype: str = "OPUS"
    rates: tuple[int, ...] = ()
    max_level: float = 1.0
    extra: dict = field(default_factory=dict)

    def settings(self) -> dict:
        return {
            "library": f"libsndfile {sf.__libsndfile_version__} via soundfile {sf.__version__}",
            "format": self.fmt,
            "subtype": self.subtype,
            "sample_rates": list(self.rates),
            "knob": f"compression_level in [0, {self.max_level}], bisection to the target",
        }

    def _write(self, x: np.ndarray, rate: int, level: float) -> bytes:
        buf = io.BytesIO()
        sf.write(buf, x, rate, format=self.fmt, subtype=self.subtype, compression_level=level)
        return buf.getvalue()

    def _candidate_rates(self, rate: int) -> list[int]:
        above = [r for r in self.rates if r >= rate]
        start = min(above) if above else max(self.rates)
        return [start] + sorted((r for r in self.rates if r < start), reverse=True)

    def encode(self, x: np.ndarray, rate: int, kbps: float) -> tuple[bytes, dict]:
        seconds = x.shape[0] / rate
        best: tuple[float, bytes, dict] | None = None
        for codec_rate in self._candidate_rates(rate):
            y = np.clip(resample(x, rate, codec_rate), -1, 1)
            lo, hi = 0.0, self.max_level  # level up = bitrate down
            for _ in range(_LEVEL_STEPS):
                level = (lo + hi) / 2
                data = self._write(y, codec_rate, level)
                got = len(data) * 8 / seconds / 1000
                err = abs(got - kbps) / kbps
                if best is None or err < best[0]:
                    best = (err, data, {"sample_rate": codec_rate, "level": round(level, 4)})
                if got > kbps:
                    lo = level
                else:
                    hi = level
            floor = self._write(y, codec_rate, self.max_level)
            if len(floor) * 8 / seconds / 1000 <= kbps * 1.03:
                break  # this rate reaches the target: do not drop to a lower one
        assert best is not None
        return best[1], best[2]

    def decode(self, data: bytes, rate: int) -> np.ndarray:
        y, codec_rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        return resample(y, codec_rate, rate)


@dataclass
class AecodecAudio(AudioCodec):
    """aecodec's learned codec, rate-searched to the target (--kbps), else its nearest end."""

    model: str | None = None
    # the default model of each sample rate, fixed at its first file: a default changed in
    # the registry while a run goes on does not mix two models in one table
    picked: dict[int, str] = field(default_factory=dict, repr=False)

    def _model_for(self, rate: int) -> str:
        if self.model is not None:
            return self.model
        return self.picked.setdefault(rate, audio_codec.pick_audio_model(rate))

    def settings(self) -> dict:
        from aecodec import __version__, zoo
        from aecodec.bench.codecs.library_digest import aecodec_source_digest

        entries = [
            e for e in zoo.registry().values() if e.kind == "audio" and self.model in (None, e.name)
        ]
        # name -> weights digest and the config the codec reads (e.g. its quality range), so
        # that --reuse keeps no row of a model whose weights or settings changed
        models = {
            e.name: {"sha256": e.sha256[:16], "config": dict(sorted(e.config.items()))}
            for e in entries
        }
        return {
            "library": f"aecodec {__version__}",
            "source": aecodec_source_digest(),
            "models": models,
            "knob": "--kbps search",
        }

    def encode(self, x: np.ndarray, rate: int, kbps: float) -> tuple[bytes, dict]:
        model = self._model_for(rate)
        try:
            data, q = audio_codec.compress_audio_to_kbps(x, rate, kbps, model)
        except ModelError:  # out of the model's range: its nearest end
            qualities = audio_codec.audio_quality_range(model, rate)
            ends = [audio_codec.compress_audio(x, rate, q, model) for q in qualities]
            seconds = x.shape[0] / rate
            errs = [abs(len(d) * 8 / seconds / 1000 - kbps) for d in ends]
            i = int(np.argmin(errs))
            data, q = ends[i], qualities[i]
        return data, {"quality": round(q, 4), "model": model}

    def decode(self, data: bytes, rate: int) -> np.ndarray:
        samples, _ = audio_codec.decompress_audio(data)
        return samples.astype(np.float32) / 32767.0


AUDIO_CODECS = ("aecodec", "opus", "opus-cbr", "aac", "opus-sndfile", "vorbis", "mp3")


def make_audio_codecs(names: list[str], model: str | None = None) -> list[AudioCodec]:
    """Adapters by name (see AUDIO_CODECS); ValueError for an unknown name."""
    out: list[AudioCodec] = []
    for name in names:
        if name == "aecodec":
            out.append(AecodecAudio("aecodec", model))
        elif name in ("opus", "opus-cbr", "aac"):  # libopus / FFmpeg AAC through PyAV
            from aecodec.bench.audio.pyav_codecs import PyavAudioCodec

            out.append(PyavAudioCodec(name, name))
        elif name == "opus-sndfile":  # libsndfile's Opus: one knob, a floor near 8.7 kbit/s
            out.append(LibsndfileCodec("opus-sndfile", "OGG", "OPUS", (16000, 48000)))
        elif name == "vorbis":
            rates = (8000, 11025, 16000, 22050, 32000, 44100, 48000)
            out.append(LibsndfileCodec("vorbis", "OGG", "VORBIS", rates))
        elif name == "mp3":
            rates = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
            out.append(LibsndfileCodec("mp3", "MP3", "MPEG_LAYER_III", rates, max_level=0.99))
        else:
            raise ConfigError(f"unknown audio codec {name!r} (known: {', '.join(AUDIO_CODECS)})")
    return out
