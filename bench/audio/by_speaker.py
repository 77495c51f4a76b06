"""Where a speech result loses: aecodec against another codec per speaker, from a bench JSON.

LibriSpeech names files SPEAKER-CHAPTER-UTTERANCE, so the rows of a ``bench audio`` result
group by speaker. For one target rate this prints, per speaker, aecodec's mean quality setting
and the mean of each metric for aecodec and the other codec, then the correlation over files
between aecodec's quality and its per-file difference in the first metric::

    uv run python -m aecodec.bench.audio.by_speaker bench/results/audio/speech-perceptual.json \\
        --kbps 12 --against opus --metrics visqol,pesq

Reads only the JSON (no audio, no extra packages).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

__all__ = ["by_speaker"]


def by_speaker(result: dict, kbps: float, against: str, metrics: list[str]) -> str:
    """A markdown table per speaker and the quality / difference correlation line."""
    rows = [r for r in result["rows"] if float(r["target_kbps"]) == kbps]
    ours = {r["file"]: r for r in rows if r["codec"] == "aecodec"}
    theirs = {r["file"]: r for r in rows if r["codec"] == against}
    files = sorted(set(ours) & set(theirs))
    if not files:
        raise SystemExit(f"by_speaker: no files with aecodec and {against} at {kbps:g} kbit/s")
    groups: dict[str, list[str]] = {}
    for name in files:
        groups.setdefault(name.split("-")[0], []).append(name)
    head = " | ".join(f"{m} aecodec | {m} {against}" for m in metrics)
    lines = [
        f"| speaker | files | quality | {head} |",
        "|---|---:|---:|" + "---:|" * 2 * len(metrics),
    ]
    for speaker, names in sorted(groups.items()):
        cells = [f"{np.mean([ours[n]['quality'] for n in names]):.2f}"]
        for m in metrics:
            cells += [f"{np.mean([side[n][m] for n in names]):.3f}" for side in (ours, theirs)]
        lines.append(f"| {speaker} | {len(names)} | " + " | ".join(cells) + " |")
    quality = [ours[n]["quality"] for n in files]
    gap = [ours[n][metrics[0]] - theirs[n][metrics[0]] for n in files]
    corr = float(np.corrcoef(quality, gap)[0, 1])
    lines += [
        "",
        f"correlation over {len(files)} files, quality vs {metrics[0]} difference: {corr:.2f}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("result", help="a bench audio JSON (bench/results/audio/*.json)")
    parser.add_argument("--kbps", type=float, default=12.0, help="target rate")
    parser.add_argument("--against", default="opus", help="the other codec")
    parser.add_argument("--metrics", default="visqol,pesq", help="comma-separated metrics")
    args = parser.parse_args(argv)
    result = json.loads(Path(args.result).read_text())
    print(by_speaker(result, args.kbps, args.against, args.metrics.split(",")), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
