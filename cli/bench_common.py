"""Helpers shared by the ``aecodec bench`` commands: data root, SNR grids, results files."""

from __future__ import annotations

import json
import os
from pathlib import Path

from aecodec.errors import AecodecError

__all__ = ["default_data_root", "parse_ebno_grid", "write_results"]


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


def parse_ebno_grid(text: str) -> list[float]:
    """'0:10:1' -> [0, 1, ..., 10]; '3,5,7' -> [3, 5, 7] (dB)."""
    try:
        if ":" in text:
            start, stop, step = (float(v) for v in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = int(round((stop - start) / step)) + 1
            if count > 1000:
                raise ValueError
            return [round(start + i * step, 6) for i in range(count)]
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise AecodecError(
            f"--ebno-db: expected START:STOP:STEP (STEP > 0) or a comma list, got {text!r}"
        ) from None
