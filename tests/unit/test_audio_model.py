"""The audio hyperprior: shapes, tiled coding equals whole-signal coding, exact hyper-synthesis."""

from __future__ import annotations

import pytest
import torch

from aecodec.metrics import si_sdr_db
from aecodec.models.audio_hyperprior import AudioConfig, AudioHyperprior
from aecodec.models.mdct import IMDCT, MDCT
from aecodec.training.audio_loss import (
    audio_distortion,
    multi_resolution_stft_loss,
    pre_emphasis,
    stft_sizes,
)

SMALL = AudioConfig(mdct_hop=16, strides=(2,), widths=(8, 12), m=8, n=8, levels=2, kbps=(2.0, 4.0))


def small_model() -> AudioHyperprior:
    torch.manual_seed(0)
    return AudioHyperprior(SMALL).eval()


def test_forward_keeps_length_and_gives_likelihoods() -> None:
    model = small_model()
    x = torch.randn(2, 1, 1, model.factor * 5) * 0.1
    out = model(x, 1)
    assert out["x_hat"].shape == x.shape
    assert out["likelihoods"]["y"].shape == (2, 8, 1, 5 * 4)
    assert out["likelihoods"]["z"].shape == (2, 8, 1, 5)


def test_tiled_synthesis_equals_whole_signal() -> None:
    model = small_model()
    y = torch.randn(1, 8, 1, model.TILE * 2 + 40)
    tiled = model.synthesize(y)
    whole = model.g_s(y)
    assert tiled.shape == whole.shape
    assert torch.allclose(tiled, whole, atol=1e-5)


def test_compress_decode_round_trip_of_latent_is_exact_for_a_long_signal() -> None:
    model = small_model()
    model.freeze()
    x = torch.randn(1, 1, 1, model.factor * 300) * 0.1  # several analysis tiles
    strings = model.compress(x, 1.5)
    y_hat = model.decode_latent(strings, x.shape[-1], 1.5)
    again = model.decode_latent(strings, x.shape[-1], 1.5)
    assert y_hat.shape == (1, 8, 1, 300 * 4)
    assert torch.equal(y_hat, again)


def test_tiled_exact_hyper_synthesis_equals_the_whole() -> None:
    model = small_model()
    model.freeze()
    model.HYPER_TILE = 16  # several tiles
    z = torch.randint(-6, 7, (1, 8, 1, 16 * 3 + 5)).float()
    whole = model.integer_h_s()(z)
    tiled = model.run_h_s(z)
    assert tiled.shape == whole.shape == (1, 16, 1, 4 * z.shape[-1])
    assert torch.equal(tiled, whole)


def test_mdct_reconstructs_the_waveform_and_keeps_its_energy() -> None:
    hop = 64
    x = torch.randn(2, 1, 1, hop * 40)
    coefficients = MDCT(hop)(x)
    assert coefficients.shape == (2, hop, 1, 40)
    y = IMDCT(hop)(coefficients)
    inner = slice(hop, -hop)  # the first and last half frames lack their aliasing partner
    assert torch.allclose(y[..., inner], x[..., inner], atol=1e-5)
    ratio = coefficients.pow(2).sum() / x.pow(2).sum()
    assert abs(ratio.item() - 1) < 0.02  # orthonormal up to the edges


def test_stft_sizes_scale_with_sample_rate() -> None:
    assert stft_sizes(16000) == (256, 512, 1024)
    assert stft_sizes(44100) == (512, 1024, 2048)


def test_stft_loss_is_zero_for_identical_and_grows_with_noise() -> None:
    x = torch.randn(2, 4096) * 0.1
    sizes = stft_sizes(16000)
    assert multi_resolution_stft_loss(x, x, sizes).item() < 1e-5
    small = multi_resolution_stft_loss(x, x + 0.001 * torch.randn_like(x), sizes)
    large = multi_resolution_stft_loss(x, x + 0.05 * torch.randn_like(x), sizes)
    assert 0 < small.item() < large.item()


def test_pre_emphasis_is_the_first_order_difference() -> None:
    x = torch.tensor([[1.0, 2.0, 4.0]])
    assert torch.equal(pre_emphasis(x, 0.5), torch.tensor([[1.0, 1.5, 3.0]]))
    assert torch.equal(pre_emphasis(x, 0.0), x)


def test_emphasis_weighs_a_high_frequency_error_above_a_low_one_of_equal_energy() -> None:
    t = torch.arange(16000) / 16000
    x = torch.sin(2 * torch.pi * 200 * t).unsqueeze(0)
    low = x + 0.05 * torch.sin(2 * torch.pi * 300 * t)
    high = x + 0.05 * torch.sin(2 * torch.pi * 4000 * t)
    plain = [audio_distortion(x, y, 16000, 0.0).item() for y in (low, high)]
    weighted = [audio_distortion(x, y, 16000, 0.0, emphasis=0.9).item() for y in (low, high)]
    assert plain[0] == pytest.approx(plain[1], rel=0.01)
    assert weighted[1] > 10 * weighted[0]


def test_si_sdr_ignores_gain_and_punishes_noise() -> None:
    x = torch.randn(1, 8000)
    assert si_sdr_db(x, 0.5 * x).item() > 80
    noisy = si_sdr_db(x, x + 0.1 * torch.randn_like(x)).item()
    assert 18 < noisy < 22  # noise 20 dB below the signal


