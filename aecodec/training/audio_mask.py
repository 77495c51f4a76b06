"""Training of speech-v6's spectral mask with the codec frozen (``mask_only`` in the audio task).

Each step codes a batch at a quality drawn uniformly over the model's whole range
[min_quality, max_quality] with real rounded latents, runs the synthesis and the fixed
sharpening exactly as decoding does (aecodec.audio_codec), and trains only the mask
(aecodec.models.spectral_mask) on ``ranged_stft_loss`` against the original. Below
``lowpass_below`` both sides are low-passed as decoding does, so the loss looks only at the
band that is kept. For a model with coded band energies the mask's output also goes through
the corrections the encoder would send (``band_energy.restore_band_energies``), so the mask
learns what the band energies leave to it: the shape within each band. Every codec tensor
stays as ``init_from`` set it: the run codes that model's bytes.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from aecodec.errors import ConfigError
from aecodec.models.audio_hyperprior import AudioConfig, AudioHyperprior
from aecodec.models.band_energy import restore_band_energies
from aecodec.models.spectral_mask import mask_waveforms
from aecodec.models.spectral_postfilter import lowpass_response, spectral_postfilter
from aecodec.training.audio_loss import ranged_stft_loss, stft_sizes
from aecodec.training.config import TrainConfig
from aecodec.training.rd_optim import backward_step, train_only

__all__ = ["decode_for_mask", "mask_band", "mask_optimizers", "mask_step", "mask_validate"]


def decode_for_mask(model: AudioHyperprior, x: Tensor, quality: float) -> Tensor:
    """What the spectral mask sees at decoding: x Tensor[B, 1, 1, T] coded at ``quality``
    (real rounded latents), synthesised and sharpened by the fixed postfilter, without its
    low-pass -> Tensor[B, T] float32 on the CPU."""
    with torch.no_grad():
        y_hat = model.coded_latent(x, quality)
        _, inv_gain = model.gains(quality)
        rows = model.g_s(y_hat * inv_gain.view(1, -1, 1, 1)).float().flatten(1).cpu().numpy()
    alpha, rate = model.config.sharpening, model.config.sample_rate
    if alpha:
        rows = np.stack([spectral_postfilter(r, rate, alpha) for r in rows])
    return torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32))


def mask_band(arch: AudioConfig, quality: float) -> Tensor | None:
    """Decoding's low-pass response at ``quality`` as Tensor[bins] float32, or None."""
    band = lowpass_response(arch.sample_rate, arch.lowpass_at(quality))
    return None if band is None else torch.from_numpy(band.astype(np.float32))


def mask_optimizers(
    model: AudioHyperprior, config: TrainConfig
) -> dict[str, torch.optim.Optimizer]:
    """Adam over the mask alone; every other tensor is frozen."""
    if not config.init_from or not config.mask_hidden:
        raise ConfigError("mask_only needs init_from (the trained codec) and mask_hidden")
    params = train_only(model, model.spectral_mask.parameters())
    return {"main": torch.optim.Adam(params, lr=config.lr)}


def _masked_pair(
    model: AudioHyperprior,
    original: Tensor,
    decoded: Tensor,
    quality: float,
    band: Tensor | None,
    with_mask: bool = True,
) -> tuple[Tensor, Tensor]:
    """(target, output) Tensor[B, T] each, as the loss compares them: the decoded batch
    through the mask and the low-pass ``band`` (if any) and, for a model with coded band
    energies, through the corrections its encoder would send (``restore_band_energies``,
    whose target keeps the low-pass only above the coded bands); the original low-passed
    as decoding leaves it."""
    arch = model.config
    rate = arch.sample_rate
    q = torch.full((decoded.shape[0],), quality / arch.levels, device=decoded.device)
    mask = model.spectral_mask if with_mask else None
    out = mask_waveforms(decoded, mask, q, rate, band)
    if not arch.energy_step_db:
        target = original if band is None else mask_waveforms(original, None, None, rate, band)
        return target, out
    out, target = restore_band_energies(
        out,
        original,
        rate,
        arch.energy_step_at(quality),
        arch.energy_block,
        arch.energy_low,
        arch.energy_high,
        arch.energy_bands_at(quality, model.energy_bands),
        band,
        arch.energy_floor_db,
    )
    return target, out


def mask_step(
    model: AudioHyperprior,
    optimizer: torch.optim.Optimizer,
    x: Tensor,
    rng: np.random.Generator,
    config: TrainConfig,
) -> dict[str, float]:
    """One step on a batch x Tensor[B, 1, 1, T] (see the module docstring)."""
    arch, device = model.config, x.device
    low, high = model.min_quality, model.max_quality
    quality = float(low + (high - low) * rng.random())
    decoded = decode_for_mask(model, x, quality).to(device)
    band = mask_band(arch, quality)
    band = None if band is None else band.to(device)
    target, out = _masked_pair(model, x.flatten(1), decoded, quality, band)
    loss = ranged_stft_loss(target, out, stft_sizes(arch.sample_rate))
    backward_step(optimizer, loss, config.clip_grad, average=True)
    return {"dist": loss.item(), "quality": quality}


@torch.no_grad()
def mask_validate(
    model: AudioHyperprior, clips: list[Tensor], device: torch.device
) -> dict[str, float]:
    """Per level, over held-out excerpts (Tensor[T] each): the ranged STFT loss decoded with
    and without the mask ("mask_loss" and "base_loss"; the mask's gain is base minus mask)."""
    result: dict[str, float] = {}
    arch, rate = model.config, model.config.sample_rate
    sizes = stft_sizes(rate)
    model.eval()
    for level in range(arch.levels):
        quality = level + 1.0
        band = mask_band(arch, quality)
        band = None if band is None else band.to(device)
        rows = []
        for clip in clips:
            x = clip.view(1, 1, 1, -1).to(device)
            decoded = decode_for_mask(model, x, quality).to(device)
            target, out = _masked_pair(model, x.flatten(1), decoded, quality, band)
            base_target, base = _masked_pair(
                model, x.flatten(1), decoded, quality, band, with_mask=False
            )
            rows.append(
                [
                    ranged_stft_loss(target, out, sizes).item(),
                    ranged_stft_loss(base_target, base, sizes).item(),
                ]
            )
        means = np.mean(np.asarray(rows), axis=0)
        result[f"mask_loss{level}"], result[f"base_loss{level}"] = map(float, means)
    model.train()
    return result
