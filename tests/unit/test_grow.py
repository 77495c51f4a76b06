"""Growing a trained image model: the wider model starts as exactly the old function."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from aecodec import zoo
from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior
from aecodec.training.grow import grow_image_state

V4_LAMBDAS = (0.0018, 0.0035, 0.0067, 0.013, 0.025, 0.0483)


def _v4() -> tuple[MeanScaleHyperprior, dict]:
    entry = zoo.registry()["hyperprior-v4"]
    state = load_file(str(zoo.WEIGHTS_DIR / entry.file))
    old = MeanScaleHyperprior(HyperpriorConfig(n=96, m=144, lambdas=V4_LAMBDAS))
    zoo.load_state(old, {k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return old.eval(), state


def test_grown_model_reproduces_the_old_reconstruction_and_latent_rate() -> None:
    torch.manual_seed(0)
    old, state = _v4()
    lambdas = (0.0005, *V4_LAMBDAS, 0.12)
    new = MeanScaleHyperprior(HyperpriorConfig(n=128, m=192, levels=8, lambdas=lambdas))
    new.load_state_dict(grow_image_state(new, state, V4_LAMBDAS))
    new.eval()
    x = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        for old_level, new_level in ((0, 1), (5, 6)):
            a, b = old(x, old_level), new(x, new_level)
            assert torch.allclose(a["x_hat"], b["x_hat"], atol=1e-5)
            bits_a = -torch.log2(a["likelihoods"]["y"]).sum()
            bits_b = -torch.log2(b["likelihoods"]["y"]).sum()
            assert abs(bits_a - bits_b) < 1e-3 * bits_a
    # the new end levels extend the gain ladder: finer steps above, coarser below
    assert new.log_gain[7].mean() > new.log_gain[6].mean() > new.log_gain[1].mean()
    assert new.log_gain[0].mean() < new.log_gain[1].mean()


def test_growing_into_a_smaller_model_or_another_ladder_is_refused() -> None:
    _, state = _v4()
    small = MeanScaleHyperprior(HyperpriorConfig(n=64, m=144, lambdas=V4_LAMBDAS))
    with pytest.raises(ValueError, match="smaller"):
        grow_image_state(small, state, V4_LAMBDAS)
    other = MeanScaleHyperprior(HyperpriorConfig(n=96, m=144, lambdas=(0.001,) * 6))
    with pytest.raises(ValueError, match="ladder"):
        grow_image_state(other, state, V4_LAMBDAS)
