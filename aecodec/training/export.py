"""Export a training run: freeze the CDFs, write safetensors and a registry entry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import save

from aecodec import zoo
from aecodec.files import write_atomic
from aecodec.training.config import dump_config, load_config
from aecodec.training.loop import CHECKPOINT_NAME
from aecodec.training.tasks import task_spec

__all__ = ["canonical_safetensors", "export_run"]


def _stored_tensors(model: torch.nn.Module, storage: str) -> dict[str, torch.Tensor]:
    """The state dict as written to safetensors, in the task's storage (TaskSpec.storage).

    fp16-frozen (image, audio): every parameter is rounded to fp16 first and the CDFs are
    frozen from the rounded weights, so fp16 storage is lossless: the file is exactly what
    encoder and decoder both run (frozen tables and other buffers stay in their own dtype).
    fp16 (jscc, softcast): no bitstream depends on these weights: every float tensor in fp16.
    fp32 (comm): small; stored as trained.
    """
    if storage == "fp16-frozen":
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
        model.freeze()
    tensors = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    if storage == "fp16-frozen":
        params = {k for k, _ in model.named_parameters()}
        return {k: v.half() if k in params else v for k, v in tensors.items()}
    if storage == "fp16":
        return {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}
    return tensors


def canonical_safetensors(data: bytes) -> bytes:
    """The same safetensors file with its JSON header in one fixed order (keys sorted, no
    spaces, padded with spaces to 8 bytes as the format allows). ``safetensors.save`` writes
    the metadata from a Rust hash map, whose order changes from run to run: without this,
    exporting one checkpoint twice gave two file digests."""
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + data[8 + size :]


def export_run(
    run_dir: str | Path,
    name: str,
    weights_dir: Path = zoo.WEIGHTS_DIR,
    default: bool = False,
    description: str = "",
    checkpoint: str = CHECKPOINT_NAME,
) -> zoo.ZooEntry:
    """RUN_DIR (config.toml + checkpoint.pt) -> weights/NAME-<sha8>.safetensors + registry.

    ``checkpoint`` picks another checkpoint file of the run (e.g. a kept ``checkpoint-5000.pt``).
    """
    run_dir = Path(run_dir)
    config = load_config(run_dir / "config.toml")
    state = torch.load(run_dir / checkpoint, map_location="cpu", weights_only=True)
    spec = task_spec(config.task)
    arch, kind = spec.arch, spec.kind
    arch_config = spec.architecture(config)
    model = zoo.build(arch, arch_config)
    zoo.load_state(model, state["model"])
    model.eval()
    tensors = _stored_tensors(model, spec.storage)
    weights_dir.mkdir(parents=True, exist_ok=True)
    metadata = {"name": name, "arch": arch, "train_config": dump_config(config)}
    data = canonical_safetensors(save(tensors, metadata=metadata))
    digest = hashlib.sha256(data).hexdigest()
    file = f"{name}-{digest[:8]}.safetensors"
    write_atomic(weights_dir / file, data, force=True)
    reg_path = weights_dir / zoo.REGISTRY_FILE
    reg = json.loads(reg_path.read_text()) if reg_path.exists() else {}
    old = reg.get(name)
    if old and old["file"] != file and (weights_dir / old["file"]).exists():
        (weights_dir / old["file"]).unlink()
    if default:  # one default per kind; for audio, one per sample rate (speech and music)
        for other in reg.values():
            same_rate = other.get("config", {}).get("sample_rate") == arch_config.get("sample_rate")
            if other.get("kind") == kind and (kind != "audio" or same_rate):
                other["default"] = False
    reg[name] = {
        "arch": arch,
        "kind": kind,
        "config": arch_config,
        "file": file,
        "sha256": digest,
        "default": default,
        "description": description
        or f"trained {state['step']} steps; its training config is in the weights file's metadata",
    }
    write_atomic(reg_path, (json.dumps(reg, indent=2, sort_keys=True) + "\n").encode(), True)
    zoo._load_cached.cache_clear()
    return zoo.registry(weights_dir)[name]
