"""Write the decoded reference of every golden .aec file that has none yet:

    uv run python tests/data/make_golden_refs.py

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

from aecodec import api, audio_api

HERE = Path(__file__).parent / "golden"


def reference(path: Path) -> dict[str, np.ndarray]:
    """Decoded content of one golden .aec file, as stored in its .ref.npz."""
    data = path.read_bytes()
    if path.name.startswith(("speech-", "music-")):
        samples, _ = audio_api.decompress_audio(data)
        return {"samples": np.asarray(samples, dtype=np.int16)}
    pixels, _ = api.decompress_image(data)
    return {"pixels": np.asarray(pixels, dtype=np.uint8)}


def main() -> int:
    for path in sorted(HERE.glob("*.aec")):
        ref = path.with_suffix(".ref.npz")
        if ref.exists():
            continue
        np.savez_compressed(ref, **reference(path))
        print(f"wrote {ref.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
