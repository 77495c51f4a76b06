"""Audio training through the shared loop: a tiny run trains, resumes exactly and exports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from aecodec import zoo
from aecodec.cli.main import main

TINY = """
task = "audio"
sample_rate = 8000
mdct_hop = 16
strides = [2]
widths = [16, 16]
m = 8
n = 8
kbps = [2.0, 4.0]
segment = 1024
batch_size = 2
steps = 4
val_every = 2
val_seconds = 0.5
holdout_every = 3
checkpoint_minutes = 0.0
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "audio"
    data.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        t = np.arange(8000) / 8000
        x = 0.2 * np.sin(2 * np.pi * (200 + 100 * i) * t) + 0.01 * rng.standard_normal(t.size)
        channels = np.stack([x, 0.5 * x], 1) if i == 1 else x[:, None]
        sf.write(data / f"clip{i}.flac", channels.astype(np.float32), 8000)
    return data


def _train(folder: Path, config: Path, run: Path, *extra: str) -> int:
    return main(
        [
            "train",
            "audio",
            "--data",
            str(folder),
            "--config",
            str(config),
            "--out",
            str(run),
            *extra,
        ]
    )


def test_tiny_audio_run_resumes_exactly_and_exports(folder: Path, tmp_path: Path) -> None:
    config = tmp_path / "tiny.toml"
    config.write_text(TINY)
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert _train(folder, config, whole) == 0
    assert _train(folder, config, split, "--steps", "2") == 0
    assert _train(folder, config, split, "--steps", "4", "--resume") == 0
    a = torch.load(whole / "checkpoint.pt", weights_only=True)["model"]
    b = torch.load(split / "checkpoint.pt", weights_only=True)["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    records = [json.loads(line) for line in (whole / "log.jsonl").read_text().splitlines()]
    assert "val_real_kbps0" in records[1]  # validation codes real bytes
    weights = tmp_path / "weights"
    assert main(["export", str(whole), "--name", "tiny-audio", "--weights-dir", str(weights)]) == 0
    model, entry = zoo.load("tiny-audio", weights)
    assert entry.kind == "audio" and model.cdfs_frozen()
    assert entry.config["sample_rate"] == 8000

    # --default is per sample rate for audio: another rate's default (speech beside music) stays
    registry = weights / "registry.json"
    reg = json.loads(registry.read_text())
    reg["other-rate"] = {**reg["tiny-audio"], "config": {"sample_rate": 16000}, "default": True}
    registry.write_text(json.dumps(reg))
    for name in ("tiny-audio", "tiny-audio-b"):
        assert (
            main(
                ["export", str(whole), "--name", name, "--weights-dir", str(weights)]
                + ["--default"]
            )
            == 0
        )
    defaults = {e.name for e in zoo.registry(weights).values() if e.default}
    assert defaults == {"other-rate", "tiny-audio-b"}


def test_audio_training_refuses_a_segment_off_the_model_grid(folder: Path, tmp_path: Path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text(TINY.replace("segment = 1024", "segment = 1000"))
    assert _train(folder, config, tmp_path / "run") == 2
    assert "segment must be a multiple" in capsys.readouterr().err


def test_audio_training_refuses_a_beta_ladder_of_the_wrong_length(
    folder: Path, tmp_path: Path, capsys
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(TINY + "beta_init = [0.01]\n")
    assert _train(folder, config, tmp_path / "run") == 2
    assert "beta_init needs one value per level" in capsys.readouterr().err


def _fine_tune(folder: Path, tmp_path: Path, base_extra: str, tune_extra: str):
    """Train a tiny base run (TINY + base_extra), then a run from its checkpoint (TINY +
    init_from + tune_extra). Returns (base state dict, tuned state dict, tuned run dir)."""
    config = tmp_path / "tiny.toml"
    config.write_text(TINY + base_extra)
    base = tmp_path / "base"
    assert _train(folder, config, base) == 0
    start = base / "checkpoint.pt"
    tuned_config = tmp_path / "tuned.toml"
    tuned_config.write_text(TINY + f'init_from = "{start}"\n' + tune_extra)
    tuned = tmp_path / "tuned"
    assert _train(folder, tuned_config, tuned) == 0
    before = torch.load(start, weights_only=True)["model"]
    after = torch.load(tuned / "checkpoint.pt", weights_only=True)["model"]
    return before, after, tuned


def test_decoder_only_run_keeps_every_encoder_tensor_and_trains_the_postfilter(
    folder: Path, tmp_path: Path
) -> None:
    before, after, _ = _fine_tune(
        folder,
        tmp_path,
        "",
        "decoder_only = true\npost_blocks = 2\ntrained_lr_scale = 0.1\nlr = 1e-2\n",
    )
    decoder = [k for k in after if k.startswith("g_s.") or k == "log_inv_gain"]
    post = [k for k in decoder if ".blocks." in k and k.endswith("body.3.weight")]
    assert len(post) == 2  # the postfilter's blocks exist, each started at zero ...
    assert all(after[k].abs().sum() > 0 for k in post)  # ... and has learned something
    for k, v in before.items():  # the bitstream's tensors are untouched
        if k not in decoder:
            assert torch.equal(after[k], v), k
    assert any(not torch.equal(after[k], before[k]) for k in decoder if k in before)


ENERGIES = (
    "energy_step_db = 3.0\nenergy_coarse_below = 2.0\nenergy_fade_below = 1.0\n"
    "energy_floor_db = -30.0\npitch_strength = 0.15\n"
)


@pytest.mark.parametrize(("floor", "energies"), [(False, False), (True, False), (True, True)])
def test_mask_only_run_trains_the_mask_and_nothing_else(
    folder: Path, tmp_path: Path, floor: bool, energies: bool
) -> None:
    before, after, masked = _fine_tune(
        folder,
        tmp_path,
        "min_quality = 0.0\n",
        "mask_only = true\nmask_hidden = 8\nmin_quality = 0.0\nmax_quality = 3.0\n"
        "sharpening = 0.3\nlowpass_hz = 2000.0\nlowpass_below = 1.5\nlr = 1e-2\n"
        + ("mask_floor = true\n" if floor else "")
        + (ENERGIES if energies else ""),  # the band energies in the loop
    )
    assert after["spectral_mask.wide_out.weight"].abs().sum() > 0  # started at zero
    assert ("spectral_mask.floor_out.weight" in after) == floor
    if floor:
        assert after["spectral_mask.floor_out.weight"].abs().sum() > 0  # started at zero
    derived = ("_offset", "_quantized_cdf", "_cdf_length", "scale_table")  # built by freeze()
    for k, v in before.items():  # every codec tensor is untouched
        if not k.endswith(derived):
            assert torch.equal(after[k], v), k
    log = [json.loads(line) for line in (masked / "log.jsonl").read_text().splitlines()]
    assert all(0.0 <= r["quality"] <= 3.0 for r in log)  # drawn up to max_quality
    assert "val_mask_loss0" in log[-1] and "val_base_loss0" in log[-1]


def test_energy_only_run_counts_from_zero_and_changes_no_weight(
    folder: Path, tmp_path: Path
) -> None:
    before, after, counted = _fine_tune(
        folder,
        tmp_path,
        "min_quality = 0.0\n",
        "energy_only = true\nmin_quality = 0.0\n" + ENERGIES,
    )
    counts = after["energy_counts"]
    assert counts.sum() > 0 and "energy_counts" not in before
    for k, v in before.items():  # nothing learns
        if not k.endswith(("_offset", "_quantized_cdf", "_cdf_length", "scale_table")):
            assert torch.equal(after[k], v), k
    log = [json.loads(line) for line in (counted / "log.jsonl").read_text().splitlines()]
    assert "val_energy_kbps_q1" in log[-1]
    again = tmp_path / "again.toml"  # from the counted run: its counts are not added to
    again.write_text(
        TINY + f'init_from = "{counted / "checkpoint.pt"}"\n'
        "energy_only = true\nmin_quality = 0.0\n" + ENERGIES
    )
    assert _train(folder, again, tmp_path / "again") == 0
    recounted = torch.load(tmp_path / "again" / "checkpoint.pt", weights_only=True)["model"]
    assert torch.equal(recounted["energy_counts"], counts)


def test_mask_only_needs_a_trained_start_and_a_mask(folder: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(TINY + "mask_only = true\nmask_hidden = 8\n")
    assert _train(folder, config, tmp_path / "run") == 2
    assert "mask_only needs init_from" in capsys.readouterr().err


def test_decoder_only_needs_a_trained_start(folder: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(TINY + "decoder_only = true\n")
    assert _train(folder, config, tmp_path / "run") == 2
    assert "decoder_only needs init_from" in capsys.readouterr().err


def test_extra_data_folders_train_and_hold_out_their_own_files(folder: Path, tmp_path: Path):
    from aecodec.training.audio_task import AudioTask
    from aecodec.training.config import load_config

    more = tmp_path / "more"
    more.mkdir()
    for i in range(3):  # 2 s each, louder than the first folder's clips
        sf.write(more / f"song{i}.flac", np.full((16000, 1), 0.5, np.float32), 8000)
    config = tmp_path / "more.toml"
    config.write_text(TINY + f'data = "{folder}"\nextra_data = ["{more}"]\n')
    task = AudioTask(load_config(config))
    lengths = sorted(c.shape[0] for c in task.sampler.clips)
    assert lengths == [8000, 8000, 16000, 16000]  # every 3rd file of each folder held out
    assert len(task.val_clips) == 2


def test_gpu_recipe_runs_audio_for_a_fixed_time_and_resumes(folder: Path, tmp_path: Path) -> None:
    """``python -m aecodec.training ... --device D --minutes M`` (the lent-GPU recipe) works for
    the audio task: it stops early with a checkpoint, and a resume on the CPU goes on."""
    import subprocess
    import sys

    config = tmp_path / "timed.toml"
    text = TINY.replace("steps = 4", "steps = 4000").replace("val_every = 2", "val_every = 9999")
    config.write_text(text + f'data = "{folder}"\n')
    run = tmp_path / "timed"
    cmd = [sys.executable, "-m", "aecodec.training", str(config), str(run)]
    subprocess.run([*cmd, "--device", "cpu", "--minutes", "0.003"], check=True, timeout=300)
    first = torch.load(run / "checkpoint.pt", weights_only=True)["step"]
    assert 1 <= first < 4000
    subprocess.run([*cmd, "--resume", "--minutes", "0.003"], check=True, timeout=300)
    assert torch.load(run / "checkpoint.pt", weights_only=True)["step"] > first
