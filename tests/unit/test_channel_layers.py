"""Channel layers: noise power, per-example SNR, seeding, gradients, normalisation, fading."""

import math

import pytest
import torch

from aecodec.channel import (
    awgn,
    complex_to_real,
    ebno_to_snr_db,
    noise_variance,
    normalize_power,
    rayleigh_block_fading,
    real_to_complex,
    snr_to_ebno_db,
    zero_forcing,
)


def test_awgn_real_noise_has_variance_n0_over_two_per_dimension():
    x = torch.zeros(4, 250_000)
    n = awgn(x, 10.0, torch.Generator().manual_seed(0))
    assert n.var().item() == pytest.approx(0.1 / 2, rel=0.01)


def test_awgn_complex_noise_has_variance_n0_per_symbol_split_evenly():
    x = torch.zeros(4, 250_000, dtype=torch.complex64)
    n = awgn(x, 3.0, torch.Generator().manual_seed(0))
    n0 = 10 ** (-0.3)
    assert n.abs().square().mean().item() == pytest.approx(n0, rel=0.01)
    assert n.real.var().item() == pytest.approx(n0 / 2, rel=0.01)
    assert n.imag.var().item() == pytest.approx(n0 / 2, rel=0.01)


def test_awgn_applies_one_snr_per_example():
    x = torch.zeros(2, 200_000)
    n = awgn(x, torch.tensor([0.0, 20.0]), torch.Generator().manual_seed(1))
    assert n[0].var().item() == pytest.approx(0.5, rel=0.02)
    assert n[1].var().item() == pytest.approx(0.005, rel=0.02)


def test_awgn_rejects_snr_that_does_not_match_the_batch():
    with pytest.raises(ValueError, match="snr_db of shape"):
        awgn(torch.zeros(3, 8), torch.zeros(4))


def test_awgn_is_reproducible_with_a_seeded_generator_and_passes_gradients():
    x = torch.randn(8, 16, requires_grad=True)
    a = awgn(x, 5.0, torch.Generator().manual_seed(7))
    b = awgn(x, 5.0, torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    (a * torch.arange(16.0)).sum().backward()
    assert torch.equal(x.grad, torch.arange(16.0).expand(8, 16))


def test_normalize_power_gives_unit_energy_per_channel_use_per_example():
    x = torch.randn(5, 3, 10) * torch.arange(1.0, 6.0).reshape(5, 1, 1)
    assert torch.allclose(normalize_power(x).square().mean(dim=(1, 2)), torch.ones(5), atol=1e-5)
    z = torch.randn(5, 12, dtype=torch.complex64) * 3
    p = normalize_power(z).abs().square().mean(dim=1)
    assert torch.allclose(p, torch.ones(5), atol=1e-5)


def test_real_complex_views_round_trip_and_pair_consecutive_values():
    x = torch.arange(12.0).reshape(2, 6)
    z = real_to_complex(x)
    assert z.shape == (2, 3) and z[0, 1] == complex(2, 3)
    assert torch.equal(complex_to_real(z), x)
    with pytest.raises(ValueError):
        real_to_complex(torch.zeros(2, 5))


def test_ebno_snr_conversions_are_inverse_and_use_rate_times_bits():
    assert ebno_to_snr_db(7.0, 4 / 7, 1) == pytest.approx(7.0 + 10 * math.log10(4 / 7))
    assert ebno_to_snr_db(3.0, 1.0, 2) == pytest.approx(3.0 + 10 * math.log10(2))
    assert snr_to_ebno_db(ebno_to_snr_db(5.5, 0.5, 4), 0.5, 4) == pytest.approx(5.5)
    assert noise_variance(10.0) == pytest.approx(0.1)


def test_rayleigh_fading_has_unit_average_gain_and_zero_forcing_undoes_it():
    g = torch.Generator().manual_seed(3)
    x = normalize_power(torch.randn(20_000, 8, dtype=torch.complex64, generator=g))
    y, h = rayleigh_block_fading(x, 60.0, g)
    assert h.shape == (20_000, 1)
    assert h.abs().square().mean().item() == pytest.approx(1.0, rel=0.03)
    big = h.abs().squeeze(1) > 0.1
    assert torch.allclose(zero_forcing(y, h)[big], x[big], atol=0.05)


def test_rayleigh_fading_on_real_signals_uses_a_real_amplitude():
    y, h = rayleigh_block_fading(torch.ones(1000, 4), 30.0, torch.Generator().manual_seed(0))
    assert not h.is_complex() and (h >= 0).all() and not y.is_complex()
