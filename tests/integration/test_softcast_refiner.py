"""The SoftCast refiner: starts as SoftCast, trains on whole-image transmissions, exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open

from aecodec import media, zoo
from aecodec.models.softcast_refiner import RefinerConfig, SoftCastRefiner
from aecodec.softcast import softcast_transmit
from aecodec.training.config import load_config
from aecodec.training.export import export_run
from aecodec.training.loop import train_loop
from aecodec.training.tasks import make_task


def test_an_untrained_refiner_is_softcast(demo_pixels) -> None:
    crop = np.ascontiguousarray(demo_pixels[:37, :53])
    sent = softcast_transmit(crop, 5.0, crop.size // 6, seed=2)
    est = torch.from_numpy(sent.estimate).float().permute(2, 0, 1)[None]
    out = SoftCastRefiner(RefinerConfig(filters=8, blocks=1))(est, torch.tensor([5.0]))
    assert out.shape == est.shape and torch.equal(out, est)


def test_softcast_task_trains_resumes_and_exports(tmp_path: Path, demo_pixels) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        part = np.ascontiguousarray(demo_pixels[i * 40 : i * 40 + 96, :128])
        (data / f"{i}.png").write_bytes(media.encode_png(part))
    config = tmp_path / "c.toml"
    config.write_text(
        f'task = "softcast"\ndata = "{data}"\nval = "{data}"\nfilters = 8\nhidden = 1\n'
        "crop = 64\nbatch_size = 2\nsteps = 3\nval_every = 3\nval_images = 1\nlr = 1e-3\n"
    )
    run = tmp_path / "run"
    cfg = load_config(config)
    assert train_loop(make_task(cfg), cfg, run, resume=False) == 3
    log = (run / "log.jsonl").read_text().splitlines()
    assert len(log) == 3 and "val_psnr@20dB" in log[-1] and "val_softcast@0dB" in log[-1]
    weights = tmp_path / "weights"
    entry = export_run(run, "tiny-refiner", weights_dir=weights)
    assert entry.kind == "softcast" and entry.config["ratio"] == "1/6"
    model, _ = zoo.load("tiny-refiner", weights)
    with safe_open(str(weights / entry.file), "pt") as f:  # the run's config travels along
        (tmp_path / "stored.toml").write_text(f.metadata()["train_config"])
    assert load_config(tmp_path / "stored.toml") == cfg
    est = torch.rand(1, 3, 31, 45)
    assert model(est, torch.tensor([10.0])).shape == est.shape
