"""Decoder-side settings of a speech model, compared on held-out clips at fixed qualities.

Settings such as decoding's 4-kHz low-pass (``lowpass_below``) or the fixed sharpening
(``sharpening``) change what decoding does after the codec sections; a model with coded band
energies also computes them from its own decoding, so its encoder must see the same decoder.
This probe codes held-out training clips at fixed qualities with the model as registered and
with each setting of ``--settings`` applied to it (the cached model's config is replaced, so
encoder and decoder agree), and reports the real bitrate (the registered entropy tables code
every setting, so a setting that moves the band-energy symbols pays for it), ViSQOL (speech
mode), PESQ and STOI (results made before STOI was added leave it blank).

Why the low-pass stops at quality 0.75 in speech-v9: speech-v5 low-passed its output at 4 kHz
under quality 3.5, where the codec's 4-8 kHz band scored worse than none; speech-v8 applies its
band energies after that low-pass, so above 4 kHz it scaled up what the low-pass had left.

    uv run --extra bench python -m aecodec.bench.audio.decoder_probe \\
        --data ../shared/data/speech/train --holdout-every 20 --files 6 \\
        --qualities 0.3,0.7,2.5,3.2 --model speech-v8 --settings lowpass_below=0

With ``--kbps`` instead, each clip is rate-matched (the ``--kbps`` search of compress, each
setting on its own) rather than coded at fixed qualities: for encoder-side settings such as the
input high-pass (``highpass_hz``), which change what a quality costs:

    uv run --extra bench python -m aecodec.bench.audio.decoder_probe \\
        --data ../shared/data/speech/train --holdout-every 20 --files 12 --kbps 12 \\
        --model speech-v12 --settings highpass_hz=50,highpass_hz=60,highpass_hz=70 --name highpass

Writes bench/results/audio-val/decoder-probe-MODEL-NAME.{json,md}, NAME from ``--name``
(about 5 CPU-s per clip, quality and setting; a rate search codes 5 to 8 times).
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from aecodec import zoo
from aecodec.audio_codec import compress_audio, compress_audio_to_kbps, decompress_audio
from aecodec.bench.audio import metrics as M
from aecodec.bench.audio.report import save_probe
from aecodec.datasets import list_audio, split_holdout
from aecodec.errors import ModelError
from aecodec.media_audio import read_audio

__all__ = ["main"]

RATE = 16000


def _coded(x: np.ndarray, quality: float, model: str, kbps: float = 0.0) -> dict[str, float]:
    """x float32[T, 1] -> real kbit/s, quality, ViSQOL, PESQ and STOI of the model's decoding
    at ``quality``, or (kbps > 0) at the quality whose file is closest to ``kbps`` (the top
    quality where the target is out of reach)."""
    if kbps:
        try:
            data, quality = compress_audio_to_kbps(x, RATE, kbps, model)
        except ModelError:
            net, _ = zoo.load(model, kind="audio")
            quality = net.max_quality
            data = compress_audio(x, RATE, quality, model)
    else:
        data = compress_audio(x, RATE, quality, model)
    y = decompress_audio(data)[0].astype(np.float32) / 32768
    return {
        "kbps": len(data) * 8 / (x.shape[0] / RATE) / 1000,
        "quality": float(quality),
        "visqol": M.visqol(x, y, RATE, True),
        "pesq": M.pesq_wb(x, y, RATE),
        "stoi": M.stoi(x, y, RATE),
    }


def _parsed(current: object, text: str) -> object:
    """A setting's value from text, of the type of its registered value (tuples: a;b;c)."""
    if isinstance(current, tuple):
        return tuple(float(v) for v in text.split(";"))
    return type(current)(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="16-kHz mono speech folder")
    parser.add_argument("--holdout-every", type=int, default=20)
    parser.add_argument("--files", type=int, default=6, help="first N held-out clips")
    parser.add_argument("--qualities", default="0.3,0.7,2.5,3.2")
    parser.add_argument(
        "--kbps", type=float, default=0.0, help="rate-match each clip instead (overrides qualities)"
    )
    parser.add_argument("--model", default="speech-v8", help="a registered speech model")
    parser.add_argument(
        "--settings",
        default="lowpass_below=0",
        help="settings to compare with the registered model: name=value[+name=value],... "
        "(a tuple as a;b;c)",
    )
    parser.add_argument("--name", default="lowpass", help="names the result files")
    parser.add_argument("--out", default="bench/results/audio-val")
    args = parser.parse_args(argv)
    qualities = [0.0] if args.kbps else [float(q) for q in args.qualities.split(",")]
    files = split_holdout(list_audio(args.data), args.holdout_every)[1][: args.files]
    net, _ = zoo.load(args.model, kind="audio")
    registered = net.config
    settings = {"registered": registered}
    for text in args.settings.split(","):
        changes = dict(item.split("=", 1) for item in text.split("+"))
        try:
            settings[text] = dataclasses.replace(
                registered, **{k: _parsed(getattr(registered, k), v) for k, v in changes.items()}
            )
        except (AttributeError, TypeError, ValueError) as error:
            raise SystemExit(f"decoder_probe: bad setting {text!r}: {error}") from None
    rows = []
    try:
        for path in files:
            x, rate = read_audio(path)
            if rate != RATE or x.shape[1] != 1:
                raise SystemExit(f"decoder_probe: {path.name}: expected 16-kHz mono speech")
            row: dict = {"file": path.name}
            for name, config in settings.items():
                net.config = config  # the cached model: encoder and decoder see the same
                row[name] = {
                    f"{q:g}": _coded(x.astype(np.float32), q, args.model, args.kbps)
                    for q in qualities
                }
            rows.append(row)
            print(path.name, flush=True)
    finally:
        net.config = registered
    how = f"rate-matched at {args.kbps:g} kbit/s" if args.kbps else "fixed qualities"
    lines = [
        f"{args.model}: {len(rows)} held-out clips of {args.data}, {how}; "
        f"registered: low-pass at {registered.lowpass_hz:g} Hz under quality "
        f"{registered.lowpass_below:g}, sharpening {registered.sharpening:g}",
        "",
        "| quality | setting | kbit/s | ViSQOL | PESQ | STOI |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    summary = {}
    for q in qualities:
        for name in settings:
            means = {
                m: float(np.mean([r[name][f"{q:g}"][m] for r in rows]))
                for m in ("kbps", "quality", "visqol", "pesq", "stoi")
                if m in rows[0][name][f"{q:g}"]
            }
            summary[f"{name} {q:g}"] = means
            shown = f"{means['quality']:.2f} (mean)" if args.kbps else f"{q:g}"
            lines.append(
                f"| {shown} | {name} | {means['kbps']:.2f} | {means['visqol']:.3f} "
                f"| {means['pesq']:.3f} | " + (f"{means['stoi']:.3f} |" if "stoi" in means else "|")
            )
    data = {"args": vars(args), "rows": rows, "summary": summary}
    save_probe(args.out, f"decoder-probe-{args.model}-{args.name}", data, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
