"""Frozen audio .aec files keep decoding to the same samples in every later version.

The entropy-coded symbols decode exactly on any machine; the float synthesis runs on kernels
picked by the CPU's instruction set, which may round the last bit differently, so the decoded
int16 samples must match the stored reference (tests/data/make_golden_refs.py) to within 1 LSB
with at most 1% of them off by one: a real change of model or decoder moves far more.
"""

from __future__ import annotations

import json
from pathlib import Path

from aecodec import audio_codec

GOLDEN = Path(__file__).parents[1] / "data" / "golden"


def test_golden_audio_files_decode_to_frozen_samples(golden_deviation) -> None:
    manifest_path = GOLDEN / "audio-expected.json"
    assert manifest_path.exists(), "golden audio missing: run tests/data/make_golden_audio.py"
    manifest = json.loads(manifest_path.read_text())
    assert len(manifest) >= 4  # speech and music, mono and stereo
    for name, expected in manifest.items():
        samples, header = audio_codec.decompress_audio((GOLDEN / name).read_bytes())
        assert header.model == expected["model"]
        assert list(samples.shape) == expected["shape"]
        largest, fraction = golden_deviation(GOLDEN / name, samples)
        assert largest <= 1 and fraction <= 0.01, f"{name} decodes differently"
