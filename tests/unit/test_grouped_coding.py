"""Coding the latent in channel groups gives exactly CompressAI's one-shot bytes and values."""

from __future__ import annotations

import torch

from aecodec.models import grouped_coding
from aecodec.models.audio_hyperprior import AudioConfig, AudioHyperprior
from aecodec.models.grouped_coding import decode_grouped, encode_grouped


def test_grouped_coding_matches_compressai_one_shot(monkeypatch) -> None:
    torch.manual_seed(0)
    config = AudioConfig(mdct_hop=16, strides=(2,), widths=(8, 12), m=8, n=8, levels=2,
                         kbps=(2.0, 4.0))  # fmt: skip
    model = AudioHyperprior(config).eval()
    model.freeze()
    gc = model.gaussian_conditional
    y = torch.randn(1, 8, 1, 300) * 4
    means = torch.randn(1, 8, 1, 300, dtype=torch.float64)
    indexes = gc.build_indexes(torch.rand(1, 8, 1, 300) * 5 + 0.2)
    whole = gc.compress(y, indexes, means=means)[0]
    monkeypatch.setattr(grouped_coding, "GROUP_SYMBOLS", 600)  # groups of 2 channels
    assert encode_grouped(gc, y, indexes, means) == whole
    decoded = decode_grouped(gc, whole, indexes, means)
    expected = gc.decompress([whole], indexes, means=means)
    assert decoded.dtype == expected.dtype and torch.equal(decoded, expected)
    assert torch.equal(decoded, torch.round(y - means) + means)  # the coding is lossless
