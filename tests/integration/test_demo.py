"""aecodec demo: the bundled photo against JPEG at the largest size that fits."""

from __future__ import annotations

from importlib import resources

from aecodec import media
from aecodec.cli.demo_command import run_demo


def test_demo_compares_with_the_best_jpeg_no_larger_than_the_aec_file() -> None:
    lines = run_demo(3.0)
    aec = next(line for line in lines if line.startswith("aecodec q="))
    jpeg = next(line for line in lines if line.startswith("JPEG 4:2:0 q="))
    aec_bytes, jpeg_bytes = int(aec.split()[2]), int(jpeg.split()[3])
    quality = int(jpeg.split()[2].split("=")[1])
    assert jpeg_bytes <= aec_bytes
    photo = resources.files("aecodec").joinpath("data/demo.png").read_bytes()
    pixels = media.read_image(photo)
    assert len(media.encode_jpeg(pixels, quality + 1)) > aec_bytes  # the next quality overflows
