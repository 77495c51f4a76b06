"""The one weights registry: model name -> architecture config, weights file, sha256.

The registry lives in ``aecodec/weights/registry.json`` (written by ``aecodec export``). Loading
checks the file's sha256 before anything else and builds the architecture from the stored
config: layer sizes are never guessed from tensor shapes. Weights are safetensors, never pickle.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

from aecodec.errors import ModelError
from aecodec.models.audio_hyperprior import AudioConfig, AudioHyperprior
from aecodec.models.comm_autoencoder import CommAutoencoder, CommConfig
from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior
from aecodec.models.jscc import DeepJSCC, JSCCConfig
from aecodec.models.softcast_refiner import RefinerConfig, SoftCastRefiner

__all__ = [
    "WEIGHTS_DIR",
    "ZooEntry",
    "registry",
    "retired",
    "default_model",
    "load",
    "build",
    "sha256_file",
    "entry_of_kind",
    "KINDS",
]

WEIGHTS_DIR = Path(__file__).parent / "weights"
REGISTRY_FILE = "registry.json"
RETIRED_FILE = "retired.json"  # name -> {"sha256", "last_version", "reason"}: no weights shipped
ARCHITECTURES = {
    "mean-scale-hyperprior": (MeanScaleHyperprior, HyperpriorConfig),
    "comm-autoencoder": (CommAutoencoder, CommConfig),
    "deep-jscc": (DeepJSCC, JSCCConfig),
    "audio-hyperprior": (AudioHyperprior, AudioConfig),
    "softcast-refiner": (SoftCastRefiner, RefinerConfig),
}
KINDS = {  # what a model of each kind is, in error messages
    "image": "an image codec",
    "audio": "an audio codec",
    "comm": "a communication autoencoder",
    "jscc": "a deep JSCC model",
    "softcast": "a SoftCast refiner",
}
_CDF_BUFFERS = ("_offset", "_quantized_cdf", "_cdf_length", "scale_table")


@dataclass(frozen=True)
class ZooEntry:
    """One registered model. sha256: hex digest of the weights file."""

    name: str
    arch: str
    kind: str
    config: dict
    file: str
    sha256: str
    default: bool = False
    description: str = ""

    @property
    def hash_prefix(self) -> bytes:
        """The 8 bytes of sha256 stored in every .aec header."""
        return bytes.fromhex(self.sha256)[:8]


def registry(weights_dir: Path = WEIGHTS_DIR) -> dict[str, ZooEntry]:
    """All registered models, by name."""
    path = weights_dir / REGISTRY_FILE
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    return {name: ZooEntry(name=name, **fields) for name, fields in raw.items()}


def default_model(kind: str = "image", weights_dir: Path = WEIGHTS_DIR) -> ZooEntry:
    """The registry's default model for a media kind."""
    entries = [e for e in registry(weights_dir).values() if e.kind == kind]
    for e in entries:
        if e.default:
            return e
    if entries:
        return entries[0]
    raise ModelError(f"no {kind} model is registered in {weights_dir}")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build(arch: str, config: dict) -> torch.nn.Module:
    """An untrained model of a registered architecture."""
    if arch not in ARCHITECTURES:
        raise ModelError(f"unknown architecture {arch!r}")
    cls, cfg_cls = ARCHITECTURES[arch]
    cfg = dict(config)
    for key in ("lambdas", "strides", "widths", "kbps", "refine_betas"):  # JSON lists -> tuples
        if key in cfg:
            cfg[key] = tuple(cfg[key])
    return cls(cfg_cls(**cfg))


def load_state(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load a state dict, resizing the entropy models' CDF buffers to the stored tables."""
    buffers = dict(model.named_buffers())
    for key, value in state.items():
        if key.rsplit(".", 1)[-1] in _CDF_BUFFERS and key in buffers:
            buffers[key].resize_(value.shape)
    model.load_state_dict(state, strict=True)


def retired(weights_dir: Path = WEIGHTS_DIR) -> dict[str, dict]:
    """Models whose weights are no longer shipped, by name (see ``RETIRED_FILE``)."""
    path = weights_dir / RETIRED_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _entry(name: str, weights_dir: Path) -> ZooEntry:
    """The registry entry of ``name``; ModelError for a retired or unknown name."""
    entries = registry(weights_dir)
    if name not in entries:
        gone = retired(weights_dir).get(name)
        if gone:
            raise ModelError(
                f"model {name!r} was retired ({gone['reason']}); files made with it decode with "
                f"aecodec {gone['last_version']} (git tag v{gone['last_version']})"
            )
        known = ", ".join(sorted(entries)) or "none"
        raise ModelError(f"unknown model {name!r} (known: {known})")
    return entries[name]


def entry_of_kind(name: str, kind: str, weights_dir: Path = WEIGHTS_DIR) -> ZooEntry:
    """The registry entry of ``name``, checked to be a model of ``kind`` (a key of KINDS),
    without loading its weights; ModelError with a one-line message otherwise."""
    entries = registry(weights_dir)
    if name not in entries and name not in retired(weights_dir):
        what = KINDS.get(kind, f"a {kind} model").split(" ", 1)[1]
        known = ", ".join(sorted(n for n, e in entries.items() if e.kind == kind)) or "none"
        raise ModelError(f"unknown model {name!r}: no {what} of that name (known: {known})")
    entry = _entry(name, weights_dir)
    _check_kind(entry, kind)
    return entry


def _check_kind(entry: ZooEntry, kind: str) -> None:
    if entry.kind != kind:
        what = KINDS.get(kind, f"a {kind} model")
        actual = KINDS.get(entry.kind, f"a {entry.kind} model")
        raise ModelError(f"model {entry.name!r} is {actual}, not {what}")


@functools.lru_cache(maxsize=4)
def _load_cached(name: str, weights_dir: Path) -> tuple[torch.nn.Module, ZooEntry]:
    entry = _entry(name, weights_dir)
    path = weights_dir / entry.file
    if not path.exists():
        raise ModelError(f"weights file missing for model {name!r}: {path}")
    if sha256_file(path) != entry.sha256:
        raise ModelError(f"weights file of model {name!r} fails its sha256 check")
    model = build(entry.arch, entry.config)
    load_state(model, load_file(str(path)))
    model.eval()
    if entry.kind in ("image", "audio") and not model.cdfs_frozen():
        raise ModelError(f"model {name!r} was exported without frozen CDFs")
    return model, entry


def load(
    name: str | None = None, weights_dir: Path = WEIGHTS_DIR, kind: str | None = None
) -> tuple[torch.nn.Module, ZooEntry]:
    """Load a registered model (hash-checked, eval mode, CDFs frozen). None: the default
    model of ``kind`` (image if not given); with ``kind``, a model of another kind is a
    ModelError."""
    if name is None:
        name = default_model(kind or "image", weights_dir).name
    try:
        model, entry = _load_cached(name, weights_dir)  # no file read once cached
    except ModelError:
        if kind is not None:
            entry_of_kind(name, kind, weights_dir)  # the message that lists this kind's models
        raise
    if kind is not None:
        _check_kind(entry, kind)
    return model, entry
