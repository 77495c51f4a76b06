"""Mixed precision for training: the transforms in bf16, the entropy models in fp32."""

from __future__ import annotations

from contextlib import AbstractContextManager

import torch

__all__ = ["bf16_autocast"]


def bf16_autocast(device: torch.device | str, enabled: bool) -> AbstractContextManager:
    """torch.autocast to bfloat16 on ``device``'s type (cpu or cuda) when ``enabled`` (the
    config's ``bf16``); a context in which nothing is cast otherwise."""
    device_type = torch.device(device).type
    return torch.autocast(device_type, dtype=torch.bfloat16, enabled=enabled)
