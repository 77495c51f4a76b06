"""``aecodec bench audio`` end to end on a small folder: held-out selection and its errors,
resuming an interrupted run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aecodec.cli.main import main


@pytest.fixture()
def clips(tmp_path: Path) -> Path:
    folder = tmp_path / "clips"
    folder.mkdir()
    t = np.arange(16000) / 16000
    for i in range(4):
        tone = 0.3 * np.sin(2 * np.pi * (200 + 100 * i) * t)
        sf.write(folder / f"c{i}.wav", tone.astype(np.float32), 16000)
    return folder


def test_holdout_every_benches_only_the_held_out_files(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["bench", "audio", "--data", str(clips), "--codecs", "opus", "--kbps", "12"]
    assert main([*args, "--no-speech", "--holdout-every", "2", "--out", str(out)]) == 0
    result = json.loads((out / f"{clips.parent.name}.json").read_text())
    assert result["holdout_every"] == 2
    assert sorted({row["file"] for row in result["rows"]}) == ["c1.wav", "c3.wav"]


def test_holdout_every_beyond_the_folder_is_a_one_line_error(clips: Path, tmp_path, capsys) -> None:
    args = ["bench", "audio", "--data", str(clips), "--codecs", "opus", "--holdout-every", "9"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "holds too few files" in err and "\n" not in err


def test_excerpt_codes_only_the_middle_of_each_file(
    clips: Path, tmp_path: Path, monkeypatch
) -> None:
    from aecodec.bench.audio import pyav_codecs as C

    lengths, real_encode = [], C.PyavAudioCodec.encode

    def recording(self, samples, rate, target):
        lengths.append(samples.shape[0])
        return real_encode(self, samples, rate, target)

    monkeypatch.setattr(C.PyavAudioCodec, "encode", recording)
    out = tmp_path / "out"
    args = ["bench", "audio", "--data", str(clips), "--codecs", "opus", "--kbps", "12"]
    assert main([*args, "--no-speech", "--excerpt", "0.25", "--out", str(out)]) == 0
    assert lengths == [4000] * 4  # 0.25 s of each 1-s clip at 16 kHz
    assert json.loads((out / f"{clips.parent.name}.json").read_text())["excerpt_s"] == 0.25


def test_a_negative_excerpt_is_a_one_line_error(clips: Path, tmp_path, capsys) -> None:
    args = ["bench", "audio", "--data", str(clips), "--codecs", "opus", "--excerpt", "-1"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "--excerpt" in err and "\n" not in err


def test_an_interrupted_run_resumes_with_reuse_coding_only_what_is_missing(
    clips: Path, tmp_path: Path, monkeypatch
) -> None:
    from aecodec.bench.audio import pyav_codecs as C

    out = tmp_path / "out"
    args = ["bench", "audio", "--data", str(clips), "--codecs", "opus", "--kbps", "12"]
    args += ["--no-speech", "--out", str(out)]
    real_encode, coded = C.PyavAudioCodec.encode, []

    def failing_on_the_third(self, samples, rate, target):
        if len(coded) == 2:
            raise RuntimeError("metric crashed")
        coded.append(target)
        return real_encode(self, samples, rate, target)

    monkeypatch.setattr(C.PyavAudioCodec, "encode", failing_on_the_third)
    with pytest.raises(RuntimeError):
        main(args)
    partial = out / f".{clips.parent.name}.partial.json"
    assert [r["file"] for r in json.loads(partial.read_text())["rows"]] == ["c0.wav", "c1.wav"]

    def counting(self, samples, rate, target):
        coded.append(target)
        return real_encode(self, samples, rate, target)

    coded.clear()
    monkeypatch.setattr(C.PyavAudioCodec, "encode", counting)
    assert main([*args, "--reuse"]) == 0
    assert len(coded) == 2  # c2 and c3 only
    result = json.loads((out / f"{clips.parent.name}.json").read_text())
    assert [r["file"] for r in result["rows"]] == ["c0.wav", "c1.wav", "c2.wav", "c3.wav"]
    assert not partial.exists()


def test_a_speech_bench_without_pesq_says_so(clips: Path, tmp_path: Path, monkeypatch, capsys):
    from aecodec.bench.audio import metrics as M

    monkeypatch.setattr(M, "pesq_available", lambda: False)
    out = tmp_path / "out"
    args = ["bench", "audio", "--data", str(clips), "--codecs", "opus", "--kbps", "12"]
    assert main([*args, "--speech", "--files", "1", "--out", str(out)]) == 0
    assert "warning: PESQ not measured" in capsys.readouterr().err
    assert "pesq" not in json.loads((out / f"{clips.parent.name}.json").read_text())["metrics"]
