"""aecodec against JPEG at matched file sizes, image by image.

For every image and every quality level, the aecodec file is written first; JPEG (Pillow,
4:2:0, optimised Huffman tables) then gets the highest quality whose file is no larger. Both
rates are real file sizes (bpp = bytes x 8 / pixels); PSNR is over RGB at 8 bits. With
``refine`` > 0 aecodec's encoder refines each latent (aecodec/models/latent_refinement.py).
"""

from __future__ import annotations

import multiprocessing
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from aecodec import api, media, zoo
from aecodec.bench.codecs import jpeg
from aecodec.datasets import list_images
from aecodec.metrics import psnr_rgb

__all__ = ["run_jpeg_matched", "markdown_table"]


def _one(pixels: np.ndarray, quality: float, model: str | None, refine: int) -> dict:
    h, w, _ = pixels.shape
    t0 = time.perf_counter()
    data = api.compress_image(pixels, quality, model, refine=refine)
    t1 = time.perf_counter()
    decoded, _ = api.decompress_image(data)
    t2 = time.perf_counter()
    row = {
        "quality": quality,
        "aec_bytes": len(data),
        "aec_bpp": len(data) * 8 / (h * w),
        "aec_psnr": psnr_rgb(pixels, decoded),
        "encode_s": t1 - t0,
        "decode_s": t2 - t1,
    }
    match = jpeg.encode_at_most(pixels, len(data))
    if match is None:
        row.update(jpeg_bytes=None, jpeg_bpp=None, jpeg_psnr=None, jpeg_quality=None)
    else:
        jdata, q = match
        row.update(
            jpeg_bytes=len(jdata),
            jpeg_bpp=len(jdata) * 8 / (h * w),
            jpeg_psnr=psnr_rgb(pixels, jpeg.decode(jdata)),
            jpeg_quality=q,
        )
    return row


def _image_rows(path: Path, qualities: list[float], model: str | None, refine: int) -> list[dict]:
    pixels = media.read_image(path)
    return [{"image": path.name, **_one(pixels, q, model, refine)} for q in qualities]


def _init_worker() -> None:
    torch.set_num_threads(1)  # parallelism comes from the processes


def run_jpeg_matched(
    data_dir: str | Path,
    qualities: list[float],
    model: str | None = None,
    progress=None,
    refine: int = 0,
    jobs: int = 1,
) -> dict:
    """Per-image rows and per-quality summaries (JSON-ready).

    refine: latent refinement iterations for aecodec's encoder (0: off); jobs: processes over
    images (each runs torch on one thread).
    """
    _, entry = zoo.load(model)
    images = list_images(data_dir)
    rows = []
    if jobs <= 1:
        for path in images:
            rows.extend(_image_rows(path, qualities, entry.name, refine))
            if progress:
                progress()
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker) as pool:
            futures = [pool.submit(_image_rows, p, qualities, entry.name, refine) for p in images]
            for future in futures:
                rows.extend(future.result())
                if progress:
                    progress()
    summary = []
    for q in qualities:
        sel = [r for r in rows if r["quality"] == q]
        matched = [r for r in sel if r["jpeg_psnr"] is not None]
        summary.append(
            {
                "quality": q,
                "images": len(sel),
                "aec_bpp": statistics.mean(r["aec_bpp"] for r in sel),
                "aec_psnr": statistics.mean(r["aec_psnr"] for r in sel),
                "jpeg_bpp": statistics.mean(r["jpeg_bpp"] for r in matched) if matched else None,
                "jpeg_psnr": statistics.mean(r["jpeg_psnr"] for r in matched) if matched else None,
                "no_jpeg_fits": len(sel) - len(matched),
                "aec_wins": sum(
                    1 for r in sel if r["jpeg_psnr"] is None or r["aec_psnr"] > r["jpeg_psnr"]
                ),
                "encode_plus_decode_s": statistics.mean(r["encode_s"] + r["decode_s"] for r in sel),
            }
        )
    return {
        "name": "aecodec-vs-jpeg-matched-size",
        "description": __doc__.strip().splitlines()[0],
        "data": str(data_dir),
        "model": entry.name,
        "model_sha256": entry.sha256,
        "refine": refine,
        "jpeg": jpeg.settings("4:2:0") | {"optimize": True},
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "threads": torch.get_num_threads(),
        },
        "summary": summary,
        "rows": rows,
    }


def markdown_table(result: dict) -> str:
    lines = [
        "| quality | aecodec bpp | aecodec PSNR (dB) | JPEG bpp | JPEG PSNR (dB) | "
        "images where aecodec wins | enc+dec time (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["summary"]:
        jb = f"{s['jpeg_bpp']:.3f}" if s["jpeg_bpp"] is not None else "-"
        jp = f"{s['jpeg_psnr']:.2f}" if s["jpeg_psnr"] is not None else "-"
        lines.append(
            f"| {s['quality']:g} | {s['aec_bpp']:.3f} | {s['aec_psnr']:.2f} | {jb} | {jp} | "
            f"{s['aec_wins']}/{s['images']} | {s['encode_plus_decode_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"
