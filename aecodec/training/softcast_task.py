"""Train the SoftCast refiner (aecodec.models.softcast_refiner) on whole-image transmissions.

Each example sends a *whole* training image through SoftCast (so the chunk grid and the
artifacts are those of real use, not of a small crop), at an SNR drawn uniformly in dB over
``config.snr_db``, then crops the same ``config.crop`` square from the LLSE estimate and from
the original; the loss is the MSE of the refined crop. Validation reports PSNR on whole
validation images at the low, middle and high SNR, SoftCast alone and refined, on fixed noise.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from aecodec.channel.ratio import parse_ratio
from aecodec.datasets import list_images
from aecodec.models.softcast_refiner import RefinerConfig, SoftCastRefiner
from aecodec.softcast import SoftCastResult, softcast_transmit
from aecodec.training.config import TrainConfig
from aecodec.training.image_data import ImageCropSampler
from aecodec.training.jscc_task import check_snr_range
from aecodec.training.rd_optim import backward_step
from aecodec.training.warm_start import warm_start

__all__ = ["refiner_arch", "SoftCastTask", "refiner_config_from"]

_CROPS_PER_IMAGE = 2


def refiner_config_from(config: TrainConfig) -> RefinerConfig:
    """The refiner architecture a training config describes (filters, hidden = blocks)."""
    parse_ratio(config.ratio)  # a clear error for a bad ratio
    return RefinerConfig(
        filters=config.filters,
        blocks=config.hidden or 3,
        ratio=config.ratio,
        channel=config.channel,
    )


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * math.log10(255.0**2 / max(mse, 1e-10))


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    """[H, W, 3] (uint8, or float on the [0, 1] scale) -> Tensor[3, H, W] float32 in [0, 1]."""
    x = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    return torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)


class SoftCastTask:
    """See module docstring; follows the training loop's Task protocol."""

    def __init__(self, config: TrainConfig) -> None:
        check_snr_range(config.snr_db)
        torch.manual_seed(config.seed)
        self.config = config
        self.ratio = parse_ratio(config.ratio)
        self.model = SoftCastRefiner(refiner_config_from(config))
        if config.init_from:  # e.g. the AWGN refiner as the start of a fading one
            warm_start(self.model, config.init_from)
        self.model.train()
        self.optimizers = {"main": torch.optim.Adam(self.model.parameters(), lr=config.lr)}
        self.images = ImageCropSampler(config.data, config.crop, config.seed)  # images + rng
        self.val = []
        if config.val:
            from aecodec import media

            self.val = [media.read_image(p) for p in list_images(config.val)[: config.val_images]]

    def _send(self, pixels: np.ndarray, snr: float, seed: int) -> SoftCastResult:
        """One SoftCast transmission of a whole image at this run's ratio and channel."""
        uses = max(1, math.floor(self.ratio * pixels.size))
        return softcast_transmit(pixels, snr, uses, self.config.channel, seed)

    def train_step(self, step: int) -> dict[str, float]:
        rng = self.images.rng
        low, high = self.config.snr_db
        c = self.config.crop
        xs, ests, snrs = [], [], []  # snrs: what the receiver sees (fading included)
        while len(xs) < self.config.batch_size:
            img = self.images.images[rng.choice(len(self.images.images), p=self.images.weights)]
            if rng.random() < 0.5:
                img = img[:, ::-1]
            img = np.ascontiguousarray(img)
            snr = float(low + (high - low) * rng.random())
            sent = self._send(img, snr, int(rng.integers(2**31)))
            est = sent.estimate
            for _ in range(_CROPS_PER_IMAGE):  # a transmission costs more than a crop
                top = int(rng.integers(0, img.shape[0] - c + 1))
                left = int(rng.integers(0, img.shape[1] - c + 1))
                xs.append(_to_tensor(img[top : top + c, left : left + c]))
                ests.append(_to_tensor(est[top : top + c, left : left + c]))
                snrs.append(sent.receiver_snr_db)
        n = self.config.batch_size
        x, est = torch.stack(xs[:n]), torch.stack(ests[:n])
        out = self.model(est, torch.tensor(snrs[:n]))
        mse = torch.mean((out - x) ** 2)
        base = torch.mean((est.clamp(0, 1) - x) ** 2)
        backward_step(self.optimizers["main"], mse, self.config.clip_grad)
        gain = 10 * math.log10(float(base) / max(float(mse.detach()), 1e-12))
        return {"mse": float(mse.detach()), "gain_db": gain}

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        low, high = self.config.snr_db
        result: dict[str, float] = {}
        for snr in (low, (low + high) / 2, high):
            plain, refined = [], []
            for i, pixels in enumerate(self.val):
                r = self._send(pixels, snr, 4321 + i)
                out = self.model(_to_tensor(r.estimate)[None], torch.tensor([r.receiver_snr_db]))[0]
                img = out.clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).numpy()
                plain.append(_psnr(pixels, r.pixels))
                refined.append(_psnr(pixels, img))
            if self.val:
                result[f"softcast@{snr:g}dB"] = float(np.mean(plain))
                result[f"psnr@{snr:g}dB"] = float(np.mean(refined))
        return result

    def extra_state(self) -> dict:
        return {"images": self.images.state()}

    def load_extra_state(self, state: dict) -> None:
        self.images.set_state(state["images"])


def refiner_arch(config: TrainConfig) -> dict:
    """The registry's architecture config for this run (see aecodec.training.tasks)."""
    return refiner_config_from(config).as_dict()
