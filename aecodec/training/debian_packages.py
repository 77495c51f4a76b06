"""Free-licensed training data from Debian packages: download, unpack, keep the license.

Shared by the data scripts (``fetch_photos``, ``fetch_music``): ``apt-get download`` a package's
.deb into a cache folder (once), unpack it into a temporary folder, and copy its
``/usr/share/doc/<package>/copyright`` file (the license text) next to the data made from it.
The cache is outside the repository: ``AECODEC_CACHE`` or ``~/.cache/aecodec``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["default_cache", "download", "unpacked", "keep_copyright", "version_of"]


def default_cache() -> Path:
    """Where data scripts keep downloads and prepared data (never inside the repository)."""
    return Path(os.environ.get("AECODEC_CACHE", Path.home() / ".cache" / "aecodec"))


def download(package: str, debs: Path) -> Path:
    """The package's .deb in ``debs``, fetched with ``apt-get download`` when not there yet."""
    found = sorted(debs.glob(f"{package}_*.deb"))
    if found:
        return found[-1]
    subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        raise RuntimeError(f"apt-get download {package} wrote no .deb")
    return found[-1]


def version_of(deb: Path) -> str:
    """The package version in a .deb's file name (name_version_arch.deb)."""
    return deb.name.split("_")[1]


@contextmanager
def unpacked(deb: Path) -> Iterator[Path]:
    """The .deb's files under a temporary root folder (removed on exit)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        yield Path(tmp)


def keep_copyright(root: Path, package: str, out: Path) -> str:
    """Copy the unpacked package's copyright file to ``out/licenses/<package>.copyright``;
    returns that path relative to ``out`` (the license every file made from it carries)."""
    source = root / "usr" / "share" / "doc" / package / "copyright"
    name = f"licenses/{package}.copyright"
    if source.exists():
        (out / "licenses").mkdir(parents=True, exist_ok=True)
        (out / name).write_text(source.read_text())
    return name
