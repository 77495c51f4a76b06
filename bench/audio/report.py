"""Markdown table and PNG plot of an audio benchmark result (see runner.py)."""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["LABELS", "summary_table", "plot_summary"]

LABELS = {
    "pesq": "PESQ-WB (higher is better)",
    "stoi": "STOI (higher is better)",
    "visqol": "ViSQOL MOS-LQO (higher is better)",
    "dnsmos": "DNSMOS OVRL (higher is better)",
    "si_sdr": "SI-SDR dB (higher is better)",
    "log_mel": "log-mel distance dB (lower is better)",
}


def _fmt(v: float, digits: int) -> str:
    return "n/a" if v is None or math.isnan(v) else f"{v:.{digits}f}"


def summary_table(result: dict) -> str:
    """One row per codec and target: real kbps and the mean of each metric."""
    names = result["metrics"]
    head = "| codec | target kbit/s | real kbit/s | " + " | ".join(names) + " |\n"
    head += "|---|---:|---:|" + "---:|" * len(names) + "\n"
    lines = []
    for codec, s in result["summary"].items():
        for i, target in enumerate(s["target_kbps"]):
            cells = [
                _fmt(s[n][i], 3 if n in ("pesq", "stoi", "visqol", "dnsmos") else 2) for n in names
            ]
            lines.append(
                f"| {codec} | {target:g} | {s['kbps'][i]:.2f} | " + " | ".join(cells) + " |"
            )
    return head + "\n".join(lines) + "\n"


def plot_summary(result: dict, path: Path, title: str) -> None:
    """One panel per metric, quality against real bitrate, one line per codec."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = result["metrics"]
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4), dpi=110)
    for ax, name in zip(list(axes) if len(names) > 1 else [axes], names, strict=True):
        for codec, s in result["summary"].items():
            ax.plot(s["kbps"], s[name], marker="o", ms=3, label=codec)
        ax.set_xscale("log")
        ax.set_xlabel("bitrate (kbit/s, real file size)")
        ax.set_title(LABELS.get(name, name), fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
    axes_list = list(axes) if len(names) > 1 else [axes]
    axes_list[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
