"""Listing the training files of a folder, with clear errors."""

from __future__ import annotations

from pathlib import Path

__all__ = ["list_files"]


def list_files(folder: str | Path, suffixes: set[str], what: str) -> list[Path]:
    """Sorted files directly in ``folder`` whose suffix is in ``suffixes``; a clear error if the
    folder is missing or holds none (``what`` names them: "images", "audio files")."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{what} folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in suffixes)
    if not files:
        raise FileNotFoundError(f"no {what} in {folder}")
    return files
