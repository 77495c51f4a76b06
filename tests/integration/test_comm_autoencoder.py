"""Communication autoencoders: the shipped (2,2), (7,4), (8,8) models against their baselines,
training and export through the CLI, and the bench/train commands' argument errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from aecodec import zoo
from aecodec.bench.channel_bench import (
    autoencoder_scheme,
    hamming74_scheme,
    simulate_bler,
    uncoded_bpsk_scheme,
)
from aecodec.channel.hamming import ml_decode
from aecodec.channel.theory import hamming74_hard_bler, uncoded_bler
from aecodec.cli.main import main


def _bler(scheme, k: int, ebno: float, seed: int, blocks: int) -> dict:
    g = torch.Generator().manual_seed(seed)
    return simulate_bler(scheme, k, ebno, g, min_errors=10**9, max_blocks=blocks)


def test_shipped_encoders_send_energy_n_per_message():
    for name, n in (("comm-2-2", 2), ("comm-7-4", 7), ("comm-8-8", 8)):
        model, _ = zoo.load(name)
        k = model.config.k
        with torch.no_grad():
            x = model.encode(torch.arange(2**k))
        assert x.shape == (2**k, n)
        assert torch.allclose(x.square().sum(dim=1), torch.full((2**k,), float(n)), rtol=1e-4)


def test_shipped_7_4_beats_hard_hamming_and_tracks_ml_decoding():
    model, _ = zoo.load("comm-7-4")
    for ebno in (2.0, 4.0, 6.0):
        ae = _bler(autoencoder_scheme(model), 4, ebno, 0, 400_000)
        assert ae["ci95"][1] < hamming74_hard_bler(ebno)
    ae = _bler(autoencoder_scheme(model), 4, 6.0, 1, 1_000_000)
    ml = _bler(hamming74_scheme(ml_decode), 4, 6.0, 2, 1_000_000)
    assert ae["bler"] < 1.4 * ml["bler"]


def test_shipped_2_2_matches_uncoded_bpsk():
    model, _ = zoo.load("comm-2-2")
    for ebno in (2.0, 6.0):
        ae = _bler(autoencoder_scheme(model), 2, ebno, 3, 1_000_000)
        low, high = ae["ci95"]
        assert low * 0.97 <= uncoded_bler(ebno, 2) <= high * 1.03


def test_shipped_8_8_beats_uncoded_bpsk_above_5_db():
    model, _ = zoo.load("comm-8-8")
    for ebno in (6.0, 8.0):
        ae = _bler(autoencoder_scheme(model), 8, ebno, 4, 200_000)
        bpsk = _bler(uncoded_bpsk_scheme(8), 8, ebno, 5, 200_000)
        assert ae["ci95"][1] < bpsk["ci95"][0]


def test_train_comm_runs_resumes_and_exports(tmp_path: Path):
    run = tmp_path / "run"
    args = ["train", "comm", "--n", "2", "--k", "2", "--ebno-db", "4:8", "--out", str(run)]
    assert main([*args, "--steps", "30"]) == 0
    assert main([*args, "--steps", "40", "--resume"]) == 0
    weights = tmp_path / "weights"
    assert main(["export", str(run), "--name", "tiny-comm", "--weights-dir", str(weights)]) == 0
    model, entry = zoo.load("tiny-comm", weights)
    assert entry.kind == "comm" and model.config.n == 2 and model.config.k == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "channel", "--ebno-db", "5:1:1"], "--ebno-db"),
        (["bench", "channel", "--ebno-db", "0:10:0"], "--ebno-db"),
        (["bench", "channel", "--n", "7", "--k", "3"], "no communication autoencoder of that name"),
        (
            ["bench", "channel", "--model", "hyperprior-v4"],
            "is an image codec, not a communication autoencoder",
        ),
        (["train", "comm", "--ebno-db", "8:3", "--out", "unused"], "--ebno-db"),
        (["train", "comm", "--k", "40", "--out", "unused"], "k must be"),
    ],
)
def test_channel_commands_reject_bad_arguments_with_one_line(args, message, capsys, tmp_path):
    args = [a if a != "unused" else str(tmp_path / "r") for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_bench_channel_writes_json_table_and_plot(tmp_path: Path, capsys):
    out = tmp_path / "out"
    code = main(
        ["bench", "channel", "--ebno-db", "2:4:2", "--max-blocks", "20000", "--out", str(out)]
    )
    assert code == 0
    for suffix in ("json", "md", "png"):
        assert (out / f"comm-7-4.{suffix}").stat().st_size > 0
    assert "Hamming(7,4) ML" in capsys.readouterr().out
