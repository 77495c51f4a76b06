"""Plots (PSNR-bpp, MS-SSIM-bpp) and the Markdown table of BD-rates and PSNR at fixed rates."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from aecodec.bench.bd import bd_psnr, bd_rate

__all__ = ["load_anchor_curves", "plot_curves", "psnr_at", "summary_table"]

ANCHOR_FILES = {
    "CompressAI bmshj2018-hyperprior": "compressai-bmshj2018-hyperprior_mse_cpu.json",
    "CompressAI mbt2018-mean": "compressai-mbt2018-mean_mse_cpu.json",
    "CompressAI cheng2020-anchor": "compressai-cheng2020-anchor_mse_cpu.json",
}


def load_anchor_curves(folder: Path | None) -> dict[str, dict]:
    """Published CompressAI curves (dashed in the plots); empty if the folder is absent."""
    out: dict[str, dict] = {}
    if folder is None or not folder.is_dir():
        return out
    for label, file in ANCHOR_FILES.items():
        path = folder / file
        if path.exists():
            r = json.loads(path.read_text())["results"]
            out[label] = {
                "bpp": r["bpp"],
                "psnr-rgb": r.get("psnr-rgb", r.get("psnr")),
                "ms-ssim-rgb": r.get("ms-ssim-rgb", r.get("ms-ssim")),
            }
    return out


def _msssim_db(values: list[float]) -> list[float]:
    return [-10 * math.log10(1 - v) if v is not None and v < 1 else math.nan for v in values]


def plot_curves(
    results: list[dict], anchors: dict[str, dict], out_dir: Path, title: str
) -> list[Path]:
    """rd-psnr.png and rd-msssim.png in out_dir."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for metric, label, fname in [
        ("psnr-rgb", "PSNR RGB (dB)", "rd-psnr.png"),
        ("ms-ssim-rgb", "MS-SSIM RGB (dB)", "rd-msssim.png"),
    ]:
        fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
        for res in results:
            r = res["results"]
            y = r[metric] if metric == "psnr-rgb" else _msssim_db(r[metric])
            ax.plot(r["bpp"], y, marker="o", ms=3, label=res["name"])
        for name, a in anchors.items():
            if a.get(metric):
                y = a[metric] if metric == "psnr-rgb" else _msssim_db(a[metric])
                ax.plot(a["bpp"], y, ls="--", lw=1, label=name)
        ax.set_xlim(0, 2.0)
        ax.set_xlabel("bits per pixel (real file size)")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out_dir / fname
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def psnr_at(result: dict, bpp: float) -> float:
    """PSNR at a given rate, interpolated linearly in log-rate; NaN outside the measured range."""
    r = result["results"]
    x, y = np.log(np.asarray(r["bpp"])), np.asarray(r["psnr-rgb"])
    if not x.min() <= math.log(bpp) <= x.max():
        return math.nan
    return float(np.interp(math.log(bpp), x, y))


def _fmt(v: float, spec: str) -> str:
    return "-" if v is None or math.isnan(v) else format(v, spec)


def summary_table(results: list[dict], anchor_name: str) -> str:
    """Markdown: BD-rate (PSNR and MS-SSIM, cubic and pchip) vs the anchor, PSNR at 0.25/0.5/1."""
    anchor = next((r for r in results if r["name"] == anchor_name), None)
    head = (
        "| codec | BD-rate PSNR | BD-rate PSNR (pchip) | BD-PSNR (dB) | BD-rate MS-SSIM | "
        "PSNR @0.25 | PSNR @0.5 | PSNR @1.0 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for res in results:
        r = res["results"]
        if anchor is not None:
            a = anchor["results"]
            args_p = (a["bpp"], a["psnr-rgb"], r["bpp"], r["psnr-rgb"])
            args_m = (
                a["bpp"],
                _msssim_db(a["ms-ssim-rgb"]),
                r["bpp"],
                _msssim_db(r["ms-ssim-rgb"]),
            )
            try:
                bdp, bdp2 = bd_rate(*args_p), bd_rate(*args_p, method="pchip")
                bdq, bdm = bd_psnr(*args_p), bd_rate(*args_m)
            except ValueError:  # too few distinct points for a fit: shown as "-"
                bdp = bdp2 = bdq = bdm = math.nan
        else:
            bdp = bdp2 = bdq = bdm = math.nan
        lines.append(
            f"| {res['name']} | {_fmt(bdp, '+.1f')}% | {_fmt(bdp2, '+.1f')}% | "
            f"{_fmt(bdq, '+.2f')} | "
            f"{_fmt(bdm, '+.1f')}% | {_fmt(psnr_at(res, 0.25), '.2f')} | "
            f"{_fmt(psnr_at(res, 0.5), '.2f')} | {_fmt(psnr_at(res, 1.0), '.2f')} |"
        )
    note = f"\nBD figures against `{anchor_name}` (negative: fewer bits at equal quality).\n"
    return head + "\n".join(lines) + "\n" + note
