"""``python -m aecodec.training CONFIG.toml RUN_DIR [--resume] [--device cuda] [--minutes M]``:
start or resume a run; ``--device`` and ``--minutes`` override the config (a lent GPU for a
fixed time: its checkpoint resumes on the CPU)."""

from __future__ import annotations

import argparse

import torch

from aecodec.training.config import load_config
from aecodec.training.distributed import init_from_env, shutdown
from aecodec.training.loop import train_loop
from aecodec.training.tasks import make_task


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m aecodec.training")
    p.add_argument("config")
    p.add_argument("run_dir")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--device", help="override the config's device (image, audio), e.g. cuda")
    p.add_argument("--minutes", type=float, help="override max_minutes: stop after this long")
    a = p.parse_args()
    config = load_config(a.config, device=a.device, max_minutes=a.minutes)
    init_from_env()
    if config.threads:
        torch.set_num_threads(config.threads)
    try:
        train_loop(make_task(config), config, a.run_dir, a.resume)
    finally:
        shutdown()


if __name__ == "__main__":
    main()
