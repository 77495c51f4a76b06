"""Write the decoded reference of every golden .aec file that has none yet:

    uv run python tests/data/make_golden_refs.py
    uv run python tests/data/make_golden_refs.py --compare   # how far today's decodes are off

NAME.aec -> NAME.ref.npz: audio as the decoded int16 samples, images as uint8 pixels.
The golden tests compare later decodes with these within a small tolerance: the entropy-coded
symbols decode exactly everywhere, but the float synthesis transforms run on kernels chosen by
the CPU's instruction set (AVX2, AVX-512, ...), which round differently in the last bits.
Existing references are never rewritten.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from aecodec import api, audio_codec

HERE = Path(__file__).parent / "golden"


def reference(path: Path) -> dict[str, np.ndarray]:
    """Decoded content of one golden .aec file, as stored in its .ref.npz."""
    data = path.read_bytes()
    if path.name.startswith(("speech-", "music-")):
        samples, _ = audio_codec.decompress_audio(data)
        return {"samples": np.asarray(samples, dtype=np.int16)}
    pixels, _ = api.decompress_image(data)
    return {"pixels": np.asarray(pixels, dtype=np.uint8)}


def deviation(path: Path, decoded: np.ndarray | None = None) -> tuple[int, float]:
    """How far a golden file decodes from its stored reference: (largest difference in int16
    samples or uint8 pixel levels, fraction of values that differ at all). ``decoded``: the
    file's decoded samples or pixels when the caller has them already (else decoded here)."""
    ref = np.load(path.with_suffix(".ref.npz"))
    now = reference(path) if decoded is None else {ref.files[0]: decoded}
    key = ref.files[0]
    diff = np.abs(np.asarray(now[key]).astype(np.int32) - ref[key].astype(np.int32))
    return int(diff.max()), float((diff > 0).mean())


def main() -> int:
    if "--compare" in sys.argv[1:]:
        for path in sorted(HERE.glob("*.aec")):
            largest, fraction = deviation(path)
            print(f"{path.name}: max {largest}, {100 * fraction:.3f}% of values differ")
        return 0
    for path in sorted(HERE.glob("*.aec")):
        ref = path.with_suffix(".ref.npz")
        if ref.exists():
            continue
        np.savez_compressed(ref, **reference(path))
        print(f"wrote {ref.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
