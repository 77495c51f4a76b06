"""The learning-rate schedule: linear warm-up, then the base rate, then the decay."""

from __future__ import annotations

import pytest

from aecodec.training.config import TrainConfig
from aecodec.training.loop import _lr_at


def test_warm_up_rises_linearly_then_holds_then_decays() -> None:
    c = TrainConfig(lr=1e-4, lr_warmup=100, steps=1000, lr_decay_at=0.9, lr_decay=0.25)
    assert _lr_at(c, 0) == pytest.approx(1e-6)
    assert _lr_at(c, 49) == pytest.approx(5e-5)
    assert _lr_at(c, 99) == pytest.approx(1e-4)
    assert _lr_at(c, 500) == pytest.approx(1e-4)
    assert _lr_at(c, 950) == pytest.approx(2.5e-5)


def test_no_warm_up_by_default() -> None:
    assert _lr_at(TrainConfig(lr=3e-4), 0) == pytest.approx(3e-4)
