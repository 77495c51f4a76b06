"""Run audio codecs over a folder at target bitrates; aggregate per codec and target.

Result JSON::

    {"data": folder, "files": n, "metrics": [...], "codecs": {name: settings},
     "rows": [{"codec", "target_kbps", "file", "kbps", <metrics>, "lag", <settings used>}],
     "summary": {codec: {"target_kbps": [...], "kbps": [...], <metric>: [...]}}}

kbps is each file's real size x 8 / duration / 1000; summaries are means over files.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aecodec.bench.audio import metrics as M
from aecodec.bench.audio.codecs import AudioCodec
from aecodec.errors import ConfigError
from aecodec.media_audio import read_audio

__all__ = ["metric_names", "run_audio_bench"]

Tick = Callable[[], None] | None


def metric_names(speech: bool, perceptual: bool = False) -> list[str]:
    """Metrics this run can report: PESQ and STOI for speech (when installed), always SI-SDR
    and log-mel distance; with ``perceptual`` also ViSQOL (speech or audio mode) and, for
    speech, DNSMOS (about 3 s of CPU per clip: ask for them with ``--perceptual``)."""
    names = []
    if speech and M.pesq_available():
        names.append("pesq")
    if speech and M.speech_metrics_available():
        names.append("stoi")
    if perceptual:
        if not M.perceptual_metrics_available():
            raise ConfigError("--perceptual needs the bench extra: pip install 'aecodec[bench]'")
        names += ["visqol", "dnsmos"] if speech else ["visqol"]
    return names + ["si_sdr", "log_mel"]


def _measure(ref: np.ndarray, dec: np.ndarray, rate: int, names: list[str], speech: bool) -> dict:
    out = {}
    for name in names:
        if name == "pesq":
            out[name] = M.pesq_wb(ref, dec, rate)
        elif name == "stoi":
            out[name] = M.stoi(ref, dec, rate)
        elif name == "visqol":
            out[name] = M.visqol(ref, dec, rate, speech)
        elif name == "dnsmos":
            out[name] = M.dnsmos_ovrl(dec, rate)
        elif name == "si_sdr":
            out[name] = M.si_sdr(ref, dec)
        elif name == "log_mel":
            out[name] = M.log_mel_distance(ref, dec, rate)
    return out


def _summary(rows: list[dict], codecs: list[str], targets: list[float], names: list[str]) -> dict:
    out: dict = {}
    for codec in codecs:
        entry: dict = {"target_kbps": [], "kbps": [], **{n: [] for n in names}}
        for target in targets:
            sel = [r for r in rows if r["codec"] == codec and r["target_kbps"] == target]
            if not sel:
                continue
            entry["target_kbps"].append(target)
            entry["kbps"].append(float(np.mean([r["kbps"] for r in sel])))
            for n in names:
                vals = [r[n] for r in sel if not math.isnan(r[n])]
                entry[n].append(float(np.mean(vals)) if vals else math.nan)
        out[codec] = entry
    return out


def reusable_rows(previous: dict | None, codec: AudioCodec, files: list[Path], targets, names):
    """Rows of ``codec`` from an earlier result with the same settings, files, targets and
    metrics, or None."""
    if not previous or previous.get("codecs", {}).get(codec.name) != codec.settings():
        return None
    if previous.get("metrics") != names:
        return None
    rows = [r for r in previous.get("rows", []) if r["codec"] == codec.name]
    wanted = {(p.name, t) for p in files for t in targets}
    return rows if {(r["file"], r["target_kbps"]) for r in rows} == wanted else None


def run_audio_bench(
    files: list[Path],
    codecs: list[AudioCodec],
    targets: list[float],
    speech: bool,
    tick: Tick = None,
    previous: dict | None = None,
    perceptual: bool = False,
) -> dict:
    """Every codec at every target on every file; see module docstring for the result.

    previous: an earlier result; codecs whose rows it holds with identical settings, files,
    targets and metrics are not rerun (``bench audio --reuse``).
    """
    names = metric_names(speech, perceptual)
    rows = []
    todo = []
    for codec in codecs:
        kept = reusable_rows(previous, codec, files, targets, names)
        if kept is None:
            todo.append(codec)
        else:
            rows += kept
            if tick is not None:
                for _ in range(len(files) * len(targets)):
                    tick()
    for path in files:
        ref, rate = read_audio(path)
        seconds = ref.shape[0] / rate
        for codec in todo:
            for target in targets:
                data, used = codec.encode(ref, rate, target)
                decoded = codec.decode(data, rate)
                aligned, lag = M.align(ref, decoded)
                row = {
                    "codec": codec.name,
                    "target_kbps": target,
                    "file": path.name,
                    "kbps": len(data) * 8 / seconds / 1000,
                    "lag": lag,
                    **used,
                    **_measure(ref, aligned, rate, names, speech),
                }
                rows.append(row)
                if tick is not None:
                    tick()
    return {
        "files": len(files),
        "metrics": names,
        "codecs": {c.name: c.settings() for c in codecs},
        "rows": rows,
        "summary": _summary(rows, [c.name for c in codecs], targets, names),
    }
