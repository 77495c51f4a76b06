"""Fuzz the decoder: ``python -m aecodec.bench.fuzz --cases 100000``.

Mutates real coded files (a small image, mono and stereo audio of the default models) the way
an attacker or a broken disk would: bit flips, truncation, insertion and deletion of bytes,
header fields set to extremes, payload bytes replaced; each mutation also with the CRC
recomputed (so it reaches the entropy decoder). Every case is decoded in a worker process that
is watched from outside: a worker that dies (a crash), runs over ``--timeout`` seconds (a hang)
or grows past ``--max-gb`` of resident memory (its peak is reset before each case) is counted
and replaced. Prints one JSON object: counts of clean rejections, accepted files, crashes,
hangs, memory peaks, unexpected exceptions (tracebacks a user would see), and mutations that
left the bytes unchanged (not decoded).
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
from tqdm import tqdm

__all__ = ["mutate", "seed_files", "main"]

_CRC = struct.Struct("!I")
_MUTATIONS = ("flip", "truncate", "insert", "delete", "field", "payload")


def _with_crc(body: bytes) -> bytes:
    return body + _CRC.pack(zlib.crc32(body))


def _header_end(data: bytes) -> int:
    """Offset of the first payload byte of an .aec file (format 1 or 2)."""
    sections = data[7]
    return 8 + data[6] + 8 + 4 + 9 + 4 * sections


def mutate(data: bytes, rng: np.random.Generator) -> tuple[bytes, str, bool]:
    """One random mutation of a valid file -> (bytes, mutation name, CRC recomputed?)."""
    kind = _MUTATIONS[int(rng.integers(len(_MUTATIONS)))]
    fix_crc = bool(rng.integers(2))
    body = bytearray(data[:-4] if fix_crc else data)
    n = len(body)
    if kind == "flip":
        for _ in range(int(rng.integers(1, 9))):
            pos = int(rng.integers(n * 8))
            body[pos // 8] ^= 1 << (pos % 8)
    elif kind == "truncate":
        del body[int(rng.integers(n)) :]
    elif kind == "insert":
        pos = int(rng.integers(n + 1))
        body[pos:pos] = rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
    elif kind == "delete":
        pos = int(rng.integers(n))
        del body[pos : pos + int(rng.integers(1, 64))]
    elif kind == "field":  # a header field at an extreme value
        offsets = [4, 5, 6, 7, 8 + data[6] + 8, 8 + data[6] + 12, 8 + data[6] + 16]
        pos = offsets[int(rng.integers(len(offsets)))]
        width = 1 if pos < 8 or pos == 8 + data[6] + 20 else 4
        value = [0, 1, 0xFF, 0x7F][int(rng.integers(4))]
        body[pos : pos + width] = bytes([value]) * width
    else:  # payload bytes replaced
        start = min(_header_end(data), n - 1)
        for _ in range(int(rng.integers(1, 5))):
            body[int(rng.integers(start, n))] = int(rng.integers(256))
    out = bytes(body)
    return (_with_crc(out) if fix_crc else out), kind, fix_crc


def seed_files() -> list[bytes]:
    """Valid files to mutate: a 64x48 image and 0.5 s of mono and stereo speech and music."""
    from importlib import resources

    from aecodec import api, audio_codec, media

    photo = resources.files("aecodec").joinpath("data/demo.png").read_bytes()
    pixels = media.read_image(photo, "demo.png")
    seeds = [api.compress_image(pixels[:48, :64].copy(), q) for q in (1.0, 4.5)]
    for rate in (16000, 44100):
        t = np.arange(rate // 2) / rate
        tone = (0.3 * np.sin(2 * np.pi * 330 * t) * np.exp(-3 * t)).astype(np.float32)
        seeds.append(audio_codec.compress_audio(tone[:, None], rate, 2.0))
        stereo = np.stack([tone, 0.5 * tone], axis=1)
        seeds.append(audio_codec.compress_audio(stereo, rate, 3.0))
    return seeds


_WORKER = r"""
import struct, sys, warnings
warnings.filterwarnings("ignore")
from aecodec import api, audio_codec, bitstream
from aecodec.errors import AecodecError
out = sys.stdout.buffer
inp = sys.stdin.buffer
out.write(b"R"); out.flush()
while True:
    head = inp.read(4)
    if len(head) < 4:
        break
    data = inp.read(struct.unpack("!I", head)[0])
    try:
        header = bitstream.decode(data)
        if header.kind == bitstream.KIND_AUDIO:
            audio_codec.decompress_audio(data)
        else:
            api.decompress_image(data)
        answer = b"A"
    except (AecodecError, bitstream.BitstreamError, MemoryError):
        answer = b"J"
    except Exception as e:
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        answer = b"E"
    out.write(answer); out.flush()
