"""Shared fixtures: seeded RNGs, data locations, the shipped model."""

from __future__ import annotations

import importlib.util
import os
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
DATA_ROOT = Path(os.environ.get("AECODEC_DATA", REPO.parent / "shared" / "data"))
KODAK = DATA_ROOT / "images" / "kodak"
TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _seed_everything() -> None:
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def kodak_dir() -> Path:
    if not KODAK.is_dir():
        pytest.skip(f"Kodak not found at {KODAK} (set AECODEC_DATA)")
    return KODAK


@pytest.fixture(scope="session")
def demo_pixels() -> np.ndarray:
    from aecodec import media

    return media.read_image(REPO / "aecodec" / "data" / "demo.png")


@pytest.fixture(scope="session")
def golden_deviation() -> Callable[..., tuple[int, float]]:
    """tests/data/make_golden_refs.py's deviation(): (largest difference, fraction differing)
    of a golden .aec file's decode against its stored reference."""
    spec = importlib.util.spec_from_file_location(
        "make_golden_refs", TEST_DATA / "make_golden_refs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.deviation
