"""Start a run from trained weights (fine-tuning): every tensor whose name and shape match is
copied, the rest keep their fresh initialisation. The source is another run's checkpoint.pt or
an exported model's .safetensors file (e.g. one of aecodec/weights)."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file

from aecodec.errors import ConfigError

__all__ = ["warm_start"]


def warm_start(model: torch.nn.Module, checkpoint: str | Path) -> tuple[list[str], list[str]]:
    """Copy matching tensors of ``checkpoint`` (checkpoint.pt or .safetensors) into ``model``.

    Exported weights are stored in fp16; they are cast to the model's own dtypes on copy.

    Returns (copied, skipped) parameter and buffer names. Raises FileNotFoundError or
    ValueError (nothing matched) with a clear message.
    """
    path = Path(checkpoint)
    if not path.is_file():
        raise FileNotFoundError(f"init_from: no checkpoint at {path}")
    if path.suffix == ".safetensors":
        state = load_file(str(path))
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)["model"]
    own = model.state_dict()
    copied = [k for k, v in state.items() if k in own and own[k].shape == v.shape]
    skipped = [k for k in own if k not in copied]
    if not copied:
        raise ConfigError(f"init_from: no tensor of {path} fits this model")
    model.load_state_dict({**own, **{k: state[k].to(own[k].dtype) for k in copied}})
    return copied, skipped
