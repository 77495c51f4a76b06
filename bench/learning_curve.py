"""Learning curve of an image-codec run: ``python -m aecodec.bench.learning_curve LOG --out DIR``.

Reads a run's ``log.jsonl`` (aecodec.training.loop), keeps the validation records (real coded
bpp and PSNR per rate level on the held-out images), adds the cumulative training time (sum of
the per-step ``time_s``, in CPU-hours for a one-thread run), and writes ``DIR/curve.jsonl`` and
``DIR/curve.png`` (PSNR and bpp per level against steps).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["validation_curve", "main"]


def validation_curve(log: Path) -> list[dict]:
    """Validation rows: step, hours (cumulative step time), and per level real_bpp, real_psnr."""
    rows, seconds = [], 0.0
    for line in log.read_text().splitlines():
        record = json.loads(line)
        seconds += float(record.get("time_s", 0.0))
        levels = sorted(
            int(k[len("val_real_bpp") :]) for k in record if k.startswith("val_real_bpp")
        )
        if not levels:
            continue
        rows.append(
            {
                "step": record["step"],
                "hours": round(seconds / 3600, 3),
                "real_bpp": [round(record[f"val_real_bpp{i}"], 4) for i in levels],
                "real_psnr": [round(record[f"val_real_psnr{i}"], 3) for i in levels],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aecodec.bench.learning_curve", description=__doc__)
    p.add_argument("log", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--title", default="")
    a = p.parse_args(argv)
    rows = validation_curve(a.log)
    if not rows:
        print(f"{a.log}: no validation records", file=sys.stderr)
        return 2
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "curve.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    steps = [r["step"] for r in rows]
    for level in range(len(rows[0]["real_psnr"])):
        axes[0].plot(steps, [r["real_psnr"][level] for r in rows], label=f"level {level + 1}")
        axes[1].plot(steps, [r["real_bpp"][level] for r in rows], label=f"level {level + 1}")
    axes[0].set_ylabel("validation PSNR (dB, real decode)")
    axes[1].set_ylabel("validation bpp (real file)")
    for ax in axes:
        ax.set_xlabel(f"step (last: {rows[-1]['hours']:.2f} CPU-hours)")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7, ncol=2)
    fig.suptitle(a.title or a.log.parent.name)
    fig.tight_layout()
    fig.savefig(a.out / "curve.png", dpi=110)
    print(a.out / "curve.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
