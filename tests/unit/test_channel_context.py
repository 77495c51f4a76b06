"""Channel context: starts as the hyperprior, codes exactly, tiles losslessly, any thread count."""

from __future__ import annotations

import pytest
import torch

from aecodec.models import channel_context
from aecodec.models.ans_coding import CodingError
from aecodec.models.channel_context import slice_bounds
from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior

LAMBDAS = (0.002, 0.02)


def _pair() -> tuple[MeanScaleHyperprior, MeanScaleHyperprior]:
    """A small model without and one with a context, sharing every other weight."""
    plain = MeanScaleHyperprior(HyperpriorConfig(n=16, m=24, levels=2, lambdas=LAMBDAS))
    ctx = MeanScaleHyperprior(
        HyperpriorConfig(n=16, m=24, levels=2, lambdas=LAMBDAS, context_slices=3, context_hidden=8)
    )
    ctx.load_state_dict(plain.state_dict(), strict=False)
    return plain.eval(), ctx.eval()


def _perturb(model: MeanScaleHyperprior) -> None:
    """Give the context nonzero weights, as training would."""
    with torch.no_grad():
        for p in model.context.parameters():
            p.add_(torch.randn_like(p) * 0.05)


def test_slices_cover_the_channels() -> None:
    assert slice_bounds(144, 6) == [(0, 24), (24, 48), (48, 72), (72, 96), (96, 120), (120, 144)]
    assert slice_bounds(10, 3) == [(0, 3), (3, 7), (7, 10)]
    with pytest.raises(ValueError):
        slice_bounds(4, 5)


def test_an_untrained_context_is_exactly_the_hyperprior() -> None:
    plain, ctx = _pair()
    x = torch.rand(2, 3, 128, 128)
    with torch.no_grad():
        a, b = plain(x, 1), ctx(x, 1)
    assert torch.equal(a["x_hat"], b["x_hat"])
    assert torch.allclose(a["likelihoods"]["y"], b["likelihoods"]["y"])


def test_context_coding_round_trips_exactly() -> None:
    _, ctx = _pair()
    _perturb(ctx)
    ctx.freeze()
    x = torch.rand(1, 3, 128, 192)
    strings = ctx.compress(x, 2.0)
    assert len(strings) == ctx.section_count == 4
    y_hat = ctx.decode_latent(strings, 128, 192, 2.0)
    gain, inv_gain = ctx.gains(2.0)
    # the decoded latent is the encoder's latent rounded to within half a step
    y = ctx.g_a(x) * gain.view(1, -1, 1, 1)
    err = (y_hat / inv_gain.view(1, -1, 1, 1) - y).abs().max()
    assert err <= 0.5 + 1e-4
    with pytest.raises(CodingError, match="sections"):
        ctx.decode_latent(strings[:3], 128, 192, 2.0)


def test_exact_path_is_the_same_tiled_and_with_any_thread_count(monkeypatch) -> None:
    _, ctx = _pair()
    _perturb(ctx)
    ctx.freeze()
    gain, _ = ctx.gains(1.5)
    with torch.no_grad():
        y = ctx.g_a(torch.rand(1, 3, 256, 320)) * gain.view(1, -1, 1, 1)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = ctx.code_latent(y)
        y_one = ctx.decode_latent(one, 256, 320, 1.5)
        torch.set_num_threads(2)
        two = ctx.code_latent(y)
        y_two = ctx.decode_latent(one, 256, 320, 1.5)
        monkeypatch.setattr(channel_context, "TILE", 5)  # many tiles, halos across seams
        tiled = ctx.code_latent(y)
        y_tiled = ctx.decode_latent(one, 256, 320, 1.5)
    finally:
        torch.set_num_threads(before)
    assert one == two == tiled
    assert torch.equal(y_one, y_two) and torch.equal(y_one, y_tiled)
