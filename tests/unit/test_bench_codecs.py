"""Every benchmark adapter round-trips, and the bpp accounting uses real file bytes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec.bench.codecs.registry import CODECS, make_codecs
from aecodec.bench.harness import measure_image, run_codec
from aecodec.metrics import ms_ssim_db, ms_ssim_rgb, psnr_rgb


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> tuple[Path, np.ndarray]:
    from aecodec import media

    repo = Path(__file__).resolve().parents[2]
    pixels = media.read_image(repo / "aecodec" / "data" / "demo.png")[:192, :256].copy()
    path = tmp_path_factory.mktemp("photo") / "photo.png"
    Image.fromarray(pixels).save(path)
    return path, pixels


@pytest.mark.parametrize("name", [n for n in CODECS if n != "aecodec"])
def test_classic_adapter_round_trips(name: str, photo) -> None:
    _, pixels = photo
    for codec in make_codecs([name]):
        lo, hi = codec.params[2], codec.params[-2]
        small, large = codec.encode(pixels, lo), codec.encode(pixels, hi)
        out_small, out_large = codec.decode(small), codec.decode(large)
        assert out_small.shape == pixels.shape and out_small.dtype == np.uint8
        assert len(small) < len(large)
        assert psnr_rgb(pixels, out_small) < psnr_rgb(pixels, out_large)
        assert psnr_rgb(pixels, out_large) > 30
        assert codec.settings()["library"].startswith(("Pillow", "imagecodecs", "PyAV"))


def test_video_codecs_code_one_intra_frame_and_refuse_odd_420(photo) -> None:
    _, pixels = photo
    (hevc,) = make_codecs(["hevc-420"])
    with pytest.raises(ValueError, match="even"):
        hevc.encode(pixels[:191], 32.0)
    (hevc444,) = make_codecs(["hevc"])
    odd = np.ascontiguousarray(pixels[:191, :255])
    assert hevc444.decode(hevc444.encode(odd, 32.0)).shape == odd.shape
    # the stream is the coded picture: no SEI text with the encoder's version and options
    tiny = np.full((64, 64, 3), 128, np.uint8)
    stream = hevc444.encode(tiny, 51.0)
    assert b"x265" not in stream and len(stream) < 200


def test_aecodec_adapter_round_trips(photo) -> None:
    _, pixels = photo
    (codec,) = make_codecs(["aecodec"])
    data = codec.encode(pixels, 3.0)
    assert data[:4] == b"\x8bAEC"
    assert codec.decode(data).shape == pixels.shape
    assert codec.settings()["weights_sha256"]


def test_jpeg2000_rate_mode_hits_the_target_rate(photo) -> None:
    _, pixels = photo
    (codec,) = make_codecs(["jpeg2000"])
    for target in (0.25, 0.5, 1.0):
        bpp = len(codec.encode(pixels, target)) * 8 / (pixels.shape[0] * pixels.shape[1])
        assert bpp == pytest.approx(target, rel=0.08)


def test_bpp_is_real_file_bytes_times_8_over_pixels(photo) -> None:
    path, pixels = photo
    (codec,) = make_codecs(["webp"])
    codec.params = [50]
    (row,) = measure_image(codec, path)
    assert row["bpp"] == len(codec.encode(pixels, 50)) * 8 / (192 * 256)
    assert row["bytes"] * 8 / (192 * 256) == row["bpp"]


def test_run_codec_writes_compressai_format(photo) -> None:
    path, _ = photo
    (codec,) = make_codecs(["jpeg2000-53"])
    codec.params = [0.3, 0.6, 1.2]
    res = run_codec(codec, [path], data_label="unit")
    json.dumps(res)
    r = res["results"]
    for key in ("bpp", "psnr-rgb", "ms-ssim-rgb", "encoding_time", "decoding_time"):
        assert len(r[key]) == 3
    assert r["bpp"] == sorted(r["bpp"])
    assert res["settings"]["wavelet"] == "reversible 5/3"


def test_unknown_codec_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown codec 'bpg'"):
        make_codecs(["bpg"])


def test_ms_ssim_metric_behaves(photo) -> None:
    _, pixels = photo
    assert ms_ssim_rgb(pixels, pixels) == pytest.approx(1.0, abs=1e-6)
    noisy = np.clip(
        pixels.astype(int) + np.random.default_rng(0).integers(-20, 21, pixels.shape), 0, 255
    )
    value = ms_ssim_rgb(pixels, noisy.astype(np.uint8))
    assert 0.5 < value < 0.999
    assert ms_ssim_db(0.99) == pytest.approx(20.0)
    assert np.isnan(ms_ssim_rgb(pixels[:100, :100], pixels[:100, :100]))


def test_aecodec_colon_model_picks_a_registered_image_model() -> None:
    (codec,) = make_codecs(["aecodec:hyperprior-v4"])
    assert codec.name == "aecodec-hyperprior-v4"
    with pytest.raises(ValueError, match="no image model 'speech-v2'"):
        make_codecs(["aecodec:speech-v2"])
