"""Does one SNR-adaptive model keep up with models trained at a single SNR?

Deep JSCC: for each SNR S with a single-SNR model, mean PSNR over the images of the single
model at S (its transmitter trained knowing S), of the adaptive model with a transmitter told
S, and of the adaptive model with a transmitter that does not know the SNR.
SoftCast refiners (the transmitter is SoftCast, which never knows the SNR): for each S, the
same SoftCast reception of each image corrected by the single-SNR refiner and by the adaptive
one, beside SoftCast alone. Same noise seeds for all.
"""

from __future__ import annotations

import math

import numpy as np

from aecodec import zoo
from aecodec.channel.ratio import parse_ratio
from aecodec.metrics import psnr_rgb
from aecodec.softcast import softcast_transmit
from aecodec.transmission import jscc_transmit, refine_softcast

__all__ = ["compare_adaptive", "compare_adaptive_refiners", "adaptive_table"]


def compare_adaptive(
    images: list[tuple[str, np.ndarray]],
    adaptive: str,
    single: dict[float, str],
    seed: int,
    tick=lambda: None,
) -> dict:
    """Results JSON: one row per SNR of ``single`` (snr_db -> model name)."""
    rows = []
    for snr, name in sorted(single.items()):
        scores: dict[str, list[float]] = {"single": [], "adaptive_known": [], "adaptive_blind": []}
        for i, (_, pixels) in enumerate(images):
            for key, model, known in (
                ("single", name, True),
                ("adaptive_known", adaptive, True),
                ("adaptive_blind", adaptive, False),
            ):
                r = jscc_transmit(pixels, snr, model, seed=seed + i, snr_known_at_transmitter=known)
                scores[key].append(psnr_rgb(pixels, r.pixels))
                tick()
        row = {"snr_db": snr, "single_model": name}
        row.update({k: float(np.mean(v)) for k, v in scores.items()})
        rows.append(row)
    names = [n for n, _ in images]
    return {"adaptive_model": adaptive, "images": names, "seed": seed, "rows": rows}


def compare_adaptive_refiners(
    images: list[tuple[str, np.ndarray]],
    adaptive: str,
    single: dict[float, str],
    seed: int,
    tick=lambda: None,
) -> dict:
    """Results JSON for SoftCast refiners (kind "refiner"): one row per SNR of ``single``."""
    config = zoo.entry_of_kind(adaptive, "softcast").config
    ratio, channel = parse_ratio(config["ratio"]), config["channel"]
    rows = []
    for snr, name in sorted(single.items()):
        scores: dict[str, list[float]] = {"single": [], "adaptive_blind": [], "softcast": []}
        for i, (_, pixels) in enumerate(images):
            uses = max(1, math.floor(ratio * pixels.size))
            sent = softcast_transmit(pixels, snr, uses, channel, seed + i)
            scores["single"].append(psnr_rgb(pixels, refine_softcast(sent, name)))
            scores["adaptive_blind"].append(psnr_rgb(pixels, refine_softcast(sent, adaptive)))
            scores["softcast"].append(psnr_rgb(pixels, sent.pixels))
            tick()
        row = {"snr_db": snr, "single_model": name}
        row.update({k: float(np.mean(v)) for k, v in scores.items()})
        rows.append(row)
    names = [n for n, _ in images]
    return {
        "kind": "refiner",
        "adaptive_model": adaptive,
        "images": names,
        "seed": seed,
        "rows": rows,
    }


def adaptive_table(result: dict) -> str:
    """Markdown table of :func:`compare_adaptive`'s or :func:`compare_adaptive_refiners`'s
    result."""
    if result.get("kind") == "refiner":
        lines = [
            "| SNR (dB) | single-SNR refiner | adaptive refiner | SoftCast alone "
            "| adaptive - single |",
            "|---|---|---|---|---|",
        ]
        for r in result["rows"]:
            lines.append(
                f"| {r['snr_db']:g} | {r['single']:.2f} | {r['adaptive_blind']:.2f} "
                f"| {r['softcast']:.2f} | {r['adaptive_blind'] - r['single']:+.2f} |"
            )
        return "\n".join(lines) + "\n"
    lines = [
        "| SNR (dB) | single-SNR model | adaptive, SNR known | adaptive, blind "
        "| adaptive (known) - single |",
        "|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['snr_db']:g} | {r['single']:.2f} | {r['adaptive_known']:.2f} "
            f"| {r['adaptive_blind']:.2f} | {r['adaptive_known'] - r['single']:+.2f} |"
        )
    return "\n".join(lines) + "\n"
