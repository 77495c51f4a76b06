"""Optimisers of a rate-distortion model: the main one, and the entropy bottleneck's auxiliary one.

The entropy bottleneck's ``quantiles`` are fitted by their own loss (``model.aux_loss()``) on a
separate Adam, as CompressAI prescribes; everything else follows the rate-distortion loss.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from aecodec.training import distributed

__all__ = ["rd_optimizers", "rd_backward_step", "backward_step", "train_only"]


def train_only(
    model: torch.nn.Module, params: Iterable[torch.nn.Parameter] = ()
) -> list[torch.nn.Parameter]:
    """Freeze every parameter of ``model`` but ``params`` (the modes that keep a trained
    codec's bytes: decoder_only, mask_only, energy_only). Returns ``params`` as a list."""
    params = list(params)
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    return params


def rd_optimizers(
    model: torch.nn.Module, lr: float, aux_lr: float
) -> dict[str, torch.optim.Optimizer]:
    """{"main": Adam over all but the quantiles, "aux": Adam over the quantiles}."""
    aux = [p for n, p in model.named_parameters() if n.endswith(".quantiles")]
    main = [p for n, p in model.named_parameters() if not n.endswith(".quantiles")]
    return {"main": torch.optim.Adam(main, lr=lr), "aux": torch.optim.Adam(aux, lr=aux_lr)}


def backward_step(
    optimizer: torch.optim.Optimizer, loss: torch.Tensor, clip_grad: float, average: bool = False
) -> None:
    """Backward ``loss`` and step ``optimizer``, its parameters' gradient norm clipped to
    ``clip_grad`` first when that is positive (every task's step). average: first take the
    mean of the gradients over torchrun ranks (for parameters trained outside DDP)."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    params = [p for g in optimizer.param_groups for p in g["params"]]
    if average:
        distributed.average_gradients(params)
    if clip_grad > 0:
        torch.nn.utils.clip_grad_norm_(params, clip_grad)
    optimizer.step()


def rd_backward_step(
    model: torch.nn.Module,
    optimizers: dict[str, torch.optim.Optimizer],
    loss: torch.Tensor,
    clip_grad: float,
) -> None:
    """Backward the loss and step the main optimiser (norm clipped if clip_grad > 0), then one
    step of the auxiliary loss (gradients averaged across ranks under torchrun)."""
    main, aux = optimizers["main"], optimizers["aux"]
    backward_step(main, loss, clip_grad)
    aux.zero_grad(set_to_none=True)
    model.aux_loss().backward()
    distributed.average_gradients([p for g in aux.param_groups for p in g["params"]])
    aux.step()
