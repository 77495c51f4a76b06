"""The one training loop shared by every model: schedule, logging, checkpoints, exact resume.

A task supplies the model-specific parts through the ``Task`` protocol; this loop owns the
step counter, the learning-rate schedule, the progress bar, the JSON-lines log
(``RUN_DIR/log.jsonl``) and atomic checkpoints (``RUN_DIR/checkpoint.pt``, written every
``checkpoint_minutes`` and at the end). Checkpoints hold only tensors and plain data and are
loaded with ``weights_only=True``.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Protocol

import torch
from tqdm import tqdm

from aecodec.files import write_atomic
from aecodec.training import distributed
from aecodec.training.config import TrainConfig, dump_config
from aecodec.zoo import load_state

__all__ = ["Task", "train_loop", "CHECKPOINT_NAME"]

CHECKPOINT_NAME = "checkpoint.pt"


class Task(Protocol):
    """What a model brings to the loop."""

    model: torch.nn.Module
    optimizers: dict[str, torch.optim.Optimizer]  # "main" follows the lr schedule

    def train_step(self, step: int) -> dict[str, float]: ...

    def validate(self) -> dict[str, float]: ...

    def extra_state(self) -> dict: ...

    def load_extra_state(self, state: dict) -> None: ...


def _lr_at(config: TrainConfig, step: int) -> float:
    """Learning rate at a step: linear warm-up over ``lr_warmup`` steps, then ``lr``, times
    ``lr_decay`` after ``lr_decay_at`` of the steps. A fresh Adam moves every weight by about
    lr per step until its second moments settle: on trained (or grown) weights, without a
    warm-up, that undoes training (measured: -2 dB on images/val in 1000 steps at 2e-4)."""
    warm = min(1.0, (step + 1) / config.lr_warmup) if config.lr_warmup > 0 else 1.0
    decay = config.lr_decay if step >= config.lr_decay_at * config.steps else 1.0
    return config.lr * warm * decay


def _save_checkpoint(task: Task, step: int, run_dir: Path, name: str = CHECKPOINT_NAME) -> None:
    state = {
        "step": step,
        "model": task.model.state_dict(),
        "optimizers": {k: o.state_dict() for k, o in task.optimizers.items()},
        "torch_rng": torch.get_rng_state(),
        "extra": task.extra_state(),
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_atomic(run_dir / name, buffer.getvalue(), force=True)


def _load_checkpoint(task: Task, run_dir: Path) -> int:
    state = torch.load(run_dir / CHECKPOINT_NAME, map_location="cpu", weights_only=True)
    load_state(task.model, state["model"])  # resizes CDF buffers a validation may have filled
    for k, o in task.optimizers.items():  # moves the state to the parameters' device
        o.load_state_dict(state["optimizers"][k])
    torch.set_rng_state(state["torch_rng"])
    task.load_extra_state(state["extra"])
    return int(state["step"])


def _truncate_log(path: Path, step: int) -> None:
    """Drop log records written after the checkpoint we resume from (they will be redone)."""
    if not path.exists():
        return
    kept = [line for line in path.read_text().splitlines() if json.loads(line)["step"] <= step]
    write_atomic(path, "".join(line + "\n" for line in kept).encode(), force=True)


def train_loop(task: Task, config: TrainConfig, run_dir: str | Path, resume: bool) -> int:
    """Train until ``config.steps``; returns the final step. Resumes from RUN_DIR if asked.

    Under torchrun (see aecodec.training.distributed) every rank trains; rank 0 alone writes
    the config, the log and the checkpoints. At the end the ranks compare a digest of their
    weights, written to RUN_DIR/ranks.json, and a mismatch is an error.
    """
    run_dir = Path(run_dir)
    main_rank = distributed.rank() == 0
    if main_rank:
        run_dir.mkdir(parents=True, exist_ok=True)
    step = 0
    if resume:
        if not (run_dir / CHECKPOINT_NAME).exists():
            raise FileNotFoundError(f"nothing to resume: no {CHECKPOINT_NAME} in {run_dir}")
        step = _load_checkpoint(task, run_dir)
        if main_rank:
            _truncate_log(run_dir / "log.jsonl", step)
    if main_rank:
        (run_dir / "config.toml").write_text(dump_config(config))
    # a fresh run starts a fresh log; only rank 0 writes
    log = open(run_dir / "log.jsonl", "a" if resume else "w") if main_rank else None
    last_save = started = time.monotonic()
    bar = tqdm(
        total=config.steps,
        initial=step,
        disable=not (main_rank and sys.stderr.isatty()),
        dynamic_ncols=True,
    )
    try:
        while step < config.steps:
            main = task.optimizers.get("main")  # none: a run that counts instead of learning
            for group in main.param_groups if main is not None else []:  # a group may scale it
                group["lr"] = _lr_at(config, step) * group.get("lr_scale", 1.0)
            t0 = time.monotonic()
            metrics = task.train_step(step)
            step += 1
            bar.update(1)
            if not main_rank:
                continue
            record = {"step": step, "time_s": round(time.monotonic() - t0, 3), **metrics}
            if step % config.val_every == 0 or step == config.steps:
                task.model.eval()
                record.update({f"val_{k}": v for k, v in task.validate().items()})
                task.model.train()
            log.write(json.dumps(record) + "\n")
            log.flush()
            bar.set_postfix({k: f"{v:.3g}" for k, v in metrics.items()})
            if step in config.keep_steps:  # a snapshot to compare runs at equal steps
                _save_checkpoint(task, step, run_dir, f"checkpoint-{step}.pt")
            if time.monotonic() - last_save > config.checkpoint_minutes * 60:
                _save_checkpoint(task, step, run_dir)
                last_save = time.monotonic()
            if config.max_minutes > 0 and time.monotonic() - started > config.max_minutes * 60:
                break  # a fixed time budget (e.g. a lent GPU): the final checkpoint follows
        if main_rank:
            _save_checkpoint(task, step, run_dir)
        _check_ranks_agree(task, run_dir)
    finally:
        bar.close()
        if log is not None:
            log.close()
    return step


def _check_ranks_agree(task: Task, run_dir: Path) -> None:
    """All ranks must end with bit-identical weights (DDP keeps them in step)."""
    if distributed.world_size() == 1:
        return
    import torch.distributed as dist

    digests: list[str | None] = [None] * distributed.world_size()
    dist.all_gather_object(digests, distributed.weights_digest(task.model))
    if distributed.rank() == 0:
        report = {"world_size": len(digests), "digests": digests}
        report["identical"] = len(set(digests)) == 1
        (run_dir / "ranks.json").write_text(json.dumps(report, indent=2) + "\n")
    if len(set(digests)) != 1:
        raise RuntimeError(f"ranks ended with different weights: {digests}")
