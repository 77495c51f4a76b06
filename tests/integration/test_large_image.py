"""A 24-megapixel photo round-trips in bounded memory (tiles), without seams."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aecodec import api, media

HERE = Path(__file__).parent


@pytest.mark.slow
def test_6000x4000_photo_round_trips_under_4_gb(kodak_dir, tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            str(HERE / "large_image_worker.py"),
            str(kodak_dir / "kodim21.png"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    report = json.loads(res.stdout.strip().splitlines()[-1])
    print(report)
    assert report["shape"] == [4000, 6000, 3]
    assert report["peak_rss_mb"] < 4096
    assert report["psnr"] > 28


def test_tiled_decode_has_no_seams(demo_pixels) -> None:
    # 1100 px wide: two analysis tiles and several synthesis tiles. The error next to the
    # tile borders must look like the error elsewhere (no seam).
    wide = np.concatenate([demo_pixels, demo_pixels[:, ::-1], demo_pixels[:, :76]], axis=1)
    out, _ = api.decompress_image(api.compress_image(np.ascontiguousarray(wide), 4))
    err = np.abs(out.astype(float) - wide.astype(float)).mean(axis=(0, 2))
    border_cols = [512, 1024]  # synthesis tiles are 512 px, analysis tiles 1024 px
    near = np.concatenate([err[c - 2 : c + 2] for c in border_cols])
    assert near.mean() < 1.5 * err.mean() + 0.5
    assert media.encode_png(out)[:4] == b"\x89PNG"
