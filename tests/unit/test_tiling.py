"""Tiled transforms equal whole-image transforms (no seams) when the halo covers the reach."""

from __future__ import annotations

import torch
from torch import nn

from aecodec.models.tiling import tile_count, tiled_analysis, tiled_synthesis


def test_tile_count() -> None:
    assert tile_count(64, 64, 64) == 1
    assert tile_count(65, 64, 64) == 2
    assert tile_count(200, 130, 64) == 4 * 3


def test_tiled_analysis_equals_whole_image() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 8, 5, 2, 2),
        nn.ReLU(),
        nn.Conv2d(8, 8, 5, 2, 2),
        nn.ReLU(),
        nn.Conv2d(8, 6, 5, 2, 2),
    ).eval()
    x = torch.rand(1, 3, 8 * 13, 8 * 11)
    with torch.no_grad():
        whole = net(x)
        tiled = tiled_analysis(net, x, 8, tile=4, halo=3, channels=6)
    assert tiled.shape == whole.shape
    assert torch.allclose(tiled, whole, atol=1e-5)


def test_tiled_synthesis_equals_whole_image_with_sink() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.ConvTranspose2d(6, 8, 5, 2, 2, 1), nn.ReLU(), nn.ConvTranspose2d(8, 3, 5, 2, 2, 1)
    ).eval()
    y = torch.rand(1, 6, 13, 9)
    with torch.no_grad():
        whole = net(y)
        tiled = tiled_synthesis(net, y, 4, tile=4, halo=3, channels=3)
        canvas = torch.zeros_like(whole)

        def sink(t: int, left: int, b: int, r: int, tile: torch.Tensor) -> None:
            canvas[:, :, t:b, left:r] = tile

        ticks = []
        assert tiled_synthesis(net, y, 4, 4, 3, 3, sink, lambda: ticks.append(1)) is None
    assert torch.allclose(tiled, whole, atol=1e-5)
    assert torch.allclose(canvas, whole, atol=1e-5)
    assert len(ticks) == tile_count(13, 9, 4)
