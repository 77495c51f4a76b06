"""The one bf16 autocast helper the training tasks share."""

from __future__ import annotations

import torch

from aecodec.training.precision import bf16_autocast


def test_bf16_autocast_casts_matmuls_only_when_enabled() -> None:
    a = torch.randn(4, 4)
    with bf16_autocast(torch.device("cpu"), True):
        assert (a @ a).dtype == torch.bfloat16
    with bf16_autocast("cpu", False):
        assert (a @ a).dtype == torch.float32
