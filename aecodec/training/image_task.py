"""Image codec training: rate-distortion loss over a ladder of lambdas, one level per batch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file
from torch import Tensor

from aecodec import zoo
from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior
from aecodec.training import distributed
from aecodec.training.config import TrainConfig, load_config
from aecodec.training.grow import grow_image_state
from aecodec.training.image_data import ImageCropSampler, load_validation_images
from aecodec.training.precision import bf16_autocast
from aecodec.training.rd_optim import rd_backward_step, rd_optimizers

__all__ = ["hyperprior_arch", "ImageTask", "rate_bpp"]


def rate_bpp(likelihoods: dict[str, Tensor], pixels: int) -> Tensor:
    """Estimated rate, bits per pixel: -sum(log2 likelihood) / pixels (an estimate, not a file)."""
    return sum(-torch.log2(v).sum() for v in likelihoods.values()) / pixels


def _read_source(source: str) -> tuple[dict[str, Tensor], tuple[float, ...]]:
    """Tensors and rate ladder of a model to start from: a registered image model's name, or a
    run's checkpoint.pt (its ladder from the run's config.toml beside it)."""
    entries = zoo.registry()
    if source in entries and entries[source].kind == "image":
        entry = entries[source]
        state = load_file(str(zoo.WEIGHTS_DIR / entry.file))
        return state, tuple(entry.config["lambdas"])
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"init_from: {source} is neither an image model nor a file")
    state = torch.load(path, map_location="cpu", weights_only=True)["model"]
    return state, tuple(load_config(path.parent / "config.toml").lambdas)


def _split_context_group(main: torch.optim.Optimizer, model, lr_scale: float) -> None:
    """Move the context's parameters into their own group, whose lr is the schedule's times
    ``lr_scale`` (the training loop reads ``lr_scale``). Call before the first step."""
    context = list(model.context.parameters())
    ids = {id(p) for p in context}
    main.param_groups[0]["params"] = [p for p in main.param_groups[0]["params"] if id(p) not in ids]
    main.add_param_group({"params": context, "lr_scale": lr_scale})


def _psnr(mse: float) -> float:
    """PSNR in dB of a mean squared error on the [0, 1] scale."""
    return -10 * math.log10(max(mse, 1e-10))


class ImageTask:
    """Mean-scale hyperprior with gain units; see aecodec.models.image_hyperprior."""

    def __init__(self, config: TrainConfig) -> None:
        torch.manual_seed(config.seed)
        self.config = config
        self.model = MeanScaleHyperprior(
            HyperpriorConfig(
                n=config.n,
                m=config.m,
                levels=len(config.lambdas),
                lambdas=tuple(config.lambdas),
                context_slices=config.context_slices,
                context_hidden=config.context_hidden,
            )
        )
        if config.init_from:  # a trained model, embedded (and grown if wider): grow.py
            old, old_lambdas = _read_source(config.init_from)
            self.model.load_state_dict(grow_image_state(self.model, old, old_lambdas))
        self.device = torch.device(config.device)
        self.model.to(self.device)
        self.model.train()
        self.optimizers = rd_optimizers(self.model, config.lr, config.aux_lr)
        if self.model.context is not None:  # a zero-started context learns at its own pace
            _split_context_group(self.optimizers["main"], self.model, config.context_lr_scale)
        self.forward_model = distributed.wrap(self.model)  # DDP under torchrun
        # each rank crops its own images; all ranks draw the same rate level per step
        self.sampler = ImageCropSampler(
            config.data, config.crop, config.seed + 1000 * distributed.rank()
        )
        self.level_rng = np.random.default_rng(config.seed + 1)
        self.val_images = (
            load_validation_images(config.val, config.val_images, 64) if config.val else []
        )

    def _transforms_autocast(self):
        return bf16_autocast(self.device, self.config.bf16)

    def train_step(self, step: int) -> dict[str, float]:
        level = int(self.level_rng.integers(len(self.config.lambdas)))
        lam = self.config.lambdas[level]
        x = self.sampler.batch(self.config.batch_size).to(self.device)
        with self._transforms_autocast():
            out = self.forward_model(x, level)
        x_hat = out["x_hat"].float()
        mse = torch.mean((x_hat - x) ** 2)
        bpp = rate_bpp(out["likelihoods"], x.shape[0] * x.shape[2] * x.shape[3])
        loss = lam * 255**2 * mse + bpp
        rd_backward_step(self.model, self.optimizers, loss, self.config.clip_grad)
        psnr = -10 * math.log10(max(mse.item(), 1e-10))
        return {"loss": loss.item(), "bpp": bpp.item(), "psnr": psnr, "level": level}

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        """Per level, over the validation images: the likelihood estimate (bpp, psnr) and,
        with ``config.val_real_rate``, the real coded rate and quality (real_bpp, real_psnr):
        CDFs frozen from the current weights, actual compress to bytes and decompress."""
        result: dict[str, float] = {}
        # the coder runs on the CPU: on another device, validate on the likelihood estimate
        real_rate = self.config.val_real_rate and self.device.type == "cpu"
        if real_rate and self.val_images:
            self.model.freeze()
        for level in range(len(self.config.lambdas)):
            rows = []
            for x in self.val_images:
                x = x.to(self.device)
                out = self.model(x.unsqueeze(0), level)
                mse = torch.mean((out["x_hat"].clamp(0, 1) - x) ** 2).item()
                row = [rate_bpp(out["likelihoods"], x.shape[1] * x.shape[2]).item(), _psnr(mse)]
                if real_rate:
                    row += self._coded(x, level + 1.0)
                rows.append(row)
            if rows:
                means = np.mean(np.asarray(rows), axis=0)
                names = ["bpp", "psnr", "real_bpp", "real_psnr"][: len(means)]
                result.update({f"{n}{level}": float(v) for n, v in zip(names, means, strict=True)})
        return result

    def _coded(self, x: Tensor, quality: float) -> list[float]:
        """Real bpp and PSNR of one image [3, H, W] (H, W multiples of 64) through the coder."""
        strings = self.model.compress(x.unsqueeze(0), quality)
        h, w = x.shape[1:]
        y_hat = self.model.decode_latent(strings, h, w, quality)
        x_hat = self.model.synthesize(y_hat).clamp(0, 1).mul(255).round().div(255)
        mse = torch.mean((x_hat[0] - x) ** 2).item()
        return [sum(len(s) for s in strings) * 8 / (h * w), _psnr(mse)]

    def extra_state(self) -> dict:
        return {"sampler": self.sampler.state(), "level_rng": self.level_rng.bit_generator.state}

    def load_extra_state(self, state: dict) -> None:
        if distributed.rank() == 0:  # checkpoints hold rank 0's crop sequence only
            self.sampler.set_state(state["sampler"])
        self.level_rng.bit_generator.state = state["level_rng"]


def hyperprior_arch(config: TrainConfig) -> dict:
    """The registry's architecture config for this run (see aecodec.training.tasks); the
    context keys only when the model has a channel context."""
    arch = {
        "n": config.n,
        "m": config.m,
        "levels": len(config.lambdas),
        "lambdas": list(config.lambdas),
    }
    if config.context_slices:
        arch["context_slices"] = config.context_slices
        arch["context_hidden"] = config.context_hidden
    return arch
