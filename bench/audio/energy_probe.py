"""How much coded band energies are worth, and at what block length and step (speech).

For held-out training clips it codes each clip with an aecodec model that has no coded band
energies at a codec rate R_c, computes the band-energy corrections the encoder would send
(aecodec.models.band_energy: blocks of B short-time frames, S dB per step) and applies them as
decoding would, and reports ViSQOL (speech mode) and PESQ against the plain model and libopus
at the target rate. The side information is counted as its ideal code length: the empirical
per-band entropy of the symbols over all the clips (what tables fitted on these clips would
give; the shipped tables, fitted on the training clips, cost a little more).

    uv run --extra bench python -m aecodec.bench.audio.energy_probe \\
        --data ../shared/data/speech/train --holdout-every 20 --files 8 --kbps 12 \\
        --configs 4:3:9.5,4:2:10,8:3:10.5

``--configs``: block:step_db:codec_kbps entries. Writes
bench/results/audio-val/energy-probe-MODEL-KBPS.{json,md} (about 40 CPU-s per clip and entry).
"""

from __future__ import annotations

import argparse

import numpy as np

from aecodec.audio_codec import compress_audio_to_kbps, decompress_audio
from aecodec.bench.audio import metrics as M
from aecodec.bench.audio.codecs import make_audio_codecs
from aecodec.bench.audio.report import save_probe
from aecodec.datasets import list_audio, split_holdout
from aecodec.errors import ModelError
from aecodec.media_audio import read_audio
from aecodec.models import band_energy
from aecodec.models.spectral_postfilter import frame_features, frame_size

__all__ = ["entropy_bits", "band_shortfall_db"]

RATE = 16000
LOW, HIGH = -12, 27


def entropy_bits(symbols: list[np.ndarray]) -> float:
    """Ideal code length, bits, of int[B, J] symbol arrays coded with one table per band
    (row): sum over bands of count x empirical entropy."""
    bits = 0.0
    for row in np.concatenate(symbols, 1):
        _, counts = np.unique(row, return_counts=True)
        p = counts / counts.sum()
        bits -= float((counts * np.log2(p)).sum())
    return bits


def band_shortfall_db(x: np.ndarray, y: np.ndarray) -> list[float]:
    """x, y: float32[T] at 16 kHz -> per 1-kHz band (0-1, ..., 7-8 kHz), the mean dB of
    |Y| / |X| over the short-time bins of x within 70 dB of its loudest (negative: y short)."""

    def level(spectra: np.ndarray) -> np.ndarray:
        return 20 * np.log10(np.abs(spectra) + 1e-7)

    lx, ly = (frame_features(v, RATE, level) for v in (x, y))
    freqs = np.arange(lx.shape[1]) * RATE / frame_size(RATE)
    audible = lx > lx.max() - 70
    out = []
    for low in range(0, 8000, 1000):
        chosen = audible & ((freqs >= low) & (freqs < low + 1000))[None, :]
        out.append(float((ly - lx)[chosen].mean()))
    return out


