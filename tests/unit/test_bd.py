"""Bjøntegaard metrics on curves with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aecodec.bench.bd import bd_psnr, bd_rate

RATE = [0.15, 0.3, 0.5, 0.8, 1.2, 1.8]
PSNR = [27.0, 29.5, 31.6, 33.5, 35.4, 37.5]


@pytest.mark.parametrize("method", ["cubic", "pchip"])
def test_identical_curves_give_zero(method: str) -> None:
    assert bd_rate(RATE, PSNR, RATE, PSNR, method) == pytest.approx(0.0, abs=1e-9)
    assert bd_psnr(RATE, PSNR, RATE, PSNR, method) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("method", ["cubic", "pchip"])
def test_rates_scaled_by_0_8_give_minus_20_percent(method: str) -> None:
    scaled = [0.8 * r for r in RATE]
    assert bd_rate(RATE, PSNR, scaled, PSNR, method) == pytest.approx(-20.0, abs=1e-6)
    assert bd_rate(scaled, PSNR, RATE, PSNR, method) == pytest.approx(25.0, abs=1e-6)


def test_constant_psnr_offset_gives_that_bd_psnr() -> None:
    better = [p + 0.7 for p in PSNR]
    assert bd_psnr(RATE, PSNR, RATE, better) == pytest.approx(0.7, abs=1e-9)
    assert bd_rate(RATE, PSNR, RATE, better) < 0


def test_point_order_does_not_matter() -> None:
    perm = np.random.default_rng(0).permutation(len(RATE))
    r2, p2 = [RATE[i] for i in perm], [PSNR[i] for i in perm]
    assert bd_rate(RATE, PSNR, r2, [p + 0.3 for p in p2]) == pytest.approx(
        bd_rate(RATE, PSNR, RATE, [p + 0.3 for p in PSNR])
    )


def test_disjoint_curves_give_nan_and_short_curves_raise() -> None:
    assert math.isnan(bd_rate(RATE, PSNR, RATE, [p + 20 for p in PSNR]))
    with pytest.raises(ValueError, match="4"):
        bd_rate(RATE[:3], PSNR[:3], RATE, PSNR)


def test_repeated_rates_are_merged_rather_than_breaking_the_fit():
    rate = [0.1, 0.2, 0.2, 0.4, 0.8, 1.6]
    psnr = [28.0, 30.0, 30.0, 32.0, 34.0, 36.0]
    for method in ("cubic", "pchip"):
        assert abs(bd_rate(rate, psnr, rate, psnr, method=method)) < 1e-9
        assert abs(bd_psnr(rate, psnr, rate, psnr, method=method)) < 1e-9
