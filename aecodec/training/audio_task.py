"""Audio codec training: each rate level is steered to its target bitrate.

Loss per step (one level drawn per batch): distortion + beta[level] * kbps, where kbps is the
likelihood estimate of the bitrate. Instead of guessing a lambda per level, each beta follows
the rate: log beta += rate_lr * (kbps / target - 1), a dual-ascent step on "rate = target", so
level i ends near ``config.kbps[i]`` whatever the distortion's scale. Two decoder-side
modes keep a trained codec's bytes: ``decoder_only`` fine-tunes the synthesis, ``mask_only``
trains the spectral mask (aecodec.training.audio_mask).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from aecodec.datasets import list_audio, split_holdout
from aecodec.errors import ConfigError
from aecodec.metrics import si_sdr_db
from aecodec.models.audio_hyperprior import AudioConfig, AudioHyperprior
from aecodec.training import distributed
from aecodec.training.audio_data import AudioCropSampler, load_clips
from aecodec.training.audio_energy import energy_optimizers, energy_step, energy_validate
from aecodec.training.audio_loss import audio_distortion
from aecodec.training.audio_mask import mask_optimizers, mask_step, mask_validate
from aecodec.training.config import TrainConfig
from aecodec.training.precision import bf16_autocast
from aecodec.training.rd_optim import (
    backward_step,
    rd_backward_step,
    rd_optimizers,
    train_only,
)
from aecodec.training.warm_start import warm_start

__all__ = ["audio_arch", "AudioTask", "audio_config_from", "likelihood_kbps", "MAX_BETA"]

# Default cap of the rate multipliers (config max_beta): a level whose target lies below what
# the model can reach yet (early on, the hyper-latent alone costs a few kbit/s) must not drown
# the distortion term.
MAX_BETA = 2.0


def audio_config_from(config: TrainConfig) -> AudioConfig:
    """The model architecture a training config describes."""
    return AudioConfig(
        sample_rate=config.sample_rate,
        mdct_hop=config.mdct_hop,
        strides=tuple(config.strides),
        widths=tuple(config.widths),
        m=config.m,
        n=config.n,
        levels=len(config.kbps),
        kbps=tuple(float(k) for k in config.kbps),
        linear_skip=config.linear_skip,
        post_blocks=config.post_blocks,
        min_quality=config.min_quality,
        sharpening=config.sharpening,
        lowpass_hz=config.lowpass_hz,
        lowpass_below=config.lowpass_below,
        mask_hidden=config.mask_hidden,
        max_quality=config.max_quality,
        mask_floor=config.mask_floor,
        energy_step_db=config.energy_step_db,
        energy_block=config.energy_block,
        energy_low=config.energy_low,
        energy_high=config.energy_high,
        energy_coarse_below=config.energy_coarse_below,
        energy_fade_below=config.energy_fade_below,
        energy_floor_db=config.energy_floor_db,
        pitch_strength=config.pitch_strength,
        energy_smooth_db=config.energy_smooth_db,
        highpass_hz=config.highpass_hz,
        quiet_lift_db=config.quiet_lift_db,
        energy_context=config.energy_context,
    )


def likelihood_kbps(likelihoods: dict[str, Tensor], seconds: float) -> Tensor:
    """Estimated bitrate, kbit/s: -sum(log2 likelihood) / seconds / 1000 (not a file size)."""
    return sum(-torch.log2(v).sum() for v in likelihoods.values()) / seconds / 1000


class AudioTask:
    """Variable-rate audio hyperprior; see aecodec.models.audio_hyperprior."""

    def __init__(self, config: TrainConfig) -> None:
        torch.manual_seed(config.seed)
        self.config = config
        self.arch = audio_config_from(config)
        self.model = AudioHyperprior(self.arch)
        self.fresh: set[str] = set()  # tensors init_from did not set (e.g. a new postfilter)
        if config.init_from:  # fine-tune: matching tensors of a run or an exported model
            self.fresh = set(warm_start(self.model, config.init_from)[1])
        if config.segment % self.model.factor:
            raise ConfigError(f"segment must be a multiple of {self.model.factor} samples")
        self.device = torch.device(config.device)
        self.model.to(self.device)
        self.model.train()
        if config.energy_only:
            self.optimizers = energy_optimizers(self.model, config)
        elif config.mask_only:
            self.optimizers = mask_optimizers(self.model, config)
        elif config.decoder_only:
            self.optimizers = self._decoder_optimizers()
        else:
            self.optimizers = rd_optimizers(self.model, config.lr, config.aux_lr)
        self.forward_model = distributed.wrap(self.model)
        train_files, val_files = [], []
        for folder in [config.data, *config.extra_data]:  # each holds out its own files
            files = list_audio(Path(folder).expanduser())
            held = [] if config.val else split_holdout(files, config.holdout_every)[1]
            train_files += [f for f in files if f not in held]
            val_files += held
        if config.val:
            val_files = list_audio(config.val)
        rate = config.sample_rate
        self.sampler = AudioCropSampler(
            load_clips(train_files, rate), config.segment, config.seed + 1000 * distributed.rank()
        )
        self.val_clips = self._val_excerpts(load_clips(val_files, rate))
        self.level_rng = np.random.default_rng(config.seed + 1)
        if config.beta_init and len(config.beta_init) != len(config.kbps):
            raise ConfigError("beta_init needs one value per level (one per kbps entry)")
        start = config.beta_init or [0.01] * len(config.kbps)
        self.log_beta = np.log(np.asarray(start, dtype=np.float64))

    def _decoder_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Decoder-side fine-tuning: Adam over g_s and the inverse gains; every other tensor is
        frozen, so the run codes exactly the bytes of the model it starts from. The tensors
        init_from set learn at ``trained_lr_scale`` times the rate of the new ones."""
        if not self.config.init_from:
            raise ConfigError("decoder_only needs init_from: the trained codec to keep")
        names = {id(p): n for n, p in self.model.named_parameters()}
        tuned = train_only(self.model, self.model.decoder_parameters())
        new = [p for p in tuned if names[id(p)] in self.fresh]
        old = [p for p in tuned if names[id(p)] not in self.fresh]
        groups = [{"params": new}, {"params": old, "lr_scale": self.config.trained_lr_scale}]
        groups = [g for g in groups if g["params"]]
        return {"main": torch.optim.Adam(groups, lr=self.config.lr)}

    def _autocast(self):
        return bf16_autocast(self.device, self.config.bf16)

    def _decoder_step(self, x: Tensor) -> dict[str, float]:
        """One step of decoder-side fine-tuning on real (rounded) latents at a quality drawn
        uniformly over the model's whole range (the rate search picks fractional ones)."""
        low, high = self.model.min_quality, float(self.arch.levels)
        quality = float(low + (high - low) * self.level_rng.random())
        y_hat = self.model.coded_latent(x, quality)
        _, inv_gain = self.model.gains(quality)
        with self._autocast():
            x_hat = self.model.g_s(y_hat * inv_gain.view(1, -1, 1, 1))
        distortion = audio_distortion(
            x.flatten(1),
            x_hat.float().flatten(1),
            self.config.sample_rate,
            self.config.stft_weight,
            self.config.emphasis,
        )
        backward_step(self.optimizers["main"], distortion, self.config.clip_grad, average=True)
        return {"dist": distortion.item(), "quality": quality}

    def _val_excerpts(self, clips: list[np.ndarray]) -> list[Tensor]:
        """First val_seconds of each clip's first channel, cut to a multiple of the factor."""
        f = self.model.factor
        length = max(f, int(self.config.val_seconds * self.config.sample_rate) // f * f)
        out = []
        for c in clips:
            if c.shape[0] >= length:
                out.append(torch.from_numpy(c[:length, 0].astype(np.float32) / 32767.0))
        return out

    def train_step(self, step: int) -> dict[str, float]:
        x = self.sampler.batch(self.config.batch_size).to(self.device)
        if self.config.energy_only:
            return energy_step(self.model, x, self.level_rng)
        if self.config.mask_only:
            return mask_step(self.model, self.optimizers["main"], x, self.level_rng, self.config)
        if self.config.decoder_only:
            return self._decoder_step(x)
        level = int(self.level_rng.integers(len(self.config.kbps)))
        with self._autocast():
            out = self.forward_model(x, level)
        x_hat = out["x_hat"].float().flatten(1)
        seconds = x.shape[0] * x.shape[-1] / self.config.sample_rate
        kbps = likelihood_kbps(out["likelihoods"], seconds)
        distortion = audio_distortion(
            x.flatten(1),
            x_hat,
            self.config.sample_rate,
            self.config.stft_weight,
            self.config.emphasis,
        )
        beta = math.exp(self.log_beta[level])
        loss = distortion + beta * kbps
        rd_backward_step(self.model, self.optimizers, loss, self.config.clip_grad)
        target = self.config.kbps[level]
        self.log_beta[level] = float(
            np.clip(
                self.log_beta[level] + self.config.rate_lr * (kbps.item() / target - 1),
                math.log(1e-4),
                math.log(self.config.max_beta),
            )
        )
        return {
            "loss": loss.item(),
            "dist": distortion.item(),
            "kbps": kbps.item(),
            "level": level,
            "beta": beta,
        }

    @torch.no_grad()
    def validate(self) -> dict[str, float]:
        """Per level, over the held-out excerpts: estimated kbps, distortion and SI-SDR; with
        ``config.val_real_rate`` the real coded kbps and SI-SDR (CDFs frozen, real bytes); the
        coder runs on the CPU, so on another device only the likelihood estimate."""
        result: dict[str, float] = {}
        if not self.val_clips:
            return result
        if self.config.energy_only:
            return energy_validate(self.model, self.val_clips)
        if self.config.mask_only:
            return mask_validate(self.model, self.val_clips, self.device)
        real_rate = self.config.val_real_rate and self.device.type == "cpu"
        if real_rate:
            self.model.freeze()
        rate = self.config.sample_rate
        for level in range(len(self.config.kbps)):
            rows = []
            for clip in self.val_clips:
                x = clip.view(1, 1, 1, -1).to(self.device)
                out = self.model(x, level)
                x_hat = out["x_hat"].flatten(1).clamp(-1, 1)
                row = [
                    likelihood_kbps(out["likelihoods"], clip.numel() / rate).item(),
                    audio_distortion(
                        x.flatten(1), x_hat, rate, self.config.stft_weight, self.config.emphasis
                    ).item(),
                    si_sdr_db(x.flatten(1), x_hat).item(),
                ]
                if real_rate:
                    row += self._coded(x, level + 1.0)
                rows.append(row)
            means = np.mean(np.asarray(rows), axis=0)
            names = ["kbps", "dist", "sisdr", "real_kbps", "real_sisdr"][: len(means)]
            result.update({f"{n}{level}": float(v) for n, v in zip(names, means, strict=True)})
        return result

    def _coded(self, x: Tensor, quality: float) -> list[float]:
        """Real kbps (payload strings) and SI-SDR of one excerpt Tensor[1, 1, 1, T]."""
        strings = self.model.compress(x, quality)
        y_hat = self.model.decode_latent(strings, x.shape[-1], quality)
        x_hat = self.model.synthesize(y_hat).flatten(1).clamp(-1, 1)
        seconds = x.shape[-1] / self.config.sample_rate
        kbps = sum(len(s) for s in strings) * 8 / seconds / 1000
        return [kbps, si_sdr_db(x.flatten(1), x_hat).item()]

    def extra_state(self) -> dict:
        return {
            "sampler": self.sampler.state(),
            "level_rng": self.level_rng.bit_generator.state,
            "log_beta": [float(b) for b in self.log_beta],
        }

    def load_extra_state(self, state: dict) -> None:
        if distributed.rank() == 0:
            self.sampler.set_state(state["sampler"])
        self.level_rng.bit_generator.state = state["level_rng"]
        self.log_beta = np.asarray(state["log_beta"], dtype=np.float64)


def audio_arch(config: TrainConfig) -> dict:
    """The registry's architecture config for this run (see aecodec.training.tasks)."""
    return audio_config_from(config).to_dict()
