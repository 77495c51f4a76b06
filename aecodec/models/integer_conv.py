"""Exact integer evaluation of a small conv stack, for bit-reproducible entropy parameters.

The decoder must rebuild the encoder's probability tables bit for bit. A float conv can give
slightly different sums with another thread count, CPU or library version, and a scale that
lands on the other side of a table boundary desynchronises the range coder (CompressAI issues
279 and 320). Here weights and activations are integers, and convolutions run in float64:
every product and partial sum is an integer below 2**53, so each addition is exact and the
result does not depend on summation order. Only element-wise, correctly rounded IEEE
operations remain, and those are the same on every machine.

Fixed point: an activation ``a`` is stored as ``round(a * 2**ACT_BITS)``; a weight ``w`` as
``round(w * 2**WEIGHT_BITS)``; a bias as ``round(b * 2**(ACT_BITS + WEIGHT_BITS))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["ACT_BITS", "WEIGHT_BITS", "IntegerLayer", "IntegerConvStack"]

ACT_BITS = 8
WEIGHT_BITS = 12
# |activation| is clamped to this many fixed-point units: with |w| < 2**16 and fan-in below
# 2**14, every partial sum stays below 2**(21 + 16 + 14) = 2**51 < 2**53.
_ACT_LIMIT = float(2**21)
_WEIGHT_LIMIT = float(2**16 - 1)
_MAX_FAN_IN = 2**14


@dataclass(frozen=True)
class IntegerLayer:
    """One layer: conv or transposed conv with integer-valued float64 weights.

    weight: Tensor[out, in, kh, kw] (conv) or Tensor[in, out, kh, kw] (transposed), integer values
    bias: Tensor[out], integer values in units of 2**-(ACT_BITS + WEIGHT_BITS)
    """

    weight: Tensor
    bias: Tensor
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    transposed: bool
    relu: bool


def _quantize_layer(module: nn.Module, relu: bool) -> IntegerLayer:
    transposed = isinstance(module, nn.ConvTranspose2d)
    if not isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        raise TypeError(f"cannot make an integer layer from {type(module).__name__}")
    w = module.weight.detach().double()
    fan_in = w.shape[0] * w.shape[2] * w.shape[3] if transposed else w[0].numel()
    if fan_in > _MAX_FAN_IN:
        raise ValueError(f"fan-in {fan_in} too large for exact float64 accumulation")
    w_int = torch.round(w * 2**WEIGHT_BITS).clamp(-_WEIGHT_LIMIT, _WEIGHT_LIMIT)
    b = module.bias.detach().double() if module.bias is not None else torch.zeros(w.shape[1])
    b_int = torch.round(b * 2 ** (ACT_BITS + WEIGHT_BITS))
    return IntegerLayer(
        weight=w_int,
        bias=b_int,
        stride=tuple(module.stride),
        padding=tuple(module.padding),
        output_padding=tuple(module.output_padding) if transposed else (0, 0),
        transposed=transposed,
        relu=relu,
    )


class IntegerConvStack:
    """A ReLU conv stack evaluated exactly (see module docstring).

    Built from an ``nn.Sequential`` of Conv2d / ConvTranspose2d layers separated by ReLU.
    """

    def __init__(self, stack: nn.Sequential) -> None:
        modules = list(stack)
        layers = []
        for i, m in enumerate(modules):
            if isinstance(m, nn.ReLU):
                continue
            relu = i + 1 < len(modules) and isinstance(modules[i + 1], nn.ReLU)
            layers.append(_quantize_layer(m, relu))
        self.layers = layers

    @torch.no_grad()
    def __call__(self, x: Tensor) -> Tensor:
        """x: Tensor[B, C, h, w] float -> Tensor[B, C', h', w'] float32, bit-reproducible."""
        a = torch.round(x.double() * 2**ACT_BITS).clamp(-_ACT_LIMIT, _ACT_LIMIT)
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            if layer.transposed:
                acc = F.conv_transpose2d(
                    a,
                    layer.weight,
                    None,
                    stride=layer.stride,
                    padding=layer.padding,
                    output_padding=layer.output_padding,
                )
            else:
                acc = F.conv2d(a, layer.weight, None, stride=layer.stride, padding=layer.padding)
            acc = acc + layer.bias.view(1, -1, 1, 1)
            if i == last:
                return (acc / 2 ** (ACT_BITS + WEIGHT_BITS)).float()
            # Back to ACT_BITS fixed point: exact division by a power of two, then floor.
            a = torch.floor(acc / 2**WEIGHT_BITS + 0.5)
            if layer.relu:
                a = a.clamp_min(0.0)
            a = a.clamp(-_ACT_LIMIT, _ACT_LIMIT)
        raise AssertionError("empty integer stack")
