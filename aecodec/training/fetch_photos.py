"""Fetch free-licensed photographs from Debian wallpaper packages for image-codec training.

``python -m aecodec.training.fetch_photos [--cache DIR]`` (or ``make data``): for each package
in ``PACKAGES``, ``apt-get download`` its .deb into ``CACHE/debs`` (skipped when present),
unpacks it, keeps every raster image of at least ``MIN_SIDE`` pixels on its shorter side,
downscales it by 2 (Lanczos: removes sensor noise and compression artefacts, as training sets
of learned codecs do), and writes it as PNG into ``CACHE/photos``. ``CACHE/photos/SOURCES.json``
lists each file's package, version, original path and the package's copyright file, whose text
(licenses: CC-BY, CC-BY-SA, CC0, GPL, ...) is copied beside it. The cache is outside the
repository (default ``~/.cache/aecodec``, or ``AECODEC_CACHE``); nothing is committed.
Kodak and the test folders are never touched: they stay evaluation-only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from PIL import Image

from aecodec.training.debian_packages import (
    default_cache,
    download,
    keep_copyright,
    unpacked,
    version_of,
)

__all__ = ["PACKAGES", "MIN_SIDE", "fetch"]

# Debian packages of photographic wallpapers (main, free licenses; see each copyright file).
PACKAGES = (
    "gnome-backgrounds",
    "plasma-workspace-wallpapers",
    "mate-backgrounds",
    "ukui-wallpapers",
    "lomiri-wallpapers",
)
MIN_SIDE = 1024  # pixels, before downscaling
_RASTER = {".jpg", ".jpeg", ".png", ".webp"}


def _photos_of(deb: Path, package: str, out: Path) -> list[dict]:
    rows = []
    version = version_of(deb)
    with unpacked(deb) as root:
        license_file = keep_copyright(root, package, out)
        seen: set[str] = set()
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in _RASTER):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            if digest in seen or path.is_symlink():
                continue
            seen.add(digest)
            try:
                with Image.open(path) as im:
                    if min(im.size) < MIN_SIDE:
                        continue
                    small = im.convert("RGB").resize(
                        (im.size[0] // 2, im.size[1] // 2), Image.Resampling.LANCZOS
                    )
            except (OSError, Image.DecompressionBombError):
                continue
            name = f"{package}-{digest}.png"
            small.save(out / name)
            rows.append(
                {
                    "file": name,
                    "package": package,
                    "version": version,
                    "original": str(path.relative_to(root)),
                    "size": list(small.size),
                    "license": license_file,
                }
            )
    return rows


def fetch(cache: Path, packages: tuple[str, ...] = PACKAGES) -> Path:
    """Download and prepare the photos; returns the folder of PNGs (a training folder)."""
    debs, out = cache / "debs", cache / "photos"
    debs.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for package in packages:
        deb = download(package, debs)
        found = _photos_of(deb, package, out)
        print(f"{package}: {len(found)} photos", file=sys.stderr)
        rows += found
    (out / "SOURCES.json").write_text(json.dumps(rows, indent=1) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aecodec.training.fetch_photos", description=__doc__)
    p.add_argument("--cache", type=Path, default=default_cache(), help="cache folder")
    a = p.parse_args(argv)
    out = fetch(a.cache)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
