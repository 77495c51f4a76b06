"""``aecodec transmit``: send a photo over a simulated noisy channel and report what arrived.

Schemes: ``djscc`` (deep JSCC, aecodec.transmission), ``softcast`` (linear analog,
aecodec.softcast, no model: its channel uses are --ratio x the pixel values),
``softcast-refined`` (SoftCast and a learned receiver correction), ``digital-j2k``
and ``digital-aec`` (source file -> 5G LDPC + QAM designed for --design-snr-db -> the same
channel; real bits, every codeword simulated; aecodec.bench.digital).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from aecodec.errors import AecodecError

__all__ = ["add_transmit_command"]

SCHEMES = ("djscc", "softcast", "softcast-refined", "digital-j2k", "digital-aec")


def _ratio(text: str) -> float:
    from aecodec.training.jscc_task import parse_ratio

    try:
        return parse_ratio(text)
    except ValueError as e:
        raise AecodecError(f"--ratio: {e}") from None


def _require_extra(module: str, what: str) -> None:
    """One line naming the extra to install when an optional package is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise AecodecError(f"{what} needs the bench extra: pip install 'aecodec[bench]'")


def _ms_ssim_or_none(pixels, received) -> float | None:
    """MS-SSIM when pytorch-msssim is installed (the bench extra), else None."""
    import importlib.util

    if importlib.util.find_spec("pytorch_msssim") is None:
        return None
    from aecodec.bench.metrics import ms_ssim_rgb

    value = ms_ssim_rgb(pixels, received)
    return None if math.isnan(value) else round(value, 5)


def _digital(a, pixels, uses: int, codec: str) -> tuple:
    _require_extra("sionna", f"--scheme {a.scheme} (Sionna's 5G LDPC and QAM)")
    import torch

    from aecodec.bench.digital.calibration import Calibration
    from aecodec.bench.digital.chain import (
        decode_source,
        encode_source,
        grey_image,
        practical_bytes,
        send_file,
    )
    from aecodec.bench.digital.mcs import MCS_TABLE

    design = a.snr_db if a.design_snr_db is None else a.design_snr_db
    calib = Calibration(Path(a.calibration) if a.calibration else None)
    mcs = calib.design_mcs(design, MCS_TABLE)
    info = {"design_snr_db": design, "mcs": mcs.name if mcs else None}
    data = None
    if mcs is not None:
        info["capacity_bytes"] = practical_bytes(uses, mcs)[1]
        data = encode_source(pixels, codec, info["capacity_bytes"])
    if data is None:
        info.update(decoded=False, reason="no file fits the link at this design SNR")
        return grey_image(pixels.shape), info
    g = torch.Generator().manual_seed(a.seed)
    outcome = send_file(data, mcs, uses, a.snr_db, a.channel, g)
    info.update(
        file_bytes=len(data),
        codewords=outcome.codewords,
        failed_codewords=outcome.failed_codewords,
        decoded=outcome.received is not None,
    )
    if outcome.received is None:
        return grey_image(pixels.shape), info
    return decode_source(outcome.received, codec), info


def cmd_transmit(a: argparse.Namespace) -> int:
    from aecodec import media
    from aecodec.models.jscc import DeepJSCC
    from aecodec.transmission import find_jscc_model, jscc_transmit

    if not math.isfinite(a.snr_db) or not -30 <= a.snr_db <= 60:
        raise AecodecError("--snr-db must be between -30 and 60 dB")
    ratio = _ratio(a.ratio)
    out = Path(a.output)
    if out.exists() and not a.force:
        raise AecodecError(f"{out} exists (use -f to overwrite)")
    pixels = media.read_image(a.input)
    report: dict = {"scheme": a.scheme, "snr_db": a.snr_db, "channel": a.channel}
    if a.scheme == "softcast":
        from aecodec.softcast import softcast_transmit

        uses = max(1, math.floor(ratio * pixels.size))
        sc = softcast_transmit(pixels, a.snr_db, uses, a.channel, a.seed)
        report.update(kept_chunks=sc.kept_chunks, total_chunks=sc.total_chunks)
        return _finish(a, out, pixels, sc.pixels, uses, report)
    if a.scheme == "softcast-refined":
        from aecodec.transmission import find_refiner, refined_softcast_transmit

        uses = max(1, math.floor(ratio * pixels.size))
        name = a.model or find_refiner(ratio, a.channel)
        r = refined_softcast_transmit(pixels, a.snr_db, uses, name, a.channel, a.seed)
        report["model"] = name
        return _finish(a, out, pixels, r.pixels, uses, report)
    model = a.model or find_jscc_model(ratio, "awgn" if a.scheme != "djscc" else a.channel)
    if a.model:
        from aecodec.transmission import load_jscc

        load_jscc(a.model)  # a clear error for a wrong name or kind
    from aecodec import zoo

    c = zoo.registry()[model].config["c"]
    uses = DeepJSCC.channel_uses(pixels.shape[0], pixels.shape[1], c)
    if a.scheme == "djscc":
        r = jscc_transmit(pixels, a.snr_db, model, a.channel, a.seed, a.known_snr)
        received = r.pixels
        report["model"] = model
    else:
        received, info = _digital(a, pixels, uses, a.scheme.split("-", 1)[1])
        report.update(info)
    return _finish(a, out, pixels, received, uses, report)


def _finish(a: argparse.Namespace, out: Path, pixels, received, uses: int, report: dict) -> int:
    """Write the received image and print the one-line JSON report."""
    from aecodec import media
    from aecodec.bench.metrics import psnr_rgb
    from aecodec.files import write_atomic

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
    t.add_argument("--scheme", choices=SCHEMES, default="djscc")
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
