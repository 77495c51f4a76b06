"""Where ViSQOL finds a decoding wrong: put the original back in one region, score again.

Codes each file with a speech model at a target rate (the `--kbps` search), decodes it, and
for every frequency range and set of frames replaces that region of the decoding's short-time
spectrum (scipy STFT, 32-ms Hann frames, half overlap) with the original's before scoring
ViSQOL (speech mode) again. A region whose restoration raises the score a lot is where the
decoding loses. Frames are "quiet" when their energy between 300 Hz and 1 kHz is more than
``--quiet-db`` under the file's loudest frame there (pauses and background), "loud" otherwise.

This is a diagnosis, not a tuning set: docs/audio.md runs it on test files to locate the
12-kbit/s loss; every choice made from it was measured on held-out training clips.

    uv run --extra bench python -m aecodec.bench.audio.band_oracle \\
        --data ../shared/data/speech/test --files "2609-*,3005-*" --every 3 \\
        --model speech-v11 --name worst-v11

Writes bench/results/audio-val/band-oracle-NAME.{json,md} (about 30 CPU-s per file and region).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.signal import istft, stft

from aecodec.audio_codec import compress_audio_to_kbps, decompress_audio
from aecodec.bench.audio import metrics as M
from aecodec.bench.audio.report import save_probe
from aecodec.media_audio import read_audio

__all__ = ["main", "restored"]

RATE = 16000
FRAME = 512  # samples: 32 ms at 16 kHz
RANGES = ((0, 300), (300, 1000), (1000, 4000), (4000, 8001))


def quiet_frames(x: np.ndarray, quiet_db: float) -> np.ndarray:
    """bool[F]: the STFT frames of x float64[T] whose 300-1000 Hz energy is more than
    ``quiet_db`` under the loudest frame's."""
    f, _, spectrum = stft(x, RATE, nperseg=FRAME)
    band = (f >= 300) & (f < 1000)
    level = 10 * np.log10((np.abs(spectrum[band]) ** 2).mean(0) + 1e-20)
    return level <= level.max() - quiet_db


def restored(
    x: np.ndarray, y: np.ndarray, hz: tuple[float, float], frames: np.ndarray | None
) -> np.ndarray:
    """y float64[T] with the original x float64[T]'s STFT put back between hz[0] and hz[1]
    (in the frames where ``frames`` is True, or all of them) -> float64[T]."""
    f, _, sx = stft(x, RATE, nperseg=FRAME)
    _, _, sy = stft(y, RATE, nperseg=FRAME)
    rows = (f >= hz[0]) & (f < hz[1])
    cols = np.ones(sx.shape[1], dtype=bool) if frames is None else frames
    sy[np.ix_(rows, cols)] = sx[np.ix_(rows, cols)]
    return istft(sy, RATE, nperseg=FRAME)[1][: len(x)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder of 16-kHz mono speech")
    parser.add_argument("--files", required=True, help="name patterns, comma-separated")
    parser.add_argument("--every", type=int, default=1, help="every N-th matching file")
    parser.add_argument("--model", default=None, help="speech model (default: the default)")
    parser.add_argument("--kbps", type=float, default=12.0)
    parser.add_argument("--quiet-db", type=float, default=30.0)
    parser.add_argument("--name", required=True, help="names the result files")
    parser.add_argument("--out", default="bench/results/audio-val")
    args = parser.parse_args(argv)
    spans = [f"{lo}-{min(hi, 8000)} Hz" for lo, hi in RANGES]
    regions = ["decoded"] + [f"{which} {s}" for which in ("all", "quiet", "loud") for s in spans]
    matches = {p for pattern in args.files.split(",") for p in Path(args.data).glob(pattern)}
    rows = []
    for path in sorted(matches)[:: args.every]:
        x, rate = read_audio(path)
        if rate != RATE or x.shape[1] != 1:
            raise SystemExit(f"band_oracle: {path.name}: expected 16-kHz mono speech")
        data, quality = compress_audio_to_kbps(x, RATE, args.kbps, args.model)
        y = decompress_audio(data)[0][:, 0].astype(np.float64) / 32768
        ref = x[:, 0].astype(np.float64)
        quiet = quiet_frames(ref, args.quiet_db)
        row = {"file": path.name, "quality": quality, "quiet_share": float(quiet.mean())}
        for region in regions:
            if region == "decoded":
                z = y
            else:
                which, span, _ = region.split(" ")
                lo, hi = (float(v) for v in span.split("-"))
                hi = 8001.0 if hi == 8000 else hi
                frames = {"all": None, "quiet": quiet, "loud": ~quiet}[which]
                z = restored(ref, y, (lo, hi), frames)
            row[region] = M.visqol(ref[:, None], z[:, None], RATE, True)
        rows.append(row)
        print(path.name, f"{row['decoded']:.2f}", flush=True)
    means = {r: float(np.mean([row[r] for row in rows])) for r in regions}
    lines = [
        f"ViSQOL (speech) of {args.model or 'the default model'} at {args.kbps:g} kbit/s on "
        f"{len(rows)} files of {args.data}, with the original put back in one region "
        f"(quiet frames: 300-1000 Hz more than {args.quiet_db:g} dB under the loudest)",
        "",
        "| original put back in | ViSQOL |",
        "|---|---:|",
        *(f"| {r} | {v:.3f} |" for r, v in means.items()),
    ]
    data = {"args": vars(args), "rows": rows, "means": means}
    save_probe(args.out, f"band-oracle-{args.name}", data, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
