"""The integer hyper-decoder is exact: independent of summation order and thread count."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from aecodec.models.integer_conv import ACT_BITS, WEIGHT_BITS, IntegerConvStack


def make_stack() -> nn.Sequential:
    torch.manual_seed(1)
    return nn.Sequential(
        nn.ConvTranspose2d(8, 12, 5, stride=2, padding=2, output_padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(12, 18, 5, stride=2, padding=2, output_padding=1),
        nn.ReLU(),
        nn.Conv2d(18, 24, 3, padding=1),
    )


def test_integer_stack_approximates_float_stack() -> None:
    stack = make_stack()
    z = torch.round(torch.randn(1, 8, 6, 5) * 4)
    with torch.no_grad():
        ref = stack(z)
    out = IntegerConvStack(stack)(z)
    assert out.shape == ref.shape
    assert (out - ref).abs().max() < 0.05


def test_integer_stack_is_bit_identical_across_thread_counts() -> None:
    stack = make_stack()
    z = torch.round(torch.randn(1, 8, 16, 12) * 6)
    integer = IntegerConvStack(stack)
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = integer(z)
        torch.set_num_threads(max(2, old))
        two = integer(z)
    finally:
        torch.set_num_threads(old)
    assert torch.equal(one, two)


def test_integer_conv_matches_reordered_summation_exactly() -> None:
    # Sum the same conv over input channels in reverse order, one channel at a time:
    # with integer operands below 2**53 the float64 result must be identical.
    stack = nn.Sequential(nn.Conv2d(16, 4, 3, padding=1))
    integer = IntegerConvStack(stack)
    layer = integer.layers[0]
    a = torch.round(torch.randn(1, 16, 10, 10).double() * 2**ACT_BITS * 30)
    full = F.conv2d(a, layer.weight, None, padding=1)
    parts = torch.zeros_like(full)
    for c in reversed(range(16)):
        parts = parts + F.conv2d(a[:, c : c + 1], layer.weight[:, c : c + 1], None, padding=1)
    assert torch.equal(full, parts)
    assert layer.weight.abs().max() < 2**16
    assert torch.equal(layer.weight, torch.round(layer.weight))
    assert WEIGHT_BITS + ACT_BITS < 53
