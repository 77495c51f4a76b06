"""compress, decompress and info subcommands.

Only ``bitstream`` (no torch) is imported at start-up: ``info``, ``--help`` and argument errors
cost no model import; compress and decompress import the codec when they run. Several inputs
go through one process: ``-o`` is then a folder (or omitted: outputs beside the inputs).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aecodec import bitstream
from aecodec.cli.progress import file_bar, progress_bar
from aecodec.defaults import DEFAULT_AUDIO_QUALITY, DEFAULT_QUALITY
from aecodec.errors import AecodecError
from aecodec.files import read_input

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


def _audio_work(src: str, model: str | None) -> int:
    """Tiles a compress of this audio file will process (0 when unknown: no bar)."""
    if src == "-":
        return 0
    try:
        import soundfile as sf

        from aecodec import audio_codec

        info = sf.info(src)
        return audio_codec.audio_work_units(
            info.frames, info.samplerate, info.channels, model, compress=True
        )
    except Exception:
        return 0  # the real call reports any error


def _compress_one(a: argparse.Namespace, src: str, dst: str, bar: bool) -> None:
    from aecodec import api

    _refuse_binary_to_terminal(dst)
    total = 0
    if bar:
        if api.is_audio_name(src):
            total = _audio_work(src, a.model)
        else:
            size = _image_size(src)
            total = api.work_units(*size, refine=a.refine) if size else 0
    with progress_bar(total, "compress") as tick:
        if a.bpp is not None or a.kbps is not None:
            tick = None  # the search compresses several times: no per-tile bar
        stats = api.compress_file(
            src,
            dst,
            a.quality,
            a.model,
            a.force,
            tick,
            target_bpp=a.bpp,
            target_kbps=a.kbps,
            refine=a.refine,
        )
    if dst != "-":
        rate = f"{stats.kbps:.3f} kbit/s" if stats.kind == "audio" else f"{stats.bpp:.4f} bpp"
        print(f"{dst}: {stats.bytes} bytes, {rate}", file=sys.stderr)


def _batch_outputs(inputs: list[str], output: str | None, suffix_of) -> list[str]:
    """Output paths for several inputs: beside each input, or in the folder ``output``."""
    if "-" in inputs:
        raise AecodecError("stdin (-) can only be the single input")
    if output is not None and not Path(output).is_dir():
        raise AecodecError(f"{output}: with several inputs, -o must be an existing folder")
    outs = []
    for src in inputs:
        name = Path(src).with_suffix(suffix_of(src)).name
        outs.append(
            str(Path(output) / name) if output is not None else str(Path(src).parent / name)
        )
    if len(set(outs)) != len(outs):
        raise AecodecError("two inputs would write the same output name")
    return outs


def _run_batch(inputs: list[str], outputs: list[str], one, desc: str) -> int:
    """Run ``one(src, dst)`` per file; a failure is one line and the others still run.
    Exit status 2 if any file failed."""
    from aecodec.cli.main import USER_ERRORS, user_message

    failed = 0
    with file_bar(len(inputs), desc) as step:
        for src, dst in zip(inputs, outputs, strict=True):
            try:
                one(src, dst)
            except (*USER_ERRORS, ValueError, MemoryError) as e:
                failed += 1
                print(f"aecodec: error: {src}: {user_message(e)}", file=sys.stderr)
            step()
    if failed:
        print(f"aecodec: {failed} of {len(inputs)} files failed", file=sys.stderr)
    return 2 if failed else 0


def cmd_compress(a: argparse.Namespace) -> int:
    if len(a.inputs) == 1 and (a.output is None or not Path(a.output).is_dir()):
        src = a.inputs[0]
        _compress_one(a, src, a.output or _default_output(src, ".aec"), bar=True)
        return 0
    outputs = _batch_outputs(a.inputs, a.output, lambda src: ".aec")
    return _run_batch(a.inputs, outputs, lambda s, d: _compress_one(a, s, d, bar=False), "compress")


def _peek_header(src: str) -> bitstream.AecHeader | None:
    if src == "-":
        return None
    try:
        return bitstream.decode(Path(src).read_bytes())
    except (OSError, bitstream.BitstreamError):
        return None  # the real call reports the error


def _decoded_suffix(src: str) -> str:
    header = _peek_header(src)
    return ".wav" if header is not None and header.kind == bitstream.KIND_AUDIO else ".png"


def _decompress_one(src: str, dst: str | None, force: bool, bar: bool) -> None:
    from aecodec import api, audio_codec

    header = _peek_header(src)
    audio = header is not None and header.kind == bitstream.KIND_AUDIO
    dst = dst or _default_output(src, ".wav" if audio else ".png")
    _refuse_binary_to_terminal(dst)
    total = 0
    if header is not None and bar:
        try:
            if audio:
                total = audio_codec.audio_work_units(
                    header.frames, header.sample_rate, header.channels, header.model
                )
            else:
                total = api.work_units(header.height, header.width, decompress=True)
        except AecodecError:
            total = 0  # the real call reports the error
    with progress_bar(total, "decompress") as tick:
        stats = api.decompress_file(src, dst, force, tick)
    if dst != "-":
        if stats.kind == "audio":
            print(f"{dst}: {stats.seconds:.2f} s", file=sys.stderr)
        else:
            print(f"{dst}: {stats.width}x{stats.height}", file=sys.stderr)


def cmd_decompress(a: argparse.Namespace) -> int:
    if len(a.inputs) == 1 and (a.output is None or not Path(a.output).is_dir()):
        _decompress_one(a.inputs[0], a.output, a.force, bar=True)
        return 0
    outputs = _batch_outputs(a.inputs, a.output, _decoded_suffix)
    return _run_batch(
        a.inputs, outputs, lambda s, d: _decompress_one(s, d, a.force, bar=False), "decompress"
    )


def cmd_info(a: argparse.Namespace) -> int:
    data = sys.stdin.buffer.read() if a.input == "-" else read_input(a.input)
    header = bitstream.decode(data)
    info = header.info()
    info["file_bytes"] = len(data)
    if header.kind == bitstream.KIND_AUDIO:
        info["kbps"] = round(len(data) * 8 / header.seconds / 1000, 6)
    else:
        info["bpp"] = round(len(data) * 8 / (header.height * header.width), 6)
    print(json.dumps(info, indent=2))
    return 0


def add_codec_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compress", help="compress image or audio files to .aec files")
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="image (PNG, JPEG, ...) or audio (WAV, FLAC, OGG, MP3) files, or - for stdin",
    )
    p.add_argument(
        "-o",
        "--output",
        help="output .aec file, - for stdout, or a folder (several inputs) "
        "(default: each INPUT with .aec)",
    )
    p.add_argument(
        "-q",
        "--quality",
        type=float,
        help=f"rate level, 1 (smallest; some audio models go down to 0) to the model's top "
        f"quality (its top level; some audio models go beyond); fractions interpolate "
        f"(default {DEFAULT_QUALITY:g} for images, "
        f"{DEFAULT_AUDIO_QUALITY:g} for audio)",
    )
    p.add_argument(
        "--kbps",
        type=float,
        help="audio: target rate in kbit/s (whole file); the quality is searched to land "
        "within 3%% of it (overrides -q)",
    )
    p.add_argument(
        "--bpp",
        type=float,
        help="target rate in bits per pixel (whole file); the quality is searched to land "
        "within 3%% of it (overrides -q)",
    )
    p.add_argument(
        "--refine",
        type=int,
        default=0,
        metavar="ITERATIONS",
        help="images: optimise the latent for this image for ITERATIONS steps before coding "
        "(e.g. 50: smaller files at equal quality, about 1 s per step for a Kodak image on 2 "
        "cores; the decoder is unchanged; images up to 1.6 megapixels; default 0: off)",
    )
    p.add_argument(
        "--model",
        help="model name (default: the default image model; for audio the speech model up "
        "to 16 kHz, the music model above)",
    )
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.set_defaults(func=cmd_compress)

    p = sub.add_parser("decompress", help="decompress .aec files to PNG (image) or WAV/FLAC/OGG")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".aec files or - for stdin")
    p.add_argument(
        "-o",
        "--output",
        help="output file, - for stdout, or a folder (several inputs) (default: INPUT with "
        ".png, or .wav for audio; audio format by extension: .wav, .flac, .ogg)",
    )
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing output")
    p.set_defaults(func=cmd_decompress)

    p = sub.add_parser("info", help="print a .aec file's header as JSON")
    p.add_argument("input", help=".aec file or - for stdin")
    p.set_defaults(func=cmd_info)
