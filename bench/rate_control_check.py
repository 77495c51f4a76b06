"""Does ``--bpp TARGET`` hit the target on every image? Real files, relative error per image."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aecodec import media, zoo
from aecodec.api import compress_image_to_bpp
from aecodec.errors import ModelError

__all__ = ["check_rate_control", "rate_control_table"]


def check_rate_control(
    paths: list[Path],
    target_bpp: float,
    model: str | None = None,
    tick: Callable[[], None] = lambda: None,
) -> dict:
    """Per image: the file's real bpp, its relative error to the target and the quality used
    (or the error message when the target is out of the model's reach)."""
    rows = []
    for path in paths:
        pixels = media.read_image(path)
        pixel_count = pixels.shape[0] * pixels.shape[1]
        try:
            data, quality = compress_image_to_bpp(pixels, target_bpp, model)
        except ModelError as e:
            rows.append({"image": path.name, "error": str(e)})
        else:
            bpp = len(data) * 8 / pixel_count
            rows.append(
                {
                    "image": path.name,
                    "bytes": len(data),
                    "bpp": bpp,
                    "relative_error": (bpp - target_bpp) / target_bpp,
                    "quality": quality,
                }
            )
        tick()
    hit = [r for r in rows if "error" not in r]
    worst = max((abs(r["relative_error"]) for r in hit), default=float("nan"))
    return {
        "target_bpp": target_bpp,
        "model": model or zoo.default_model("image").name,
        "images": len(rows),
        "within_3_percent": sum(abs(r["relative_error"]) <= 0.03 for r in hit),
        "worst_relative_error": worst,
        "rows": rows,
    }


def rate_control_table(result: dict) -> str:
    """Markdown: one row per image, then the summary line."""
    lines = ["| image | bpp | error | quality |", "|---|---:|---:|---:|"]
    for r in result["rows"]:
        if "error" in r:
            lines.append(f"| {r['image']} | - | {r['error']} | - |")
        else:
            lines.append(
                f"| {r['image']} | {r['bpp']:.4f} | {r['relative_error']:+.2%} "
                f"| {r['quality']:.3f} |"
            )
    lines.append("")
    lines.append(
        f"{result['within_3_percent']} of {result['images']} images within 3% of "
        f"{result['target_bpp']:g} bpp; worst error {result['worst_relative_error']:.2%}."
    )
    return "\n".join(lines) + "\n"
