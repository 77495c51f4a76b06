"""Real rate and PSNR of a training checkpoint (or a registered image model) per rate level.

``python -m aecodec.bench.checkpoint_eval runs/image-v6/checkpoint.pt [--images 1,4,7,13,19,23]``

Compares runs before they are exported: the checkpoint's weights are rounded to fp16 and its
CDFs frozen exactly as ``aecodec export`` does, each Kodak image is coded to bytes and decoded
at every integer level, and the mean real bpp and PSNR (RGB, 8 bits) are printed per level.
The architecture comes from the run's ``config.toml`` beside the checkpoint; a registered
model name (e.g. ``hyperprior-v4``) is loaded from the zoo instead.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

__all__ = ["load_for_eval", "main"]


def load_for_eval(source: str):
    """(model, levels) for a checkpoint path or a registered image model name."""
    from aecodec import zoo
    from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior
    from aecodec.training.config import load_config

    if source in zoo.registry():
        net, _ = zoo.load(source)
        return net, net.config.levels
    path = Path(source)
    config = load_config(path.parent / "config.toml")
    lambdas = tuple(config.lambdas)
    net = MeanScaleHyperprior(
        HyperpriorConfig(n=config.n, m=config.m, levels=len(lambdas), lambdas=lambdas)
    )
    zoo.load_state(net, torch.load(path, map_location="cpu", weights_only=True)["model"])
    with torch.no_grad():  # as export: fp16 weights, CDFs frozen from them
        for p in net.parameters():
            p.copy_(p.half().float())
    net.eval()
    net.freeze()
    return net, len(lambdas)


def _coded(net, x: torch.Tensor, quality: float) -> tuple[float, float]:
    strings = net.compress(x, quality)
    h, w = x.shape[2:]
    y = net.decode_latent(strings, h, w, quality)
    x_hat = net.synthesize(y).clamp(0, 1).mul(255).round().div(255)
    mse = ((x_hat - x) ** 2).mean().item()
    return sum(len(s) for s in strings) * 8 / (h * w), -10 * math.log10(mse)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aecodec.bench.checkpoint_eval", description=__doc__)
    p.add_argument("source", help="checkpoint.pt of a run, or a registered image model name")
    p.add_argument("--kodak", default="../shared/data/images/kodak")
    p.add_argument("--images", default="1,4,7,13,19,23", help="Kodak image numbers")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    net, levels = load_for_eval(a.source)
    xs = []
    for i in a.images.split(","):
        with Image.open(Path(a.kodak) / f"kodim{int(i):02d}.png") as im:
            arr = np.asarray(im.convert("RGB"))
        xs.append(torch.from_numpy(arr.copy()).permute(2, 0, 1)[None].float() / 255)
    print("level  bpp    PSNR")
    for q in range(1, levels + 1):
        bpp, psnr = np.mean([_coded(net, x, float(q)) for x in xs], axis=0)
        print(f"{q:5d}  {bpp:.3f}  {psnr:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
