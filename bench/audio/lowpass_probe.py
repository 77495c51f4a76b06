"""Where decoding's 4-kHz low-pass still helps a speech model with coded band energies.

speech-v5 low-passed its output at 4 kHz under quality 3.5, where the codec's 4-8 kHz band
scored worse than none. A model with coded band energies (speech-v8) applies the band
energies after that low-pass, so above 4 kHz it scales up what the low-pass left. This probe
codes held-out training clips at fixed qualities with the model as registered and with its
low-pass switched off (``lowpass_below`` 0; the encoder, which decodes to find the band
energies, sees the same decoder), and reports the real bitrate (the registered tables code
both), ViSQOL (speech mode) and PESQ.

    uv run --extra bench python -m aecodec.bench.audio.lowpass_probe \\
        --data ../shared/data/speech/train --holdout-every 20 --files 6 \\
        --qualities 0.3,0.7,2.5,3.2 --model speech-v8

Writes bench/results/audio-val/lowpass-probe-MODEL.{json,md} (about 25 CPU-s per clip,
quality and setting).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from aecodec import zoo
from aecodec.audio_codec import compress_audio, decompress_audio
from aecodec.bench.audio import metrics as M
from aecodec.datasets import list_audio, split_holdout
from aecodec.media_audio import read_audio

__all__ = ["main"]

RATE = 16000


def _coded(x: np.ndarray, quality: float, model: str) -> dict[str, float]:
    """x float32[T, 1] -> real kbit/s, ViSQOL and PESQ of the model's decoding at quality."""
    data = compress_audio(x, RATE, quality, model)
    y = decompress_audio(data)[0].astype(np.float32) / 32768
    return {
        "kbps": len(data) * 8 / (x.shape[0] / RATE) / 1000,
        "visqol": M.visqol(x, y, RATE, True),
        "pesq": M.pesq_wb(x, y, RATE),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="16-kHz mono speech folder")
    parser.add_argument("--holdout-every", type=int, default=20)
    parser.add_argument("--files", type=int, default=6, help="first N held-out clips")
    parser.add_argument("--qualities", default="0.3,0.7,2.5,3.2")
    parser.add_argument("--model", default="speech-v8", help="a model with a low-pass")
    parser.add_argument("--out", default="bench/results/audio-val")
    args = parser.parse_args(argv)
    qualities = [float(q) for q in args.qualities.split(",")]
    files = split_holdout(list_audio(args.data), args.holdout_every)[1][: args.files]
    net, _ = zoo.load(args.model, kind="audio")
    registered = net.config
    if not registered.lowpass_hz:
        raise SystemExit(f"lowpass_probe: {args.model} has no low-pass")
    settings = {"registered": registered, "off": dataclasses.replace(registered, lowpass_below=0.0)}
    rows = []
    try:
        for path in files:
            x, rate = read_audio(path)
            if rate != RATE or x.shape[1] != 1:
                raise SystemExit(f"lowpass_probe: {path.name}: expected 16-kHz mono speech")
            row: dict = {"file": path.name}
            for name, config in settings.items():
                net.config = config  # the cached model: encoder and decoder see the same
                row[name] = {
                    f"{q:g}": _coded(x.astype(np.float32), q, args.model) for q in qualities
                }
            rows.append(row)
            print(path.name, flush=True)
    finally:
        net.config = registered
    lines = [
        f"{args.model}: {len(rows)} held-out clips of {args.data}, fixed qualities; low-pass "
        f"at {registered.lowpass_hz:g} Hz under quality {registered.lowpass_below:g} "
        "(registered) or never (off)",
        "",
        "| quality | low-pass | kbit/s | ViSQOL | PESQ |",
        "|---:|---|---:|---:|---:|",
    ]
    summary = {}
    for q in qualities:
        for name in settings:
            means = {
                m: float(np.mean([r[name][f"{q:g}"][m] for r in rows]))
                for m in ("kbps", "visqol", "pesq")
            }
            summary[f"{name} {q:g}"] = means
            lines.append(
                f"| {q:g} | {name} | {means['kbps']:.2f} | {means['visqol']:.3f} "
                f"| {means['pesq']:.3f} |"
            )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"lowpass-probe-{args.model}"
    stem.with_suffix(".json").write_text(
        json.dumps({"args": vars(args), "rows": rows, "summary": summary}, indent=1)
    )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
