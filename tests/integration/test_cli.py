"""The command line: exit codes, one-line errors, overwrite guard, stdin/stdout, atomic output."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec.cli.main import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def small_png(tmp_path: Path, demo_pixels: np.ndarray) -> Path:
    p = tmp_path / "small.png"
    Image.fromarray(demo_pixels[:96, :120].copy()).save(p)
    return p


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aecodec.cli.main", *args],
        input=stdin,
        capture_output=True,
        timeout=300,
        cwd=REPO,
    )


def test_compress_decompress_round_trip(tmp_path: Path, small_png: Path, capsys) -> None:
    before = sha(small_png)
    out = tmp_path / "x.aec"
    assert main(["compress", str(small_png), "-o", str(out), "-q", "2"]) == 0
    assert "bpp" in capsys.readouterr().err
    assert sha(small_png) == before  # the input is never touched
    png = tmp_path / "y.png"
    assert main(["decompress", str(out), "-o", str(png)]) == 0
    with Image.open(png) as im:
        assert im.size == (120, 96) and im.mode == "RGB"


def test_default_output_names(tmp_path: Path, small_png: Path) -> None:
    assert main(["compress", str(small_png)]) == 0
    assert (tmp_path / "small.aec").exists()
    (small_png).unlink()
    assert main(["decompress", str(tmp_path / "small.aec")]) == 0
    assert (tmp_path / "small.png").exists()


def test_info_prints_header_json(tmp_path: Path, small_png: Path, capsys) -> None:
    out = tmp_path / "x.aec"
    main(["compress", str(small_png), "-o", str(out), "-q", "4.5"])
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["height"] == 96 and info["width"] == 120 and info["kind"] == "image"
    assert info["quality"] == 4.5
    assert info["file_bytes"] == out.stat().st_size
    assert info["bpp"] == pytest.approx(out.stat().st_size * 8 / (96 * 120), rel=1e-5)


def test_existing_output_is_not_overwritten_without_force(
    tmp_path: Path, small_png: Path, capsys
) -> None:
    out = tmp_path / "x.aec"
    out.write_bytes(b"precious")
    assert main(["compress", str(small_png), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exists" in err and "-f" in err and len(err.strip().splitlines()) == 1
    assert out.read_bytes() == b"precious"
    assert main(["compress", str(small_png), "-o", str(out), "-f"]) == 0
    assert out.read_bytes()[:4] == b"\x8bAEC"


def test_decompress_guards_existing_png(tmp_path: Path, small_png: Path) -> None:
    aec = tmp_path / "x.aec"
    main(["compress", str(small_png), "-o", str(aec)])
    target = tmp_path / "keep.png"
    target.write_bytes(b"keep")
    assert main(["decompress", str(aec), "-o", str(target)]) == 2
    assert target.read_bytes() == b"keep"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compress", "/nonexistent/photo.png"], "no such file"),
        (["decompress", "/nonexistent/x.aec"], "no such file"),
        (["info", "/nonexistent/x.aec"], "no such file"),
    ],
)
def test_missing_inputs_give_one_line_and_exit_2(argv, message, tmp_path, capsys) -> None:
    argv = [*argv, "-o", str(tmp_path / "o")] if argv[0] != "info" else argv
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_corrupted_file_fails_cleanly_and_leaves_no_output(
    tmp_path: Path, small_png: Path, capsys
) -> None:
    aec = tmp_path / "x.aec"
    main(["compress", str(small_png), "-o", str(aec)])
    data = bytearray(aec.read_bytes())
    data[len(data) // 2] ^= 0x40
    bad = tmp_path / "bad.aec"
    bad.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["decompress", str(bad), "-o", str(tmp_path / "out.png")]) == 2
    assert "checksum" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_truncated_file_fails_cleanly(tmp_path: Path, small_png: Path, capsys) -> None:
    aec = tmp_path / "x.aec"
    main(["compress", str(small_png), "-o", str(aec)])
    short = tmp_path / "short.aec"
    short.write_bytes(aec.read_bytes()[:-7])
    assert main(["info", str(short)]) == 2
    assert "truncated" in capsys.readouterr().err


def test_non_image_input_fails_cleanly(tmp_path: Path, capsys) -> None:
    txt = tmp_path / "notes.txt"
    txt.write_text("not a picture")
    assert main(["compress", str(txt), "-o", str(tmp_path / "n.aec")]) == 2
    assert "not an image" in capsys.readouterr().err
    assert not (tmp_path / "n.aec").exists()


def test_bad_quality_and_unknown_model(tmp_path: Path, small_png: Path, capsys) -> None:
    assert main(["compress", str(small_png), "-o", str(tmp_path / "a"), "-q", "99"]) == 2
    assert "quality" in capsys.readouterr().err
    assert main(["compress", str(small_png), "-o", str(tmp_path / "b"), "--model", "zz"]) == 2
    assert "unknown model" in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as e:
        main(["compress"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2


def test_version_flag(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith("aecodec ")


def test_stdin_to_stdout_pipeline(small_png: Path) -> None:
    enc = run_cli("compress", "-", "-o", "-", stdin=small_png.read_bytes())
    assert enc.returncode == 0, enc.stderr.decode()
    assert enc.stdout[:4] == b"\x8bAEC"
    dec = run_cli("decompress", "-", "-o", "-", stdin=enc.stdout)
    assert dec.returncode == 0, dec.stderr.decode()
    assert dec.stdout[:8] == b"\x89PNG\r\n\x1a\n"


def test_console_script_reports_errors_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.aec"
    bad.write_bytes(b"garbage" * 10)
    res = run_cli("decompress", str(bad), "-o", str(tmp_path / "o.png"))
    assert res.returncode == 2
    err = res.stderr.decode()
    assert "Traceback" not in err and "not an .aec file" in err
    assert os.listdir(tmp_path) == ["bad.aec"]


RETIRED = [  # (file in tests/data/retired, model, last version that decodes it, output)
    ("hyperprior-v1-demo-crop-q6.aec", "hyperprior-v1", "0.1.0", "y.png"),
    ("hyperprior-v2-demo-crop-q6.aec", "hyperprior-v2", "0.2.0", "y.png"),
    ("speech-v1-1ch-q1.aec", "speech-v1", "0.3.0", "y.wav"),
    ("music-v1-2ch-q3.5.aec", "music-v1", "0.3.0", "y.wav"),
]


@pytest.mark.parametrize(("file", "model", "last", "out"), RETIRED)
def test_file_of_a_retired_model_names_the_version_that_decodes_it(
    file: str, model: str, last: str, out: str, tmp_path: Path, capsys
) -> None:
    aec = REPO / "tests" / "data" / "retired" / file
    before = sha(aec)
    assert main(["decompress", str(aec), "-o", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err.strip()
    assert f"'{model}' was retired" in err and f"aecodec {last}" in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / out).exists() and sha(aec) == before
