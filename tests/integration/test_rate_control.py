"""--bpp: the quality search lands the real file within 3% of the target."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec import api
from aecodec.cli.main import main
from aecodec.errors import ModelError


@pytest.mark.parametrize("target", [0.25, 0.4, 0.55])
def test_compress_to_bpp_lands_within_three_percent(demo_pixels: np.ndarray, target: float):
    pixels = demo_pixels[:192, :256].copy()
    data, quality = api.compress_image_to_bpp(pixels, target)
    bpp = len(data) * 8 / (192 * 256)
    assert abs(bpp - target) / target <= 0.03
    decoded, header = api.decompress_image(data)
    assert decoded.shape == pixels.shape and header.quality == pytest.approx(quality)


def test_unreachable_target_is_a_clear_error(demo_pixels: np.ndarray):
    with pytest.raises(ModelError, match="outside this model's range"):
        api.compress_image_to_bpp(demo_pixels[:64, :64].copy(), 40.0)


def test_fractional_quality_is_coded_with_the_value_the_header_stores(demo_pixels):
    pixels = demo_pixels[:64, :128].copy()
    data = api.compress_image(pixels, 2.7)
    assert api.compress_image(pixels, float(np.float32(2.7))) == data


def test_cli_bpp_option_writes_a_file_at_the_target(tmp_path: Path, demo_pixels, capsys):
    src = tmp_path / "in.png"
    Image.fromarray(demo_pixels[:128, :192].copy()).save(src)
    out = tmp_path / "out.aec"
    assert main(["compress", str(src), "-o", str(out), "--bpp", "0.3"]) == 0
    assert abs(out.stat().st_size * 8 / (128 * 192) - 0.3) <= 0.009
    assert main(["compress", str(src), "-o", str(tmp_path / "x.aec"), "--bpp", "-1"]) == 2
    assert "positive" in capsys.readouterr().err


def test_a_communication_model_is_refused_as_an_image_codec(demo_pixels):
    with pytest.raises(ModelError, match="not an image codec"):
        api.compress_image(demo_pixels[:64, :64].copy(), 3, model="comm-7-4")


def test_bench_rate_control_reports_every_image(tmp_path: Path, demo_pixels, capsys):
    data = tmp_path / "imgs"
    data.mkdir()
    Image.fromarray(demo_pixels[:192, :256].copy()).save(data / "a.png")
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(data / "tiny.png")  # flat
    out = tmp_path / "out"
    args = ["bench", "rate-control", "--bpp", "0.4", "--data", str(data), "--out", str(out)]
    assert main(args) == 1  # a flat image cannot reach 0.4 bpp: reported, exit 1
    result = json.loads((out / "bpp-0.4.json").read_text())
    rows = {r["image"]: r for r in result["rows"]}
    assert abs(rows["a.png"]["relative_error"]) <= 0.03 and "error" in rows["tiny.png"]
    assert result["within_3_percent"] == 1 and "1 of 2 images" in capsys.readouterr().out
