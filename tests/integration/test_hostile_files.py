"""Files made by an attacker (fields edited, CRC recomputed) and careless commands: one line and
exit 2, bounded time and memory, the input never lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec import api, audio_codec
from aecodec.errors import AecodecError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from forge import geometry_offset, with_crc, with_geometry  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "golden"


# VmHWM, not getrusage: ru_maxrss survives exec, so a child of a large pytest process would
# report the parent's size.
_MEASURED = """
import sys
from aecodec.cli.main import main
status = main(sys.argv[1:])
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print("PEAK_KB=%d" % int(hwm[0].split()[1]))
sys.exit(status)
"""


def _decompress_cli(path: Path, out: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``aecodec decompress`` in a fresh process; (result, seconds, its peak memory in GB)."""
    t0 = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, "decompress", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    seconds = time.monotonic() - t0
    peak = [int(x.split("=")[1]) for x in result.stdout.split() if x.startswith("PEAK_KB=")]
    return result, seconds, peak[0] / 1e6


def _assert_one_line_refusal(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "Warning" not in line]
    lines = [line for line in lines if not line.startswith("  warnings.warn")]
    assert len(lines) == 1 and lines[0].startswith("aecodec: error:"), result.stderr


def _small_image_file(demo_pixels: np.ndarray) -> bytes:
    return api.compress_image(demo_pixels[:48, :64].copy(), 3.0)


@pytest.mark.parametrize("source", ["format1", "format2"])
def test_small_file_claiming_65535x1_pixels_is_refused(
    source: str, tmp_path: Path, demo_pixels: np.ndarray
) -> None:
    if source == "format1":
        data = (GOLDEN / "hyperprior-v4-demo-crop-q1.aec").read_bytes()
    else:
        data = _small_image_file(demo_pixels)
    forged = tmp_path / "forged.aec"
    forged.write_bytes(with_geometry(data, 65535, 1))
    result, seconds, _ = _decompress_cli(forged, tmp_path / "out.png")
    _assert_one_line_refusal(result)
    assert "corrupted" in result.stderr
    assert not (tmp_path / "out.png").exists()
    assert seconds < 60  # 10 s on a quiet machine; CI runs tests in parallel with other work


@pytest.mark.parametrize("source", ["format1", "format2"])
def test_speech_file_claiming_four_hours_is_refused_in_bounded_memory(
    source: str, tmp_path: Path
) -> None:
    if source == "format1":
        data = (GOLDEN / "speech-v3-1ch-q1.aec").read_bytes()
    else:
        t = np.arange(8000) / 16000
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[:, None]
        data = audio_codec.compress_audio(tone, 16000, 1.0)
    assert len(data) < 3000
    forged = tmp_path / "forged.aec"
    forged.write_bytes(with_geometry(data, 1000, 14_400_000))  # 4 hours at 1 kHz
    result, seconds, peak_gb = _decompress_cli(forged, tmp_path / "out.wav")
    _assert_one_line_refusal(result)
    assert peak_gb < 2.0
    assert seconds < 60


def test_payload_corruptions_with_valid_crc_are_almost_all_refused(
    demo_pixels: np.ndarray,
) -> None:
    data = api.compress_image(demo_pixels[:128, :128].copy(), 4.0)
    payload_start = geometry_offset(data) + 9 + 2 * 4
    rng = np.random.default_rng(7)
    refused = 0
    cases = 200
    for _ in range(cases):
        body = bytearray(data[:-4])
        pos = int(rng.integers(payload_start, len(body)))
        body[pos] ^= int(rng.integers(1, 256))
        try:
            api.decompress_image(with_crc(body))
        except AecodecError:
            refused += 1
    assert refused >= 0.95 * cases


def test_compress_refuses_to_write_over_its_input(tmp_path: Path, demo_pixels: np.ndarray) -> None:
    photo = tmp_path / "photo.png"
    Image.fromarray(demo_pixels[:64, :64].copy()).save(photo)
    before = photo.read_bytes()
    link = tmp_path / "link.png"
    os.link(photo, link)
    for out in (photo, link):  # the same path, and the same inode under another name
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "aecodec.cli.main",
                "compress",
                str(photo),
                "-o",
                str(out),
                "-f",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )
        _assert_one_line_refusal(result)
        assert "is the input file" in result.stderr
    assert photo.read_bytes() == before


def test_outputs_get_the_mode_of_a_normal_write(tmp_path: Path, demo_pixels: np.ndarray) -> None:
    from aecodec.files import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.bin", b"x", force=False)
    finally:
        os.umask(old)
    assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o644


def test_missing_output_folder_is_named_as_the_user_wrote_it(tmp_path: Path) -> None:
    from aecodec.files import write_atomic

    target = tmp_path / "nowhere" / "x.aec"
    with pytest.raises(AecodecError, match="nowhere"):
        write_atomic(target, b"x", force=False)


def test_thousands_of_mutated_files_never_escape_as_crashes_or_tracebacks() -> None:
    from aecodec import bitstream
    from aecodec.bench.fuzz import mutate, seed_files

    rng = np.random.default_rng(2026)
    seeds = seed_files()
    outcomes = {"rejected": 0, "accepted": 0}
    for _ in range(3000):
        data, _, _ = mutate(seeds[int(rng.integers(len(seeds)))], rng)
        try:
            if bitstream.decode(data).kind == bitstream.KIND_AUDIO:
                audio_codec.decompress_audio(data)
            else:
                api.decompress_image(data)
            outcomes["accepted"] += 1
        except (AecodecError, bitstream.BitstreamError):
            outcomes["rejected"] += 1
    assert outcomes["rejected"] >= 0.99 * 3000
