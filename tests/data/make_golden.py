"""Add golden .aec files for the default model; run ONLY when a format version or model is new:

    uv run python tests/data/make_golden.py

Existing golden files must never be rewritten: later versions must decode them to the same
pixels (tests/integration/test_determinism.py). This script refuses to overwrite any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import make_golden_refs
import numpy as np

from aecodec import api, bitstream, media, zoo

HERE = Path(__file__).parent / "golden"
DEMO = Path(__file__).resolve().parents[2] / "aecodec" / "data" / "demo.png"


def cases() -> dict[str, tuple[np.ndarray, float]]:
    demo = media.read_image(DEMO)
    yy, xx = np.mgrid[0:70, 0:90]
    gradient = np.stack([yy * 3, xx * 2, (yy + xx) % 256], -1).astype(np.uint8)
    return {
        "demo-crop-q1": (np.ascontiguousarray(demo[100:228, 150:278]), 1.0),
        "demo-crop-q6": (np.ascontiguousarray(demo[:136, :200]), 6.0),
        "gradient-q3.25": (gradient, 3.25),
    }


def format_tag() -> str:
    """'' for format-1 files (their names predate the tag), '-f2' etc. for later formats."""
    return "" if bitstream.VERSION == 1 else f"-f{bitstream.VERSION}"


def main() -> int:
    HERE.mkdir(parents=True, exist_ok=True)
    manifest_path = HERE / "expected.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    model = zoo.default_model("image").name
    for name, (pixels, quality) in cases().items():
        path = HERE / f"{model}{format_tag()}-{name}.aec"
        if path.exists():
            print(f"keeping existing {path.name}", file=sys.stderr)
            continue
        data = api.compress_image(pixels, quality)
        decoded, header = api.decompress_image(data)
        path.write_bytes(data)
        manifest[path.name] = {
            "model": header.model,
            "shape": list(decoded.shape),
        }
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return make_golden_refs.main()  # the decoded references the golden tests compare with


if __name__ == "__main__":
    sys.exit(main())
