"""Encoder-side refinement of the audio latent: it lowers the coded cost and leaves decoding be."""

from __future__ import annotations

import math

import pytest
import torch

from aecodec.errors import ConfigError
from aecodec.models import audio_refinement as R
from aecodec.models.audio_hyperprior import AudioConfig, AudioHyperprior

BETAS = (0.04, 0.01)
SMALL = AudioConfig(
    mdct_hop=16, strides=(2,), widths=(8, 12), m=8, n=8, levels=2, kbps=(2.0, 4.0),
    refine_betas=BETAS,
)  # fmt: skip


def _model(steps: int = 0) -> AudioHyperprior:
    torch.manual_seed(0)
    config = AudioConfig(**{**SMALL.to_dict(), "refine_steps": steps})
    model = AudioHyperprior(config).eval()
    model.freeze()
    return model


def _signal(model: AudioHyperprior, groups: int) -> torch.Tensor:
    t = torch.arange(model.factor * groups, dtype=torch.float32) / 16000
    return (0.3 * torch.sin(2 * math.pi * 440 * t) * (1 + torch.sin(7 * t))).view(1, 1, 1, -1)


def _start(model: AudioHyperprior, x: torch.Tensor, quality: float) -> torch.Tensor:
    gain, _ = model.gains(quality)
    return model.g_a(x) * gain.view(1, -1, 1, 1)


def test_beta_follows_the_levels_geometrically_and_extrapolates() -> None:
    assert R.beta_at(BETAS, 1.0) == pytest.approx(0.04)
    assert R.beta_at(BETAS, 2.0) == pytest.approx(0.01)
    assert R.beta_at(BETAS, 1.5) == pytest.approx(0.02)
    assert R.beta_at(BETAS, 3.0) == pytest.approx(0.0025)
    assert R.beta_at(BETAS, 0.0) == pytest.approx(0.16)


def test_refinement_lowers_the_cost_and_zero_steps_keep_the_latent() -> None:
    model = _model()
    x = _signal(model, 40)
    with torch.no_grad():
        y = _start(model, x, 1.5)
    assert torch.equal(R.refine_audio_latent(model, x, y, 1.5, 0), y)
    refined = R.refine_audio_latent(model, x, y, 1.5, 20, lr=0.05)
    assert refined.shape == y.shape
    assert R.latent_cost(model, x, refined, 1.5) < R.latent_cost(model, x, y, 1.5)


def test_windows_cover_a_signal_longer_than_one(monkeypatch) -> None:
    model = _model()
    monkeypatch.setattr(R, "WINDOW", 24)  # 160 frames: 7 windows, the last one short
    x = _signal(model, 40)
    with torch.no_grad():
        y = _start(model, x, 2.0)
    refined = R.refine_audio_latent(model, x, y, 2.0, 8, lr=0.05)
    assert R.latent_cost(model, x, refined, 2.0) < R.latent_cost(model, x, y, 2.0)
    changed = (refined != y).any(1).flatten()
    assert changed[:24].any() and changed[-16:].any()


def test_a_refining_model_codes_strings_its_decoder_reads_as_before() -> None:
    plain, refining = _model(0), _model(10)
    refining.load_state_dict(plain.state_dict())
    refining.freeze()
    x = _signal(plain, 40)
    a, b = plain.compress(x, 1.5), refining.compress(x, 1.5)
    assert a != b  # the encoder chose another latent
    y_hat = plain.decode_latent(b, x.shape[-1], 1.5)  # the plain decoder reads it
    assert y_hat.shape == (1, 8, 1, 160) and torch.isfinite(y_hat).all()


def test_refinement_needs_one_beta_per_level() -> None:
    with pytest.raises(ConfigError, match="refine_betas"):
        AudioConfig(**{**SMALL.to_dict(), "refine_steps": 5, "refine_betas": (0.1,)})
    with pytest.raises(ConfigError, match="refine_steps"):
        AudioConfig(**{**SMALL.to_dict(), "refine_steps": 500})
