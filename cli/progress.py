"""Progress bars on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

__all__ = ["progress_bar", "file_bar"]


@contextmanager
def _bar(total: int, desc: str, unit: str) -> Iterator[Callable[[], None] | None]:
    """A tick callback, or None when stderr is not a terminal or there is one step."""
    if total <= 1 or not sys.stderr.isatty():
        yield None
        return
    bar = tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr)
    try:
        yield lambda: bar.update(1)
    finally:
        bar.close()


def progress_bar(total: int, desc: str):
    """Yields a tick callback per tile (or None: callers then skip the callback)."""
    return _bar(total, desc, "tile")


@contextmanager
def file_bar(total: int, desc: str) -> Iterator[Callable[[], None]]:
    """Yields a step callback for a bar over files (a no-op when there is no bar)."""
    with _bar(total, desc, "file") as tick:
        yield tick or (lambda: None)
