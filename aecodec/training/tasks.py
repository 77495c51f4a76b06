"""Which Task class trains which ``config.task``: the one place that maps names to tasks."""

from __future__ import annotations

from aecodec.errors import ConfigError
from aecodec.training.config import TrainConfig

__all__ = ["TASKS", "make_task"]

TASKS = ("image", "image-context", "comm", "jscc", "softcast", "audio")


def make_task(config: TrainConfig):
    """A Task (see aecodec.training.loop) for ``config.task``; imports only what it needs."""
    if config.task == "image":
        from aecodec.training.image_task import ImageTask

        return ImageTask(config)
    if config.task == "image-context":
        from aecodec.training.context_task import ContextTask

        return ContextTask(config)
    if config.task == "comm":
        from aecodec.training.comm_task import CommTask

        return CommTask(config)
    if config.task == "jscc":
        from aecodec.training.jscc_task import JSCCTask

        return JSCCTask(config)
    if config.task == "softcast":
        from aecodec.training.softcast_task import SoftCastTask

        return SoftCastTask(config)
    if config.task == "audio":
        from aecodec.training.audio_task import AudioTask

        return AudioTask(config)
    raise ConfigError(f"unknown task {config.task!r} (known: {', '.join(TASKS)})")
