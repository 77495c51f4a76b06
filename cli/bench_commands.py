"""``aecodec bench ...`` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aecodec.cli.arguments import parse_db_grid, parse_names, parse_numbers
from aecodec.cli.audio_bench_command import add_audio_bench_command
from aecodec.cli.bench_common import default_data_root, write_results
from aecodec.cli.jscc_bench_commands import add_jscc_bench_commands
from aecodec.cli.progress import progress_bar
from aecodec.errors import AecodecError

__all__ = ["add_bench_commands"]


def cmd_jpeg_matched(a: argparse.Namespace) -> int:
    from aecodec.bench.jpeg_matched import markdown_table, run_jpeg_matched
    from aecodec.datasets import list_images

    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        count = len(list_images(data))
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    qualities = parse_numbers(a.qualities, "--qualities")
    if a.refine < 0 or a.jobs < 1:
        raise AecodecError("--refine must be 0 or more and --jobs at least 1")
    with progress_bar(count, "images") as tick:
        result = run_jpeg_matched(data, qualities, a.model, tick, a.refine, a.jobs)
    table = markdown_table(result)
    write_results(Path(a.out), "jpeg_matched", result, table)
    sys.stdout.write(table)
    return 0


def _same_folder(recorded: object, data: Path) -> bool:
    """Whether a results file's recorded data folder is ``data`` (relative or absolute)."""
    return isinstance(recorded, str) and Path(recorded).resolve() == data.resolve()


def _result_for_images(path: Path, data: Path, count: int) -> dict | None:
    """The results file at ``path`` if it was measured on folder ``data`` with ``count`` images."""
    try:
        res = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(res, dict) or "results" not in res or res.get("images") != count:
        return None
    return res if _same_folder(res.get("data"), data) else None


def _reusable_result(path: Path, codec: object, data: Path, count: int) -> dict | None:
    """A results file from an earlier run with the same codec settings, folder and image count."""
    res = _result_for_images(path, data, count)
    if res is None or res.get("settings") != codec.settings():
        return None
    params = sorted(getattr(codec, "params", []))
    return res if sorted(res["results"].get("param", [])) == params else None


def _with_earlier_results(out: Path, results: list[dict], data: Path, count: int) -> list[dict]:
    """``results`` plus every other codec's results file in ``out`` for the same images.

    A run of one codec (``--codecs aecodec:NEW --reuse``) thus still reports against the
    JPEG 2000 reference and the other codecs measured earlier, instead of replacing the
    summary and plots with a one-row table. This run's codecs come first, in their order,
    then the earlier ones by name.
    """
    names = {r["name"] for r in results}
    merged = list(results)
    for path in sorted(out.glob("*.json")):
        res = _result_for_images(path, data, count)
        if res is not None and res.get("name") not in names:
            merged.append(res)
            names.add(res["name"])
    return merged


def cmd_image(a: argparse.Namespace) -> int:
    from aecodec import media
    from aecodec.bench.codecs.registry import make_codecs
    from aecodec.bench.harness import run_codec
    from aecodec.bench.report import load_anchor_curves, plot_curves, summary_table
    from aecodec.datasets import list_images

    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        images = list_images(data)
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    codecs = make_codecs(parse_names(a.codecs))
    if a.jobs < 1:
        raise AecodecError("--jobs must be at least 1")
    for path in images:  # fail early, with the file's name, on an unreadable image
        media.read_image(path)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    pending = []
    for codec in codecs:
        previous = _reusable_result(out / f"{codec.name}.json", codec, data, len(images))
        if a.reuse and previous is not None:
            print(f"{codec.name}: reusing {out / f'{codec.name}.json'}", file=sys.stderr)
            results.append(previous)
        else:
            pending.append(codec)
    with progress_bar(len(images) * len(pending), "bench") as tick:
        for codec in pending:
            res = run_codec(codec, images, a.jobs, tick, data_label=str(data))
            tmp = out / f".{res['name']}.json.tmp"
            tmp.write_text(json.dumps(res, indent=2) + "\n")
            tmp.replace(out / f"{res['name']}.json")
            results.append(res)
    order = [c.name for c in codecs]
    results.sort(key=lambda r: order.index(r["name"]))
    results = _with_earlier_results(out, results, data, len(images))
    anchors = load_anchor_curves(Path(a.anchors) if a.anchors else None)
    plot_curves(results, anchors, out, f"{data.name} ({len(images)} images)")
    table = summary_table(results, "jpeg2000")
    (out / "summary.md").write_text(table)
    sys.stdout.write(table)
    return 0


