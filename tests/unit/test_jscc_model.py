"""Deep JSCC model: shapes, bandwidth ratio, power, SNR conditioning, channels."""

from __future__ import annotations

import pytest
import torch

from aecodec.channel.ratio import parse_ratio
from aecodec.models.jscc import DeepJSCC, JSCCConfig, ratio_channels


def test_ratio_maps_to_latent_channels():
    assert ratio_channels(1 / 6) == 16
    assert ratio_channels(1 / 12) == 8
    for bad in (0.0, -1 / 6, 1.5, 1 / 7):
        with pytest.raises(ValueError):
            ratio_channels(bad)


def test_parse_ratio_accepts_fractions_and_rejects_nonsense():
    assert parse_ratio("1/6") == pytest.approx(1 / 6)
    assert parse_ratio("0.25") == 0.25
    for bad in ("-1/6", "0", "abc", "1/0", "3/2"):
        with pytest.raises(ValueError):
            parse_ratio(bad)


def test_encoder_spends_k_complex_symbols_of_unit_energy():
    net = DeepJSCC(JSCCConfig(filters=16, c=16)).eval()
    x = torch.rand(2, 3, 32, 48)
    with torch.no_grad():
        z = net.encode(x, torch.tensor([3.0, 12.0]))
    assert z.is_complex() and z.shape == (2, 8, 8, 12)
    k = z[0].numel()
    assert k == DeepJSCC.channel_uses(32, 48, 16)
    assert k / x[0].numel() == pytest.approx(1 / 6)
    energy = z.abs().square().flatten(1).mean(dim=1)
    assert torch.allclose(energy, torch.ones(2), atol=1e-5)


def test_decoder_output_is_an_image_in_unit_range_and_depends_on_snr():
    torch.manual_seed(0)
    net = DeepJSCC(JSCCConfig(filters=16, c=8)).eval()
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        z = net.encode(x)
        a = net.decode(z, torch.tensor([0.0]))
        b = net.decode(z, torch.tensor([20.0]))
    assert a.shape == x.shape and a.min() >= 0 and a.max() <= 1
    assert not torch.allclose(a, b)  # the attention gates see the SNR


def test_gradients_reach_the_encoder_through_both_channels():
    net = DeepJSCC(JSCCConfig(filters=8, c=4))
    x = torch.rand(2, 3, 16, 16)
    for channel in ("awgn", "rayleigh"):
        net.zero_grad()
        g = torch.Generator().manual_seed(1)
        y = net(x, torch.tensor([5.0, 5.0]), True, channel=channel, generator=g)
        ((y - x) ** 2).mean().backward()
        grad = net.encoder[0].conv.weight.grad
        assert grad is not None and grad.abs().sum() > 0


def test_same_seed_gives_the_same_noisy_reconstruction():
    net = DeepJSCC(JSCCConfig(filters=8, c=4)).eval()
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        runs = [
            net(x, torch.tensor([2.0]), False, generator=torch.Generator().manual_seed(s))
            for s in (7, 7, 8)
        ]
    assert torch.equal(runs[0], runs[1]) and not torch.equal(runs[0], runs[2])


def test_unknown_channel_is_refused():
    with pytest.raises(ValueError):
        JSCCConfig(channel="optical")
    net = DeepJSCC(JSCCConfig(filters=8, c=4))
    with pytest.raises(ValueError):
        net(torch.rand(1, 3, 8, 8), torch.tensor([1.0]), channel="optical")
