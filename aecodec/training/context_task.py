"""Train a channel context (and the hyperprior) on cached latents of frozen image transforms.

The cheap part of an image codec trained cheaply: g_a and g_s of a trained model stay fixed, so
the latent of every training crop is computed once, at the start, and each step runs only the
entropy side (h_a, h_s, the hyper-latent density and the channel context of
aecodec.models.channel_context) on a batch of cached latents. With the transforms and gains
fixed, the distortion is fixed too (up to where the rounding is centred), so the loss is the
rate alone. A step costs milliseconds instead of seconds, and the model starts exactly as the
trained one (the context's last layers start at zero).

The config names the model to start from (``init_from``: a registered image model or a run's
checkpoint.pt) and must repeat its n, m and lambdas, which export writes to the registry.
"""

from __future__ import annotations

import sys

import numpy as np
import torch
from torch import Tensor
from tqdm import tqdm

from aecodec import zoo
from aecodec.errors import ConfigError
from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior
from aecodec.training.config import TrainConfig
from aecodec.training.image_data import ImageCropSampler, load_validation_images
from aecodec.training.image_task import (
    _read_source,
    _split_context_group,
    hyperprior_arch,
    rate_bpp,
)
from aecodec.training.precision import bf16_autocast
from aecodec.training.rd_optim import rd_backward_step, rd_optimizers

__all__ = ["ContextTask", "FROZEN_PREFIXES", "hyperprior_arch"]

# Parameters that stay as trained: the transforms and the rate levels' gains.
FROZEN_PREFIXES = ("g_a.", "g_s.", "log_gain", "log_inv_gain")
_CACHE_BATCH = 8


def _start_state(model: MeanScaleHyperprior, old: dict[str, Tensor]) -> dict[str, Tensor]:
    """The model's fresh state with every tensor of the trained one copied in (same shapes,
    except the frozen CDF tables, which zoo.load_state resizes)."""
    state = model.state_dict()
    for key, value in old.items():
        if key not in state:
            raise ConfigError(f"init_from has a tensor this model lacks: {key}")
        state[key] = value.to(state[key].dtype) if value.is_floating_point() else value
    return state


class ContextTask:
    """See module docstring; follows the training loop's Task protocol."""

    def __init__(self, config: TrainConfig) -> None:
        if not config.init_from:
            raise ConfigError("task image-context needs init_from: a trained image model")
        if config.context_slices < 1:
            raise ConfigError("task image-context needs context_slices >= 1")
        torch.manual_seed(config.seed)
        self.config = config
        old, old_lambdas = _read_source(config.init_from)
        n, m = old["entropy_bottleneck.quantiles"].shape[0], old["log_gain"].shape[1]
        if (n, m) != (config.n, config.m) or list(old_lambdas) != list(config.lambdas):
            raise ConfigError(
                f"the config must repeat init_from's n = {n}, m = {m} and lambdas = "
                f"{list(old_lambdas)}"
            )
        self.model = MeanScaleHyperprior(
            HyperpriorConfig(
                n=n,
                m=m,
                levels=len(config.lambdas),
                lambdas=tuple(config.lambdas),
                context_slices=config.context_slices,
                context_hidden=config.context_hidden,
            )
        )
        zoo.load_state(self.model, _start_state(self.model, old))
        for name, p in self.model.named_parameters():
            if name.startswith(FROZEN_PREFIXES):
                p.requires_grad_(False)
        self.model.train()
        self.optimizers = rd_optimizers(self.model, config.lr, config.aux_lr)
        # the context starts at zero and learns faster than the trained hyperprior moves
        _split_context_group(self.optimizers["main"], self.model, config.context_lr_scale)
        self.rng = np.random.default_rng(config.seed + 1)
        sampler = ImageCropSampler(config.data, config.crop, config.seed)
        self.latents = self._cache(sampler, config.latent_crops)
        val = load_validation_images(config.val, config.val_images, 64) if config.val else []
        self.val_latents = [self._analyse(x.unsqueeze(0)) for x in val]

    @torch.no_grad()
    def _analyse(self, x: Tensor) -> Tensor:
        """Un-gained latent of images Tensor[B, 3, H, W] -> Tensor[B, M, H/16, W/16] fp32."""
        return self.model.g_a(x).float()

    def _cache(self, sampler: ImageCropSampler, count: int) -> Tensor:
        """Latents of ``count`` training crops, Tensor[count, M, crop/16, crop/16] fp16."""
        chunks = []
        bar = tqdm(total=count, desc="caching latents", disable=not sys.stderr.isatty())
        for start in range(0, count, _CACHE_BATCH):
            size = min(_CACHE_BATCH, count - start)
            chunks.append(self._analyse(sampler.batch(size)).half())
            bar.update(size)
        bar.close()
        return torch.cat(chunks)

    def train_step(self, step: int) -> dict[str, float]:
        level = int(self.rng.integers(len(self.config.lambdas)))
        index = torch.from_numpy(self.rng.integers(len(self.latents), size=self.config.batch_size))
        gain, _ = self.model.level_gains(level)
        y = self.latents[index].float() * gain
        with bf16_autocast("cpu", self.config.bf16):  # latents are cached on the CPU
            _, likelihoods = self.model.quantize_with_rate(y, "cpu")
        pixels = y.shape[0] * y.shape[2] * y.shape[3] * 256  # 16x16 image pixels per latent
        bpp = rate_bpp(likelihoods, pixels)
        rd_backward_step(self.model, self.optimizers, bpp, self.config.clip_grad)
        return {"loss": bpp.item(), "bpp": bpp.item(), "level": level}

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        """Real coded bits per pixel per level over the validation latents (CDFs frozen from
        the current weights; coding through the exact integer path)."""
        result: dict[str, float] = {}
        if not self.val_latents:
            return result
        self.model.freeze()
        for level in range(len(self.config.lambdas)):
            gain, _ = self.model.level_gains(level)
            rates = []
            for y in self.val_latents:
                strings = self.model.code_latent(y * gain)
                rates.append(sum(len(s) for s in strings) * 8 / (y.shape[2] * y.shape[3] * 256))
            result[f"real_bpp{level}"] = float(np.mean(rates))
        return result

    def extra_state(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_extra_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
