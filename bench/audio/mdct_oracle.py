"""How much of a signal the lowest MDCT bins hold: SI-SDR after zeroing all the others.

A linear, rate-free ceiling for a codec whose latent keeps a fraction of the bins. README's
audio section quotes it for the held-out training files:

    uv run python -m aecodec.bench.audio.mdct_oracle --data ../shared/data/speech/train \\
        --rate 16000 --hop 64 --holdout-every 20
    uv run python -m aecodec.bench.audio.mdct_oracle --data ../shared/data/music/train \\
        --rate 44100 --hop 256 --holdout-every 15
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from aecodec.datasets import list_audio, split_holdout
from aecodec.metrics import si_sdr_db
from aecodec.models.mdct import IMDCT, MDCT
from aecodec.training.audio_data import load_clips

FRACTIONS = (0.125, 0.25, 0.5)


def lowest_bins_si_sdr(x: np.ndarray, hop: int, fraction: float) -> float:
    """x: np.ndarray[T] float (one channel) -> SI-SDR in dB of the signal rebuilt from the
    lowest ``fraction`` of its MDCT bins (edge frames excluded)."""
    length = len(x) // hop * hop
    t = torch.from_numpy(np.ascontiguousarray(x[:length], dtype=np.float32)).view(1, 1, 1, -1)
    c = MDCT(hop)(t)
    c[:, int(hop * fraction) :] = 0
    y = IMDCT(hop)(c).flatten()
    inner = slice(hop, length - hop)
    return float(si_sdr_db(t.flatten()[inner].view(1, -1), y[inner].view(1, -1)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="training audio folder")
    p.add_argument("--rate", type=int, required=True, help="sample rate, Hz")
    p.add_argument("--hop", type=int, required=True, help="MDCT hop (= bins)")
    p.add_argument("--holdout-every", type=int, required=True, help="as in the training config")
    a = p.parse_args(argv)
    _, held = split_holdout(list_audio(a.data), a.holdout_every)
    scores: dict[float, list[float]] = {f: [] for f in FRACTIONS}
    for clip in load_clips(held, a.rate):
        x = clip[:, 0].astype(np.float32) / 32767.0
        if len(x) >= 8 * a.hop and np.abs(x).max() > 1e-3:
            for f in FRACTIONS:
                scores[f].append(lowest_bins_si_sdr(x, a.hop, f))
    for f, v in scores.items():
        print(f"lowest {f:.3f} of the bins: mean SI-SDR {np.mean(v):.2f} dB over {len(v)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
