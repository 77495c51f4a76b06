"""How each MCS behaves on the channel, measured by simulation (Sionna LDPC + QAM over AWGN).

- ``threshold_db(mcs)``: the least SNR (Es/N0, dB, to 0.1 dB) at which ``THRESHOLD_CODEWORDS``
  random codewords all decode, found by bisection upward of the Shannon limit.
- ``codeword_error_rate(mcs, snr)``: failed / sent codewords at one SNR, simulated when the SNR
  lies within [threshold - 1, threshold + 2] dB (the waterfall); below that window the rate is 1
  and above it 0 (a 4032-bit LDPC code falls from BLER 1 to below 1e-4 within about 1 dB).

A file of N codewords decodes with probability (1 - rate)^N (independent codewords on a
memoryless channel). Results are cached in a JSON file so benchmarks rerun quickly.
"""

from __future__ import annotations

import json
from pathlib import Path

from aecodec.digital.ldpc_link import DECODER_ITERATIONS, simulate_codeword_errors
from aecodec.digital.mcs import CODEWORD_BITS, Mcs
from aecodec.files import write_atomic

__all__ = ["Calibration", "THRESHOLD_CODEWORDS", "DESIGN_MARGIN_DB"]

THRESHOLD_CODEWORDS = 100
RATE_CODEWORDS = 200
DESIGN_MARGIN_DB = 1.0  # a chain designed for SNR d uses an MCS with threshold <= d - margin


class Calibration:
    """Thresholds and codeword error rates, computed on demand and cached in ``path``."""

    def __init__(self, path: Path | None = None, seed: int = 0) -> None:
        self.path = path
        self.seed = seed
        self.data: dict = {
            "codeword_bits": CODEWORD_BITS,
            "decoder_iterations": DECODER_ITERATIONS,
            "threshold_codewords": THRESHOLD_CODEWORDS,
            "rate_codewords": RATE_CODEWORDS,
            "seed": seed,
            "thresholds_db": {},
            "codeword_error_rates": {},
        }
        if path is not None and path.exists():
            cached = json.loads(path.read_text())
            if all(cached.get(k) == v for k, v in self.data.items() if not isinstance(v, dict)):
                self.data = cached

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.data, indent=1, sort_keys=True) + "\n"
        write_atomic(self.path, text.encode(), force=True)

    def threshold_db(self, mcs: Mcs) -> float:
        table = self.data["thresholds_db"]
        if mcs.name not in table:
            lo, hi = mcs.shannon_snr_db(), mcs.shannon_snr_db() + 3.0
            for _ in range(5):  # 3 dB / 2^5 = 0.09 dB
                mid = (lo + hi) / 2
                failed, _ = simulate_codeword_errors(mcs, mid, THRESHOLD_CODEWORDS, self.seed)
                lo, hi = (mid, hi) if failed else (lo, mid)
            table[mcs.name] = round(hi, 4)
            self._save()
        return table[mcs.name]

    def codeword_error_rate(self, mcs: Mcs, snr_db: float) -> float:
        thr = self.threshold_db(mcs)
        if snr_db < thr - 1.0:
            return 1.0
        if snr_db > thr + 2.0:
            return 0.0
        key = f"{mcs.name}@{snr_db:.4f}"
        table = self.data["codeword_error_rates"]
        if key not in table:
            failed, sent = simulate_codeword_errors(mcs, snr_db, RATE_CODEWORDS, self.seed + 1)
            table[key] = failed / sent
            self._save()
        return table[key]

    def design_mcs(self, design_snr_db: float, table: tuple[Mcs, ...]) -> Mcs | None:
        """The most efficient MCS whose threshold is at most design SNR - DESIGN_MARGIN_DB."""
        best = None
        for mcs in sorted(table, key=lambda m: m.efficiency):
            if mcs.shannon_snr_db() > design_snr_db - DESIGN_MARGIN_DB:
                break  # its threshold is above the Shannon limit, so above the design point too
            if self.threshold_db(mcs) <= design_snr_db - DESIGN_MARGIN_DB:
                best = mcs
        return best