def _score(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {"visqol": M.visqol(x, y, RATE, True), "pesq": M.pesq_wb(x, y, RATE)}


def _decoded(x: np.ndarray, kbps: float, model: str) -> tuple[np.ndarray, float] | None:
    try:
        data, _ = compress_audio_to_kbps(x, RATE, kbps, model)
    except ModelError:
        return None  # out of the model's reach
    y = decompress_audio(data)[0].astype(np.float32) / 32768
    return y, len(data) * 8 / (x.shape[0] / RATE) / 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="16-kHz mono speech folder")
    parser.add_argument("--holdout-every", type=int, default=20)
    parser.add_argument("--files", type=int, default=8, help="first N held-out clips")
    parser.add_argument("--kbps", type=float, default=12.0, help="target of opus and plain")
    parser.add_argument("--configs", default="4:3:9.5", help="block:step_db:codec_kbps,...")
    parser.add_argument("--model", default="speech-v7", help="model without band energies")
    parser.add_argument("--out", default="bench/results/audio-val")
    args = parser.parse_args(argv)
    configs = [tuple(float(v) for v in c.split(":")) for c in args.configs.split(",")]
    files = split_holdout(list_audio(args.data), args.holdout_every)[1][: args.files]
    opus = make_audio_codecs(["opus"])[0]
    rows, symbols, seconds = [], {c: [] for c in configs}, 0.0
    for path in files:
        x, rate = read_audio(path)
        if rate != RATE or x.shape[1] != 1:
            raise SystemExit(f"energy_probe: {path.name}: expected 16-kHz mono speech")
        x = x.astype(np.float32)
        plain = _decoded(x, args.kbps, args.model)
        coded = [_decoded(x, c[2], args.model) for c in configs]
        if plain is None or any(c is None for c in coded):
            continue
        seconds += x.shape[0] / RATE
        yo = M.align(x, opus.decode(opus.encode(x, RATE, args.kbps)[0], RATE))[0]
        row = {"file": path.name, "opus": _score(x, yo), "plain": _score(x, plain[0])}
        row["plain"]["kbps"] = plain[1]
        row["opus"]["shortfall_db"] = band_shortfall_db(x[:, 0], yo[:, 0])
        row["plain"]["shortfall_db"] = band_shortfall_db(x[:, 0], plain[0][:, 0])
        for c, (y, kbps) in zip(configs, coded, strict=True):
            block, step = int(c[0]), c[1]
            k = band_energy.correction_symbols(y[:, 0], x[:, 0], RATE, step, block, LOW, HIGH)
            z = band_energy.apply_corrections(y[:, 0], k, RATE, step, block)
            symbols[c].append(k)
            row[str(c)] = {**_score(x, z[:, None]), "kbps": kbps}
        rows.append(row)
        print(path.name, flush=True)
    if not rows:
        raise SystemExit("energy_probe: no clip reaches the targets")
    lines = [
        "| decoded | codec kbit/s | side kbit/s (ideal) | ViSQOL | PESQ |",
        "|---|---:|---:|---:|---:|",
    ]
    summary = {}
    for key, name in [("opus", "libopus"), ("plain", args.model)]:
        v, p = (np.mean([r[key][m] for r in rows]) for m in ("visqol", "pesq"))
        rate = np.mean([r[key].get("kbps", args.kbps) for r in rows])
        lines.append(f"| {name} at {args.kbps:g} kbit/s | {rate:.2f} | 0 | {v:.2f} | {p:.2f} |")
    for c in configs:
        side = entropy_bits(symbols[c]) / seconds / 1000
        v, p = (np.mean([r[str(c)][m] for r in rows]) for m in ("visqol", "pesq"))
        rate = np.mean([r[str(c)]["kbps"] for r in rows])
        summary[str(c)] = {"side_kbps": side, "visqol": v, "pesq": p, "codec_kbps": rate}
        lines.append(
            f"| {args.model} + band energies, blocks of {int(c[0])} frames, {c[1]:g}-dB steps "
            f"| {rate:.2f} | {side:.2f} | {v:.2f} | {p:.2f} |"
        )
    lines += [
        "",
        "| mean dB short, per band | " + " | ".join(f"{k}-{k + 1} kHz" for k in range(8)) + " |",
    ]
    lines.append("|---|" + "---:|" * 8)
    for key, name in [("opus", "libopus"), ("plain", args.model)]:
        short = np.mean([r[key]["shortfall_db"] for r in rows], 0)
        lines.append(f"| {name} | " + " | ".join(f"{v:+.1f}" for v in short) + " |")
    head = f"{args.model}: {len(rows)} held-out clips of {args.data}\n\n"
    data = {"args": vars(args), "rows": rows, "summary": summary}
    stem = f"energy-probe-{args.model}-{args.kbps:g}"
    save_probe(args.out, stem, data, head + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
