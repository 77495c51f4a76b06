"""compressai pins numpy<2; the override in pyproject lifts it. Prove its coder works on numpy 2."""

from __future__ import annotations

import numpy as np
import torch
from compressai.entropy_models import EntropyBottleneck, GaussianConditional

from aecodec.models.image_hyperprior import scale_table


def test_environment_has_numpy_2() -> None:
    assert int(np.__version__.split(".")[0]) >= 2


def test_entropy_bottleneck_round_trip_is_exact_under_numpy_2() -> None:
    eb = EntropyBottleneck(4)
    eb.update(force=True)
    x = torch.randn(2, 4, 8, 8) * 3
    strings = eb.compress(x)
    out = eb.decompress(strings, x.shape[-2:])
    expected = torch.round(x - eb._get_medians()) + eb._get_medians()
    assert torch.equal(out, expected)


def test_gaussian_conditional_round_trip_is_exact_under_numpy_2() -> None:
    gc = GaussianConditional(None)
    gc.update_scale_table(scale_table(), force=True)
    y = torch.randn(1, 6, 9, 7) * 5
    scales = torch.rand(1, 6, 9, 7) * 4 + 0.2
    means = torch.randn(1, 6, 9, 7)
    idx = gc.build_indexes(scales)
    strings = gc.compress(y, idx, means=means)
    out = gc.decompress(strings, idx, means=means)
    assert torch.equal(out, torch.round(y - means) + means)
    # numpy arrays of the numpy-2 ABI go through compressai's helpers too
    assert isinstance(np.asarray(out), np.ndarray)
