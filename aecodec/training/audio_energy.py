"""Tables of the coded band energies (``energy_only`` in the audio task): counting, not learning.

Each step codes a batch of training crops (high-passed and with their quiet blocks lifted first
where the model's encoder does so) at a quality drawn uniformly over the model's whole range
with real rounded latents, decodes them as decoding does (synthesis, fixed postfilter, trained
mask, low-pass: ``audio_codec.postfilter_row``), computes the corrections the encoder would
send (aecodec.models.band_energy) and adds them to ``energy_counts``, the per-band symbol
counts the entropy tables are built from. Every other tensor stays as ``init_from`` set it: the
run codes that model's bytes, plus the new section.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from aecodec.errors import ConfigError
from aecodec.models.audio_hyperprior import AudioHyperprior
from aecodec.models.band_energy import correction_symbols, energy_tables
from aecodec.models.energy_context import table_indexes
from aecodec.models.input_highpass import highpass
from aecodec.models.quiet_lift import lift_quiet_blocks
from aecodec.training.config import TrainConfig
from aecodec.training.rd_optim import train_only

__all__ = ["energy_optimizers", "energy_step", "energy_validate"]


def energy_optimizers(
    model: AudioHyperprior, config: TrainConfig
) -> dict[str, torch.optim.Optimizer]:
    """No optimizer: nothing learns. Checks the run can count."""
    if not config.init_from or not config.energy_step_db:
        raise ConfigError("energy_only needs init_from (the trained codec) and energy_step_db")
    train_only(model)
    # counting starts from zero, whatever init_from held (a model whose mask has changed
    # since its tables were counted); a resumed run loads its own counts after this
    model.energy_counts.zero_()
    return {}


def _symbols(model: AudioHyperprior, x: Tensor, quality: float) -> list[np.ndarray]:
    """x Tensor[B, 1, 1, T] -> per example the int32[bands, blocks] corrections at quality."""
    from aecodec.audio_codec import postfilter_row  # the decoder's own filters, in order

    c = model.config
    if c.highpass_hz:  # the encoder's input filter, as compress_audio applies it
        rows = highpass(x.flatten(1).float().cpu().numpy().T, c.sample_rate, c.highpass_hz)
        x = torch.from_numpy(np.ascontiguousarray(rows.T)).view_as(x).to(x)
    originals = x.flatten(1).float().cpu().numpy()
    lift_db = c.lift_db_at(quality)  # 0 for models without the lift
    if lift_db:  # the codec codes the lifted signal; the corrections compare with x
        lifted = [lift_quiet_blocks(o, c.sample_rate, c.energy_block, lift_db) for o in originals]
        x = torch.from_numpy(np.stack(lifted)).view_as(x).to(x)
    model.eval()
    with torch.no_grad():
        y_hat = model.coded_latent(x, quality)
        _, inv_gain = model.gains(quality)
        rows = model.g_s(y_hat * inv_gain.view(1, -1, 1, 1)).float().flatten(1).cpu().numpy()
    out = []
    for row, original in zip(rows, originals, strict=True):
        row = np.ascontiguousarray(row, dtype=np.float32)
        postfilter_row(model, quality, row)
        out.append(
            correction_symbols(
                row,
                original,
                c.sample_rate,
                c.energy_step_at(quality),
                c.energy_block,
                c.energy_low,
                c.energy_high,
                c.energy_bands_at(quality, model.energy_bands),
                c.energy_floor_db,
            )
        )
    return out


def energy_step(model: AudioHyperprior, x: Tensor, rng: np.random.Generator) -> dict[str, float]:
    """Count the corrections of one batch x Tensor[B, 1, 1, T] at a random quality."""
    low, high = model.min_quality, model.max_quality
    quality = float(low + (high - low) * rng.random())
    symbols = _symbols(model, x, quality)
    counts = model.energy_counts[model.config.energy_bucket(quality)]
    tables, size = counts.shape
    for k in symbols:
        flat = table_indexes(k, model.config.energy_context) * size + k - model.config.energy_low
        hist = np.bincount(flat.ravel(), minlength=tables * size).reshape(tables, size)
        counts += torch.from_numpy(hist.astype(np.int64))
    coded = [k for k in symbols if k.size]  # none under quality 0, where no band is coded
    nonzero = float(np.mean([np.mean(k != 0) for k in coded])) if coded else 0.0
    return {"quality": quality, "nonzero": nonzero}


@torch.no_grad()
def energy_validate(model: AudioHyperprior, clips: list[Tensor]) -> dict[str, float]:
    """Per integer quality of the model's range: the side information's rate, kbit/s per
    channel, under the tables counted so far (ideal code length, -log2 of the pmf)."""
    low = model.config.energy_low
    rate = model.config.sample_rate
    result = {}
    qualities = range(int(np.ceil(model.min_quality)), int(model.max_quality) + 1)
    for quality in qualities:
        counts = model.energy_counts[model.config.energy_bucket(quality)]
        tables = energy_tables(counts, low)
        bits, seconds = 0.0, 0.0
        for clip in clips:
            (k,) = _symbols(model, clip.view(1, 1, 1, -1), float(quality))
            pmfs = np.stack(tables.pmfs)  # [tables, symbols + 1], one length
            bits -= np.log2(pmfs[table_indexes(k, model.config.energy_context), k - low]).sum()
            seconds += clip.numel() / rate
        result[f"energy_kbps_q{quality}"] = bits / max(seconds, 1e-9) / 1000
    return result
