"""README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_example_runs_and_round_trips() -> None:
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    scope: dict = {}
    exec(compile(block.group(1), "README.md", "exec"), scope)  # noqa: S102
    assert scope["decoded"].shape == scope["pixels"].shape == (64, 96, 3)
    assert scope["sound"].shape == scope["speech"].shape
    assert scope["received"].dtype == np.uint8 and scope["received"].shape == (64, 96, 3)
