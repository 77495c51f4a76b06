"""Audio reading, writing and resampling: formats, clear errors, limits."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aecodec.errors import MediaError
from aecodec.media_audio import (
    audio_format_for,
    encode_audio,
    read_audio,
    resample,
    to_int16,
)


def tone(seconds: float = 0.5, rate: int = 16000, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    x = 0.3 * np.sin(2 * np.pi * 440 * t)
    return np.stack([x * (1 - 0.5 * c) for c in range(channels)], 1).astype(np.float32)


@pytest.mark.parametrize(("suffix", "fmt"), [(".wav", "WAV"), (".flac", "FLAC"), (".ogg", "OGG")])
def test_write_and_read_back_each_output_format(tmp_path: Path, suffix: str, fmt: str) -> None:
    x = tone(channels=2)
    data = encode_audio(to_int16(x), 16000, *audio_format_for("out" + suffix))
    path = tmp_path / ("a" + suffix)
    path.write_bytes(data)
    y, rate = read_audio(path)
    assert rate == 16000 and y.shape == x.shape
    assert sf.info(str(path)).format == fmt


def test_read_refuses_zero_length_audio(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(MediaError, match="zero-length"):
        read_audio(path)


def test_read_refuses_a_text_file_with_an_audio_name(tmp_path: Path) -> None:
    path = tmp_path / "fake.wav"
    path.write_text("hello, I am not audio\n")
    with pytest.raises(MediaError, match="not an audio format"):
        read_audio(path)


def test_read_refuses_more_than_two_channels(tmp_path: Path) -> None:
    path = tmp_path / "surround.wav"
    sf.write(path, np.zeros((100, 6), np.float32), 48000)
    with pytest.raises(MediaError, match="6 channels"):
        read_audio(path)


def test_read_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file"):
        read_audio(tmp_path / "nope.flac")


def test_read_accepts_bytes() -> None:
    buf = io.BytesIO()
    sf.write(buf, tone(), 16000, format="WAV")
    x, rate = read_audio(buf.getvalue())
    assert rate == 16000 and x.shape == (8000, 1)


def test_output_extension_must_be_a_written_format() -> None:
    with pytest.raises(MediaError, match=".wav, .flac or .ogg"):
        audio_format_for("out.mp4")


def test_resample_keeps_duration_and_a_tone() -> None:
    x = tone(rate=44100)
    y = resample(x, 44100, 16000)
    assert abs(y.shape[0] - 8000) <= 1
    spectrum = np.abs(np.fft.rfft(y[:, 0]))
    assert abs(np.argmax(spectrum) * 16000 / y.shape[0] - 440) < 5


def test_to_int16_clips_instead_of_wrapping() -> None:
    out = to_int16(np.array([2.0, -2.0, 0.5]))
    assert out.tolist() == [32767, -32767, 16384]
