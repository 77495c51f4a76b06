"""JPEG 2000 files from the harness decode with OpenJPEG's own opj_decompress to the same
pixels as Pillow's decode (an independent check of the adapter)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec import media
from aecodec.bench.codecs.pillow_codecs import Jpeg2000Codec

OPJ = shutil.which("opj_decompress")


@pytest.mark.slow
@pytest.mark.skipif(
    OPJ is None, reason="opj_decompress not installed (Debian package libopenjp2-tools)"
)
@pytest.mark.parametrize("strong", [True, False])
def test_opj_decompress_agrees_with_pillow(kodak_dir: Path, tmp_path: Path, strong: bool) -> None:
    pixels = media.read_image(kodak_dir / "kodim05.png")
    codec = Jpeg2000Codec(strong=strong)
    for bpp in (0.25, 1.0):
        data = codec.encode(pixels, bpp)
        j2k = tmp_path / f"x-{bpp}.j2k"
        j2k.write_bytes(data)
        out = tmp_path / f"x-{bpp}.png"
        subprocess.run([OPJ, "-i", str(j2k), "-o", str(out)], check=True, capture_output=True)
        with Image.open(out) as im:
            reference = np.array(im.convert("RGB"))
        assert np.array_equal(reference, codec.decode(data))
