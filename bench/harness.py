"""Run image codecs over a folder: real file sizes, PSNR, MS-SSIM, timings, per image.

Results follow CompressAI's JSON format (``name``, ``description``, ``results`` with lists
``bpp``, ``psnr-rgb``, ``ms-ssim-rgb``, ``encoding_time``, ``decoding_time``), one entry per
sweep point, each the mean over the images; ``per_image`` keeps every measurement.
"""

from __future__ import annotations

import math
import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from aecodec import media
from aecodec.bench.codecs.base import ImageCodec
from aecodec.metrics import ms_ssim_db, ms_ssim_rgb, psnr_rgb

__all__ = ["measure_image", "run_codec"]


def measure_image(codec: ImageCodec, path: Path) -> list[dict]:
    """Every sweep point of one codec on one image (bpp from the real encoded bytes)."""
    pixels = media.read_image(path)
    h, w, _ = pixels.shape
    rows = []
    for param in codec.params:
        t0 = time.perf_counter()
        data = codec.encode(pixels, param)
        t1 = time.perf_counter()
        decoded = codec.decode(data)
        t2 = time.perf_counter()
        if decoded.shape != pixels.shape:
            raise RuntimeError(f"{codec.name} decoded {decoded.shape}, expected {pixels.shape}")
        msssim = ms_ssim_rgb(pixels, decoded)
        rows.append(
            {
                "image": path.name,
                "param": param,
                "bytes": len(data),
                "bpp": len(data) * 8 / (h * w),
                "psnr-rgb": psnr_rgb(pixels, decoded),
                "ms-ssim-rgb": msssim,
                "ms-ssim-rgb-db": ms_ssim_db(msssim) if not math.isnan(msssim) else math.nan,
                "encoding_time": t1 - t0,
                "decoding_time": t2 - t1,
            }
        )
    return rows


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)  # parallelism comes from the processes


def run_codec(
    codec: ImageCodec,
    images: list[Path],
    jobs: int = 1,
    progress: Callable[[], None] | None = None,
    data_label: str = "",
) -> dict:
    """Measure one codec on all images (``jobs`` processes) -> CompressAI-style results."""
    rows: list[dict] = []
    if jobs <= 1:
        for path in images:
            rows.extend(measure_image(codec, path))
            if progress:
                progress()
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker) as pool:
            futures = [pool.submit(measure_image, codec, p) for p in images]
            for f in futures:
                rows.extend(f.result())
                if progress:
                    progress()
    keys = ["bpp", "psnr-rgb", "ms-ssim-rgb", "ms-ssim-rgb-db", "encoding_time", "decoding_time"]
    results: dict[str, list[float]] = {k: [] for k in ["param", *keys]}
    for param in codec.params:
        sel = [r for r in rows if r["param"] == param]
        results["param"].append(param)
        for k in keys:
            values = [r[k] for r in sel if not math.isnan(r[k])]
            results[k].append(statistics.mean(values) if values else math.nan)
    order = np.argsort(results["bpp"])
    results = {k: [v[i] for i in order] for k, v in results.items()}
    return {
        "name": codec.name,
        "description": f"{codec.name} on {data_label or 'images'} ({len(images)} images)",
        "settings": codec.settings(),
        "data": data_label,
        "images": len(images),
        "results": results,
        "per_image": rows,
    }
