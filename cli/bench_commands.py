"""``aecodec bench ...`` subcommands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aecodec.cli.progress import progress_bar

from aecodec.errors import AecodecError

__all__ = ["add_bench_commands", "default_data_root"]


def default_data_root() -> Path:
    """$AECODEC_DATA, else ../shared/data relative to the working directory."""
    return Path(os.environ.get("AECODEC_DATA", "../shared/data"))


def cmd_jpeg_matched(a: argparse.Namespace) -> int:
    from aecodec.bench.jpeg_matched import markdown_table, run_jpeg_matched

    from aecodec.training.image_data import list_images

    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        count = len(list_images(data))
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    qualities = [float(q) for q in a.qualities.split(",")]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with progress_bar(count * len(qualities), "images") as tick:
        result = run_jpeg_matched(data, qualities, a.model, tick)
    (out / "jpeg_matched.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown_table(result)
    (out / "jpeg_matched.md").write_text(table)
    sys.stdout.write(table)
    return 0


def cmd_image(a: argparse.Namespace) -> int:
    from aecodec.bench.codecs.registry import make_codecs
    from aecodec.bench.harness import run_codec
    from aecodec.bench.report import load_anchor_curves, plot_curves, summary_table

    from aecodec import media
    from aecodec.training.image_data import list_images

    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        images = list_images(data)
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    codecs = make_codecs([c.strip() for c in a.codecs.split(",") if c.strip()])
    if a.jobs < 1:
        raise AecodecError("--jobs must be at least 1")
    for path in images:  # fail early, with the file's name, on an unreadable image
        media.read_image(path)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    with progress_bar(len(images) * len(codecs), "bench") as tick:
        for codec in codecs:
            res = run_codec(codec, images, a.jobs, tick, data_label=str(data))
            (out / f"{res['name']}.json").write_text(json.dumps(res, indent=2) + "\n")
            results.append(res)
    anchors = load_anchor_curves(Path(a.anchors) if a.anchors else None)
    plot_curves(results, anchors, out, f"{data.name} ({len(images)} images)")
    table = summary_table(results, "jpeg2000")
    (out / "summary.md").write_text(table)
    sys.stdout.write(table)
    return 0


def add_bench_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="rate-distortion benchmarks")
    bench = p.add_subparsers(dest="bench", metavar="BENCH", parser_class=type(p))
    bench.required = True
    q = bench.add_parser(
        "jpeg-matched", help="aecodec vs JPEG at matched file sizes, per image and quality"
    )
    q.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    q.add_argument("--out", required=True, help="output folder for JSON and Markdown")
    q.add_argument("--qualities", default="1,2,3,4,5,6", help="comma-separated quality levels")
    q.add_argument("--model", help="model name (default: the default image model)")
    q.set_defaults(func=cmd_jpeg_matched)

    i = bench.add_parser("image", help="rate-distortion of image codecs on a folder")
    i.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    i.add_argument("--codecs", default="aecodec,jpeg2000,jpeg2000-53,jpeg,webp,avif")
    i.add_argument("--out", required=True, help="output folder: JSON per codec, plots, summary.md")
    i.add_argument("--jobs", type=int, default=1, help="parallel processes over images")
    i.add_argument(
        "--anchors",
        default="../shared/anchors/compressai-kodak",
        help="folder of CompressAI's published curves, drawn dashed ('' for none)",
    )
    i.set_defaults(func=cmd_image)
