"""The shipped audio codecs end to end: files, CLI, rate control, determinism, clean errors."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from aecodec import audio_codec, bitstream, zoo
from aecodec.bitstream import BitstreamError
from aecodec.cli.main import main

HERE = Path(__file__).parent
REPO = HERE.parents[1]

sys.path.insert(0, str(HERE.parent))
from audio_signals import speechlike  # noqa: E402


@pytest.fixture(scope="module")
def speech_model() -> str:
    names = [e.name for e in zoo.registry().values() if e.kind == "audio"]
    if not names:
        pytest.fail("no audio model is registered")
    return audio_codec.pick_audio_model(16000)


def test_each_sample_rate_picks_a_model_that_covers_it() -> None:
    low, high = audio_codec.pick_audio_model(16000), audio_codec.pick_audio_model(44100)
    assert zoo.registry()[low].config["sample_rate"] == 16000
    assert zoo.registry()[high].config["sample_rate"] == 44100


@pytest.mark.parametrize(("rate", "channels"), [(16000, 1), (44100, 2), (22050, 1), (48000, 2)])
def test_round_trip_restores_rate_length_and_channels(rate: int, channels: int) -> None:
    x = speechlike(1.3, rate, channels)
    data = audio_codec.compress_audio(x, rate, 2.0)
    y, header = audio_codec.decompress_audio(data)
    assert y.dtype == np.int16 and y.shape == x.shape
    assert header.sample_rate == rate and header.frames == x.shape[0]
    assert np.corrcoef(x[:, 0], y[:, 0].astype(np.float32))[0, 1] > 0.5  # the signal is there


@pytest.mark.parametrize("frames", [1, 100, 513])
def test_very_short_audio_round_trips_through_the_postfilter(frames: int) -> None:
    x = speechlike(1.0, 16000, 2)[:frames]
    for quality in (0.0, 3.9):  # band-limited, and full band
        y, _ = audio_codec.decompress_audio(audio_codec.compress_audio(x, 16000, quality))
        assert y.shape == x.shape


def test_higher_quality_costs_more_bits_and_gives_less_error(speech_model: str) -> None:
    x = speechlike(3.0, 16000)
    sizes, errors = [], []
    for q in (1.0, 4.0):
        data = audio_codec.compress_audio(x, 16000, q, speech_model)
        y = audio_codec.decompress_audio(data)[0].astype(np.float32) / 32767
        sizes.append(len(data))
        errors.append(float(np.mean((y - x) ** 2)))
    assert sizes[0] < sizes[1]
    assert errors[1] < errors[0]


def test_kbps_target_is_met_within_three_percent(speech_model: str) -> None:
    x = speechlike(6.0, 16000)
    data, _ = audio_codec.compress_audio_to_kbps(x, 16000, 6.0, speech_model)
    kbps = len(data) * 8 / 6.0 / 1000
    assert abs(kbps - 6.0) / 6.0 <= 0.03


def test_decoding_is_identical_with_1_and_2_threads(tmp_path: Path) -> None:
    files = []
    for i, (rate, ch) in enumerate([(16000, 1), (44100, 2)]):
        path = tmp_path / f"a{i}.aec"
        path.write_bytes(audio_codec.compress_audio(speechlike(12.0, rate, ch, seed=i), rate, 2.5))
        files.append(path)
    hashes = []
    for threads in (1, 2):
        out = subprocess.run(
            [sys.executable, str(HERE / "decode_worker.py"), str(threads), *map(str, files)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        hashes.append(json.loads(out.stdout.strip().splitlines()[-1]))
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        here = {
            str(p): hashlib.sha256(
                audio_codec.decompress_audio(p.read_bytes())[0].tobytes()
            ).hexdigest()
            for p in files
        }
    finally:
        torch.set_num_threads(old)
    assert hashes[0] == hashes[1] == here


def test_cli_round_trip_flac_in_flac_out(tmp_path: Path, capsys) -> None:
    src = tmp_path / "talk.flac"
    sf.write(src, speechlike(2.0, 16000), 16000)
    before = src.read_bytes()
    aec = tmp_path / "t.aec"
    assert main(["compress", str(src), "-o", str(aec), "--kbps", "6"]) == 0
    assert "kbit/s" in capsys.readouterr().err
    assert src.read_bytes() == before
    out = tmp_path / "t.flac"
    assert main(["decompress", str(aec), "-o", str(out)]) == 0
    info = sf.info(str(out))
    assert (info.format, info.samplerate, info.frames, info.channels) == ("FLAC", 16000, 32000, 1)
    assert main(["info", str(aec)]) == 0
    header = json.loads(capsys.readouterr().out)
    assert header["kind"] == "audio" and header["kbps"] == pytest.approx(6.0, rel=0.03)


def test_cli_decompress_defaults_to_wav_for_audio(tmp_path: Path) -> None:
    src = tmp_path / "clip.wav"
    sf.write(src, speechlike(1.0, 16000), 16000)
    assert main(["compress", str(src)]) == 0
    (tmp_path / "clip.wav").unlink()
    assert main(["decompress", str(tmp_path / "clip.aec")]) == 0
    assert sf.info(str(tmp_path / "clip.wav")).samplerate == 16000


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: sf.write(p, np.zeros((0, 1), np.float32), 16000), "zero-length"),
        (lambda p: p.write_text("not audio"), "not an audio format"),
    ],
)
def test_bad_audio_inputs_exit_2_with_one_line(tmp_path: Path, capsys, make, message) -> None:
    src = tmp_path / "in.wav"
    make(src)
    assert main(["compress", str(src), "-o", str(tmp_path / "x.aec")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.aec").exists()


def test_rate_flags_are_checked_against_the_media(tmp_path: Path, capsys) -> None:
    src = tmp_path / "a.wav"
    sf.write(src, speechlike(1.0, 16000), 16000)
    assert main(["compress", str(src), "-o", str(tmp_path / "a.aec"), "--bpp", "0.5"]) == 2
    assert "--bpp is for images" in capsys.readouterr().err


def test_truncated_and_corrupted_audio_files_are_refused(tmp_path: Path) -> None:
    data = audio_codec.compress_audio(speechlike(2.0, 16000), 16000, 2.0)
    for bad in (data[: len(data) // 2], data[:-1], data[:20]):
        with pytest.raises(BitstreamError):
            audio_codec.decompress_audio(bad)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    with pytest.raises(BitstreamError, match="checksum"):
        audio_codec.decompress_audio(bytes(flipped))
    aec = tmp_path / "bad.aec"
    aec.write_bytes(bytes(flipped))
    assert main(["decompress", str(aec), "-o", str(tmp_path / "x.wav")]) == 2
    assert not (tmp_path / "x.wav").exists()


def test_image_files_and_audio_files_do_not_mix(tmp_path: Path, demo_pixels, capsys) -> None:
    from aecodec import api

    img = tmp_path / "i.aec"
    img.write_bytes(api.compress_image(demo_pixels[:64, :64].copy(), 2.0))
    assert main(["decompress", str(img), "-o", str(tmp_path / "i.wav")]) == 2
    assert "holds an image" in capsys.readouterr().err
    with pytest.raises(BitstreamError, match="holds an image"):
        audio_codec.decompress_audio(img.read_bytes())


def test_forged_band_energy_sections_are_refused_or_clipped(tmp_path: Path) -> None:
    from aecodec.models.ans_coding import CodingError, encode_indexed

    x = speechlike(1.0, 16000)
    header = bitstream.decode(audio_codec.compress_audio(x, 16000, 2.0, "speech-v8"))
    garbage = header.sections[:2] + [b"\x07\x00\x00\x00" * 3]
    with pytest.raises(CodingError):
        audio_codec.decompress_audio(bitstream.encode(replace(header, sections=garbage)))
    aec = tmp_path / "forged.aec"
    aec.write_bytes(bitstream.encode(replace(header, sections=garbage)))
    assert main(["decompress", str(aec), "-o", str(tmp_path / "x.wav")]) == 2
    net, _ = zoo.load("speech-v8")
    tables = audio_codec._energy_tables(net, 2.0)
    bands = net.energy_bands
    blocks = audio_codec.band_energy.block_count(16384, 16000, net.config.energy_block)
    loud = torch.full((bands, blocks), 1 << 15, dtype=torch.int32)  # far above the table
    indexes = torch.arange(bands, dtype=torch.int32).view(-1, 1).expand(bands, blocks)
    forged = header.sections[:2] + [encode_indexed(loud, indexes, tables)]
    y, _ = audio_codec.decompress_audio(bitstream.encode(replace(header, sections=forged)))
    assert y.shape == x.shape and y.dtype == np.int16  # the largest gain the model allows
    with pytest.raises(BitstreamError, match="must hold 3 sections"):
        audio_codec.decompress_audio(bitstream.encode(replace(header, sections=forged[:2])))
    # band energies coded in context (speech-v15 on): garbage or a cut section is refused
    header = bitstream.decode(audio_codec.compress_audio(x, 16000, 3.5, "speech-v16"))
    for section in (b"\x07\x00\x00\x00" * 3, header.sections[2][:-4], b""):
        forged = header.sections[:2] + [section]
        with pytest.raises(CodingError):
            audio_codec.decompress_audio(bitstream.encode(replace(header, sections=forged)))