"""


class _Worker:
    """A decoding process watched from outside (peak memory from /proc, a wall-clock limit)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        if self.proc.stdout.read(1) != b"R":
            raise RuntimeError("fuzz worker failed to start")

    def _peak_gb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1e6
        except OSError:
            pass
        return 0.0

    def _reset_peak(self) -> None:
        try:
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def run(self, data: bytes, timeout: float, max_gb: float) -> str:
        """'rejected', 'accepted', 'exception', 'crash', 'hang' or 'memory'."""
        import select

        self._reset_peak()
        self.proc.stdin.write(struct.pack("!I", len(data)) + data)
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.05)
            if self._peak_gb() > max_gb:
                self.kill()
                return "memory"
            if ready:
                answer = self.proc.stdout.read(1)
                if not answer:
                    self.proc.wait()
                    return "crash"
                return {b"J": "rejected", b"A": "accepted", b"E": "exception"}[answer]
            if time.monotonic() > deadline:
                self.kill()
                return "hang"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def alive(self) -> bool:
        return self.proc.poll() is None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aecodec.bench.fuzz", description=__doc__)
    p.add_argument("--cases", type=int, default=10000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per case (a hang)")
    p.add_argument("--max-gb", type=float, default=2.0, help="resident memory cap per case")
    p.add_argument("--out", help="also write the JSON summary here")
    a = p.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    seeds = seed_files()
    keys = ("unchanged", "rejected", "accepted", "exception", "crash", "hang", "memory")
    counts = {k: 0 for k in keys}
    crc_valid = {"cases": 0, "rejected": 0}
    by_mutation: dict[str, dict[str, int]] = {}
    worker = _Worker()
    t0 = time.monotonic()
    for _ in tqdm(range(a.cases), disable=not sys.stderr.isatty(), unit="case"):
        seed = seeds[int(rng.integers(len(seeds)))]
        data, kind, fixed = mutate(seed, rng)
        # a mutation that happens to restore the bytes (a field set to its own value, a bit
        # flipped twice) is no test of the decoder: counted apart, not decoded
        result = "unchanged" if data == seed else worker.run(data, a.timeout, a.max_gb)
        counts[result] += 1
        row = by_mutation.setdefault(f"{kind}{'+crc' if fixed else ''}", {})
        row[result] = row.get(result, 0) + 1
        if fixed and kind in ("flip", "payload") and result != "unchanged":
            crc_valid["cases"] += 1
            crc_valid["rejected"] += result == "rejected"
        if not worker.alive():
            worker = _Worker()
    worker.kill()
    crc_cases = sum(v for k, r in by_mutation.items() if "+crc" in k for v in r.values())
    summary = {
        "cases": a.cases,
        "seed": a.seed,
        "seconds": round(time.monotonic() - t0, 1),
        **counts,
        "crc_valid_cases": crc_cases,
        "crc_valid_content_corruptions": crc_valid,
        "by_mutation": by_mutation,
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")
    return 0 if counts["crash"] == counts["hang"] == counts["memory"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
