"""Block error rate of an (n, k) communication autoencoder against hand-designed codes.

Monte-Carlo over AWGN at each Eb/N0: blocks are simulated in batches until ``min_errors``
block errors are seen or ``max_blocks`` blocks were sent. Each point carries its exact 95%
Clopper-Pearson interval. Baselines: uncoded BPSK (k bits in k channel uses) and, for (7,4),
Hamming(7,4) with hard-decision syndrome decoding and with maximum-likelihood soft decoding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import torch
from scipy.stats import beta

from aecodec.channel import awgn, ebno_to_snr_db
from aecodec.channel.hamming import hamming74_encode, hard_decode, ml_decode
from aecodec.channel.theory import hamming74_hard_bler, uncoded_bler

__all__ = [
    "simulate_bler",
    "clopper_pearson",
    "run_channel_bench",
    "ebno_at_bler",
    "markdown_table",
    "plot_bler",
]

# A scheme: (messages (B,), Eb/N0 dB, generator) -> decoded messages (B,)
Scheme = Callable[[torch.Tensor, float, torch.Generator], torch.Tensor]


def clopper_pearson(errors: int, blocks: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial confidence interval for an error rate."""
    a = (1 - confidence) / 2
    low = 0.0 if errors == 0 else float(beta.ppf(a, errors, blocks - errors + 1))
    high = 1.0 if errors == blocks else float(beta.ppf(1 - a, errors + 1, blocks - errors))
    return low, high


def simulate_bler(
    scheme: Scheme,
    k: int,
    ebno_db: float,
    generator: torch.Generator,
    min_errors: int = 100,
    max_blocks: int = 10_000_000,
    batch: int = 250_000,
) -> dict:
    """Send uniform k-bit messages until min_errors block errors or max_blocks blocks."""
    errors = blocks = 0
    while errors < min_errors and blocks < max_blocks:
        count = min(batch, max_blocks - blocks)
        messages = torch.randint(2**k, (count,), generator=generator)
        errors += int((scheme(messages, ebno_db, generator) != messages).sum())
        blocks += count
    low, high = clopper_pearson(errors, blocks)
    return {"bler": errors / blocks, "ci95": [low, high], "errors": errors, "blocks": blocks}


def autoencoder_scheme(model: torch.nn.Module) -> Scheme:
    @torch.no_grad()
    def run(messages: torch.Tensor, ebno_db: float, g: torch.Generator) -> torch.Tensor:
        return model(messages, ebno_db, g).argmax(dim=1)

    return run


def uncoded_bpsk_scheme(k: int) -> Scheme:
    shifts = torch.arange(k - 1, -1, -1)

    def run(messages: torch.Tensor, ebno_db: float, g: torch.Generator) -> torch.Tensor:
        bits = (messages.unsqueeze(1) >> shifts) & 1
        y = awgn(1.0 - 2.0 * bits.float(), ebno_to_snr_db(ebno_db, 1.0), g)
        return ((y < 0).long() << shifts).sum(dim=1)

    return run


def hamming74_scheme(decoder: Callable[[torch.Tensor], torch.Tensor]) -> Scheme:
    def run(messages: torch.Tensor, ebno_db: float, g: torch.Generator) -> torch.Tensor:
        y = awgn(hamming74_encode(messages), ebno_to_snr_db(ebno_db, 4 / 7), g)
        return decoder(y)

    return run


def run_channel_bench(
    model: torch.nn.Module,
    model_name: str,
    ebno_points: list[float],
    seed: int = 0,
    min_errors: int = 100,
    max_blocks: int = 10_000_000,
    tick: Callable[[], None] = lambda: None,
) -> dict:
    """BLER of the autoencoder and its baselines at each Eb/N0 (dB)."""
    n, k = model.config.n, model.config.k
    schemes: dict[str, tuple[Scheme, Callable[[float], float] | None]] = {
        f"autoencoder ({model_name})": (autoencoder_scheme(model), None),
        f"uncoded BPSK ({k} bits)": (uncoded_bpsk_scheme(k), lambda e: uncoded_bler(e, k)),
    }
    if (n, k) == (7, 4):
        schemes["Hamming(7,4) hard"] = (hamming74_scheme(hard_decode), hamming74_hard_bler)
        schemes["Hamming(7,4) ML"] = (hamming74_scheme(ml_decode), None)
    g = torch.Generator().manual_seed(seed)
    curves = {}
    for name, (scheme, theory) in schemes.items():
        points = []
        for ebno in ebno_points:
            p = simulate_bler(scheme, k, ebno, g, min_errors, max_blocks)
            if theory is not None:
                p["theory"] = theory(ebno)
            points.append(p)
            tick()
        curves[name] = points
    return {
        "n": n,
        "k": k,
        "model": model_name,
        "ebno_db": list(ebno_points),
        "seed": seed,
        "min_errors": min_errors,
        "max_blocks": max_blocks,
        "channel": "AWGN, real baseband, Es/N0 = Eb/N0 * k/n per channel use",
        "curves": curves,
    }


def ebno_at_bler(ebno: list[float], points: list[dict], target: float) -> float | None:
    """Eb/N0 (dB) where the curve crosses ``target``, interpolating log10(BLER) linearly."""
    for i in range(len(ebno) - 1):
        a, b = points[i]["bler"], points[i + 1]["bler"]
        if a >= target > b and b > 0:
            la, lb, lt = math.log10(a), math.log10(b), math.log10(target)
            return ebno[i] + (la - lt) / (la - lb) * (ebno[i + 1] - ebno[i])
    return None


def markdown_table(result: dict) -> str:
    """BLER per scheme and Eb/N0, with the 95% interval; gaps at BLER 1e-4 against the ML code."""
    names = list(result["curves"])
    lines = [
        f"({result['n']},{result['k']}) over AWGN: block error rate (95% Clopper-Pearson)\n",
        "| Eb/N0 (dB) | " + " | ".join(names) + " |",
        "|---:|" + "---:|" * len(names),
    ]
    for i, e in enumerate(result["ebno_db"]):
        cells = []
        for name in names:
            p = result["curves"][name][i]
            lo, hi = p["ci95"]
            cells.append(f"{p['bler']:.2e} [{lo:.1e}, {hi:.1e}]")
        lines.append(f"| {e:g} | " + " | ".join(cells) + " |")
    lines.append("")
    for name in names:
        at = ebno_at_bler(result["ebno_db"], result["curves"][name], 1e-4)
        lines.append(
            f"- {name}: Eb/N0 at BLER 1e-4 = " + (f"{at:.2f} dB" if at is not None else "n/a")
        )
    return "\n".join(lines) + "\n"


def plot_bler(result: dict, path: Path) -> None:
    """Log-scale BLER vs Eb/N0 with 95% intervals (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=120)
    x = result["ebno_db"]
    for name, points in result["curves"].items():
        keep = [i for i, p in enumerate(points) if p["errors"] > 0]
        xs = [x[i] for i in keep]
        ys = [points[i]["bler"] for i in keep]
        lo = [ys[j] - points[i]["ci95"][0] for j, i in enumerate(keep)]
        hi = [points[i]["ci95"][1] - ys[j] for j, i in enumerate(keep)]
        style = "-o" if name.startswith("autoencoder") else "--s"
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt=style, ms=3, capsize=2, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("Eb/N0 (dB)")
    ax.set_ylabel("block error rate")
    ax.set_title(f"({result['n']},{result['k']}) over AWGN")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
