"""Trials of speech-v5's fixed postfilter on held-out training clips: which settings, and why.

Each clip is coded by speech-v4 (the bytes speech-v5 writes) at each target rate, decoded, and
scored with the postfilter variants below applied to the decoded waveform; one variant also
low-passes the encoder's input (fewer bits above 4 kHz, so a higher quality at the same rate).
Clips a target is out of reach for (speech-v4 tops out near 6 kbit/s on one of them) are left
out at that target; the table gives the count. Needs the bench extra (PESQ, ViSQOL); about
3 CPU-minutes per target for the 12 clips of ``--holdout-every 20``::

    uv run --extra bench python -m aecodec.bench.audio.postfilter_trials \\
        --data ../shared/data/speech/train --holdout-every 20 --kbps 3,6,8,10,12

writes bench/results/audio-val/postfilter-trials.{json,md}.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from aecodec.audio_codec import compress_audio_to_kbps, decompress_audio
from aecodec.bench.audio import metrics as M
from aecodec.datasets import list_audio, split_holdout
from aecodec.errors import ModelError
from aecodec.media_audio import read_audio
from aecodec.models.spectral_postfilter import spectral_postfilter

RATE = 16000
# name -> (sharpening exponent, decoder low-pass Hz or 0, encoder input low-passed too)
VARIANTS = {
    "none (speech-v4)": (0.0, 0.0, False),
    "low-pass 4 kHz": (0.0, 4000.0, False),
    "sharpen 0.15 + low-pass 4 kHz": (0.15, 4000.0, False),
    "sharpen 0.3 + low-pass 4 kHz": (0.3, 4000.0, False),
    "sharpen 0.6 + low-pass 4 kHz": (0.6, 4000.0, False),
    "sharpen 0.3 + low-pass 6 kHz": (0.3, 6000.0, False),
    "sharpen 0.3": (0.3, 0.0, False),
    "sharpen 0.3 + low-pass 4 kHz, input low-passed": (0.3, 4000.0, True),
}
METRICS = ("visqol", "pesq", "stoi")
BANDS_KHZ = ((0, 2), (2, 4), (4, 8))  # bands of peak_valley_errors
SPECTRUM_KEYS = [f"{kind} {lo}-{hi} kHz" for lo, hi in BANDS_KHZ for kind in ("peak", "valley")]


def peak_valley_errors(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Mean dB error (decoded minus original) of spectral peaks and valleys, per band: bins of
    the original's short-time spectrum (32-ms Hann frames, hop 8 ms, frames within 40 dB of the
    loudest) more than 3 dB above (peaks) or below (valleys) a 280-Hz moving mean of its log
    spectrum. x, y: float32[T] aligned at 16 kHz. Keys like "peak 0-2 kHz"."""
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import stft

    spectra = [stft(s, RATE, nperseg=512, noverlap=384)[2] for s in (x, y)]
    px, py = (10 * np.log10(np.abs(s) ** 2 + 1e-12) for s in spectra)
    floor = px.max() - 60
    px, py = np.maximum(px, floor), np.maximum(py, floor)
    active = px.max(0) > px.max() - 40
    envelope = uniform_filter1d(px, 9, axis=0)
    out = {}
    for low, high in BANDS_KHZ:
        band = slice(int(low * 1000 / 31.25), int(high * 1000 / 31.25) + (high == 8))
        ex, ey, ee = px[band][:, active], py[band][:, active], envelope[band][:, active]
        out[f"peak {low}-{high} kHz"] = float((ey - ex)[ex > ee + 3].mean())
        out[f"valley {low}-{high} kHz"] = float((ey - ex)[ex < ee - 3].mean())
    return out


def _code(x: np.ndarray, kbps: float) -> tuple[np.ndarray, float, float]:
    """Speech-v4 at ``kbps``: (decoded float32[T], quality, real kbit/s)."""
    data, quality = compress_audio_to_kbps(x, RATE, kbps, "speech-v4")
    y, _ = decompress_audio(data)
    return y[:, 0].astype(np.float32) / 32768, quality, len(data) * 8 / (len(x) / RATE) / 1000


def _aligned(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y, _ = M.align(x[:, None], y[:, None])
    return x, y[:, 0]


def score_clip(x: np.ndarray, kbps: float) -> dict[str, dict[str, float]]:
    """x: float32[T, 1] at 16 kHz -> {variant: {quality, kbps, visqol, pesq, stoi}, and
    "spectrum": peak_valley_errors of the plain decoding}."""
    plain = _code(x, kbps)
    narrow = _code(spectral_postfilter(x[:, 0], RATE, 0.0, 4000.0)[:, None], kbps)
    out: dict = {"spectrum": peak_valley_errors(*_aligned(x[:, 0], plain[0]))}
    for name, (alpha, lowpass, narrow_input) in VARIANTS.items():
        y, quality, real = narrow if narrow_input else plain
        z = (
            spectral_postfilter(y, RATE, alpha, lowpass)[:, None]
            if alpha or lowpass
            else y[:, None]
        )
        out[name] = {
            "quality": quality,
            "kbps": real,
            "visqol": M.visqol(x, z, RATE, True),
            "pesq": M.pesq_wb(x, z, RATE),
            "stoi": M.stoi(x, z, RATE),
        }
    return out


def table(result: dict) -> str:
    """Markdown: per target and variant, the clip count and the means."""
    lines = ["| target kbit/s | variant | clips | quality | kbit/s | ViSQOL | PESQ | STOI |"]
    lines.append("|---:|---|---:|---:|---:|---:|---:|---:|")
    for target, clips in result["targets"].items():
        for name in VARIANTS:
            rows = [c[name] for c in clips.values()]
            mean = {k: float(np.nanmean([r[k] for r in rows])) for k in ("quality", "kbps")}
            scores = " | ".join(f"{np.nanmean([r[m] for r in rows]):.3f}" for m in METRICS)
            lines.append(
                f"| {target} | {name} | {len(rows)} | {mean['quality']:.2f} | "
                f"{mean['kbps']:.2f} | {scores} |"
            )
    lines += [
        "",
        "Spectral peaks and valleys of the plain decoding, mean dB error (decoded - original):",
        "",
    ]
    keys = SPECTRUM_KEYS
    lines.append("| target kbit/s | " + " | ".join(keys) + " |")
    lines.append("|---:|" + "---:|" * len(keys))
    for target, clips in result["targets"].items():
        cells = [f"{np.mean([c['spectrum'][k] for c in clips.values()]):+.1f}" for k in keys]
        lines.append(f"| {target} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="16 kHz speech folder (training clips)")
    p.add_argument("--holdout-every", type=int, default=20)
    p.add_argument("--kbps", default="3,6,8,10,12")
    p.add_argument("--out", default="bench/results/audio-val")
    a = p.parse_args(argv)
    files = split_holdout(list_audio(Path(a.data)), a.holdout_every)[1]
    result: dict = {"data": a.data, "holdout_every": a.holdout_every, "targets": {}}
    for target in [float(k) for k in a.kbps.split(",")]:
        clips = {}
        for path in files:
            x, rate = read_audio(path)
            if rate != RATE or x.shape[1] != 1:
                raise SystemExit(f"{path}: expected 16 kHz mono")
            try:
                clips[path.name] = score_clip(x, target)
            except ModelError:  # target out of reach for this clip
                continue
        result["targets"][f"{target:g}"] = clips
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "postfilter-trials.json").write_text(json.dumps(result, indent=1) + "\n")
    (out / "postfilter-trials.md").write_text(table(result))
    print(table(result), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
