"""``aecodec train image|comm|jscc|audio`` and ``aecodec export``: thin wrappers over training."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aecodec.cli.arguments import parse_db_range, parse_numbers
from aecodec.errors import AecodecError, ConfigError

__all__ = ["add_train_commands"]


def _prepare_run_dir(a: argparse.Namespace) -> Path:
    """RUN_DIR from --out; a resumed run reads its saved config; never restart without -f."""
    from aecodec.training.loop import CHECKPOINT_NAME

    run_dir = Path(a.out)
    if a.config is None and a.resume and (run_dir / "config.toml").exists():
        a.config = str(run_dir / "config.toml")
    if not a.resume and (run_dir / CHECKPOINT_NAME).exists() and not a.force:
        raise AecodecError(f"{run_dir} already holds a run (use --resume, or -f to restart)")
    return run_dir


def _train(a: argparse.Namespace, task: str, overrides: dict) -> int:
    """Load the config (--config, else the task's defaults; then ``overrides``), build the task,
    train.

    The config's task must be ``task``; every setup error becomes one line (exit 2).
    """
    import torch

    from aecodec.training import distributed
    from aecodec.training.config import load_config
    from aecodec.training.loop import train_loop
    from aecodec.training.tasks import make_task

    run_dir = _prepare_run_dir(a)
    if a.config is None:
        overrides = {**overrides, "task": task}
    distributed.init_from_env()
    try:
        config = load_config(a.config, **overrides)
        if config.task != task:
            raise ConfigError(f"config task is {config.task!r}, not {task!r}")
        if task != "comm" and not config.data:
            raise ConfigError("no training data: give --data DIR or set data in the config")
        if config.threads:
            torch.set_num_threads(config.threads)
        trainer = make_task(config)
    except (FileNotFoundError, ValueError) as e:
        raise AecodecError(str(e)) from None
    try:
        step = train_loop(trainer, config, run_dir, a.resume)
        if distributed.rank() == 0:
            print(f"{run_dir}: trained to step {step}", file=sys.stderr)
    finally:
        distributed.shutdown()
    return 0


def cmd_train_image(a: argparse.Namespace) -> int:
    return _train(a, "image", {"data": a.data, "val": a.val, "steps": a.steps})


def cmd_train_audio(a: argparse.Namespace) -> int:
    overrides: dict = {"data": a.data, "val": a.val, "steps": a.steps}
    if a.sample_rate is not None:
        overrides["sample_rate"] = a.sample_rate
    if a.kbps is not None:
        overrides["kbps"] = parse_numbers(a.kbps, "--kbps", positive=True, increasing=True)
    return _train(a, "audio", overrides)


def cmd_train_comm(a: argparse.Namespace) -> int:
    overrides: dict = {"code_n": a.n, "code_k": a.k, "steps": a.steps, "hidden": a.hidden}
    if a.ebno_db is not None:
        overrides["ebno_db"] = parse_db_range(a.ebno_db, "--ebno-db")
    return _train(a, "comm", overrides)


def cmd_train_jscc(a: argparse.Namespace) -> int:
    overrides: dict = {
        "data": a.data,
        "val": a.val,
        "ratio": a.ratio,
        "channel": a.channel,
        "filters": a.filters,
        "steps": a.steps,
    }
    if a.snr_db is not None:
        overrides["snr_db"] = parse_db_range(a.snr_db, "--snr-db")
    return _train(a, "jscc", overrides)


def cmd_export(a: argparse.Namespace) -> int:
    from aecodec.training.export import export_run

    run_dir = Path(a.run_dir)
    if not (run_dir / a.checkpoint).exists():
        raise AecodecError(f"{run_dir}: no {a.checkpoint} to export")
    weights = Path(a.weights_dir) if a.weights_dir else None
    kwargs = {"weights_dir": weights} if weights else {}
    entry = export_run(run_dir, a.name, default=a.default, checkpoint=a.checkpoint, **kwargs)
    print(f"exported {entry.name}: {entry.file} (sha256 {entry.sha256})")
    return 0


def _add_run_arguments(p: argparse.ArgumentParser, data: str | None, steps_help: str) -> None:
    """The options every ``train KIND`` shares: data folders (unless ``data`` is None), the run
    folder, the config, the step count, resume and force."""
    if data is not None:
        p.add_argument("--data", help=f"folder of training {data}")
        p.add_argument("--val", help=f"folder of held-out validation {data}")
    p.add_argument("--out", required=True, help="run folder: config, checkpoint, log")
    p.add_argument("--config", help="TOML file with hyperparameters (see configs/)")
    p.add_argument("--steps", type=int, help=f"total optimiser steps ({steps_help})")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("-f", "--force", action="store_true", help="restart over an existing run")


def add_train_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model on your own data")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", parser_class=type(p))
    kinds.required = True
    t = kinds.add_parser("image", help="train the image codec")
    _add_run_arguments(t, "images", "overrides the config")
    t.set_defaults(func=cmd_train_image)

    c = kinds.add_parser("comm", help="train an (n, k) communication autoencoder over AWGN")
    c.add_argument("--n", type=int, help="real channel uses per message (default 7)")
    c.add_argument("--k", type=int, help="bits per message (default 4)")
    c.add_argument("--ebno-db", help="training Eb/N0 in dB: DB or LOW:HIGH (default 7)")
    c.add_argument("--hidden", type=int, help="layer width (default max(64, 2^(k+1)))")
    _add_run_arguments(c, None, "default 20000")
    c.set_defaults(func=cmd_train_comm)

    j = kinds.add_parser("jscc", help="train a deep JSCC image transmitter (SNR-adaptive)")
    j.add_argument("--ratio", help="bandwidth ratio k/n, channel uses per pixel value (1/6)")
    j.add_argument("--snr-db", help="training SNR (Es/N0) in dB: DB or LOW:HIGH (0:20)")
    j.add_argument("--channel", choices=["awgn", "rayleigh"], help="channel (awgn)")
    j.add_argument("--filters", type=int, help="hidden width (64)")
    _add_run_arguments(j, "images", "default 20000")
    j.set_defaults(func=cmd_train_jscc)

    u = kinds.add_parser("audio", help="train an audio codec (speech or music)")
    u.add_argument("--sample-rate", type=int, help="model sample rate in Hz (16000)")
    u.add_argument("--kbps", help="rate levels in kbit/s per channel, e.g. 3,6,12,24")
    _add_run_arguments(u, "audio (WAV, FLAC, OGG; default val: every 20th file)", "default 20000")
    u.set_defaults(func=cmd_train_audio)

    e = sub.add_parser("export", help="freeze a run's CDFs and register its weights")
    e.add_argument("run_dir")
    e.add_argument("--name", required=True, help="model name stored in every .aec header")
    e.add_argument("--default", action="store_true", help="make it the default model of its kind")
    e.add_argument("--weights-dir", help="registry folder (default: aecodec/weights)")
    e.add_argument(
        "--checkpoint", default="checkpoint.pt", help="checkpoint file in RUN_DIR (checkpoint.pt)"
    )
    e.set_defaults(func=cmd_export)
