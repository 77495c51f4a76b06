"""Fetch free-licensed music from Debian packages for audio-codec training.

``python -m aecodec.training.fetch_music [--cache DIR]`` (or ``make data``): for each package in
``PACKAGES``, ``apt-get download`` its .deb into ``CACHE/debs`` (skipped when present), unpack
it, and decode every track of at least ``MIN_SECONDS`` (Ogg Vorbis, Ogg Opus, FLAC, WAV, also
inside the .pk3 / .zip archives games ship) to 44.1 kHz 16-bit FLAC in ``CACHE/music``. Rhythm-
game songs come as stems in one folder (song.ogg, guitar.ogg, rhythm.ogg): they are mixed into
the full song, which is what a user compresses. ``CACHE/music/SOURCES.json`` lists each file's
package, version, original path(s), length and the package's copyright file (GPL-2+, CC-BY-SA,
... copied to ``licenses/``). The sources are lossy (Vorbis, Opus): the model learns from what
free music exists. ``music/test`` is never touched: it stays evaluation-only. Train on the
result with ``aecodec train audio --data CACHE/music`` (or beside ``music/train``).
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from aecodec.errors import MediaError
from aecodec.media_audio import encode_audio, read_audio, resample, to_int16
from aecodec.training.debian_packages import (
    default_cache,
    download,
    keep_copyright,
    unpacked,
    version_of,
)

__all__ = ["PACKAGES", "STEM_PACKAGES", "MIN_SECONDS", "RATE", "fetch"]

# Debian packages of game music (main, free licenses; see each copyright file). Rock and metal
# songs with drums, bass and guitars (Frets on Fire), electronic and rock (Nexuiz), orchestral
# and electronic (Warzone 2100): nearer the pop songs of music/test than the training set's
# Sonic Pi loops and Wesnoth's orchestra.
PACKAGES = (
    "fretsonfire-songs-muldjord",
    "fretsonfire-songs-sectoid",
    "nexuiz-music",
    "warzone2100-music",
)
STEM_PACKAGES = {"fretsonfire-songs-muldjord", "fretsonfire-songs-sectoid"}  # mix each folder
MIN_SECONDS = 20.0  # shorter files are jingles and effects, not music
RATE = 44_100  # Hz of the written files
_AUDIO = {".ogg", ".oga", ".opus", ".flac", ".wav"}
_ARCHIVES = {".pk3", ".zip"}


def _decode(data: bytes, name: str) -> np.ndarray | None:
    """File bytes -> float32 [T, C] at RATE (mono or stereo), or None if it is not audio."""
    try:
        x, rate = read_audio(data, name)
    except MediaError:
        return None
    return resample(x, rate, RATE)


def _members(root: Path) -> list[tuple[str, bytes]]:
    """(original path, bytes) of every audio file under root, archives opened."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        suffix = path.suffix.lower()
        original = str(path.relative_to(root))
        if suffix in _AUDIO:
            found.append((original, path.read_bytes()))
        elif suffix in _ARCHIVES:
            with zipfile.ZipFile(path) as archive:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    if Path(info.filename).suffix.lower() in _AUDIO:
                        found.append((f"{original}:{info.filename}", archive.read(info)))
    return found


def _mix(stems: list[np.ndarray]) -> np.ndarray:
    """Sum stems [T_i, C_i] (padded to the longest, stereo if any is), scaled below clipping."""
    length = max(s.shape[0] for s in stems)
    channels = max(s.shape[1] for s in stems)
    out = np.zeros((length, channels), dtype=np.float32)
    for s in stems:
        out[: s.shape[0]] += s if s.shape[1] == channels else np.repeat(s, channels, axis=1)
    peak = float(np.abs(out).max())
    return out * (0.99 / peak) if peak > 0.99 else out


def _tracks_of(root: Path, package: str) -> list[tuple[str, list[str], np.ndarray]]:
    """(name, original paths, samples) of each track of an unpacked package."""
    decoded = [(o, _decode(data, o)) for o, data in _members(root)]
    decoded = [(o, x) for o, x in decoded if x is not None]
    if package not in STEM_PACKAGES:
        return [(Path(o.split(":")[-1]).stem, [o], x) for o, x in decoded]
    folders: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for o, x in decoded:
        folders[str(Path(o).parent)].append((o, x))
    return [
        (Path(folder).name, [o for o, _ in stems], _mix([x for _, x in stems]))
        for folder, stems in sorted(folders.items())
    ]


def _music_of(deb: Path, package: str, out: Path) -> list[dict]:
    rows = []
    with unpacked(deb) as root:
        license_file = keep_copyright(root, package, out)
        for name, originals, x in _tracks_of(root, package):
            seconds = x.shape[0] / RATE
            if seconds < MIN_SECONDS:
                continue
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).lower()
            file = f"{package}-{safe}.flac"
            tmp = out / f".{file}.part"
            tmp.write_bytes(encode_audio(to_int16(x), RATE, "FLAC", "PCM_16"))
            tmp.replace(out / file)
            rows.append(
                {
                    "file": file,
                    "package": package,
                    "version": version_of(deb),
                    "original": originals,
                    "seconds": round(seconds, 2),
                    "channels": int(x.shape[1]),
                    "license": license_file,
                }
            )
    return rows


def fetch(cache: Path, packages: tuple[str, ...] = PACKAGES) -> Path:
    """Download and prepare the music; returns the folder of FLAC files (a training folder)."""
    debs, out = cache / "debs", cache / "music"
    debs.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for package in packages:
        found = _music_of(download(package, debs), package, out)
        minutes = sum(r["seconds"] for r in found) / 60
        print(f"{package}: {len(found)} tracks, {minutes:.1f} min", file=sys.stderr)
        rows += found
    (out / "SOURCES.json").write_text(json.dumps(rows, indent=1) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aecodec.training.fetch_music", description=__doc__)
    p.add_argument("--cache", type=Path, default=default_cache(), help="cache folder")
    a = p.parse_args(argv)
    print(fetch(a.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
