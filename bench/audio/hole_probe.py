"""Where speech loses ViSQOL to libopus: magnitudes or phase, and which bins.

For held-out training clips coded by aecodec and by libopus at one bitrate, it reports

- the error of the decoded log-magnitude spectrum (32-ms square-root-Hann frames, hop 8 ms)
  in bins grouped by their level in the original, relative to its loudest bin (mean and RMS,
  dB; a negative mean is missing energy);
- ViSQOL (speech mode) of oracle hybrids that take the magnitudes from one signal and the
  phases from another: aecodec magnitudes with the original phase, the original magnitudes
  with aecodec's phase;
- ViSQOL and PESQ of aecodec with its holes filled by the original: every bin 6 dB or more
  under the original gets the original magnitude (random phase), the upper bound of a
  perfect noise fill.

Needs the bench extra (PESQ, ViSQOL)::

    uv run --extra bench python -m aecodec.bench.audio.hole_probe \\
        --data ../shared/data/speech/train --holdout-every 20 --files 4 --kbps 12

writes bench/results/audio-val/hole-probe-MODEL-12.{json,md} (about 1.5 CPU-minutes per clip;
``--model`` names the speech model, the default one otherwise).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from aecodec.audio_codec import compress_audio_to_kbps, decompress_audio, pick_audio_model
from aecodec.bench.audio import metrics as M
from aecodec.bench.audio.codecs import make_audio_codecs
from aecodec.bench.audio.report import save_probe
from aecodec.datasets import list_audio, split_holdout
from aecodec.errors import ModelError
from aecodec.media_audio import read_audio

__all__ = ["LEVEL_BANDS_DB", "level_errors", "swap_phase", "fill_holes"]

RATE = 16000
FRAME, HOP = 512, 128
LEVEL_BANDS_DB = ((0, -30), (-30, -50), (-50, -70), (-70, -200))  # re the loudest bin


def _stft(x: np.ndarray) -> np.ndarray:
    from scipy.signal import stft

    return stft(x, RATE, nperseg=FRAME, noverlap=FRAME - HOP)[2]


def _istft(spectrum: np.ndarray, length: int) -> np.ndarray:
    from scipy.signal import istft

    return istft(spectrum, RATE, nperseg=FRAME, noverlap=FRAME - HOP)[1][:length]


def level_errors(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """x, y: float32[T] at 16 kHz, aligned -> {"share|mean|rms a..b dB": value}: per band of
    the original's bin levels (LEVEL_BANDS_DB), the share of bins and the mean and RMS of
    20 log10 |Y| / |X| over them."""
    lx, ly = (20 * np.log10(np.abs(_stft(s)) + 1e-7) for s in (x, y))
    top, out = lx.max(), {}
    for high, low in LEVEL_BANDS_DB:
        chosen = (lx <= top + high) & (lx > top + low)
        d = ly[chosen] - lx[chosen]
        key = f"{high}..{low} dB"
        out[f"share {key}"] = float(chosen.mean())
        out[f"mean {key}"] = float(d.mean()) if d.size else 0.0
        out[f"rms {key}"] = float(np.sqrt((d**2).mean())) if d.size else 0.0
    return out


def swap_phase(magnitude_from: np.ndarray, phase_from: np.ndarray) -> np.ndarray:
    """float32[T] with the short-time magnitudes of one signal and the phases of another."""
    a, b = _stft(magnitude_from), _stft(phase_from)
    out = np.abs(a) * np.exp(1j * np.angle(b))
    return _istft(out, magnitude_from.shape[0]).astype(np.float32)


def fill_holes(y: np.ndarray, x: np.ndarray, depth_db: float = 6.0) -> np.ndarray:
    """y with every bin ``depth_db`` or more under the original x set to x's magnitude, in a
    random phase (seeded): a perfect noise fill."""
    sy, sx = _stft(y), _stft(x)
    hole = np.abs(sy) < np.abs(sx) * 10 ** (-depth_db / 20)
    phase = np.exp(2j * np.pi * np.random.default_rng(0).random(sy.shape))
    return _istft(np.where(hole, np.abs(sx) * phase, sy), y.shape[0]).astype(np.float32)


def _probe(path: Path, kbps: float, opus, model: str | None) -> dict | None:
    x, rate = read_audio(path)
    if rate != RATE or x.shape[1] != 1:
        raise SystemExit(f"hole_probe: {path.name}: expected 16-kHz mono speech")
    x = x.astype(np.float32)
    try:
        data, quality = compress_audio_to_kbps(x, rate, kbps, model)
    except ModelError:
        return None  # out of the model's reach
    y = decompress_audio(data)[0][:, 0].astype(np.float32) / 32768
    coded, _ = opus.encode(x, rate, kbps)
    yo = M.align(x, opus.decode(coded, rate))[0][:, 0]
    x0 = x[:, 0]

    def score(z: np.ndarray) -> dict[str, float]:
        z = z[:, None]
        return {"visqol": M.visqol(x, z, rate, True), "pesq": M.pesq_wb(x, z, rate)}

    return {
        "file": path.name,
        "quality": quality,
        "errors": {"aecodec": level_errors(x0, y), "opus": level_errors(x0, yo)},
        "aecodec": score(y),
        "opus": score(yo),
        "aecodec magnitude, original phase": score(swap_phase(y, x0)),
        "original magnitude, aecodec phase": score(swap_phase(x0, y)),
        "aecodec, holes filled from the original": score(fill_holes(y, x0)),
    }


def _table(rows: list[dict]) -> str:
    variants = [k for k in rows[0] if k not in ("file", "quality", "errors")]
    lines = ["| decoded | ViSQOL | PESQ |", "|---|---:|---:|"]
    for v in variants:
        lines.append(
            f"| {v} | {np.mean([r[v]['visqol'] for r in rows]):.2f} | "
            f"{np.mean([r[v]['pesq'] for r in rows]):.2f} |"
        )
    lines += ["", "| codec | bins at (re the loudest) | share | mean dB | RMS dB |"]
    lines.append("|---|---|---:|---:|---:|")
    for codec in ("aecodec", "opus"):
        for high, low in LEVEL_BANDS_DB:
            key = f"{high}..{low} dB"
            errors = [r["errors"][codec] for r in rows]
            vals = [np.mean([e[f"{m} {key}"] for e in errors]) for m in ("share", "mean", "rms")]
            lines.append(f"| {codec} | {key} | {vals[0]:.0%} | {vals[1]:+.1f} | {vals[2]:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="16-kHz mono speech folder")
    parser.add_argument("--holdout-every", type=int, default=20)
    parser.add_argument("--files", type=int, default=4, help="first N held-out clips")
    parser.add_argument("--kbps", type=float, default=12.0)
    parser.add_argument("--model", help="aecodec speech model (default: the default at 16 kHz)")
    parser.add_argument("--out", default="bench/results/audio-val")
    args = parser.parse_args(argv)
    files = split_holdout(list_audio(args.data), args.holdout_every)[1][: args.files]
    opus = make_audio_codecs(["opus"])[0]
    model = args.model or pick_audio_model(RATE)
    rows = [r for r in (_probe(f, args.kbps, opus, model) for f in files) if r is not None]
    if not rows:
        raise SystemExit("hole_probe: no clip reaches the target")
    head = f"{model}: {len(rows)} held-out clips of {args.data} at {args.kbps:g} kbit/s\n\n"
    data = {"model": model, "kbps": args.kbps, "rows": rows}
    save_probe(args.out, f"hole-probe-{model}-{args.kbps:g}", data, head + _table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
