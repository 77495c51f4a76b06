"""Run a fully convolutional transform over a large tensor tile by tile, with a halo.

Each tile is processed with a margin (the halo) wide enough to cover the transform's receptive
field, then cropped, so tiled output equals whole-image output and no seam appears; peak memory
is bounded by the tile size instead of the image size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch
from torch import Tensor

__all__ = ["tile_count", "tiled_analysis", "tiled_synthesis"]


def _spans(length: int, tile: int) -> list[tuple[int, int]]:
    return [(start, min(start + tile, length)) for start in range(0, length, tile)]


def _factors(factor: int | tuple[int, int]) -> tuple[int, int]:
    """(rows, columns) scale of a transform: an int scales both."""
    return (factor, factor) if isinstance(factor, int) else factor


def tile_count(height: int, width: int, tile: int) -> int:
    """Number of tiles over a grid of height x width (grid units)."""
    return len(_spans(height, tile)) * len(_spans(width, tile))


def tiled_analysis(
    fn: Callable[[Tensor], Tensor],
    x: Tensor,
    factor: int | tuple[int, int],
    tile: int,
    halo: int,
    channels: int,
    on_tile: Callable[[], None] | None = None,
) -> Tensor:
    """Downsampling transform, tiled on its output grid.

    x: Tensor[1, C, H, W] with H and W multiples of ``factor`` (an int, or (rows, columns):
    audio runs as one row, Tensor[1, C, 1, T], with factor (1, hop)).
    fn maps Tensor[1, C, h, w] -> Tensor[1, channels, h/fh, w/fw].
    tile, halo: output-grid units (latent pixels). Returns Tensor[1, channels, H/fh, W/fw].
    """
    fh, fw = _factors(factor)
    _, _, H, W = x.shape
    h_out, w_out = H // fh, W // fw
    if h_out <= tile and w_out <= tile:
        return fn(x)
    out = torch.empty(1, channels, h_out, w_out, dtype=x.dtype)
    for y0, y1 in _spans(h_out, tile):
        for x0, x1 in _spans(w_out, tile):
            a0, a1 = max(y0 - halo, 0), min(y1 + halo, h_out)
            b0, b1 = max(x0 - halo, 0), min(x1 + halo, w_out)
            part = fn(x[:, :, a0 * fh : a1 * fh, b0 * fw : b1 * fw])
            out[:, :, y0:y1, x0:x1] = part[:, :, y0 - a0 : y1 - a0, x0 - b0 : x1 - b0]
            if on_tile is not None:
                on_tile()
    return out


@contextmanager
def _single_threaded_kernels() -> Iterator[int]:
    """Run torch ops single-threaded inside; yields the thread count that was set before.

    PyTorch offers no per-call thread count, so this sets the process-wide intra-op count to
    1 for the duration and restores it after (also on error): torch work that other Python
    threads of the same process run meanwhile is single-threaded too. The pool in
    tiled_synthesis puts the cores back to work, one tile per thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield before
    finally:
        torch.set_num_threads(before)


def tiled_synthesis(
    fn: Callable[[Tensor], Tensor],
    y: Tensor,
    factor: int | tuple[int, int],
    tile: int,
    halo: int,
    channels: int,
    sink: Callable[[int, int, int, int, Tensor], None] | None = None,
    on_tile: Callable[[], None] | None = None,
) -> Tensor | None:
    """Upsampling transform, tiled on its input grid, bit-reproducible for any thread count.

    y: Tensor[1, C, h, w]; fn maps Tensor[1, C, h', w'] -> Tensor[1, channels, h'*fh, w'*fw]
    (factor: an int, or (fh, fw)). Returns Tensor[1, channels, h*fh, w*fw], or None when
    ``sink(top, left, bottom, right, tile_out)`` receives each finished tile instead (output
    coordinates), which lets the caller convert tiles as they come and never hold the whole
    float image.

    Float convolution libraries split their sums differently with different thread counts, so
    each tile runs with single-threaded kernels and the tiles run in parallel on a pool as
    large as torch's thread setting: the tile layout depends only on the size of y, and each
    tile's arithmetic is the same whatever the number of workers.
    """
    fh, fw = _factors(factor)
    _, _, h, w = y.shape
    out = None if sink is not None else torch.empty(1, channels, h * fh, w * fw)
    jobs = [(a, b) for a in _spans(h, tile) for b in _spans(w, tile)]

    def run(job: tuple[tuple[int, int], tuple[int, int]]) -> None:
        (y0, y1), (x0, x1) = job
        a0, a1 = max(y0 - halo, 0), min(y1 + halo, h)
        b0, b1 = max(x0 - halo, 0), min(x1 + halo, w)
        with torch.no_grad():  # grad mode is per thread: pool workers do not inherit it
            part = fn(y[:, :, a0:a1, b0:b1])
        crop = part[
            :,
            :,
            (y0 - a0) * fh : (y1 - a0) * fh,
            (x0 - b0) * fw : (x1 - b0) * fw,
        ]
        if sink is not None:
            sink(y0 * fh, x0 * fw, y1 * fh, x1 * fw, crop)
        else:
            out[:, :, y0 * fh : y1 * fh, x0 * fw : x1 * fw] = crop
        if on_tile is not None:
            on_tile()

    with _single_threaded_kernels() as workers:
        if workers <= 1 or len(jobs) == 1:
            for job in jobs:
                run(job)
        else:
            with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
                list(pool.map(run, jobs))
    return out
