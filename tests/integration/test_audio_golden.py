"""Frozen audio .aec files keep decoding to the same samples in every later version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from aecodec import audio_api

GOLDEN = Path(__file__).parents[1] / "data" / "golden"


def test_golden_audio_files_decode_to_frozen_samples() -> None:
    manifest_path = GOLDEN / "audio-expected.json"
    assert manifest_path.exists(), "golden audio missing: run tests/data/make_golden_audio.py"
    manifest = json.loads(manifest_path.read_text())
    assert len(manifest) >= 4  # speech and music, mono and stereo
    for name, expected in manifest.items():
        samples, header = audio_api.decompress_audio((GOLDEN / name).read_bytes())
        assert header.model == expected["model"]
        assert list(samples.shape) == expected["shape"]
        digest = hashlib.sha256(samples.tobytes()).hexdigest()
        assert digest == expected["samples_sha256"], f"{name} decodes differently"
