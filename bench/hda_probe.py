"""Hybrid digital-analog transmission, measured: an HEVC base layer plus SoftCast of its residual.

A probe for the deep JSCC issue's gap to the matched digital chains: a blind transmitter sends a
share of its channel uses as an LDPC chain designed for ``--design`` dB (HEVC intra at the
lowest QP that fits, as ``bench jscc --practical hevc``) and the rest as SoftCast of what
that file misses (image minus its decoding, in YCbCr, the same chunks, power allocation and
LLSE as plain SoftCast). The receiver adds the two; when the base layer fails (probability
from the LDPC calibration, as in ``bench jscc``) it has the mean grey. Share 1 is the plain
chain, share 0 plain SoftCast. No learned refiner. Run::

    uv run --extra bench python -m aecodec.bench.hda_probe --images ../shared/data/images/kodak

writes bench/results/jscc/hda-1-6.{json,md}, beside the matched chain and refined SoftCast of
bench/results/jscc/jscc-awgn-1-6-awgn.json on the same SNRs.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from aecodec import zoo
from aecodec.bench.jscc_bench import _SourceCache, load_images
from aecodec.datasets import list_images
from aecodec.digital.calibration import Calibration
from aecodec.digital.chain import grey_image, practical_bytes
from aecodec.digital.mcs import MCS_TABLE
from aecodec.metrics import psnr_rgb
from aecodec.models.jscc import DeepJSCC
from aecodec.softcast import rgb_to_ycc, softcast_planes, ycc_to_rgb


def hda_psnr(
    pixels: np.ndarray,
    index: int,
    uses: int,
    share: float,
    design_db: float,
    snrs: list[float],
    calibration: Calibration,
    cache: _SourceCache,
    seed: int,
) -> list[float]:
    """Expected PSNR (dB) at each SNR of one image, uint8 [H, W, 3], sent in ``uses``."""
    grey = psnr_rgb(pixels, grey_image(pixels.shape))
    digital_uses = int(share * uses)
    mcs = calibration.design_mcs(design_db, MCS_TABLE)
    fit = None
    if digital_uses and mcs is not None:
        fit = cache.hevc_file(index, pixels, practical_bytes(digital_uses, mcs)[1])
    data = fit[0] if fit else None
    base = fit[1].astype(np.float64) if fit else np.full(pixels.shape, 127.5)
    codewords = math.ceil(len(data) * 8 / mcs.info_bits) if data else 0
    residual = rgb_to_ycc((pixels.astype(np.float64) - base) / 255.0)
    out = []
    for snr in snrs:
        p_ok = (1 - calibration.codeword_error_rate(mcs, snr)) ** codewords if data else 1.0
        estimate = base / 255.0
        if uses - digital_uses > 0:
            planes, _, _, _ = softcast_planes(residual, snr, uses - digital_uses, seed=seed)
            estimate = estimate + ycc_to_rgb(planes)
        received = np.clip(np.round(estimate * 255.0), 0, 255).astype(np.uint8)
        out.append(p_ok * psnr_rgb(pixels, received) + (1 - p_ok) * grey)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", required=True)
    p.add_argument("--model", default="jscc-awgn-1-6", help="deep JSCC model: its channel uses")
    p.add_argument("--design", type=float, default=0.0, help="base layer's design SNR, dB")
    p.add_argument("--shares", default="0,0.25,0.5,0.75,1", help="digital shares of the uses")
    p.add_argument("--snrs", default="0,4,10,14,20")
    p.add_argument("--calibration", default="bench/results/jscc/ldpc-calibration.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="bench/results/jscc/hda-1-6")
    a = p.parse_args(argv)
    images = load_images(list_images(Path(a.images)))
    c = zoo.registry()[a.model].config["c"]
    snrs = [float(s) for s in a.snrs.split(",")]
    shares = [float(s) for s in a.shares.split(",")]
    calibration = Calibration(Path(a.calibration))
    cache = _SourceCache()
    curves = {}
    for share in shares:
        per_image = [
            hda_psnr(px, i, DeepJSCC.channel_uses(*px.shape[:2], c), share, a.design, snrs,
                     calibration, cache, a.seed)
            for i, (_, px) in enumerate(images)
        ]  # fmt: skip
        curves[f"{share:g}"] = np.mean(per_image, 0).tolist()
        print(f"share {share:g}: " + " ".join(f"{v:.2f}" for v in curves[f"{share:g}"]))
    result = {"images": len(images), "ratio": c / 96, "design_db": a.design, "snr_db": snrs}
    result["psnr_by_digital_share"] = curves
    lines = ["| digital share | " + " | ".join(f"{s:g} dB" for s in snrs) + " |"]
    lines.append("|---|" + "---:|" * len(snrs))
    for share, curve in curves.items():
        lines.append(f"| {share} | " + " | ".join(f"{v:.2f}" for v in curve) + " |")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(f"{a.out}.json").write_text(json.dumps(result, indent=1) + "\n")
    Path(f"{a.out}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
