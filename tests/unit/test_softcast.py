"""SoftCast: exact power, the budget respected, graceful in SNR, near-lossless with room."""

from __future__ import annotations

import numpy as np
import pytest

from aecodec import softcast
from aecodec.metrics import psnr_rgb
from aecodec.softcast import metadata_uses, softcast_transmit


def test_with_every_coefficient_and_a_clean_channel_the_image_comes_back(demo_pixels):
    r = softcast_transmit(demo_pixels, 60.0, demo_pixels.size, seed=1)
    assert r.kept_chunks == r.total_chunks
    assert psnr_rgb(demo_pixels, r.pixels) > 45


def test_quality_rises_smoothly_with_snr(demo_pixels):
    uses = demo_pixels.size // 6
    psnr = [
        psnr_rgb(demo_pixels, softcast_transmit(demo_pixels, s, uses).pixels)
        for s in (0, 5, 10, 15, 20)
    ]
    assert all(b > a for a, b in zip(psnr, psnr[1:], strict=False))
    assert psnr[0] > 18  # no cliff at the bottom of the range


def test_symbols_have_unit_energy_and_fit_the_budget(demo_pixels, monkeypatch):
    seen = {}
    real = softcast._through_channel

    def spy(values, snr_db, channel, seed):
        seen["values"] = values
        return real(values, snr_db, channel, seed)

    monkeypatch.setattr(softcast, "_through_channel", spy)
    uses = demo_pixels.size // 12
    r = softcast_transmit(demo_pixels, 10.0, uses, grid=8)
    v = seen["values"]
    assert len(v) <= 2 * (uses - metadata_uses(r.total_chunks))
    complex_symbols = len(v) / 2
    assert np.sum(v * v) / complex_symbols == pytest.approx(1.0, rel=2e-3)


def test_seeded_and_rayleigh(demo_pixels):
    uses = demo_pixels.size // 6
    a = softcast_transmit(demo_pixels, 5.0, uses, channel="rayleigh", seed=3)
    b = softcast_transmit(demo_pixels, 5.0, uses, channel="rayleigh", seed=3)
    c = softcast_transmit(demo_pixels, 5.0, uses, channel="rayleigh", seed=4)
    assert np.array_equal(a.pixels, b.pixels) and not np.array_equal(a.pixels, c.pixels)
    with pytest.raises(ValueError):
        softcast_transmit(demo_pixels, 5.0, uses, channel="optical")


def test_llse_matches_the_closed_form_mse_on_a_gaussian_source():
    """Chunks of N(0, lambda_i) values: the measured MSE of each chunk is the closed form
    lambda sigma^2 / (g^2 lambda + sigma^2), g = c lambda^(-1/4), c from unit symbol energy."""
    rng = np.random.default_rng(5)
    lam = np.array([100.0, 10.0, 1.0, 0.1])
    n = 20000
    parts = [rng.normal(0.0, np.sqrt(v), n) for v in lam]
    snr_db = 10.0
    out, amplitude = softcast.send_chunks(parts, lam, snr_db, "awgn", seed=1)
    assert amplitude == 1.0
    sigma2 = 10 ** (-snr_db / 10) / 2
    c2 = (len(lam) * n / 2) / (n * np.sum(np.sqrt(lam)))  # mean |symbol|^2 = 1
    g2 = c2 / np.sqrt(lam)
    expected = lam * sigma2 / (g2 * lam + sigma2)
    measured = np.array([np.mean((a - b) ** 2) for a, b in zip(out, parts, strict=True)])
    assert measured == pytest.approx(expected, rel=0.05)
    # the allocation beats sending every chunk at equal power (same total energy)
    equal = np.sum(lam * sigma2 / (lam * (len(lam) * n / 2) / (n * lam.sum()) + sigma2))
    assert measured.sum() < equal


def test_softcast_planes_sends_a_residual_and_the_colour_transform_inverts(demo_pixels):
    rgb = demo_pixels.astype(np.float64) / 255.0
    assert np.allclose(softcast.ycc_to_rgb(softcast.rgb_to_ycc(rgb)), rgb)
    rng = np.random.default_rng(0)
    residual = 0.02 * rng.standard_normal(demo_pixels.shape)  # small, white: a codec's miss
    clean, kept, total, amplitude = softcast.softcast_planes(residual, 40.0, residual.size)
    assert kept == total and amplitude == 1.0
    assert np.mean((clean - residual) ** 2) < 1e-3 * np.mean(residual**2)
    noisy = softcast.softcast_planes(residual, 0.0, residual.size // 6)[0]
    assert np.mean((noisy - residual) ** 2) < np.mean(residual**2)  # LLSE never adds error
