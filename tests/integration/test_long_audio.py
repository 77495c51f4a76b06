"""A 10-minute recording codes faster than real time with peak memory under 2 GB (slow)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aecodec.media_audio import read_audio, resample

HERE = Path(__file__).parent
DATA = HERE.parents[1].parent / "shared" / "data"


def ten_minutes(folder: Path, rate: int, channels: int) -> np.ndarray:
    """10 minutes of real recordings from ``folder``, concatenated and repeated."""
    parts, total = [], 0
    files = sorted(folder.iterdir())
    while total < 600 * rate:
        for path in files:
            x, r = read_audio(path)
            x = resample(x, r, rate)
            x = x if x.shape[1] == channels else np.repeat(x[:, :1], channels, 1)
            parts.append(x)
            total += x.shape[0]
            if total >= 600 * rate:
                break
    return np.concatenate(parts)[: 600 * rate]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "rate", "channels"), [("speech", 16000, 1), ("music", 44100, 2)])
def test_ten_minutes_code_faster_than_real_time_under_2_gb(
    kind: str, rate: int, channels: int, tmp_path: Path
) -> None:
    folder = DATA / kind / "test"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    src = tmp_path / f"{kind}.flac"
    sf.write(src, ten_minutes(folder, rate, channels), rate, subtype="PCM_16")
    res = subprocess.run(
        [sys.executable, str(HERE / "long_audio_worker.py"), str(src), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    report = json.loads(res.stdout.strip().splitlines()[-1])
    print(kind, report)
    assert report["seconds"] == pytest.approx(600)
    assert report["encode_s"] + report["decode_s"] < 600
    assert report["peak_rss_mb"] < 2048
