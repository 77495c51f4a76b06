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


def _reusable_result(path: Path, codec: object, data: str, count: int) -> dict | None:
    """A results file from an earlier run with the same codec settings, folder and image count."""
    try:
        res = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    same = res.get("settings") == codec.settings() and res.get("data") == data
    params = sorted(getattr(codec, "params", []))
    same = same and sorted(res.get("results", {}).get("param", [])) == params
    return res if same and res.get("images") == count else None


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
    pending = []
    for codec in codecs:
        previous = _reusable_result(out / f"{codec.name}.json", codec, str(data), len(images))
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
    anchors = load_anchor_curves(Path(a.anchors) if a.anchors else None)
    plot_curves(results, anchors, out, f"{data.name} ({len(images)} images)")
    table = summary_table(results, "jpeg2000")
    (out / "summary.md").write_text(table)
    sys.stdout.write(table)
    return 0


def parse_ebno_grid(text: str) -> list[float]:
    """'0:10:1' -> [0, 1, ..., 10]; '3,5,7' -> [3, 5, 7] (dB)."""
    try:
        if ":" in text:
            start, stop, step = (float(v) for v in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = int(round((stop - start) / step)) + 1
            if count > 1000:
                raise ValueError
            return [round(start + i * step, 6) for i in range(count)]
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise AecodecError(
            f"--ebno-db: expected START:STOP:STEP (STEP > 0) or a comma list, got {text!r}"
        ) from None


def cmd_channel(a: argparse.Namespace) -> int:
    from aecodec.bench.channel_bench import markdown_table, plot_bler, run_channel_bench

    from aecodec import zoo

    grid = parse_ebno_grid(a.ebno_db)
    if a.min_errors < 1 or a.max_blocks < 1:
        raise AecodecError("--min-errors and --max-blocks must be positive")
    name = a.model or f"comm-{a.n}-{a.k}"
    entries = zoo.registry()
    if name not in entries or entries[name].kind != "comm":
        known = ", ".join(sorted(e for e, v in entries.items() if v.kind == "comm")) or "none"
        raise AecodecError(f"no communication autoencoder named {name!r} (shipped: {known})")
    model, entry = zoo.load(name)
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
    out.mkdir(parents=True, exist_ok=True)
    stem = f"comm-{a.n}-{a.k}"
    tmp = out / f".{stem}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / f"{stem}.json")
    table = markdown_table(result)
    (out / f"{stem}.md").write_text(table)
    plot_bler(result, out / f"{stem}.png")
    sys.stdout.write(table)
    return 0


def cmd_ldpc(a: argparse.Namespace) -> int:
    from aecodec.bench.digital.calibration import Calibration
    from aecodec.bench.digital.mcs import MCS_TABLE

    grid = parse_ebno_grid(a.snr_db)
    calib = Calibration(Path(a.out), seed=a.seed)
    with progress_bar(len(MCS_TABLE), "MCS") as tick:
        for mcs in MCS_TABLE:
            calib.threshold_db(mcs)
            for s in grid:
                calib.codeword_error_rate(mcs, s)
            if tick:
                tick()
    print("| MCS | bits/use | Shannon limit (dB) | threshold (dB) |")
    print("|---|---|---|---|")
    for mcs in MCS_TABLE:
        print(
            f"| {mcs.name} | {mcs.efficiency:.3f} | {mcs.shannon_snr_db():.2f} "
            f"| {calib.threshold_db(mcs):.2f} |"
        )
    return 0


def cmd_jscc(a: argparse.Namespace) -> int:
    from aecodec.bench.digital.calibration import Calibration
    from aecodec.bench.jscc_bench import (
        load_images,
        plot_psnr,
        run_jscc_bench,
        summary_table,
        work_units,
    )

    from aecodec import zoo
    from aecodec.training.image_data import list_images
    from aecodec.transmission import find_jscc_model

    grid = parse_ebno_grid(a.snr_db)
    designs = parse_ebno_grid(a.design_snr_db) if a.design_snr_db else []
    ideal = [c for c in a.ideal.split(",") if c]
    for c in ideal:
        if c not in ("j2k", "aec"):
            raise AecodecError(f"--ideal: unknown codec {c!r} (use j2k, aec)")
    if a.thumbnail < 0 or a.thumbnail % 4:
        raise AecodecError("--thumbnail must be a positive multiple of 4 (or 0 for none)")
    try:
        ratio = float(__import__("fractions").Fraction(a.ratio))
    except (ValueError, ZeroDivisionError):
        raise AecodecError(f"--ratio: expected a fraction like 1/6, got {a.ratio!r}") from None
    model = a.model or find_jscc_model(ratio, a.channel)
    if model not in zoo.registry() or zoo.registry()[model].kind != "jscc":
        raise AecodecError(f"no deep JSCC model named {model!r}")
    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        paths = list_images(data)
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    if a.limit:
        paths = paths[: a.limit]
    images = load_images(paths, a.thumbnail)
    if not images:
        raise AecodecError(f"no image in {data} is at least {a.thumbnail} pixels on a side")
    practical = a.channel == "awgn" and not a.no_practical
    total = work_units(len(images), len(grid), len(ideal), len(designs), practical)
    out = Path(a.out)
    stem = a.name or f"{model}-{a.channel}" + (f"-thumb{a.thumbnail}" if a.thumbnail else "")
    previous = None
    if a.reuse and (out / f"{stem}.json").exists():
        previous = json.loads((out / f"{stem}.json").read_text())
    with progress_bar(total, "transmissions") as tick:
        result = run_jscc_bench(
            images,
            grid,
            model,
            a.channel,
            designs,
            ideal,
            practical,
            Calibration(Path(a.calibration)),
            a.seed,
            tick=tick or (lambda: None),
            previous=previous,
        )
    result["data"] = str(data)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{stem}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / f"{stem}.json")
    table = summary_table(result)
    (out / f"{stem}.md").write_text(table)
    size = "x".join(result["image_size"][:1]) if len(result["image_size"]) == 1 else "mixed"
    title = f"{model}, {a.channel}, ratio {a.ratio}, {len(images)} images ({size})"
    plot_psnr(result, out / f"{stem}.png", title)
    sys.stdout.write(table)
    return 0


