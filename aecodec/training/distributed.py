"""Data-parallel training under ``torchrun``: process group, DDP wrapping, rank checks.

Outside torchrun (no WORLD_SIZE, or WORLD_SIZE=1) every function is a no-op, so the same
training command runs on one machine or many. Backend: nccl when CUDA is available, else gloo.
"""

from __future__ import annotations

import hashlib
import os

import torch
import torch.distributed as dist

__all__ = [
    "init_from_env",
    "shutdown",
    "rank",
    "world_size",
    "wrap",
    "average_gradients",
    "weights_digest",
]


def init_from_env() -> tuple[int, int]:
    """Join the process group torchrun describes; returns (rank, world size)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group(backend)
    return rank(), world_size()


def shutdown() -> None:
    """Leave the process group, once every rank is done: without it a gloo worker can abort
    at exit ("terminate called without an active exception", SIGABRT) after a finished run."""
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def rank() -> int:
    return dist.get_rank() if dist.is_initialized() else 0


def world_size() -> int:
    return dist.get_world_size() if dist.is_initialized() else 1


def wrap(model: torch.nn.Module) -> torch.nn.Module:
    """DistributedDataParallel around ``model`` in a process group, else ``model`` itself.

    find_unused_parameters: a step trains one rate level, so the other levels' gains get no
    gradient. broadcast_buffers=False: the only buffers are entropy-coding tables, which rank 0
    alone fills when it validates; training does not read them.
    """
    if world_size() == 1:
        return model
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(model, find_unused_parameters=True, broadcast_buffers=False)


def average_gradients(params: list[torch.nn.Parameter]) -> None:
    """Mean of the gradients over ranks, for parameters trained outside DDP (aux losses)."""
    if world_size() == 1:
        return
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        dist.all_reduce(p.grad)
        p.grad /= world_size()


def weights_digest(model: torch.nn.Module) -> str:
    """sha256 over every parameter, to check that all ranks hold the same trained weights."""
    h = hashlib.sha256()
    for name, t in sorted(model.named_parameters()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()
