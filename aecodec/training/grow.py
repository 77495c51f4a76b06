"""Grow a trained image model into a wider one that starts out computing the same function.

Training a larger model from scratch on two CPU cores throws away every step already paid for.
``grow_image_state`` embeds a trained ``MeanScaleHyperprior`` (n, m) into a wider one
(n' >= n, m' >= m) so that, at initialisation, every old channel's activation, the
reconstruction and the rate are those of the old model; the new channels then learn to carry
what the old ones could not (function-preserving widening, as in Net2Net, Chen et al. 2016).

Rules, for a layer whose inputs and outputs both grew (old channels first in every tensor):

- weights from new input channels into old output channels are zero, so old activations are
  unchanged; weights into new output channels keep the fresh random initialisation;
- GDN: an old channel is not normalised by new channels (gamma[old, new] = 0);
- the latent y and the hyper-latent z are the exceptions: their new channels are *produced* as
  zero (g_a's and h_a's last layer), so that they cost no bits and g_s sees nothing new, while
  the consumers (g_s, h_a, h_s) keep random weights from them, so gradients reach the
  producers at once; the new z channels get a zero-centred density of width about 1; the new y
  channels get mean 0 and the smallest scale from h_s, and the mean of the old channels' gains;
- h_s's last layer is [scales(m), means(m)]: both halves are embedded separately.
"""

from __future__ import annotations

import torch
from compressai.entropy_models import EntropyBottleneck
from torch import Tensor

from aecodec.errors import ConfigError
from aecodec.models.image_hyperprior import MeanScaleHyperprior

__all__ = ["grow_image_state"]

_CDF_TABLES = ("_offset", "_quantized_cdf", "_cdf_length", "scale_table")
# A new hyper-latent channel starts with a density about this wide (z units): coding z = 0 costs
# a fraction of a bit per element, and the density can still follow z as it grows.
_NEW_Z_SCALE = 1.0
# Bias of h_s's scale outputs for new y channels: just above GaussianConditional's lower bound
# (0.11), so a zero latent is free and the scale follows the latent as soon as it grows (a
# bias far below the bound would take tens of thousands of Adam steps to climb back).
_NEW_SCALE_BIAS = 0.12


def _embed(new: Tensor, old: Tensor) -> Tensor:
    """``new`` with ``old`` copied into its leading corner (every dim of old <= new's)."""
    out = new.detach().clone()
    out[tuple(slice(0, s) for s in old.shape)] = old.to(out.dtype)
    return out


def _old_channels(old: dict[str, Tensor]) -> tuple[int, int]:
    """(n, m) of a source state dict: z channels and y channels."""
    return old["entropy_bottleneck.quantiles"].shape[0], old["log_gain"].shape[1]


def _level_offset(old_lambdas: tuple[float, ...], new_lambdas: tuple[float, ...]) -> int:
    """Index in the new ladder where the old ladder starts (it must appear there unbroken)."""
    k = len(old_lambdas)
    for i in range(len(new_lambdas) - k + 1):
        window = new_lambdas[i : i + k]
        if all(abs(a - b) <= 1e-9 for a, b in zip(window, old_lambdas, strict=True)):
            return i
    raise ConfigError(
        f"the new lambdas {list(new_lambdas)} must contain the old ladder {list(old_lambdas)}"
    )


def grow_image_state(
    model: MeanScaleHyperprior, old: dict[str, Tensor], old_lambdas: tuple[float, ...]
) -> dict[str, Tensor]:
    """State dict for ``model`` (the wider, freshly initialised one) that embeds ``old``.

    old: a trained MeanScaleHyperprior state dict (e.g. an exported .safetensors) with n <= n'
    and m <= m'; old_lambdas: its rate ladder, which must appear unbroken in the new ladder
    (new levels below and above it start from gains extrapolated geometrically).
    Returns a full state dict for ``model``.
    """
    n0, m0 = _old_channels(old)
    n1, m1 = model.config.n, model.config.m
    if n0 > n1 or m0 > m1:
        raise ConfigError(f"cannot grow ({n0}, {m0}) into the smaller ({n1}, {m1})")
    if old["log_gain"].shape[0] != len(old_lambdas):
        raise ConfigError("old_lambdas must have one entry per rate level of the old model")
    offset = _level_offset(tuple(old_lambdas), tuple(model.config.lambdas))
    own = model.state_dict()
    state: dict[str, Tensor] = {}
    for key, fresh in own.items():
        if key not in old or key.rsplit(".", 1)[-1] in _CDF_TABLES:  # refilled at export
            state[key] = fresh
            continue
        src = old[key]
        if tuple(src.shape) == tuple(fresh.shape):
            state[key] = src.to(fresh.dtype)
            continue
        state[key] = _embed(fresh, src)
    _zero_new_into_old(state, old)
    _zero_new_latents(state, n0, m0, n1, m1)
    _embed_hyper_output(state, old, own, m0, m1)
    _new_gains(state, old, m0, offset)
    _new_z_density(state, n0, n1)
    return state


