"""`aecodec bench image`: outputs, reuse of earlier results, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec.cli.main import main


@pytest.fixture()
def folder(tmp_path: Path, demo_pixels: np.ndarray) -> Path:
    d = tmp_path / "imgs"
    d.mkdir()
    Image.fromarray(demo_pixels[:64, :96].copy()).save(d / "a.png")
    Image.fromarray(demo_pixels[100:164, 200:296].copy()).save(d / "b.png")
    return d


def _bench(folder: Path, out: Path, *extra: str) -> int:
    args = ["bench", "image", "--data", str(folder), "--codecs", "jpeg2000", "--out", str(out)]
    return main([*args, "--anchors", "", *extra])


def test_bench_image_writes_json_plots_and_table_then_reuses_them(
    folder, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "out"
    assert _bench(folder, out) == 0
    res = json.loads((out / "jpeg2000.json").read_text())
    assert res["images"] == 2 and len(res["results"]["bpp"]) == len(res["results"]["psnr-rgb"])
    assert {"psnr-rgb", "ms-ssim-rgb", "encoding_time", "decoding_time"} <= set(res["results"])
    pngs = list(out.glob("*.png"))
    assert len(pngs) >= 2 and all(p.stat().st_size > 0 for p in pngs)
    assert "| jpeg2000 |" in (out / "summary.md").read_text()
    capsys.readouterr()
    assert _bench(folder, out, "--reuse") == 0
    assert "reusing" in capsys.readouterr().err
    monkeypatch.chdir(folder.parent)  # the same folder named by a relative path is reused too
    assert _bench(Path(folder.name), out, "--reuse") == 0
    assert "reusing" in capsys.readouterr().err
    (folder / "b.png").unlink()  # a different image set: the old results no longer apply
    assert _bench(folder, out, "--reuse") == 0
    assert "reusing" not in capsys.readouterr().err
    assert json.loads((out / "jpeg2000.json").read_text())["images"] == 1


def test_a_one_codec_run_keeps_earlier_codecs_in_the_summary(folder, tmp_path):
    out = tmp_path / "out"
    assert _bench(folder, out) == 0
    args = ["bench", "image", "--data", str(folder), "--codecs", "jpeg", "--out", str(out)]
    assert main([*args, "--anchors", ""]) == 0
    summary = (out / "summary.md").read_text()
    assert "| jpeg2000 |" in summary and "| jpeg-420 |" in summary  # the earlier run stays


def test_bench_image_errors_are_one_line(folder, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.png").write_bytes(b"not a png at all")
    cases = [
        (tmp_path / "missing", "jpeg2000", "not found"),
        (empty, "jpeg2000", "no images"),
        (bad, "jpeg2000", "broken.png"),
        (folder, "jpeg2000,nope", "unknown codec"),
    ]
    for data, codecs, message in cases:
        code = main(["bench", "image", "--data", str(data), "--codecs", codecs, "--out", "x"])
        err = capsys.readouterr().err.strip()
        assert code == 2 and message in err and "\n" not in err, err
