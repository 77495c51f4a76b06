"""Decoding of format-1 sections (CompressAI's rANS), isolated in a child process.

Format-1 files were entropy-coded with CompressAI's C++ rANS coder, whose decoder trusts its
input: a crafted file makes it read past the end of the string and crash the process
(segmentation fault). Those files must keep decoding, so the decoder runs in a forked child
that only turns bytes into symbol arrays (no torch, no threads) and sends them back through a
pipe; a crash, a hang or an oversized answer there is a clean CodingError here.
Format-2 files use ans_coding.py (memory-safe) and never come here.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable

import numpy as np

from aecodec.models.ans_coding import CodingError

__all__ = ["run_isolated", "LEGACY_TIMEOUT_S"]

LEGACY_TIMEOUT_S = 60.0


def _read_all(fd: int, deadline: float) -> bytes:
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_isolated(decode: Callable[[], np.ndarray], count: int) -> np.ndarray:
    """Run ``decode`` (-> int32 array of ``count`` symbols) in a forked child; its result.

    Raises CodingError if the child crashes, times out or answers anything but ``count``
    int32 values.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: decode, send, exit without running any Python clean-up
        os.close(read_fd)
        status = 1
        try:
            data = np.ascontiguousarray(decode(), dtype="<i4").tobytes()
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        data = _read_all(read_fd, time.monotonic() + LEGACY_TIMEOUT_S)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise CodingError("format-1 section: the entropy decoder did not finish") from None
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or len(data) != 4 * count:
        raise CodingError("format-1 section is corrupted (its entropy decoder failed)")
    return np.frombuffer(data, dtype="<i4").astype(np.int32)
