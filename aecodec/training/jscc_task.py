"""Deep JSCC training: MSE through the channel, one SNR per image drawn uniformly in dB.

Each step crops ``batch_size`` training images, draws an SNR per image uniformly over
``config.snr_db`` = [low, high] and tells the transmitter that SNR with probability
``config.known_snr_prob`` (otherwise it transmits blind; the receiver always knows its SNR).
Validation reports PSNR on the validation images at the low, middle and high SNR of that range
with a blind transmitter, on fixed noise (a seeded generator), so runs are comparable.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from aecodec.channel.ratio import parse_ratio
from aecodec.errors import ConfigError
from aecodec.models.jscc import DeepJSCC, JSCCConfig, ratio_channels
from aecodec.training import distributed
from aecodec.training.config import TrainConfig
from aecodec.training.image_data import ImageCropSampler, load_validation_images
from aecodec.training.rd_optim import backward_step
from aecodec.training.warm_start import warm_start

__all__ = ["jscc_arch", "JSCCTask", "jscc_config_from", "check_snr_range"]

_VAL_SIDE = 256  # validation uses the central VAL_SIDE x VAL_SIDE crop of each image


def jscc_config_from(config: TrainConfig) -> JSCCConfig:
    """The model architecture a training config describes."""
    c = ratio_channels(parse_ratio(config.ratio))
    return JSCCConfig(filters=config.filters, c=c, channel=config.channel)


def check_snr_range(snr_db: list[float]) -> None:
    """A training SNR range must be [low, high] in dB; ValueError otherwise."""
    if len(snr_db) != 2 or snr_db[0] > snr_db[1]:
        raise ConfigError("snr_db must be [low, high] in dB")


def _psnr(mse: float) -> float:
    return -10 * math.log10(max(mse, 1e-10))


class JSCCTask:
    """SNR-adaptive deep JSCC; see aecodec.models.jscc."""

    def __init__(self, config: TrainConfig) -> None:
        check_snr_range(config.snr_db)
        torch.manual_seed(config.seed)
        self.config = config
        self.model = DeepJSCC(jscc_config_from(config))
        if config.init_from:
            warm_start(self.model, config.init_from)
        self.model.train()
        self.optimizers = {"main": torch.optim.Adam(self.model.parameters(), lr=config.lr)}
        self.forward_model = distributed.wrap(self.model)  # DDP under torchrun
        self.sampler = ImageCropSampler(
            config.data, config.crop, config.seed + 1000 * distributed.rank()
        )
        self.generator = torch.Generator().manual_seed(config.seed + 1 + 1000 * distributed.rank())
        self.val_images = (
            load_validation_images(config.val, config.val_images, 4, _VAL_SIDE)
            if config.val
            else []
        )

    def train_step(self, step: int) -> dict[str, float]:
        x = self.sampler.batch(self.config.batch_size)
        b = x.shape[0]
        low, high = self.config.snr_db
        snr = low + (high - low) * torch.rand(b, generator=self.generator)
        known = (torch.rand(b, generator=self.generator) < self.config.known_snr_prob).float()
        x_hat = self.forward_model(x, snr, known, generator=self.generator)
        mse = torch.mean((x_hat - x) ** 2)
        backward_step(self.optimizers["main"], mse, self.config.clip_grad)
        return {"mse": float(mse.detach()), "psnr": _psnr(float(mse.detach()))}

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        low, high = self.config.snr_db
        result: dict[str, float] = {}
        for snr in (low, (low + high) / 2, high):
            g = torch.Generator().manual_seed(4321)
            psnrs = []
            for x in self.val_images:
                x_hat = self.model(x.unsqueeze(0), torch.tensor([snr]), False, generator=g)
                x_hat = x_hat.mul(255).round().div(255)
                psnrs.append(_psnr(torch.mean((x_hat - x.unsqueeze(0)) ** 2).item()))
            if psnrs:
                result[f"psnr@{snr:g}dB"] = float(np.mean(psnrs))
        return result

    def extra_state(self) -> dict:
        return {"sampler": self.sampler.state(), "generator": self.generator.get_state()}

    def load_extra_state(self, state: dict) -> None:
        if distributed.rank() == 0:
            self.sampler.set_state(state["sampler"])
        self.generator.set_state(state["generator"])


def jscc_arch(config: TrainConfig) -> dict:
    """The registry's architecture config for this run (see aecodec.training.tasks)."""
    return jscc_config_from(config).as_dict()
