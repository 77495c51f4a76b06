"""The training loop: a tiny run trains, checkpoints, resumes exactly, exports and codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from aecodec import zoo
from aecodec.cli.main import main

TINY = """
n = 8
m = 8
lambdas = [0.01, 0.05]
crop = 64
batch_size = 2
steps = 4
val_every = 2
val_images = 1
bf16 = false
"""


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(0)
    train, val = tmp_path / "train", tmp_path / "val"
    for folder, count in ((train, 3), (val, 1)):
        folder.mkdir()
        for i in range(count):
            arr = rng.integers(0, 256, (80, 96, 3), dtype=np.uint8)
            Image.fromarray(arr).save(folder / f"{i}.png")
    config = tmp_path / "tiny.toml"
    config.write_text(TINY)
    return train, val, config


def _train_args(folders, run: Path) -> list[str]:
    train, val, config = folders
    return ["train", "image", "--data", str(train), "--val", str(val), "--out", str(run)] + [
        "--config",
        str(config),
    ]


def _train(*extra: str, folders, run: Path) -> int:
    return main([*_train_args(folders, run), *extra])


def test_resume_reproduces_an_uninterrupted_run(folders, tmp_path: Path) -> None:
    straight, split = tmp_path / "straight", tmp_path / "split"
    assert _train(folders=folders, run=straight) == 0
    assert _train("--steps", "2", folders=folders, run=split) == 0
    assert _train("--steps", "4", "--resume", folders=folders, run=split) == 0
    a = [json.loads(x) for x in (straight / "log.jsonl").read_text().splitlines()]
    b = [json.loads(x) for x in (split / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in b] == [1, 2, 3, 4]
    assert [r["loss"] for r in a] == pytest.approx([r["loss"] for r in b], rel=1e-5)
    assert "val_psnr0" in a[1]


def test_existing_run_is_not_restarted_without_force(folders, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert _train("--steps", "1", folders=folders, run=run) == 0
    assert _train("--steps", "1", folders=folders, run=run) == 2
    assert "already holds a run" in capsys.readouterr().err


def test_missing_data_folder_is_a_clean_error(tmp_path: Path, capsys) -> None:
    rc = main(["train", "image", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "r")])
    assert rc == 2
    assert "not found" in capsys.readouterr().err


def test_export_registers_hash_checked_weights_that_code(folders, tmp_path: Path) -> None:
    run, weights = tmp_path / "run", tmp_path / "weights"
    assert _train(folders=folders, run=run) == 0
    assert main(["export", str(run), "--name", "tiny", "--weights-dir", str(weights)]) == 0
    entry = zoo.registry(weights)["tiny"]
    assert zoo.sha256_file(weights / entry.file) == entry.sha256
    stored = load_file(str(weights / entry.file))
    params = [k for k in stored if k.endswith(".weight") and "entropy" not in k]
    assert params and all(stored[k].dtype == torch.float16 for k in params)  # fp16 storage
    model, _ = zoo.load("tiny", weights)
    assert model.cdfs_frozen()
    pixels = np.random.default_rng(1).integers(0, 256, (70, 90, 3), dtype=np.uint8)
    t = torch.from_numpy(np.pad(pixels, ((0, 58), (0, 38), (0, 0)), mode="edge"))
    strings = model.compress(t.permute(2, 0, 1)[None].float() / 255, 1.5)
    y = model.decode_latent(strings, 128, 128, 1.5)
    assert y.shape == (1, 8, 8, 8)


def test_two_process_ddp_run_ends_with_identical_weights_on_both_ranks(folders, tmp_path: Path):
    """torchrun, 2 CPU processes (gloo): ranks see different crops, DDP keeps weights equal."""
    import os
    import subprocess
    import sys

    train, val, config = folders
    run = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    # a run once ended in SIGABRT at exit ("terminate called without an active exception"
    # from a gloo thread) until the training commands left the process group at the end
    # (distributed.shutdown); any failure now fails the test
    proc = subprocess.run(
        [*launcher, "--nproc_per_node=2", "-m", "aecodec.cli.main", *_train_args(folders, run)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[:3000] + "\n...\n" + proc.stderr[-2000:]
    report = json.loads((run / "ranks.json").read_text())
    assert report["world_size"] == 2 and report["identical"]
    assert len(set(report["digests"])) == 1
    steps = [json.loads(x)["step"] for x in (run / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]
    # the weights moved: the digest differs from that of the same model before training
    from aecodec.training.config import load_config
    from aecodec.training.distributed import weights_digest
    from aecodec.training.image_task import ImageTask

    fresh = ImageTask(load_config(config, data=str(train), val=str(val)))
    assert report["digests"][0] != weights_digest(fresh.model)


def test_time_limited_run_stops_with_a_checkpoint_that_resumes(folders, tmp_path: Path) -> None:
    """The GPU recipe on the CPU: --minutes stops early with a checkpoint; a resume goes on."""
    import subprocess
    import sys

    train, val, config = folders
    text = config.read_text().replace("steps = 4", "steps = 400").replace("val_every = 2", "")
    config.write_text(text + f'data = "{train}"\nval = "{val}"\nval_every = 1000\n')
    run = tmp_path / "timed"
    cmd = [sys.executable, "-m", "aecodec.training", str(config), str(run)]
    subprocess.run([*cmd, "--device", "cpu", "--minutes", "0.005"], check=True, timeout=300)
    first = json.loads((run / "log.jsonl").read_text().splitlines()[-1])["step"]
    assert 1 <= first < 400
    assert torch.load(run / "checkpoint.pt", weights_only=True)["step"] == first
    subprocess.run([*cmd, "--resume", "--minutes", "0.005"], check=True, timeout=300)
    assert json.loads((run / "log.jsonl").read_text().splitlines()[-1])["step"] > first
