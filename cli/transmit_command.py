"""``aecodec transmit``: send a photo over a simulated noisy channel and report what arrived.

Schemes: ``djscc`` (deep JSCC, aecodec.transmission), ``softcast`` (linear analog,
aecodec.softcast, no model: its channel uses are --ratio x the pixel values),
``softcast-refined`` (SoftCast and a learned receiver correction), ``digital-j2k``
and ``digital-aec`` (source file -> 5G LDPC + QAM designed for --design-snr-db -> the same
channel; real bits, every codeword simulated; aecodec.digital). The schemes run in the library
(aecodec.transmission.transmit); this module parses, reports and writes.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from aecodec.cli.arguments import parse_ratio_arg
from aecodec.defaults import TRANSMIT_SCHEMES
from aecodec.errors import AecodecError

__all__ = ["add_transmit_command"]


def _ms_ssim_or_none(pixels, received) -> float | None:
    """MS-SSIM when pytorch-msssim is installed (the bench extra), else None."""
    import importlib.util

    if importlib.util.find_spec("pytorch_msssim") is None:
        return None
    from aecodec.metrics import ms_ssim_rgb

    value = ms_ssim_rgb(pixels, received)
    return None if math.isnan(value) else round(value, 5)


def cmd_transmit(a: argparse.Namespace) -> int:
    from aecodec import media
    from aecodec.transmission import transmit

    if not math.isfinite(a.snr_db) or not -30 <= a.snr_db <= 60:
        raise AecodecError("--snr-db must be between -30 and 60 dB")
    ratio = parse_ratio_arg(a.ratio)
    out = Path(a.output)
    if out.exists() and not a.force:
        raise AecodecError(f"{out} exists (use -f to overwrite)")
    pixels = media.read_image(a.input)
    r = transmit(
        pixels,
        a.snr_db,
        a.scheme,
        ratio,
        a.channel,
        a.seed,
        a.model,
        a.known_snr,
        a.design_snr_db,
        Path(a.calibration) if a.calibration else None,
    )
    report: dict = {"scheme": a.scheme, "snr_db": a.snr_db, "channel": a.channel}
    if r.model:
        report["model"] = r.model
    report.update(r.details)
    return _finish(a, out, pixels, r.pixels, r.channel_uses, report)


def _finish(a: argparse.Namespace, out: Path, pixels, received, uses: int, report: dict) -> int:
    """Write the received image and print the one-line JSON report."""
    from aecodec import media
    from aecodec.files import write_atomic
    from aecodec.metrics import psnr_rgb

    report["channel_uses"] = uses
    report["ratio"] = uses / pixels.size
    report["psnr_db"] = round(psnr_rgb(pixels, received), 3)
    report["ms_ssim"] = _ms_ssim_or_none(pixels, received)
    write_atomic(out, media.encode_png(received), a.force)
    print(json.dumps(report))
    return 0


def add_transmit_command(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("transmit", help="send an image over a simulated noisy channel")
    t.add_argument("input", help="image file")
    t.add_argument("-o", "--output", required=True, help="received image (PNG)")
    t.add_argument("--snr-db", type=float, required=True, help="channel Es/N0 per use (dB)")
    t.add_argument("--channel", choices=["awgn", "rayleigh"], default="awgn")
    t.add_argument("--scheme", choices=TRANSMIT_SCHEMES, default="djscc")
    t.add_argument("--ratio", default="1/6", help="channel uses per pixel value, k/n (1/6)")
    t.add_argument("--seed", type=int, default=0, help="seed of the channel noise")
    t.add_argument(
        "--model",
        help="deep JSCC model or SoftCast refiner (default: the one for --ratio/--channel)",
    )
    t.add_argument("--known-snr", action="store_true", help="djscc: tell the transmitter the SNR")
    t.add_argument(
        "--design-snr-db", type=float, help="digital: SNR the MCS is chosen for (--snr-db)"
    )
    t.add_argument(
        "--calibration",
        default="bench/results/jscc/ldpc-calibration.json",
        help="digital: cached MCS thresholds (computed and saved if missing)",
    )
    t.add_argument("-f", "--force", action="store_true", help="overwrite the output")
    t.set_defaults(func=cmd_transmit)