def test_linear_skip_starts_as_transform_coding_of_the_lowest_bins() -> None:
    """With the linear path, the untrained model passes the lowest m bins nearly unchanged:
    a tone inside them comes back (SI-SDR > 30 dB); one above them is mostly dropped."""
    config = AudioConfig(mdct_hop=32, strides=(1,), widths=(16, 16), m=16, n=8, levels=2,
                         kbps=(2.0, 4.0), linear_skip=True)  # fmt: skip
    torch.manual_seed(0)
    model = AudioHyperprior(config).eval()
    t = torch.arange(model.factor * 16, dtype=torch.float32)
    with torch.no_grad():
        for cycles_per_hop, expect_kept in ((3.3, True), (13.3, False)):  # bins 6.6 and 26.6
            x = (0.1 * torch.sin(2 * torch.pi * cycles_per_hop * t / 32)).view(1, 1, 1, -1)
            x_hat = model.g_s(model.g_a(x))
            inner = slice(64, -64)  # away from the edge frames
            sdr = si_sdr_db(x[..., inner].flatten(1), x_hat[..., inner].flatten(1)).item()
            assert (sdr > 30) if expect_kept else (sdr < 3), sdr


def test_linear_skip_refuses_strides_over_frames() -> None:
    with pytest.raises(ValueError, match="linear_skip needs every stride 1"):
        AudioConfig(mdct_hop=32, strides=(2,), widths=(16, 16), m=16, linear_skip=True)


def _with_postfilter(blocks: int) -> AudioHyperprior:
    torch.manual_seed(0)
    return AudioHyperprior(AudioConfig(**{**SMALL.to_dict(), "post_blocks": blocks})).eval()


def test_a_new_postfilter_starts_as_the_identity() -> None:
    plain, filtered = small_model(), _with_postfilter(3)
    filtered.load_state_dict(plain.state_dict(), strict=False)
    y = torch.randn(1, 8, 1, 50)
    assert torch.equal(filtered.g_s(y), plain.g_s(y))


def test_tiled_synthesis_with_a_trained_postfilter_equals_whole_signal() -> None:
    model = _with_postfilter(3)
    with torch.no_grad():  # as if trained: every block changes the signal
        for p in model.g_s.parameters():
            p.add_(0.05 * torch.randn_like(p))
    assert model.config.post_reach == (3 + 6 + 12 + 1) // 2  # frames at stride 2, rounded up
    assert model.synthesis_halo == model.HALO + model.config.post_reach
    y = torch.randn(1, 8, 1, model.TILE * 2 + 40)
    whole = model.g_s(y)
    assert not torch.allclose(whole, small_model().g_s(y), atol=1e-3)
    assert torch.allclose(model.synthesize(y), whole, atol=1e-5)


def test_coded_latent_is_rounded_around_the_hyper_means() -> None:
    model = small_model()
    x = torch.randn(1, 1, 1, model.factor * 3) * 0.1
    y_hat = model.coded_latent(x, 1.5)
    gain, _ = model.gains(1.5)
    y = model.g_a(x) * gain.view(1, -1, 1, 1)
    assert y_hat.shape == y.shape
    assert torch.all((y_hat - y).abs() <= 0.5 + 1e-5)  # one rounding step at most
    assert torch.equal(model.coded_latent(x, 1.5), y_hat)


def test_postfilter_depth_is_checked() -> None:
    with pytest.raises(ValueError, match="post_blocks"):
        AudioConfig(post_blocks=7)


def test_qualities_below_one_quantise_level_one_more_coarsely() -> None:
    torch.manual_seed(0)
    model = AudioHyperprior(AudioConfig(**{**SMALL.to_dict(), "min_quality": 0.0})).eval()
    model.freeze()
    g1, ig1 = model.gains(1.0)
    g0, ig0 = model.gains(0.0)
    assert torch.allclose(g0, g1 / 2) and torch.allclose(ig0, ig1 * 2)
    x = torch.randn(1, 1, 1, model.factor * 20) * 0.1
    sizes = [sum(len(s) for s in model.compress(x, q)) for q in (0.0, 0.5, 1.0)]
    assert sizes[0] < sizes[1] < sizes[2]
    with pytest.raises(ValueError, match=r"quality must be in \[1, 2\]"):
        small_model().gains(0.5)  # a model without min_quality keeps its ladder


def test_qualities_above_the_top_level_quantise_it_more_finely() -> None:
    torch.manual_seed(0)
    model = AudioHyperprior(AudioConfig(**{**SMALL.to_dict(), "max_quality": 3.0})).eval()
    model.freeze()
    top = SMALL.levels
    g_top, ig_top = model.gains(float(top))
    g_up, ig_up = model.gains(top + 1.0)
    assert torch.allclose(g_up, g_top * 2) and torch.allclose(ig_up, ig_top / 2)
    x = torch.randn(1, 1, 1, model.factor * 20) * 0.1
    sizes = [sum(len(s) for s in model.compress(x, q)) for q in (top, top + 0.5, top + 1.0)]
    assert sizes[0] < sizes[1] < sizes[2]
    with pytest.raises(ValueError, match=r"quality must be in \[1, 3\]"):
        model.gains(3.5)
    with pytest.raises(ValueError, match=r"quality must be in \[1, 2\]"):
        small_model().gains(2.5)  # a model without max_quality keeps its ladder
    with pytest.raises(ValueError, match="max_quality"):
        AudioConfig(**{**SMALL.to_dict(), "max_quality": top + 2.5})


def test_a_model_with_a_spectral_mask_builds_one_that_starts_as_the_identity() -> None:
    model = AudioHyperprior(AudioConfig(**{**SMALL.to_dict(), "mask_hidden": 8}))
    assert all(p.abs().sum() == 0 for p in model.spectral_mask.wide_out.parameters())
    assert not hasattr(small_model(), "spectral_mask")
