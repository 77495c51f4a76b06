"""rate_control.largest_within: the highest quality whose file fits a byte budget."""

from __future__ import annotations

import math

from aecodec.rate_control import largest_within


def _file_of(quality: float) -> bytes:
    return b"x" * int(10 * quality**1.5)  # grows with quality, like a real codec


def test_integer_search_finds_the_exact_largest_fitting_quality() -> None:
    for budget in (10, 57, 300, 999):
        data, q = largest_within(_file_of, budget, 1, 100, integer=True)
        assert len(data) <= budget < len(_file_of(q + 1)) and q == int(q)


def test_continuous_search_fits_and_comes_close_to_the_budget() -> None:
    data, q = largest_within(_file_of, 500, 1.0, 20.0)
    assert len(data) <= 500 and 1.0 <= q <= 20.0
    assert len(_file_of(q + 19 / 2**10 * 2)) > 500  # within two last bisection steps


def test_nothing_fits_gives_none_and_everything_fits_gives_the_top() -> None:
    assert largest_within(_file_of, 5, 1.0, 20.0) is None
    assert largest_within(_file_of, 5, 1, 100, integer=True) is None
    data, q = largest_within(_file_of, 10**6, 1.0, 20.0)
    assert q == 20.0 and len(data) == int(10 * 20**1.5) and not math.isnan(q)
