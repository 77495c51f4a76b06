"""``aecodec bench audio``: bitrate against quality for aecodec, Opus, Vorbis and MP3."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aecodec.cli.arguments import parse_names, parse_numbers
from aecodec.cli.bench_common import default_data_root, write_results
from aecodec.cli.progress import progress_bar
from aecodec.errors import AecodecError

__all__ = ["add_audio_bench_command"]


def cmd_audio(a: argparse.Namespace) -> int:
    from aecodec.bench.audio.codecs import make_audio_codecs
    from aecodec.bench.audio.report import paired_table, plot_summary, summary_table
    from aecodec.bench.audio.runner import run_audio_bench
    from aecodec.datasets import list_audio, split_holdout

    data = Path(a.data) if a.data else default_data_root() / "speech" / "test"
    targets = parse_numbers(a.kbps, "--kbps", positive=True)
    try:
        files = list_audio(data)
        codecs = make_audio_codecs(parse_names(a.codecs), a.model)
    except (FileNotFoundError, ValueError) as e:
        raise AecodecError(str(e)) from None
    if a.holdout_every < 0:
        raise AecodecError(f"--holdout-every: expected 0 or more, got {a.holdout_every}")
    if a.holdout_every:
        files = split_holdout(files, a.holdout_every)[1]
        if not files:
            raise AecodecError(f"--holdout-every {a.holdout_every}: {data} holds too few files")
    if a.files:
        files = files[: a.files]
    if not 0 <= a.excerpt <= 3600:
        raise AecodecError(f"--excerpt: expected 0 to 3600 seconds, got {a.excerpt:g}")
    speech = a.speech if a.speech is not None else "speech" in str(data)
    if speech:
        _warn_missing_speech_metrics()
    stem = a.name or data.parent.name
    out = Path(a.out)
    partial = out / f".{stem}.partial.json"
    previous = None
    if a.reuse:  # an interrupted run's rows first: they include what it reused itself
        for candidate in (partial, out / f"{stem}.json"):
            earlier = json.loads(candidate.read_text()) if candidate.exists() else {}
            if (
                earlier.get("data"),
                earlier.get("holdout_every", 0),
                earlier.get("excerpt_s", 0.0),
            ) == (str(data), a.holdout_every, a.excerpt):
                previous = earlier
                break

    def stamped(result: dict) -> dict:
        where = {"data": str(data), "holdout_every": a.holdout_every, "excerpt_s": a.excerpt}
        return {**where, "speech": speech, **result}

    def save_progress(result: dict) -> None:
        out.mkdir(parents=True, exist_ok=True)
        tmp = partial.with_suffix(".tmp")
        tmp.write_text(json.dumps(stamped(result)) + "\n")
        tmp.replace(partial)

    with progress_bar(len(files) * len(codecs) * len(targets), "codings") as tick:
        result = run_audio_bench(
            files, codecs, targets, speech, tick, previous, a.perceptual, save_progress, a.excerpt
        )
    result = stamped(result)
    table = summary_table(result) + paired_table(result)
    write_results(out, stem, result, table)
    partial.unlink(missing_ok=True)
    plot_summary(result, out / f"{stem}.png", f"{stem}: {data} ({len(files)} files)")
    sys.stdout.write(table)
    return 0


def _warn_missing_speech_metrics() -> None:
    """One line on stderr for each speech metric that cannot be measured here, so that a
    table without its PESQ or STOI column is never a surprise."""
    from aecodec.bench.audio import metrics as M

    for name, why in M.missing_speech_metrics().items():
        sys.stderr.write(f"warning: {name.upper()} not measured: {why}\n")


def add_audio_bench_command(bench: argparse._SubParsersAction) -> None:
    """Register ``bench audio`` on the bench subparsers."""
    p = bench.add_parser("audio", help="bitrate vs quality of audio codecs on a folder")
    p.add_argument("--data", help="audio folder (default: $AECODEC_DATA/speech/test)")
    p.add_argument(
        "--codecs",
        default="aecodec,opus,opus-cbr,aac,vorbis,mp3",
        help="comma-separated codecs",
    )
    p.add_argument("--kbps", default="6,12,24,48", help="target bitrates in kbit/s")
    p.add_argument("--files", type=int, default=0, help="first N files only (0: all)")
    p.add_argument(
        "--holdout-every",
        type=int,
        default=0,
        help="only every N-th file (sorted): the clips a training run with holdout_every = N "
        "kept out, to compare models on validation data without touching the test set",
    )
    p.add_argument(
        "--excerpt",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="code only the middle SECONDS of each file (0: whole files), e.g. to compare "
        "models on long held-out tracks at the length of the test excerpts",
    )
    p.add_argument("--model", help="aecodec audio model (default: chosen by sample rate)")
    p.add_argument(
        "--speech",
        action=argparse.BooleanOptionalAction,
        help="report PESQ and STOI (default: when the folder path contains 'speech')",
    )
    p.add_argument(
        "--perceptual",
        action="store_true",
        help="also ViSQOL (speech or audio mode) and, for speech, DNSMOS (about 3 s per clip)",
    )
    p.add_argument("--out", default="bench/results/audio", help="output folder")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep rows already measured, in the results file or by an interrupted run, for "
        "codecs with identical settings and metrics; code only the missing ones",
    )
    p.add_argument("--name", help="results file stem (default: the data folder's parent name)")
    p.set_defaults(func=cmd_audio)