def _zero_new_into_old(state: dict[str, Tensor], old: dict[str, Tensor]) -> None:
    """Old outputs ignore new inputs: conv W[out, in], deconv W[in, out], GDN gamma[out, in]."""
    for key, src in old.items():
        dst = state[key]
        if key.endswith(".weight") and dst.dim() == 4 and dst.shape != src.shape:
            deconv = key.startswith(("g_s.", "h_s.0", "h_s.2"))
            if deconv:  # ConvTranspose2d weight: [in, out, k, k]
                dst[src.shape[0] :, : src.shape[1]] = 0
            else:
                dst[: src.shape[0], src.shape[1] :] = 0
        elif key.endswith(".gamma") and dst.shape != src.shape:
            dst[: src.shape[0], src.shape[1] :] = _gdn_zero(dst)


def _gdn_zero(t: Tensor) -> Tensor:
    """The stored (reparametrised) value of a GDN gamma entry equal to 0."""
    # NonNegativeParametrizer stores sqrt(x + pedestal); pedestal = (2**-18)**2.
    return torch.tensor(2.0**-18, dtype=t.dtype)


def _zero_new_latents(state: dict[str, Tensor], n0: int, m0: int, n1: int, m1: int) -> None:
    """New y channels (g_a's last layer) and new z channels (h_a's last layer) start as 0;
    their consumers keep random weights from them, so the producers get gradients."""
    if m1 > m0:
        state["g_a.6.weight"][m0:] = 0
        state["g_a.6.bias"][m0:] = 0
        w = state["g_s.0.weight"]  # deconv [m, n, k, k]: new y -> all of g_s's first layer
        w[m0:] = torch.randn_like(w[m0:]) * w[:m0].std() * 0.1
    if n1 > n0:
        state["h_a.4.weight"][n0:] = 0
        state["h_a.4.bias"][n0:] = 0


def _embed_hyper_output(
    state: dict[str, Tensor], old: dict[str, Tensor], own: dict[str, Tensor], m0: int, m1: int
) -> None:
    """h_s.4 outputs [scales(m), means(m)]: embed the old scale and mean halves separately."""
    if m1 == m0:
        return
    w_old, b_old = old["h_s.4.weight"], old["h_s.4.bias"]
    w = own["h_s.4.weight"].detach().clone()
    b = own["h_s.4.bias"].detach().clone()
    cin0 = w_old.shape[1]
    w[:, :] = 0
    w[:m0, :cin0] = w_old[:m0].to(w.dtype)
    w[m1 : m1 + m0, :cin0] = w_old[m0:].to(w.dtype)
    b[:] = 0
    b[:m0] = b_old[:m0].to(b.dtype)
    b[m0:m1] = _NEW_SCALE_BIAS  # new channels: smallest scale, so a zero latent is free
    b[m1 : m1 + m0] = b_old[m0:].to(b.dtype)
    state["h_s.4.weight"], state["h_s.4.bias"] = w, b


def _new_gains(state: dict[str, Tensor], old: dict[str, Tensor], m0: int, offset: int) -> None:
    """Old levels keep their gains at rows offset.., new y channels take each level's mean old
    log-gain; new levels below and above extend the end steps of the old ladder (log-linear)."""
    for key in ("log_gain", "log_inv_gain"):
        rows = state[key]
        src = old[key].to(rows.dtype)  # [old levels, m0]
        k = src.shape[0]
        new_channels = src.mean(dim=1, keepdim=True).expand(-1, rows.shape[1] - m0)
        ladder = torch.cat([src, new_channels], dim=1)
        rows[offset : offset + k] = ladder
        low_step = ladder[0] - ladder[1] if k > 1 else torch.zeros_like(ladder[0])
        high_step = ladder[-1] - ladder[-2] if k > 1 else torch.zeros_like(ladder[0])
        for i in range(offset - 1, -1, -1):
            rows[i] = rows[i + 1] + low_step
        for i in range(offset + k, rows.shape[0]):
            rows[i] = rows[i - 1] + high_step


def _new_z_density(state: dict[str, Tensor], n0: int, n1: int) -> None:
    """New z channels get a narrow density centred on 0 (zero biases, no tanh factors)."""
    if n1 == n0:
        return
    narrow = EntropyBottleneck(n1 - n0, init_scale=_NEW_Z_SCALE).state_dict()
    for key, value in narrow.items():
        full = "entropy_bottleneck." + key
        if full not in state or state[full].shape[0] != n1 or value.shape[0] != n1 - n0:
            continue
        if ".biases." in full:
            value = torch.zeros_like(value)
        state[full][n0:] = value.to(state[full].dtype)