def cmd_channel(a: argparse.Namespace) -> int:
    from aecodec import zoo
    from aecodec.bench.channel_bench import markdown_table, plot_bler, run_channel_bench

    grid = parse_db_grid(a.ebno_db, "--ebno-db")
    if a.min_errors < 1 or a.max_blocks < 1:
        raise AecodecError("--min-errors and --max-blocks must be positive")
    name = a.model or f"comm-{a.n}-{a.k}"
    model, entry = zoo.load(name, kind="comm")
    if (model.config.n, model.config.k) != (a.n, a.k):
        raise AecodecError(
            f"model {name} is ({model.config.n},{model.config.k}), not ({a.n},{a.k})"
        )
    schemes = 4 if (a.n, a.k) == (7, 4) else 2
    with progress_bar(schemes * len(grid), "points") as tick:
        result = run_channel_bench(
            model, name, grid, a.seed, a.min_errors, a.max_blocks, tick=tick or (lambda: None)
        )
    out = Path(a.out)
    stem = f"comm-{a.n}-{a.k}"
    table = markdown_table(result)
    write_results(out, stem, result, table)
    plot_bler(result, out / f"{stem}.png")
    sys.stdout.write(table)
    return 0


def cmd_rate_control(a: argparse.Namespace) -> int:
    from aecodec.bench.rate_control_check import check_rate_control, rate_control_table
    from aecodec.datasets import list_images

    if not a.bpp > 0:
        raise AecodecError("--bpp must be positive")
    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        paths = list_images(data)
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    with progress_bar(len(paths), "images") as tick:
        result = check_rate_control(paths, a.bpp, a.model, tick or (lambda: None))
    result["data"] = str(data)
    out = Path(a.out)
    stem = f"bpp-{a.bpp:g}"
    table = rate_control_table(result)
    write_results(out, stem, result, table)
    sys.stdout.write(table)
    return 0 if result["within_3_percent"] == result["images"] else 1


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
    q.add_argument(
        "--refine", type=int, default=0, help="aecodec latent refinement iterations (default 0)"
    )
    q.add_argument("--jobs", type=int, default=1, help="parallel processes over images")
    q.set_defaults(func=cmd_jpeg_matched)

    i = bench.add_parser("image", help="rate-distortion of image codecs on a folder")
    i.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    i.add_argument("--codecs", default="aecodec,jpeg2000,jpeg2000-53,jpeg,webp,avif")
    i.add_argument("--out", required=True, help="output folder: JSON per codec, plots, summary.md")
    i.add_argument("--jobs", type=int, default=1, help="parallel processes over images")
    i.add_argument(
        "--reuse",
        action="store_true",
        help="keep results already in --out for codecs with identical settings and data",
    )
    i.add_argument(
        "--anchors",
        default="../shared/anchors/compressai-kodak",
        help="folder of CompressAI's published curves, drawn dashed ('' for none)",
    )
    i.set_defaults(func=cmd_image)

    c = bench.add_parser("channel", help="block error rate of a communication autoencoder")
    c.add_argument("--n", type=int, default=7, help="real channel uses per message")
    c.add_argument("--k", type=int, default=4, help="bits per message")
    c.add_argument("--ebno-db", default="0:10:1", help="Eb/N0 grid in dB: START:STOP:STEP")
    c.add_argument("--model", help="registered autoencoder (default: comm-N-K)")
    c.add_argument("--out", default="bench/results/channel", help="output folder")
    c.add_argument("--min-errors", type=int, default=100, help="block errors per point")
    c.add_argument("--max-blocks", type=int, default=10_000_000, help="cap on blocks per point")
    c.add_argument("--seed", type=int, default=0, help="seed of messages and noise")
    c.set_defaults(func=cmd_channel)

    add_jscc_bench_commands(bench)
    add_audio_bench_command(bench)

    rc = bench.add_parser("rate-control", help="does --bpp hit its target on every image?")
    rc.add_argument("--bpp", type=float, default=0.5, help="target bits per pixel (0.5)")
    rc.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    rc.add_argument("--model", help="image model (default: the default one)")
    rc.add_argument("--out", default="bench/results/rate-control", help="output folder")
    rc.set_defaults(func=cmd_rate_control)
