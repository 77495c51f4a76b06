"""The one task table: what each ``config.task`` trains, and what its export registers.

Training (``make_task``), export (``aecodec.training.export``) and the zoo's kinds all read
``TASKS``; adding a model kind is one row here, its Task class, and its architecture in
``aecodec.zoo.ARCHITECTURES``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from aecodec.errors import ConfigError
from aecodec.training.config import TrainConfig

__all__ = ["TaskSpec", "TASKS", "make_task", "task_spec"]


@dataclass(frozen=True)
class TaskSpec:
    """One trainable task.

    module: the module holding the Task class (``task_class``) and ``arch_config``, the
    function TrainConfig -> architecture dict (what the registry stores); kind, arch: the zoo
    kind and architecture of the exported model; storage: how export stores the weights,
    "fp16-frozen" (parameters rounded to fp16, then the CDF tables frozen: the file is exactly
    what encoder and decoder run), "fp16" (every float tensor; no bitstream depends on them) or
    "fp32" (as trained); defaults: the task's own values of TrainConfig fields, which a
    config file or the command line may still override; settings: the fields that describe
    this task's model, link and loss, which a config file may group in a table named after
    the task (``[audio]``: there ``n`` and ``m`` are the audio model's widths).
    """

    task: str
    module: str
    task_class: str
    arch_config: str
    kind: str
    arch: str
    storage: str
    defaults: tuple[tuple[str, object], ...] = ()  # this task's values of TrainConfig fields
    settings: tuple[str, ...] = ()  # the fields a config file may put in its [task] table

    def make(self, config: TrainConfig):
        """A Task (see aecodec.training.loop) for ``config``; imports only this task's code."""
        return getattr(importlib.import_module(self.module), self.task_class)(config)

    def architecture(self, config: TrainConfig) -> dict:
        """The architecture config of the model this task trains (JSON-ready)."""
        return getattr(importlib.import_module(self.module), self.arch_config)(config)


_T = "aecodec.training."
_HYPERPRIOR = ("n", "m", "lambdas", "context_slices", "context_hidden")
_LINK = ("filters", "ratio", "snr_db", "channel")
TASKS: dict[str, TaskSpec] = {
    s.task: s
    for s in (
        TaskSpec("image", _T + "image_task", "ImageTask", "hyperprior_arch", "image",
                 "mean-scale-hyperprior", "fp16-frozen", (), _HYPERPRIOR),
        TaskSpec("image-context", _T + "context_task", "ContextTask", "hyperprior_arch",
                 "image", "mean-scale-hyperprior", "fp16-frozen", (),
                 (*_HYPERPRIOR, "latent_crops", "context_lr_scale")),
        TaskSpec("audio", _T + "audio_task", "AudioTask", "audio_arch", "audio",
                 "audio-hyperprior", "fp16-frozen",
                 (("n", 64), ("m", 64), ("batch_size", 8), ("val_every", 500),
                  ("steps", 20000)),
                 ("n", "m", "sample_rate", "mdct_hop", "strides", "linear_skip", "widths",
                  "kbps", "segment", "stft_weight", "emphasis", "rate_lr", "max_beta",
                  "beta_init", "holdout_every", "val_seconds", "post_blocks", "decoder_only",
                  "trained_lr_scale", "extra_data",
                  "min_quality", "sharpening", "lowpass_hz", "lowpass_below", "mask_hidden",
                  "mask_only", "max_quality", "mask_floor", "energy_step_db", "energy_block",
                  "energy_low", "energy_high", "energy_coarse_below",
                  "energy_fade_below", "energy_floor_db", "pitch_strength", "energy_only",
                  "energy_smooth_db", "highpass_hz", "quiet_lift_db", "energy_context")),
        TaskSpec("comm", _T + "comm_task", "CommTask", "comm_arch", "comm",
                 "comm-autoencoder", "fp32",
                 (("batch_size", 1024), ("lr", 1e-3), ("val_every", 1000),
                  ("checkpoint_minutes", 2.0), ("steps", 20000)),
                 ("code_n", "code_k", "hidden", "ebno_db", "val_blocks")),
        TaskSpec("jscc", _T + "jscc_task", "JSCCTask", "jscc_arch", "jscc", "deep-jscc",
                 "fp16",
                 (("crop", 64), ("batch_size", 32), ("val_every", 1000), ("val_images", 8),
                  ("steps", 20000)),
                 (*_LINK, "known_snr_prob")),
        TaskSpec("softcast", _T + "softcast_task", "SoftCastTask", "refiner_arch", "softcast",
                 "softcast-refiner", "fp16", (), (*_LINK, "hidden")),
    )
}  # fmt: skip


def task_spec(name: str) -> TaskSpec:
    """The table's row for a task name; ConfigError naming the known ones otherwise."""
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r} (known: {', '.join(TASKS)})")
    return TASKS[name]


def make_task(config: TrainConfig):
    """A Task (see aecodec.training.loop) for ``config.task``."""
    return task_spec(config.task).make(config)
