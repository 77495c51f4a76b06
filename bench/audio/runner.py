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

__all__ = ["metric_names", "middle_excerpt", "run_audio_bench"]

Tick = Callable[[], None] | None


def middle_excerpt(x: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    """The middle ``seconds`` of x [T, C] at ``rate`` Hz (all of it when shorter, or when
    seconds is 0): long tracks measured on a clip of the length of the test excerpts."""
    n = round(seconds * rate)
    if n <= 0 or n >= x.shape[0]:
        return x
    start = (x.shape[0] - n) // 2
    return x[start : start + n]


def metric_names(speech: bool, perceptual: bool = False) -> list[str]:
    """Metrics this run can report: PESQ and STOI for speech (when installed), always SI-SDR
    and log-mel distance; with ``perceptual`` also ViSQOL (speech or audio mode) and, for
    speech, DNSMOS (about 3 s of CPU per clip: ask for them with ``--perceptual``)."""
    missing = M.missing_speech_metrics() if speech else {}
    names = [name for name in ("pesq", "stoi") if speech and name not in missing]
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


def reusable_rows(
    previous: dict | None, codec: AudioCodec, files: list[Path], targets, names
) -> dict[tuple[str, float], dict]:
    """Rows of ``codec`` from an earlier (possibly unfinished) result with the same settings
    and metrics, keyed by (file name, target kbit/s), for the files and targets wanted now;
    empty when the settings or metrics differ."""
    if not previous or previous.get("codecs", {}).get(codec.name) != codec.settings():
        return {}
    if previous.get("metrics") != names:
        return {}
    wanted = {(p.name, float(t)) for p in files for t in targets}
    rows = {}
    for r in previous.get("rows", []):
        key = (r["file"], float(r["target_kbps"]))
        if r["codec"] == codec.name and key in wanted:
            rows[key] = r
    return rows


def run_audio_bench(
    files: list[Path],
    codecs: list[AudioCodec],
    targets: list[float],
    speech: bool,
    tick: Tick = None,
    previous: dict | None = None,
    perceptual: bool = False,
    on_file: Callable[[dict], None] | None = None,
    excerpt_s: float = 0.0,
) -> dict:
    """Every codec at every target on every file; see module docstring for the result.

    previous: an earlier result, finished or not; rows it holds for a codec with identical
    settings and metrics are kept, and only the missing (file, target) pairs are coded
    (``bench audio --reuse``). on_file: called with the result so far after each file, so
    that an interrupted run can be resumed. excerpt_s: code only the middle excerpt_s seconds
    of each file (0: all of it).
    """
    names = metric_names(speech, perceptual)
    kept = {c.name: reusable_rows(previous, c, files, targets, names) for c in codecs}
    settings = {c.name: c.settings() for c in codecs}
    rows: list[dict] = []

    def result() -> dict:
        return {
            "files": len(files),
            "metrics": names,
            "codecs": settings,
            "rows": rows,
            "summary": _summary(rows, [c.name for c in codecs], targets, names),
        }

    for path in files:
        ref, rate = None, 0
        for codec in codecs:
            for target in targets:
                row = kept[codec.name].get((path.name, float(target)))
                if row is None:
                    if ref is None:
                        ref, rate = read_audio(path)
                        ref = middle_excerpt(ref, rate, excerpt_s)
                    row = _code_and_measure(codec, path.name, ref, rate, target, names, speech)
                rows.append(row)
                if tick is not None:
                    tick()
        if on_file is not None:
            on_file(result())
    return result()


def _code_and_measure(
    codec: AudioCodec,
    file: str,
    ref: np.ndarray,
    rate: int,
    target: float,
    names: list[str],
    speech: bool,
) -> dict:
    data, used = codec.encode(ref, rate, target)
    decoded = codec.decode(data, rate)
    aligned, lag = M.align(ref, decoded)
    return {
        "codec": codec.name,
        "target_kbps": target,
        "file": file,
        "kbps": len(data) * 8 / (ref.shape[0] / rate) / 1000,
        "lag": lag,
        **used,
        **_measure(ref, aligned, rate, names, speech),
    }
