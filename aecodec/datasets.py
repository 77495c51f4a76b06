"""Listing the image and audio files of a folder (training, validation, benchmarks), with
clear errors; holding out every N-th file for validation."""

from __future__ import annotations

from pathlib import Path

__all__ = ["IMAGE_SUFFIXES", "list_files", "list_images", "list_audio", "split_holdout"]

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm"}


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


def list_images(folder: str | Path) -> list[Path]:
    """Sorted image files directly in ``folder``; a clear error if there are none."""
    return list_files(folder, IMAGE_SUFFIXES, "images")


def list_audio(folder: str | Path) -> list[Path]:
    """Sorted audio files directly in ``folder``; a clear error if there are none."""
    from aecodec.media_audio import AUDIO_SUFFIXES

    return list_files(folder, AUDIO_SUFFIXES, "audio files")


def split_holdout(files: list[Path], every: int) -> tuple[list[Path], list[Path]]:
    """(train, held out): every ``every``-th file (sorted order) is held out for validation."""
    held = files[every - 1 :: every] if every > 0 else []
    return [f for f in files if f not in held], held
