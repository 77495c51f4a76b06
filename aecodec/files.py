"""Reading inputs and writing outputs: the one atomic writer every command uses.

Rules: an input is only read; an output is written to a temporary file in its folder and
renamed over the target, so a crash or a kill never leaves a partial file; an existing file is
replaced only with ``force``; the output can never be the input (same path or same inode, with
``force`` or not); the file gets the mode an ordinary write would give (0666 & ~umask).
Errors name the user's path, never a temporary one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from aecodec.errors import AecodecError

__all__ = ["read_input", "check_output", "write_atomic", "write_output"]


def read_input(src: str | Path) -> bytes:
    """The bytes of a file, or of stdin for '-'; one-line AecodecError if unreadable."""
    if str(src) == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(src).read_bytes()
    except FileNotFoundError:
        raise AecodecError(f"{src}: no such file") from None
    except IsADirectoryError:
        raise AecodecError(f"{src}: is a directory") from None
    except PermissionError:
        raise AecodecError(f"{src}: permission denied") from None


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(dst: str | Path, force: bool, src: str | Path | None = None) -> None:
    """Refuse, before any work, an output that would replace the input or an existing file
    (without ``force``), or that lies in a folder that does not exist."""
    if str(dst) == "-":
        return
    path = Path(dst)
    if src is not None and str(src) != "-" and path.exists() and _same_file(Path(src), path):
        raise AecodecError(f"{dst} is the input file: choose another output")
    if path.is_dir():
        raise AecodecError(f"{dst} is a directory")
    if path.exists() and not force:
        raise FileExistsError(f"{dst} exists (use -f to overwrite)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AecodecError(f"{dst}: folder {parent} does not exist")


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | Path, data: bytes, force: bool, src: str | Path | None = None) -> None:
    """Write ``data`` via a temporary file in the same folder and rename (see module doc)."""
    path = Path(path)
    check_output(path, force, src)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except PermissionError:
        raise AecodecError(f"{path}: permission denied") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_output(dst: str | Path, data: bytes, force: bool, src: str | Path | None = None) -> None:
    """``write_atomic``, or stdout for '-'."""
    if str(dst) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(dst, data, force, src)
