"""Helpers shared by the ``aecodec bench`` commands: data root, results files."""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["default_data_root", "write_results"]


def write_results(out: Path, stem: str, result: dict, table: str) -> None:
    """OUT/STEM.json (written to a temporary file, then renamed) and OUT/STEM.md."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{stem}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / f"{stem}.json")
    (out / f"{stem}.md").write_text(table)


def default_data_root() -> Path:
    """$AECODEC_DATA, else ../shared/data relative to the working directory."""
    return Path(os.environ.get("AECODEC_DATA", "../shared/data"))