def cmd_jscc_adaptive(a: argparse.Namespace) -> int:
    from aecodec.bench.jscc_adaptive import adaptive_table, compare_adaptive
    from aecodec.bench.jscc_bench import load_images

    from aecodec import zoo
    from aecodec.training.image_data import list_images

    single: dict[float, str] = {}
    for item in a.single.split(","):
        snr, sep, name = item.partition("=")
        try:
            single[float(snr)] = name
        except ValueError:
            sep = ""
        if not sep or not name:
            raise AecodecError(f"--single: expected SNR=MODEL,..., got {item!r}")
    registry = zoo.registry()
    for name in [a.adaptive, *single.values()]:
        if name not in registry or registry[name].kind != "jscc":
            raise AecodecError(f"no deep JSCC model named {name!r}")
    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        paths = list_images(data)
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    images = load_images(paths[: a.limit] if a.limit else paths)
    with progress_bar(len(images) * len(single) * 3, "transmissions") as tick:
        result = compare_adaptive(images, a.adaptive, single, a.seed, tick or (lambda: None))
    result["data"] = str(data)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".snr-adaptive.json.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / "snr-adaptive.json")
    table = adaptive_table(result)
    (out / "snr-adaptive.md").write_text(table)
    sys.stdout.write(table)
    return 0


def cmd_rate_control(a: argparse.Namespace) -> int:
    from aecodec.bench.rate_control_check import check_rate_control, rate_control_table

    from aecodec.training.image_data import list_images

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
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bpp-{a.bpp:g}"
    tmp = out / f".{stem}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / f"{stem}.json")
    table = rate_control_table(result)
    (out / f"{stem}.md").write_text(table)
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

    j = bench.add_parser("jscc", help="PSNR vs channel SNR: deep JSCC against the digital chain")
    j.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    j.add_argument("--snr-db", default="0:20:2", help="channel SNR grid (dB): START:STOP:STEP")
    j.add_argument("--ratio", default="1/6", help="bandwidth ratio k/n (picks the model)")
    j.add_argument("--channel", choices=["awgn", "rayleigh"], default="awgn")
    j.add_argument("--model", help="deep JSCC model (default: the one for --ratio/--channel)")
    j.add_argument(
        "--design-snr-db", default="0,5,10,15,20", help="design SNRs of the fixed LDPC chains"
    )
    j.add_argument("--ideal", default="j2k,aec", help="codecs at the capacity budget")
    j.add_argument("--no-practical", action="store_true", help="skip the LDPC chains")
    j.add_argument("--thumbnail", type=int, default=0, help="use crops of this side instead")
    j.add_argument("--limit", type=int, default=0, help="only the first N images")
    j.add_argument("--seed", type=int, default=0, help="seed of the channel noise")
    j.add_argument("--out", default="bench/results/jscc", help="output folder")
    j.add_argument("--name", help="file stem of the results (default from the settings)")
    j.add_argument(
        "--reuse",
        action="store_true",
        help="keep the digital schemes of an earlier result with the same images and grid",
    )
    j.add_argument(
        "--calibration",
        default="bench/results/jscc/ldpc-calibration.json",
        help="cached LDPC simulations (see aecodec bench ldpc)",
    )
    j.set_defaults(func=cmd_jscc)

    ad = bench.add_parser(
        "jscc-adaptive", help="SNR-adaptive deep JSCC against models trained at one SNR"
    )
    ad.add_argument("--adaptive", required=True, help="the SNR-adaptive model")
    ad.add_argument("--single", required=True, help="SNR=MODEL,... models trained at one SNR")
    ad.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    ad.add_argument("--limit", type=int, default=0, help="only the first N images")
    ad.add_argument("--seed", type=int, default=0, help="seed of the channel noise")
    ad.add_argument("--out", default="bench/results/jscc", help="output folder")
    ad.set_defaults(func=cmd_jscc_adaptive)

    rc = bench.add_parser("rate-control", help="does --bpp hit its target on every image?")
    rc.add_argument("--bpp", type=float, default=0.5, help="target bits per pixel (0.5)")
    rc.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    rc.add_argument("--model", help="image model (default: the default one)")
    rc.add_argument("--out", default="bench/results/rate-control", help="output folder")
    rc.set_defaults(func=cmd_rate_control)

    ld = bench.add_parser(
        "ldpc", help="simulate the 5G LDPC + QAM schemes of the digital chain (cached)"
    )
    ld.add_argument("--snr-db", default="-2:20:2", help="SNR grid in dB: START:STOP:STEP")
    ld.add_argument("--out", default="bench/results/jscc/ldpc-calibration.json")
    ld.add_argument("--seed", type=int, default=0, help="seed of the simulated bits and noise")
    ld.set_defaults(func=cmd_ldpc)
