"""Encoder-side latent refinement: lower real rate-distortion cost, same decoder, clear limits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec import api, zoo
from aecodec.cli.main import main
from aecodec.models.latent_refinement import MAX_REFINE_PIXELS, lambda_at


def _real_cost(pixels: np.ndarray, data: bytes, lam: float) -> float:
    """bits per pixel of the real file + λ·MSE on the 0..255 scale (the training objective)."""
    decoded, _ = api.decompress_image(data)
    mse = np.mean((decoded.astype(np.float64) - pixels.astype(np.float64)) ** 2)
    return len(data) * 8 / (pixels.shape[0] * pixels.shape[1]) + lam * mse


def test_lambda_follows_the_ladder_and_interpolates_between_points():
    ladder = (0.002, 0.008, 0.032)
    assert lambda_at(ladder, 1.0) == pytest.approx(0.002)
    assert lambda_at(ladder, 3.0) == pytest.approx(0.032)
    assert lambda_at(ladder, 1.5) == pytest.approx(0.004)  # geometric midpoint


@pytest.mark.parametrize("quality", [2.0, 6.0])
def test_refined_file_has_a_lower_real_cost_and_decodes_unchanged(demo_pixels, quality):
    pixels = demo_pixels[40:140, 30:230].copy()  # 100x200: padding is excluded from the cost
    net, _ = zoo.load(None)
    lam = lambda_at(net.config.lambdas, quality)
    plain = api.compress_image(pixels, quality)
    refined = api.compress_image(pixels, quality, refine=25)
    assert refined != plain
    assert _real_cost(pixels, refined, lam) < _real_cost(pixels, plain, lam)
    decoded, header = api.decompress_image(refined)
    assert decoded.shape == pixels.shape and header.quality == quality
    assert api.compress_image(pixels, quality, refine=25) == refined  # seeded: reproducible


def test_refinement_limits_are_clear_errors(tmp_path: Path, demo_pixels, capsys):
    src = tmp_path / "a.png"
    Image.fromarray(demo_pixels[:64, :64].copy()).save(src)
    big = np.zeros((1300, 1300, 3), dtype=np.uint8)
    assert 1300 * 1300 > MAX_REFINE_PIXELS
    cases = [
        (["compress", str(src), "-o", str(tmp_path / "n.aec"), "--refine", "-1"], "--refine"),
    ]
    for args, message in cases:
        assert main(args) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err, err
    Image.fromarray(big).save(tmp_path / "big.png")
    assert main(["compress", str(tmp_path / "big.png"), "--refine", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert "megapixels" in err and "\n" not in err, err
    assert not (tmp_path / "big.aec").exists()


def test_bench_jpeg_matched_records_refinement(tmp_path: Path, demo_pixels, capsys):
    folder = tmp_path / "imgs"
    folder.mkdir()
    Image.fromarray(demo_pixels[:64, :128].copy()).save(folder / "a.png")
    out = tmp_path / "out"
    args = ["bench", "jpeg-matched", "--data", str(folder), "--out", str(out)]
    assert main([*args, "--qualities", "6", "--refine", "3"]) == 0
    result = json.loads((out / "jpeg_matched.json").read_text())
    assert result["refine"] == 3 and len(result["rows"]) == 1
    assert result["rows"][0]["aec_bytes"] > 0
    assert "| 6 |" in capsys.readouterr().out
