"""The digital baseline's bookkeeping: MCS table, capacity and practical budgets, source fits."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from aecodec.digital.chain import capacity_bytes, practical_bytes
from aecodec.digital.mcs import CODEWORD_BITS, MCS_TABLE, mcs_by_name
from aecodec.digital.source_fit import fit_jpeg2000


def test_mcs_table_is_sorted_by_efficiency_and_fits_whole_symbols():
    eff = [m.efficiency for m in MCS_TABLE]
    assert eff == sorted(eff)
    for m in MCS_TABLE:
        assert CODEWORD_BITS % m.bits_per_symbol == 0
        assert m.rate <= Fraction(m.info_bits, CODEWORD_BITS) < m.rate + Fraction(1, CODEWORD_BITS)
        # the Shannon limit of an efficiency below capacity is a real SNR
        assert 10 * math.log10(2**m.efficiency - 1) == pytest.approx(m.shannon_snr_db())
    assert mcs_by_name("16qam-r1/2").efficiency == pytest.approx(2.0)
    with pytest.raises(ValueError):
        mcs_by_name("1024qam-r1/2")


def test_capacity_budget_follows_log2_one_plus_snr():
    assert capacity_bytes(8000, 0.0) == 1000  # 1 bit per use at 0 dB
    assert capacity_bytes(8000, 10 * math.log10(3)) == 2000  # 2 bits per use
    assert capacity_bytes(0, 20.0) == 0


def test_practical_budget_counts_whole_codewords_only():
    qpsk = mcs_by_name("qpsk-r1/2")
    codewords, nbytes = practical_bytes(qpsk.symbols_per_codeword * 3 + 5, qpsk)
    assert codewords == 3 and nbytes == 3 * qpsk.info_bits // 8


def test_jpeg2000_fit_never_exceeds_the_budget(demo_pixels):
    crop = np.ascontiguousarray(demo_pixels[:128, :128])
    for budget in (300, 1000, 4000):
        data = fit_jpeg2000(crop, budget)
        assert data is not None and len(data) <= budget
        assert len(data) > 0.7 * budget  # and uses most of it
    assert fit_jpeg2000(crop, 10) is None


def _calibration_with(thresholds: dict[str, float]):
    from aecodec.digital.calibration import Calibration

    calib = Calibration(None)
    calib.data["thresholds_db"].update(thresholds)
    return calib


def test_design_picks_the_most_efficient_scheme_with_margin():
    calib = _calibration_with({m.name: m.shannon_snr_db() + 2.0 for m in MCS_TABLE})
    for design in (0.0, 7.5, 15.0):
        mcs = calib.design_mcs(design, MCS_TABLE)
        assert calib.threshold_db(mcs) <= design - 1.0
        better = [m for m in MCS_TABLE if m.efficiency > mcs.efficiency]
        assert all(calib.threshold_db(m) > design - 1.0 for m in better)
    assert calib.design_mcs(-20.0, MCS_TABLE) is None


def test_codeword_error_rate_is_one_below_and_zero_above_the_waterfall():
    calib = _calibration_with({m.name: 5.0 for m in MCS_TABLE})
    mcs = mcs_by_name("qpsk-r1/2")
    assert calib.codeword_error_rate(mcs, 3.0) == 1.0
    assert calib.codeword_error_rate(mcs, 7.5) == 0.0


def test_summary_reports_the_steepest_drop_and_the_gap_table():
    from aecodec.bench.jscc_bench import steepest_drop, summary_table

    assert steepest_drop([0, 2, 4], [20.0, 24.0, 25.0]) == 0.0
    assert steepest_drop([0, 2, 4], [30.0, 26.0, 25.0]) == 2.0
    result = {
        "snr_db": [0.0, 2.0],
        "schemes": {
            "djscc": {"psnr": [20.0, 22.0]},
            "softcast": {"psnr": [19.0, 23.0]},
            "ldpc-j2k-matched": {
                "psnr": [21.0, 21.5],
                "failure_rate": [0.0, 0.1],
                "mcs": ["qpsk-r1/4", "qpsk-r1/3"],
            },
            "ldpc-aec-matched": {
                "psnr": [20.5, 22.5],
                "failure_rate": [0.0, 0.0],
                "mcs": ["qpsk-r1/4", "qpsk-r1/3"],
            },
        },
    }
    table = summary_table(result)
    assert "| djscc | 20.00 | 22.00 | 21.00 |" in table
    assert "softcast never falls as the SNR rises." in table
    falling = {**result, "schemes": {**result["schemes"], "softcast": {"psnr": [22.0, 19.0]}}}
    assert "Steepest drop of softcast: 1.50 dB PSNR per dB of SNR." in summary_table(falling)
    # the gap is to the best chain designed for each SNR, whichever its source codec
    assert "| 0 | ldpc-j2k | qpsk-r1/4 | 0.000 | 21.00 | 20.00 | -1.00 | 19.00 | -2.00 |" in table
    assert "| 2 | ldpc-aec | qpsk-r1/3 | 0.000 | 22.50 | 22.00 | -0.50 | 23.00 | +0.50 |" in table
