"""Add golden audio .aec files for the registered audio models; run ONLY for a new model:

    uv run python tests/data/make_golden_audio.py

Existing golden files are never rewritten: every later version must decode them to the same
samples (tests/integration/test_audio_golden.py). The signals are synthetic and seeded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import make_golden_refs
import numpy as np

from aecodec import audio_codec, bitstream, zoo

HERE = Path(__file__).parent / "golden"
MANIFEST = HERE / "audio-expected.json"


def signal(seconds: float, rate: int, channels: int) -> np.ndarray:
    """Harmonic tone with a syllable envelope plus seeded noise, np.ndarray[T, C] float32."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(150 + 40 * np.sin(2 * np.pi * 0.5 * t)) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 10)) * np.abs(np.sin(2 * np.pi * 2 * t))
    x = 0.1 * x + 0.005 * rng.standard_normal(t.size)
    return np.stack([x * (1 - 0.4 * c) for c in range(channels)], 1).astype(np.float32)


def format_tag() -> str:
    """'' for format-1 files (their names predate the tag), '-f2' etc. for later formats."""
    return "" if bitstream.VERSION == 1 else f"-f{bitstream.VERSION}"


def main() -> int:
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    for entry in zoo.registry().values():
        if entry.kind != "audio":
            continue
        rate = entry.config["sample_rate"]
        cases = [(1, 1.0), (2, 3.5)]
        if entry.config.get("min_quality", 1.0) < 1.0:  # the coarser steps below level 1
            cases.append((1, 0.5))
        top = entry.config.get("max_quality", 0.0)
        if top > entry.config["levels"]:  # the finer steps above the top level
            cases.append((1, (entry.config["levels"] + top) / 2))
        for channels, quality in cases:
            path = HERE / f"{entry.name}{format_tag()}-{channels}ch-q{quality:g}.aec"
            if path.exists():
                print(f"keeping existing {path.name}", file=sys.stderr)
                continue
            data = audio_codec.compress_audio(
                signal(1.5, rate, channels), rate, quality, entry.name
            )
            samples, header = audio_codec.decompress_audio(data)
            path.write_bytes(data)
            manifest[path.name] = {
                "model": header.model,
                "shape": list(samples.shape),
            }
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return make_golden_refs.main()  # the decoded references the golden tests compare with


if __name__ == "__main__":
    sys.exit(main())
