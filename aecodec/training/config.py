"""Training configuration: one TOML file holds every hyperparameter and is saved with the run."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from aecodec.errors import ConfigError

__all__ = ["TrainConfig", "load_config", "dump_config"]


@dataclass
class TrainConfig:
    """Hyperparameters of one run (units in comments)."""

    task: str = "image"
    data: str = ""  # training folder
    extra_data: list[str] = field(default_factory=list)  # audio: more folders ("~" expands)
    val: str = ""  # validation folder (held out)
    n: int = 96  # transform channels
    m: int = 144  # latent channels
    lambdas: list[float] = field(
        default_factory=lambda: [0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483]
    )  # rate-distortion weights, MSE measured on the [0, 255] scale
    crop: int = 256  # training crop side (pixels)
    batch_size: int = 8
    steps: int = 8000  # total optimiser steps
    lr: float = 3e-4
    lr_decay_at: float = 0.8  # fraction of steps after which lr is multiplied by lr_decay
    lr_decay: float = 0.25
    lr_warmup: int = 0  # steps of linear warm-up from 0 (fresh Adam on trained weights needs it)
    aux_lr: float = 1e-3
    clip_grad: float = 1.0
    bf16: bool = True  # bf16 autocast for the transforms (entropy models stay fp32)
    val_every: int = 500  # steps
    val_images: int = 16
    val_real_rate: bool = True  # validation also compresses to real bytes and decodes
    checkpoint_minutes: float = 5.0
    keep_steps: list[int] = field(default_factory=list)  # also keep checkpoint-STEP.pt at these
    seed: int = 0
    threads: int = 0  # 0: torch default
    device: str = "cpu"  # image and audio tasks: "cuda" trains on a GPU (resumes on the CPU)
    max_minutes: float = 0.0  # stop (with a checkpoint) after this much wall time; 0: no limit
    # channel context (task = "image" or "image-context"; see aecodec.models.channel_context)
    context_slices: int = 0  # 0: none; else y is coded in this many channel slices
    context_hidden: int = 96  # width of each slice's context network
    latent_crops: int = 2048  # image-context: crops whose latents are cached at the start
    context_lr_scale: float = 10.0  # image-context: the context's lr is lr times this
    # communication autoencoder (task = "comm")
    code_n: int = 7  # real channel uses per message
    code_k: int = 4  # bits per message
    hidden: int = 0  # layer width (0: max(64, 2 * 2^k))
    ebno_db: list[float] = field(default_factory=lambda: [7.0, 7.0])  # training range (dB)
    val_blocks: int = 200_000  # messages per validation
    # deep JSCC (task = "jscc")
    filters: int = 64  # hidden width of the JSCC encoder and decoder
    ratio: str = "1/6"  # bandwidth ratio k/n: complex channel uses per pixel value
    snr_db: list[float] = field(default_factory=lambda: [0.0, 20.0])  # training range, Es/N0 dB
    channel: str = "awgn"  # "awgn" or "rayleigh" (block fading, perfect CSI at the receiver)
    known_snr_prob: float = 0.5  # chance the transmitter is told the SNR during training
    init_from: str = ""  # jscc, audio: checkpoint.pt or .safetensors to start from
    # audio codec (task = "audio"); uses n, m, lr, aux_lr, batch_size, bf16 above
    sample_rate: int = 16000  # Hz the model works at (inputs are resampled)
    mdct_hop: int = 64  # samples per MDCT frame (= frequency bins)
    strides: list[int] = field(default_factory=lambda: [2, 2])  # over MDCT frames
    linear_skip: bool = False  # audio: linear MDCT <-> y path beside the learned transforms
    post_blocks: int = 0  # audio: residual blocks of the decoder's postfilter (MDCT domain)
    decoder_only: bool = False  # audio: train g_s and inverse gains only (init_from's bytes)
    min_quality: float = 1.0  # audio: lowest quality (below 1: coarser than level 1)
    sharpening: float = 0.0  # audio: decoding's fixed postfilter, harmonic sharpening exponent
    lowpass_hz: float = 0.0  # audio: decoding's low-pass cut-off, Hz (0: none) ...
    lowpass_below: float = 0.0  # ... applied to qualities below this one
    max_quality: float = 0.0  # audio: top quality (0: levels; above: finer than the top level)
    mask_hidden: int = 0  # audio: width of decoding's trained spectral mask (0: none)
    mask_floor: bool = False  # audio: that mask also adds a trained magnitude floor (noise fill)
    mask_only: bool = False  # audio: train that mask only, the codec frozen (init_from's bytes)
    energy_step_db: float = 0.0  # audio: coded band energies, dB per step (0: none)
    energy_block: int = 4  # audio: short-time frames per coded band energy
    energy_low: int = -12  # audio: lowest band-energy symbol (steps)
    energy_high: int = 27  # audio: highest band-energy symbol (steps)
    energy_coarse_below: float = 0.0  # audio: below this quality the step doubles per unit
    energy_fade_below: float = 0.0  # audio: below this quality fewer bands carry a correction
    energy_floor_db: float = -20.0  # audio: decoded bins at least this far under band RMS
    pitch_strength: float = 0.0  # audio: decoder-side pitch postfilter strength (0: none)
    energy_smooth_db: float = 0.0  # audio: smooth bands raised more than this (0: none)
    highpass_hz: float = 0.0  # audio: the encoder high-passes its input here (0: none)
    quiet_lift_db: float = 0.0  # audio: the encoder lifts quiet blocks by up to this (0: none)
    energy_context: int = 0  # audio: band-energy tables chosen by the band below (+-K; 0: none)
    energy_only: bool = False  # audio: count band-energy symbols for their tables, nothing else
    trained_lr_scale: float = 1.0  # decoder_only: lr multiplier of the tensors init_from set
    widths: list[int] = field(default_factory=lambda: [192, 256, 256])
    kbps: list[float] = field(default_factory=lambda: [3.0, 6.0, 12.0, 24.0])  # per level
    segment: int = 16384  # training crop, samples (a multiple of 4 * hop)
    stft_weight: float = 0.1  # weight of the MR-STFT loss beside the relative waveform MSE
    emphasis: float = 0.0  # pre-emphasis of the waveform term, x[t] - emphasis * x[t-1]
    rate_lr: float = 0.02  # step of the log rate multipliers that steer each level to its kbps
    max_beta: float = 2.0  # cap of those multipliers (kbit/s -> distortion units)
    beta_init: list[float] = field(default_factory=list)  # their start, per level (0.01 each)
    holdout_every: int = 20  # without --val, every N-th training file is held out
    val_seconds: float = 4.0  # validation excerpt per held-out file

    def __post_init__(self) -> None:
        if self.crop % 64:
            raise ConfigError("crop must be a multiple of 64")
        if not self.lambdas:
            raise ConfigError("lambdas must not be empty")


def load_config(path: str | Path | None, **overrides: object) -> TrainConfig:
    """TrainConfig defaults, then the task's own defaults (aecodec.training.tasks), then a TOML
    file, then the non-None ``overrides``.

    The file holds TrainConfig fields: the shared ones (data, steps, lr, ...) at the top, and
    the task's own settings (TaskSpec.settings) either at the top too or in a table named after
    the task, e.g. ``[audio]`` with ``n``, ``m``, ``kbps``.
    """
    from aecodec.training.tasks import task_spec  # the table imports this module

    values: dict = {}
    if path is not None:
        with open(path, "rb") as f:
            values = _merge_task_table(tomllib.load(f))
    values.update({k: v for k, v in overrides.items() if v is not None})
    task = str(values.get("task", TrainConfig.task))
    return TrainConfig(**{**dict(task_spec(task).defaults), **values})


def _merge_task_table(values: dict) -> dict:
    """Flatten a file's ``[task]`` table into its top-level keys, checking every key."""
    from aecodec.training.tasks import task_spec

    task = str(values.get("task", TrainConfig.task))
    spec = task_spec(task)
    flat = {k: v for k, v in values.items() if not isinstance(v, dict)}
    for name, table in values.items():
        if not isinstance(table, dict):
            continue
        if name != task:
            raise ConfigError(f"config has a [{name}] table but its task is {task!r}")
        for key, value in table.items():
            if key not in spec.settings:
                raise ConfigError(
                    f"[{task}] has no setting {key!r} (its settings: {', '.join(spec.settings)})"
                )
            if key in flat:
                raise ConfigError(f"{key} is set both at the top and in [{task}]")
            flat[key] = value
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(flat) - known
    if unknown:
        raise ConfigError(f"unknown config keys: {', '.join(sorted(unknown))}")
    return flat


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def dump_config(config: TrainConfig) -> str:
    """TOML text of a config (round-trips through load_config): the shared fields at the top,
    the task's own settings in its ``[task]`` table."""
    from aecodec.training.tasks import task_spec

    settings = task_spec(config.task).settings
    values = asdict(config)
    top = "".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items() if k not in settings)
    table = "".join(f"{k} = {_toml_value(values[k])}\n" for k in settings)
    return top + (f"\n[{config.task}]\n" + table if settings else "")
