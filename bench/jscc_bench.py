"""PSNR against channel SNR: deep JSCC and the digital chain on the same channel uses.

For every image and SNR (Es/N0 per complex channel use, dB):

- ``djscc``: the deep JSCC model with a transmitter that does not know the SNR;
- ``softcast``: SoftCast (aecodec.softcast), linear analog, on the same channel uses
  (metadata included) and the same channel; ``softcast-refined``: the same transmissions
  with the registered learned receiver correction for this ratio and channel, if any;
- ``ideal-j2k`` / ``ideal-aec``: JPEG 2000 / aecodec at the capacity budget k log2(1 + SNR)
  bits, delivered without error (separation with ideal capacity-achieving codes);
- ``ldpc-j2k@D``: JPEG 2000 through 5G LDPC + QAM chosen for a fixed design SNR D, used at
  every channel SNR (the cliff); ``ldpc-j2k-matched``: the chain designed for exactly the
  channel SNR. The same with aecodec's files (``ldpc-aec``) or HEVC intra (``ldpc-hevc``:
  libx265 4:4:4 through PyAV, the bench extra; the lowest integer QP whose stream fits).
  The PSNR of a practical chain is the expectation over decoding success: a file of N
  codewords decodes with probability (1 - p)^N, p the simulated codeword error rate of its MCS
  at that SNR (see aecodec.digital.calibration); a lost file shows mid-grey.

Images are read once; ``thumbnail`` > 0 replaces each image by its crops of that side (a 3 x 2
grid of crops per image).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np

from aecodec import media
from aecodec.digital.calibration import DESIGN_MARGIN_DB, Calibration
from aecodec.digital.chain import (
    capacity_bytes,
    decode_source,
    encode_source,
    grey_image,
    practical_bytes,
)
from aecodec.digital.mcs import MCS_TABLE, Mcs
from aecodec.metrics import psnr_rgb
from aecodec.models.jscc import DeepJSCC
from aecodec.rate_control import largest_within

__all__ = ["load_images", "run_jscc_bench", "summary_table", "plot_psnr"]

Tick = Callable[[], None]


def load_images(paths: list[Path], thumbnail: int = 0) -> list[tuple[str, np.ndarray]]:
    """(name, uint8 [H, W, 3]) per image, or per thumbnail crop when ``thumbnail`` > 0."""
    out = []
    for path in paths:
        pixels = media.read_image(path)
        if not thumbnail:
            out.append((path.stem, pixels))
            continue
        h, w, _ = pixels.shape
        if min(h, w) < thumbnail:
            continue
        for row in range(2):
            for col in range(3):
                top = (h - thumbnail) * row
                left = (w - thumbnail) * col // 2
                crop = np.ascontiguousarray(pixels[top : top + thumbnail, left : left + thumbnail])
                out.append((f"{path.stem}-{row}{col}", crop))
    return out


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan


def _djscc(images, snrs, model: str, channel: str, seed: int, tick: Tick) -> dict:
    from aecodec.transmission import jscc_transmit

    psnr = {s: [] for s in snrs}
    for i, (_, pixels) in enumerate(images):
        for s in snrs:
            r = jscc_transmit(pixels, s, model, channel=channel, seed=seed + i)
            psnr[s].append(psnr_rgb(pixels, r.pixels))
            tick()
    return {"psnr": [_mean(psnr[s]) for s in snrs]}


def _softcast(images, snrs, uses, channel: str, seed: int, tick: Tick, refiner: str = ""):
    """{"softcast": curve} and, with a refiner, {"softcast-refined": curve}: the refined curve
    corrects the very transmissions of the plain one."""
    from aecodec.softcast import softcast_transmit
    from aecodec.transmission import refine_softcast

    plain = {s: [] for s in snrs}
    refined = {s: [] for s in snrs}
    for i, (_, pixels) in enumerate(images):
        for s in snrs:
            sent = softcast_transmit(pixels, s, uses[i], channel=channel, seed=seed + i)
            plain[s].append(psnr_rgb(pixels, sent.pixels))
            tick()
            if refiner:
                refined[s].append(psnr_rgb(pixels, refine_softcast(sent, refiner)))
                tick()
    out = {"softcast": {"psnr": [_mean(plain[s]) for s in snrs]}}
    if refiner:
        out["softcast-refined"] = {"psnr": [_mean(refined[s]) for s in snrs], "model": refiner}
    return out


SOURCE_CODECS = ("j2k", "aec", "hevc")  # of the ideal and practical chains in this bench
HEVC_MAX_QP = 51  # x265's QPs run 0 (finest) to 51


class _SourceCache:
    """Best file within a byte budget and its decoded PSNR, per (image, codec, budget).

    JPEG 2000 is fitted to each budget (aecodec.digital.source_fit). aecodec's codec is
    coded once per image on a ladder of qualities (1 to its top level in steps of 1/4); a
    budget takes the highest rung that fits, a real file. HEVC intra takes the lowest integer
    QP whose stream fits, by bisection (streams shrink as QP rises), each QP coded once per
    image.
    """

    AEC_STEP = 0.25

    def __init__(self) -> None:
        self.cache: dict[tuple[int, str, int], tuple[int, float] | None] = {}
        self.ladders: dict[int, list[tuple[int, bytes]]] = {}
        self.hevc_streams: dict[int, dict[int, bytes]] = {}

    @cached_property
    def hevc(self):
        from aecodec.bench.codecs.pyav_video import HevcIntraCodec

        return HevcIntraCodec()

    def _hevc(self, index: int, pixels: np.ndarray, budget: int) -> bytes | None:
        streams = self.hevc_streams.setdefault(index, {})

        def coded(quality: float) -> bytes:  # quality = HEVC_MAX_QP - QP, so size grows with it
            qp = HEVC_MAX_QP - int(quality)
            if qp not in streams:
                streams[qp] = self.hevc.encode(pixels, qp)
            return streams[qp]

        fit = largest_within(coded, budget, 0, HEVC_MAX_QP, integer=True)
        return None if fit is None else fit[0]

    def _decode(self, data: bytes, codec: str) -> np.ndarray:
        """uint8 RGB [H, W, 3] of one source file."""
        return self.hevc.decode(data) if codec == "hevc" else decode_source(data, codec)

    def _aec(self, index: int, pixels: np.ndarray, budget: int) -> bytes | None:
        if index not in self.ladders:
            from aecodec import zoo
            from aecodec.api import compress_image

            levels = len(zoo.load(None)[1].config["lambdas"])
            qualities = np.arange(1.0, levels + 1e-9, self.AEC_STEP)
            files = [compress_image(pixels, quality=float(q)) for q in qualities]
            self.ladders[index] = [(len(f), f) for f in files]
        fitting = [f for n, f in self.ladders[index] if n <= budget]
        return max(fitting, key=len) if fitting else None

    def hevc_file(
        self, index: int, pixels: np.ndarray, budget: int
    ) -> tuple[bytes, np.ndarray] | None:
        """The HEVC intra file the chains would send within ``budget`` bytes and its decoding
        (uint8 RGB [H, W, 3]), or None when no QP fits."""
        data = self._hevc(index, pixels, budget)
        return None if data is None else (data, self.hevc.decode(data))

    def get(self, index: int, pixels: np.ndarray, codec: str, budget: int):
        key = (index, codec, budget)
        if key not in self.cache:
            if codec == "aec":
                data = self._aec(index, pixels, budget)
            elif codec == "hevc":
                data = self._hevc(index, pixels, budget)
            else:
                data = encode_source(pixels, codec, budget)
            if data is None:
                self.cache[key] = None
            else:
                self.cache[key] = (len(data), psnr_rgb(pixels, self._decode(data, codec)))
        return self.cache[key]


def _ideal(images, snrs, uses, codec, cache: _SourceCache, channel: str, seed: int, tick) -> dict:
    """Capacity budget per image; over Rayleigh block fading, the capacity of the realised
    block, log2(1 + |h|^2 SNR) with |h|^2 ~ Exp(1) drawn per image and SNR (seeded)."""
    psnr = {s: [] for s in snrs}
    rng = np.random.default_rng(seed)
    for i, (_, pixels) in enumerate(images):
        grey = psnr_rgb(pixels, grey_image(pixels.shape))
        for s in snrs:
            gain_db = 10 * math.log10(rng.exponential()) if channel == "rayleigh" else 0.0
            fit = cache.get(i, pixels, codec, capacity_bytes(uses[i], s + gain_db))
            psnr[s].append(grey if fit is None else fit[1])
            tick()
    return {"psnr": [_mean(psnr[s]) for s in snrs]}


def _practical(images, snrs, uses, codec, designs: list[Mcs | None], calib, cache, tick) -> dict:
    """designs[j]: the MCS in use when the channel is at snrs[j]."""
    psnr = {s: [] for s in snrs}
    failure = {s: [] for s in snrs}
    for i, (_, pixels) in enumerate(images):
        grey = psnr_rgb(pixels, grey_image(pixels.shape))
        for s, mcs in zip(snrs, designs, strict=True):
            fit = None
            if mcs is not None:
                fit = cache.get(i, pixels, codec, practical_bytes(uses[i], mcs)[1])
            if fit is None:
                p_ok = 0.0
                ok_psnr = grey
            else:
                codewords = math.ceil(fit[0] * 8 / mcs.info_bits)
                p_ok = (1 - calib.codeword_error_rate(mcs, s)) ** codewords
                ok_psnr = fit[1]
            psnr[s].append(p_ok * ok_psnr + (1 - p_ok) * grey)
            failure[s].append(1 - p_ok)
            tick()
    return {
        "psnr": [_mean(psnr[s]) for s in snrs],
        "failure_rate": [_mean(failure[s]) for s in snrs],
        "mcs": [m.name if m else None for m in designs],
    }


def run_jscc_bench(
    images: list[tuple[str, np.ndarray]],
    snrs: list[float],
    model: str,
    channel: str,
    design_snrs: list[float],
    ideal_codecs: list[str],
    practical: list[str],
    calibration: Calibration,
    seed: int,
    tick: Tick = lambda: None,
    previous: dict | None = None,
    refiner: str = "",
) -> dict:
    """All schemes on ``images``; returns the results JSON (one curve per scheme).

    ``refiner``: a registered SoftCast refiner to add the ``softcast-refined`` scheme.
    ``previous``: an earlier result; its digital schemes (which do not depend on the deep JSCC
    model) are kept when images, SNR grid, ratio, channel and seed are identical."""
    from aecodec import zoo

    entry = zoo.registry()[model]
    c = entry.config["c"]
    uses = [DeepJSCC.channel_uses(p.shape[0], p.shape[1], c) for _, p in images]
    cache = _SourceCache()
    same = previous is not None and all(
        previous.get(k) == v
        for k, v in {
            "images": [name for name, _ in images],
            "snr_db": snrs,
            "ratio": c / 96,
            "channel": channel,
            "seed": seed,
        }.items()
    )
    kept = previous["schemes"] if same else {}

    def scheme(name: str, compute: Callable[[], dict]) -> None:
        if name in kept:
            schemes[name] = kept[name]
            for _ in range(len(images) * len(snrs)):
                tick()
        else:
            schemes[name] = compute()

    schemes: dict[str, dict] = {"djscc": _djscc(images, snrs, model, channel, seed, tick)}
    schemes.update(_softcast(images, snrs, uses, channel, seed, tick, refiner))
    for codec in ideal_codecs:
        scheme(
            f"ideal-{codec}",
            lambda codec=codec: _ideal(images, snrs, uses, codec, cache, channel, seed, tick),
        )
    for codec in practical:  # "j2k", "aec", "hevc": the source codec of the LDPC chains
        for d in design_snrs:
            mcs = calibration.design_mcs(d, MCS_TABLE)
            scheme(
                f"ldpc-{codec}@{d:g}dB",
                lambda mcs=mcs, codec=codec: _practical(
                    images, snrs, uses, codec, [mcs] * len(snrs), calibration, cache, tick
                ),
            )
        matched = [calibration.design_mcs(s, MCS_TABLE) for s in snrs]
        scheme(
            f"ldpc-{codec}-matched",
            lambda codec=codec, matched=matched: _practical(
                images, snrs, uses, codec, matched, calibration, cache, tick
            ),
        )
    return {
        "model": model,
        "model_sha256": entry.sha256,
        "ratio": c / 96,
        "channel": channel,
        "images": [name for name, _ in images],
        "image_size": sorted({f"{p.shape[1]}x{p.shape[0]}" for _, p in images}),
        "snr_db": snrs,
        "seed": seed,
        "mcs_thresholds_db": dict(calibration.data["thresholds_db"]),
        "design_margin_db": DESIGN_MARGIN_DB,
        "schemes": schemes,
    }


def work_units(
    images: int, snrs: int, ideal: int, designs: int, practical: int, refined: bool = False
) -> int:
    """Ticks one run makes (for the progress bar); practical: number of chain source codecs."""
    return images * snrs * (2 + refined + ideal + (designs + 1) * practical)


def steepest_drop(snrs: list[float], psnr: list[float]) -> float:
    """Largest PSNR loss per dB of SNR between neighbouring grid points (dB/dB)."""
    drops = [(psnr[i + 1] - psnr[i]) / (snrs[i + 1] - snrs[i]) for i in range(len(snrs) - 1)]
    return max(0.0, *(-d for d in drops)) if drops else 0.0


ANALOG_SCHEMES = ("djscc", "softcast", "softcast-refined")


def summary_table(result: dict) -> str:
    """Markdown: mean PSNR per SNR for every scheme and over the grid; each analog scheme's
    steepest drop; the gap of each analog scheme to the best practical chain designed for each
    SNR (over the chains' source codecs), with that chain's MCS and failure rate."""
    snrs = result["snr_db"]
    schemes = result["schemes"]
    lines = [
        "| scheme | " + " | ".join(f"{s:g} dB" for s in snrs) + " | mean |",
        "|---" * (len(snrs) + 2) + "|",
    ]
    for name, curve in schemes.items():
        row = " | ".join(f"{v:.2f}" for v in curve["psnr"])
        lines.append(f"| {name} | {row} | {_mean(curve['psnr']):.2f} |")
    analog = [n for n in ANALOG_SCHEMES if n in schemes]
    lines.append("")
    for name in analog:
        drop = steepest_drop(snrs, schemes[name]["psnr"])
        if drop > 0:
            lines.append(f"Steepest drop of {name}: {drop:.2f} dB PSNR per dB of SNR.")
        else:
            lines.append(f"{name} never falls as the SNR rises.")
    matched = {n: c for n, c in schemes.items() if n.startswith("ldpc-") and n.endswith("-matched")}
    if matched:
        head = " | ".join(f"{n} | {n} - LDPC" for n in analog)
        lines += [
            "",
            "| SNR (dB) | best chain for this SNR | its MCS | its failure rate | its PSNR "
            f"| {head} |",
            "|---" * (5 + 2 * len(analog)) + "|",
        ]
        for i, s in enumerate(snrs):
            best = max(matched, key=lambda n: matched[n]["psnr"][i])
            chain = matched[best]
            ldpc = chain["psnr"][i]
            cells = " | ".join(
                f"{schemes[n]['psnr'][i]:.2f} | {schemes[n]['psnr'][i] - ldpc:+.2f}" for n in analog
            )
            lines.append(
                f"| {s:g} | {best.removesuffix('-matched')} | {chain['mcs'][i]} "
                f"| {chain['failure_rate'][i]:.3f} | {ldpc:.2f} | {cells} |"
            )
    return "\n".join(lines) + "\n"


def plot_psnr(result: dict, path: Path, title: str) -> None:
    """PSNR vs SNR, one line per scheme."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, curve in result["schemes"].items():
        style = {"djscc": "-o", "softcast": "-s", "softcast-refined": "-^"}.get(
            name, "--" if name.startswith("ideal") else "-."
        )
        ax.plot(result["snr_db"], curve["psnr"], style, label=name, markersize=3)
    ax.set_xlabel("channel SNR (Es/N0 per complex use, dB)")
    ax.set_ylabel("PSNR (dB)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
