"""Progress bars on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

__all__ = ["progress_bar", "file_bar"]


@contextmanager
def progress_bar(total: int, desc: str) -> Iterator[Callable[[], None] | None]:
    """Yields a tick callback (or None when stderr is not a terminal or there is one step)."""
    if total <= 1 or not sys.stderr.isatty():
        yield None
        return
    bar = tqdm(total=total, desc=desc, unit="tile", leave=False, file=sys.stderr)
    try:
        yield lambda: bar.update(1)
    finally:
        bar.close()


@contextmanager
def file_bar(total: int, desc: str) -> Iterator[Callable[[], None]]:
    """Yields a step callback for a bar over files (a no-op when stderr is not a terminal)."""
    if total <= 1 or not sys.stderr.isatty():
        yield lambda: None
        return
    bar = tqdm(total=total, desc=desc, unit="file", leave=False, file=sys.stderr)
    try:
        yield lambda: bar.update(1)
    finally:
        bar.close()
