"""Image reading: conversions, refusals with clear messages."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec import media
from aecodec.errors import MediaError


def save(tmp_path: Path, im: Image.Image, name: str = "x.png") -> Path:
    p = tmp_path / name
    im.save(p)
    return p


def test_rgb_png_reads_exactly(tmp_path: Path) -> None:
    arr = np.random.default_rng(0).integers(0, 256, (17, 23, 3), dtype=np.uint8)
    out = media.read_image(save(tmp_path, Image.fromarray(arr)))
    assert out.dtype == np.uint8 and out.shape == (17, 23, 3)
    assert np.array_equal(out, arr)
    assert out.flags.writeable


def test_grayscale_is_converted_to_rgb(tmp_path: Path) -> None:
    arr = np.arange(100, dtype=np.uint8).reshape(10, 10)
    out = media.read_image(save(tmp_path, Image.fromarray(arr, "L")))
    assert out.shape == (10, 10, 3)
    assert np.array_equal(out[..., 0], arr) and np.array_equal(out[..., 2], arr)


def test_palette_is_converted_to_rgb(tmp_path: Path) -> None:
    im = Image.fromarray(np.zeros((8, 8, 3), np.uint8)).convert("P")
    assert media.read_image(save(tmp_path, im)).shape == (8, 8, 3)


def test_opaque_alpha_is_dropped(tmp_path: Path) -> None:
    arr = np.full((6, 7, 4), 255, np.uint8)
    arr[..., 0] = 10
    out = media.read_image(save(tmp_path, Image.fromarray(arr, "RGBA")))
    assert out.shape == (6, 7, 3) and (out[..., 0] == 10).all()


def test_transparent_image_is_refused(tmp_path: Path) -> None:
    arr = np.full((6, 7, 4), 255, np.uint8)
    arr[0, 0, 3] = 0
    with pytest.raises(MediaError, match="transparency"):
        media.read_image(save(tmp_path, Image.fromarray(arr, "RGBA")))


def test_16bit_grayscale_is_refused(tmp_path: Path) -> None:
    im = Image.fromarray(np.full((5, 5), 40000, np.uint16))
    with pytest.raises(MediaError, match="16-bit"):
        media.read_image(save(tmp_path, im))


def test_not_an_image_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "notes.png"
    p.write_text("hello")
    with pytest.raises(MediaError, match="not an image"):
        media.read_image(p)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file"):
        media.read_image(tmp_path / "absent.png")


def test_truncated_image_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 7).save(buf, "PNG")
    with pytest.raises(MediaError):
        media.read_image(buf.getvalue()[:60])


def test_encode_png_round_trips() -> None:
    arr = np.random.default_rng(1).integers(0, 256, (9, 4, 3), dtype=np.uint8)
    assert np.array_equal(media.read_image(media.encode_png(arr)), arr)
