"""``aecodec demo``: compress the bundled photo, decode it, compare with JPEG at the same size."""

from __future__ import annotations

import argparse
import time
from importlib import resources

from aecodec.defaults import DEFAULT_QUALITY

__all__ = ["add_demo_command", "run_demo"]


def run_demo(quality: float) -> list[str]:
    """Lines of the demo report (aecodec vs JPEG 4:2:0 at the same or smaller file size)."""
    from aecodec import api, media
    from aecodec.metrics import psnr_rgb
    from aecodec.rate_control import jpeg_within

    photo = resources.files("aecodec").joinpath("data/demo.png")
    pixels = media.read_image(photo.read_bytes(), name="demo.png")
    h, w, _ = pixels.shape
    api.compress_image(pixels[:64, :64].copy(), quality)  # load the model outside the timing
    t0 = time.perf_counter()
    data = api.compress_image(pixels, quality)
    t1 = time.perf_counter()
    decoded, _ = api.decompress_image(data)
    t2 = time.perf_counter()
    lines = [
        f"demo photo: {w}x{h} pixels (aecodec/data/demo.png)",
        f"{'codec':<24}{'bytes':>8}{'bpp':>8}{'PSNR dB':>9}",
        f"{'aecodec q=' + format(quality, 'g'):<24}{len(data):>8}{len(data) * 8 / (h * w):>8.3f}"
        f"{psnr_rgb(pixels, decoded):>9.2f}",
    ]
    match = jpeg_within(pixels, len(data))
    if match is None:
        lines.append(f"{'JPEG 4:2:0':<24}  no JPEG fits in {len(data)} bytes")
    else:
        jdata, q = match
        lines.append(
            f"{'JPEG 4:2:0 q=' + str(q):<24}{len(jdata):>8}{len(jdata) * 8 / (h * w):>8.3f}"
            f"{psnr_rgb(pixels, media.read_image(jdata)):>9.2f}"
        )
    lines.append(f"aecodec time: encode {t1 - t0:.2f} s, decode {t2 - t1:.2f} s")
    return lines


def cmd_demo(a: argparse.Namespace) -> int:
    for line in run_demo(a.quality):
        print(line)
    return 0


def add_demo_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="compress the bundled photo and compare with JPEG")
    p.add_argument("-q", "--quality", type=float, default=DEFAULT_QUALITY)
    p.set_defaults(func=cmd_demo)
