"""compress, decompress and info subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aecodec.cli.progress import progress_bar

from aecodec import api, bitstream
from aecodec.errors import AecodecError

__all__ = ["add_codec_commands"]


def _default_output(src: str, suffix: str) -> str:
    if src == "-":
        return "-"
    return str(Path(src).with_suffix(suffix))


def _refuse_binary_to_terminal(dst: str) -> None:
    if dst == "-" and sys.stdout.isatty():
        raise AecodecError("refusing to write binary data to a terminal (use -o FILE)")


def _image_size(src: str) -> tuple[int, int] | None:
    if src == "-":
        return None
    try:
        from PIL import Image

        with Image.open(src) as im:
            return im.size[1], im.size[0]
    except Exception:
        return None


def cmd_compress(a: argparse.Namespace) -> int:
    dst = a.output or _default_output(a.input, ".aec")
    _refuse_binary_to_terminal(dst)
    size = _image_size(a.input)
    total = api.work_units(*size) if size else 0
    with progress_bar(total, "compress") as tick:
        if a.bpp is not None:
            tick = None  # the search compresses several times: no per-tile bar
        stats = api.compress_file(a.input, dst, a.quality, a.model, a.force, tick, target_bpp=a.bpp)
    if dst != "-":
        print(f"{dst}: {stats.bytes} bytes, {stats.bpp:.4f} bpp", file=sys.stderr)
    return 0


def cmd_decompress(a: argparse.Namespace) -> int:
    dst = a.output or _default_output(a.input, ".png")
    _refuse_binary_to_terminal(dst)
    total = 0
    if a.input != "-":
        try:
            header = bitstream.decode(Path(a.input).read_bytes())
            total = api.work_units(header.height, header.width, decompress=True)
        except (OSError, bitstream.BitstreamError):
            total = 0  # the real call below reports the error
    with progress_bar(total, "decompress") as tick:
        stats = api.decompress_file(a.input, dst, a.force, tick)
    if dst != "-":
        print(f"{dst}: {stats.width}x{stats.height}", file=sys.stderr)
    return 0


def cmd_info(a: argparse.Namespace) -> int:
    data = sys.stdin.buffer.read() if a.input == "-" else api._read_input(a.input)
    header = bitstream.decode(data)
    info = header.info()
    info["file_bytes"] = len(data)
    info["bpp"] = round(len(data) * 8 / (header.height * header.width), 6)
    print(json.dumps(info, indent=2))
    return 0


def add_codec_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compress", help="compress an image to a .aec file")
    p.add_argument("input", help="image file (PNG, JPEG, ...) or - for stdin")
    p.add_argument("-o", "--output", help="output .aec file or - (default: INPUT with .aec)")
    p.add_argument(
        "-q",
        "--quality",
        type=float,
        default=api.DEFAULT_QUALITY,
        help=f"rate level, 1 (smallest) to the model's top level; "
        f"fractions interpolate (default {api.DEFAULT_QUALITY:g})",
    )
    p.add_argument(
        "--bpp",
        type=float,
        help="target rate in bits per pixel (whole file); the quality is searched to land "
        "within 3%% of it (overrides -q)",
    )
    p.add_argument("--model", help="model name (default: the registry's default image model)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.set_defaults(func=cmd_compress)

    p = sub.add_parser("decompress", help="decompress a .aec file to PNG")
    p.add_argument("input", help=".aec file or - for stdin")
    p.add_argument("-o", "--output", help="output PNG or - (default: INPUT with .png)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.set_defaults(func=cmd_decompress)

    p = sub.add_parser("info", help="print a .aec file's header as JSON")
    p.add_argument("input", help=".aec file or - for stdin")
    p.set_defaults(func=cmd_info)
