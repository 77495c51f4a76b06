"""Markdown table and PNG plot of an audio benchmark result (see runner.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

__all__ = ["LABELS", "summary_table", "paired_table", "plot_summary", "save_probe"]

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


LOWER_IS_BETTER = ("log_mel",)


def paired_table(result: dict, codec: str = "aecodec") -> str:
    """Markdown: ``codec`` against each other codec, file by file at the same target: per
    metric the mean difference (codec minus other; for log-mel other minus codec, so positive
    is always ``codec`` ahead), its standard error, and the files where ``codec`` is ahead.
    Empty when ``codec`` has no rows."""
    names = result["metrics"]
    rows: dict[tuple[str, float, str], dict] = {
        (r["codec"], r["target_kbps"], r["file"]): r for r in result["rows"]
    }
    ours = [k for k in rows if k[0] == codec]
    if not ours:
        return ""
    others = sorted({k[0] for k in rows} - {codec}, key=list(result["summary"]).index)
    head = f"| {codec} against | target kbit/s | " + " | ".join(names) + " |\n"
    head += "|---|---:|" + "---|" * len(names) + "\n"
    lines = []
    for other in others:
        for target in sorted({k[1] for k in ours}):
            cells = []
            for n in names:
                sign = -1.0 if n in LOWER_IS_BETTER else 1.0
                diffs = [
                    sign * (rows[k][n] - rows[(other, target, k[2])][n])
                    for k in ours
                    if k[1] == target and (other, target, k[2]) in rows
                ]
                diffs = [d for d in diffs if not math.isnan(d)]
                if not diffs:
                    cells.append("n/a")
                    continue
                mean = sum(diffs) / len(diffs)
                var = sum((d - mean) ** 2 for d in diffs) / max(1, len(diffs) - 1)
                ahead = sum(d > 0 for d in diffs)
                cells.append(
                    f"{mean:+.3f} ± {math.sqrt(var / len(diffs)):.3f} ({ahead}/{len(diffs)})"
                )
            lines.append(f"| {other} | {target:g} | " + " | ".join(cells) + " |")
    note = (
        f"\nPaired, file by file: mean difference ± standard error (positive: {codec} ahead; "
        f"log-mel as other minus {codec}), and the files where {codec} is ahead.\n\n"
    )
    return note + head + "\n".join(lines) + "\n"


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


def save_probe(out: str | Path, stem: str, data: dict, markdown: str) -> None:
    """Write a probe's result as OUT/STEM.json (``data``) and OUT/STEM.md (``markdown``, which
    is also printed), creating OUT."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.json").write_text(json.dumps(data, indent=1))
    (folder / f"{stem}.md").write_text(markdown)
    print(markdown, end="")
