"""What a user waits for: the command line timed end to end, start-up included.

Each command runs ``--repeats`` times in a fresh process; the table gives the median wall time
and the median CPU time (user + sys of the child, from ``resource.getrusage``) in seconds. The
batch rows also give the per-file cost after start-up: (batch - one file) / (files - 1)::

    uv run python -m aecodec.bench.cli_timing --images ../shared/data/images/kodak \\
        --speech ../shared/data/speech/test --music ../shared/data/music/test

writes bench/results/cli-timing.{json,md}. Another process busy on the machine lengthens wall
time, not CPU time: compare CPU columns across machines, wall columns only on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aecodec.datasets import list_audio, list_images

__all__ = ["time_command", "time_commands", "timing_table"]


def time_command(argv: list[str], repeats: int, cwd: Path) -> dict:
    """Run ``argv`` ``repeats`` times in ``cwd``: median wall and CPU seconds (child's user + sys).

    Raises RuntimeError with the command's last stderr line if it fails.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {last}")
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "runs": repeats}


def _commands(
    aecodec: str, images: list[Path], speech: Path | None, music: Path | None
) -> list[tuple[str, list[str], int]]:
    """(label, argv, files) in run order; later commands read what earlier ones wrote."""

    def cli(label: str, *args: str, files: int = 1) -> tuple[str, list[str], int]:
        return label, [aecodec, *args, "-f"], files

    photo = images[len(images) - 2] if len(images) > 1 else images[0]  # kodim23 on Kodak
    coded = [f"coded/{p.stem}.aec" for p in images]  # what the compress batch writes
    n = len(images)
    out = [
        ('python -c "import torch" (for scale)', [sys.executable, "-c", "import torch"], 1),
        ("aecodec --version", [aecodec, "--version"], 1),
        cli(f"aecodec compress {photo.name} -o x.aec", "compress", str(photo), "-o", "x.aec"),
        ("aecodec info x.aec", [aecodec, "info", "x.aec"], 1),
        cli("aecodec decompress x.aec -o x.png", "decompress", "x.aec", "-o", "x.png"),
        cli(f"aecodec compress {n} images -o DIR/", "compress", *map(str, images), "-o", "coded/",
            files=n),
        cli(f"aecodec decompress {n} files -o DIR2/", "decompress", *coded, "-o", "decoded/",
            files=n),
    ]  # fmt: skip
    for kind, path in (("speech", speech), ("music", music)):
        if path is not None:
            aec, wav = f"{kind}.aec", f"{kind}.wav"
            out.append(
                cli(f"aecodec compress {path.name} -o {aec}", "compress", str(path), "-o", aec)
            )
            out.append(cli(f"aecodec decompress {aec} -o {wav}", "decompress", aec, "-o", wav))
    return out


def time_commands(
    images: list[Path], speech: Path | None, music: Path | None, repeats: int
) -> dict:
    """Time every command of ``_commands`` in a scratch folder; one dict per row."""
    aecodec = shutil.which("aecodec", path=str(Path(sys.executable).parent)) or shutil.which(
        "aecodec"
    )
    if aecodec is None:
        raise SystemExit("aecodec: the aecodec command is not installed in this environment")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "coded").mkdir()
        (work / "decoded").mkdir()
        commands = _commands(aecodec, images, speech, music)
        for i, (label, argv, files) in enumerate(commands):
            print(f"[{i + 1}/{len(commands)}] {label}", file=sys.stderr, flush=True)
            rows.append({"command": label, "files": files, **time_command(argv, repeats, work)})
    _add_per_file(rows)
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "threads": os.environ.get("OMP_NUM_THREADS", "(unset)"),
        "rows": rows,
    }


def _add_per_file(rows: list[dict]) -> None:
    """Batch rows get cpu_per_file_s: (batch CPU - the single-file CPU) / (files - 1)."""
    single: dict[str, dict] = {}
    for row in rows:
        verb = row["command"].split()[1] if row["command"].startswith("aecodec ") else ""
        single.setdefault(verb, row)  # the first row of each verb codes one file
        one = single[verb]
        if row["files"] > 1 and one is not None:
            row["cpu_per_file_s"] = (row["cpu_s"] - one["cpu_s"]) / (row["files"] - 1)


def timing_table(result: dict) -> str:
    """Markdown table of a time_commands result."""
    lines = [
        "| command | wall s | CPU s | CPU s per file after start-up |",
        "|---|---:|---:|---:|",
    ]
    for row in result["rows"]:
        per = f"{row['cpu_per_file_s']:.2f}" if "cpu_per_file_s" in row else ""
        lines.append(f"| `{row['command']}` | {row['wall_s']:.2f} | {row['cpu_s']:.2f} | {per} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", required=True, help="folder of images (all are coded)")
    parser.add_argument("--speech", help="speech folder: its first file is timed")
    parser.add_argument("--music", help="music folder: its first file is timed")
    parser.add_argument("--repeats", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--out", default="bench/results/cli-timing", help="output stem")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    images = [p.resolve() for p in list_images(args.images)]  # commands run in a scratch folder
    speech = list_audio(args.speech)[0].resolve() if args.speech else None
    music = list_audio(args.music)[0].resolve() if args.music else None
    try:
        result = time_commands(images, speech, music, args.repeats)
    except RuntimeError as e:
        print(f"cli_timing: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    table = timing_table(result)
    out.with_suffix(".md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
