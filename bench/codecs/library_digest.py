"""A digest of aecodec's own source, recorded with every aecodec row of a benchmark.

The version names a release, but rows measured between releases (a decoder change in a working
tree, say) would otherwise look identical to ``--reuse``; with the digest, any change to the
library's code reruns aecodec's rows.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import aecodec

__all__ = ["aecodec_source_digest"]


@lru_cache(maxsize=4)
def aecodec_source_digest(root: Path | None = None) -> str:
    """First 16 hex digits of sha256 over the .py files under ``root`` (default: the aecodec
    package; cli/ and bench/ are not part of it), by relative path and bytes, sorted by path."""
    root = root or Path(aecodec.__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:16]
