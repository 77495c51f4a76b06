"""Hamming(7,4) baselines: exhaustive decoding checks and simulated BLER against references."""

import pytest
import torch

from aecodec.bench.channel_bench import clopper_pearson, hamming74_scheme, simulate_bler
from aecodec.channel.hamming import (
    HAMMING74_G,
    HAMMING74_H,
    hamming74_encode,
    hard_decode,
    ml_decode,
)
from aecodec.channel.theory import hamming74_hard_bler


def test_generator_and_parity_check_matrices_are_orthogonal():
    assert ((HAMMING74_G @ HAMMING74_H.T) % 2).sum() == 0


def test_hard_decoder_corrects_every_single_bit_error_of_every_message():
    messages = torch.arange(16)
    x = hamming74_encode(messages)
    assert torch.equal(hard_decode(x), messages)
    for position in range(7):
        y = x.clone()
        y[:, position] *= -1
        assert torch.equal(hard_decode(y), messages)


def test_ml_decoder_picks_the_nearest_codeword():
    messages = torch.arange(16)
    x = hamming74_encode(messages)
    assert torch.equal(ml_decode(x + 0.3 * torch.sign(torch.randn(16, 7))), messages)
    # minimum distance 3: any two codewords differ in at least 3 positions
    d = (x.unsqueeze(0) != x.unsqueeze(1)).sum(dim=2) + 7 * torch.eye(16, dtype=torch.long)
    assert d.min() == 3


def test_simulated_hard_decision_bler_matches_closed_form():
    g = torch.Generator().manual_seed(0)
    p = simulate_bler(hamming74_scheme(hard_decode), 4, 5.0, g, min_errors=2000)
    low, high = p["ci95"]
    assert low * 0.97 <= hamming74_hard_bler(5.0) <= high * 1.03


@pytest.mark.parametrize(("ebno_db", "reference"), [(4.0, 1.2e-2), (6.0, 8.0e-4)])
def test_simulated_ml_bler_matches_published_reference(ebno_db, reference):
    g = torch.Generator().manual_seed(1)
    p = simulate_bler(hamming74_scheme(ml_decode), 4, ebno_db, g, min_errors=500)
    assert p["bler"] == pytest.approx(reference, rel=0.15)


def test_clopper_pearson_brackets_the_estimate_and_handles_zero_errors():
    low, high = clopper_pearson(50, 10_000)
    assert low < 0.005 < high and 0.003 < low and high < 0.007
    assert clopper_pearson(0, 1000)[0] == 0.0 and 0.003 < clopper_pearson(0, 1000)[1] < 0.004
