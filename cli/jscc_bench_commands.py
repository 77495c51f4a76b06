"""``aecodec bench jscc``, ``jscc-adaptive`` and ``ldpc``: deep JSCC against the digital chain."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from aecodec.cli.arguments import parse_db_grid, parse_names, parse_ratio_arg
from aecodec.cli.bench_common import default_data_root
from aecodec.cli.progress import progress_bar
from aecodec.errors import AecodecError

__all__ = ["add_jscc_bench_commands"]


def _refiner_or_none(ratio: float, channel: str) -> str | None:
    """The registered SoftCast refiner for this link, if there is one."""
    from aecodec.errors import ModelError
    from aecodec.transmission import find_refiner

    try:
        return find_refiner(ratio, channel)
    except ModelError:
        return None


def _image_paths(a: argparse.Namespace) -> tuple[Path, list[Path]]:
    """(--data, else Kodak under the data root; its first --limit images, or all)."""
    from aecodec.datasets import list_images

    data = Path(a.data) if a.data else default_data_root() / "images" / "kodak"
    try:
        paths = list_images(data)
    except FileNotFoundError as e:
        raise AecodecError(str(e)) from None
    return data, paths[: a.limit] if a.limit else paths


def cmd_jscc(a: argparse.Namespace) -> int:
    from aecodec import zoo
    from aecodec.bench.jscc_bench import (
        SOURCE_CODECS,
        load_images,
        plot_psnr,
        run_jscc_bench,
        summary_table,
        work_units,
    )
    from aecodec.digital.calibration import Calibration
    from aecodec.transmission import find_jscc_model

    grid = parse_db_grid(a.snr_db, "--snr-db")
    designs = parse_db_grid(a.design_snr_db, "--design-snr-db") if a.design_snr_db else []
    ideal = parse_names(a.ideal)
    for c in ideal:
        if c not in SOURCE_CODECS:
            raise AecodecError(f"--ideal: unknown codec {c!r} (use {', '.join(SOURCE_CODECS)})")
    if a.thumbnail < 0 or a.thumbnail % 4:
        raise AecodecError("--thumbnail must be a positive multiple of 4 (or 0 for none)")
    ratio = parse_ratio_arg(a.ratio)
    model = a.model or find_jscc_model(ratio, a.channel)
    zoo.entry_of_kind(model, "jscc")
    data, paths = _image_paths(a)
    images = load_images(paths, a.thumbnail)
    if not images:
        raise AecodecError(f"no image in {data} is at least {a.thumbnail} pixels on a side")
    practical = parse_names(a.practical)
    for c in practical:
        if c not in SOURCE_CODECS:
            raise AecodecError(f"--practical: unknown codec {c!r} (use {', '.join(SOURCE_CODECS)})")
    if "hevc" in ideal + practical and importlib.util.find_spec("av") is None:
        raise AecodecError("hevc needs PyAV: uv sync --extra bench")
    if a.channel != "awgn" or a.no_practical:
        practical = []  # the LDPC chains are simulated over AWGN only
    refiner = a.refiner or _refiner_or_none(ratio, a.channel)
    if a.refiner:
        zoo.entry_of_kind(a.refiner, "softcast")
    total = work_units(
        len(images), len(grid), len(ideal), len(designs), len(practical), bool(refiner)
    )
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
            refiner=refiner or "",
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
    from aecodec import zoo
    from aecodec.bench.jscc_adaptive import (
        adaptive_table,
        compare_adaptive,
        compare_adaptive_refiners,
    )
    from aecodec.bench.jscc_bench import load_images

    single: dict[float, str] = {}
    for item in a.single.split(","):
        snr, sep, name = item.partition("=")
        try:
            single[float(snr)] = name
        except ValueError:
            sep = ""
        if not sep or not name:
            raise AecodecError(f"--single: expected SNR=MODEL,..., got {item!r}")
    known = zoo.registry().get(a.adaptive)  # a refiner, else checked as deep JSCC
    kind = "softcast" if known is not None and known.kind == "softcast" else "jscc"
    for name in [a.adaptive, *single.values()]:
        zoo.entry_of_kind(name, kind)
    data, paths = _image_paths(a)
    images = load_images(paths)
    compare = compare_adaptive if kind == "jscc" else compare_adaptive_refiners
    per_image = 3 if kind == "jscc" else 1
    with progress_bar(len(images) * len(single) * per_image, "transmissions") as tick:
        result = compare(images, a.adaptive, single, a.seed, tick or (lambda: None))
    result["data"] = str(data)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "snr-adaptive" if kind == "jscc" else f"snr-adaptive-{a.adaptive}"
    tmp = out / f".{stem}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / f"{stem}.json")
    table = adaptive_table(result)
    (out / f"{stem}.md").write_text(table)
    sys.stdout.write(table)
    return 0


def cmd_ldpc(a: argparse.Namespace) -> int:
    from aecodec.digital.calibration import Calibration
    from aecodec.digital.mcs import MCS_TABLE

    grid = parse_db_grid(a.snr_db, "--snr-db")
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


def add_jscc_bench_commands(bench: argparse._SubParsersAction) -> None:
    j = bench.add_parser("jscc", help="PSNR vs channel SNR: deep JSCC against the digital chain")
    j.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    j.add_argument("--snr-db", default="0:20:2", help="channel SNR grid (dB): START:STOP:STEP")
    j.add_argument("--ratio", default="1/6", help="bandwidth ratio k/n (picks the model)")
    j.add_argument("--channel", choices=["awgn", "rayleigh"], default="awgn")
    j.add_argument("--model", help="deep JSCC model (default: the one for --ratio/--channel)")
    j.add_argument(
        "--refiner", help="SoftCast refiner (default: the registered one for --ratio/--channel)"
    )
    j.add_argument(
        "--design-snr-db", default="0,5,10,15,20", help="design SNRs of the fixed LDPC chains"
    )
    j.add_argument(
        "--ideal", default="j2k,aec", help="codecs at the capacity budget (j2k,aec,hevc)"
    )
    j.add_argument(
        "--practical", default="j2k", help="source codecs of the LDPC chains (j2k,aec,hevc)"
    )
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
        "jscc-adaptive",
        help="an SNR-adaptive deep JSCC model or SoftCast refiner against ones trained at one SNR",
    )
    ad.add_argument(
        "--adaptive", required=True, help="the SNR-adaptive deep JSCC model or SoftCast refiner"
    )
    ad.add_argument("--single", required=True, help="SNR=MODEL,... models trained at one SNR")
    ad.add_argument("--data", help="image folder (default: $AECODEC_DATA/images/kodak)")
    ad.add_argument("--limit", type=int, default=0, help="only the first N images")
    ad.add_argument("--seed", type=int, default=0, help="seed of the channel noise")
    ad.add_argument("--out", default="bench/results/jscc", help="output folder")
    ad.set_defaults(func=cmd_jscc_adaptive)

    ld = bench.add_parser(
        "ldpc", help="simulate the 5G LDPC + QAM schemes of the digital chain (cached)"
    )
    ld.add_argument("--snr-db", default="-2:20:2", help="SNR grid in dB: START:STOP:STEP")
    ld.add_argument("--out", default="bench/results/jscc/ldpc-calibration.json")
    ld.add_argument("--seed", type=int, default=0, help="seed of the simulated bits and noise")
    ld.set_defaults(func=cmd_ldpc)
