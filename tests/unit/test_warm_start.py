"""Fine-tuning starts from another run's matching tensors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from aecodec import zoo
from aecodec.models.jscc import DeepJSCC, JSCCConfig
from aecodec.training.warm_start import warm_start


def test_warm_start_copies_matching_tensors_and_keeps_the_rest(tmp_path: Path):
    source = DeepJSCC(JSCCConfig(filters=8, c=16))
    path = tmp_path / "checkpoint.pt"
    torch.save({"model": source.state_dict()}, path)
    target = DeepJSCC(JSCCConfig(filters=8, c=8))  # another ratio: the symbol layers differ
    fresh = target.to_symbols.weight.clone()
    copied, skipped = warm_start(target, path)
    assert torch.equal(target.encoder[1].conv.weight, source.encoder[1].conv.weight)
    assert "to_symbols.weight" in skipped and "encoder.1.conv.weight" in copied
    assert torch.equal(target.to_symbols.weight, fresh)


def test_warm_start_refuses_a_missing_or_unrelated_checkpoint(tmp_path: Path):
    model = DeepJSCC(JSCCConfig(filters=8, c=8))
    with pytest.raises(FileNotFoundError):
        warm_start(model, tmp_path / "nope.pt")
    torch.save({"model": {"other": torch.zeros(3)}}, tmp_path / "x.pt")
    with pytest.raises(ValueError):
        warm_start(model, tmp_path / "x.pt")


def test_warm_start_from_a_shipped_model_copies_every_parameter():
    """Fine-tuning a shipped audio model: its fp16 .safetensors fill a fresh fp32 model."""
    entry = zoo.registry()["speech-v2"]
    shipped = load_file(str(zoo.WEIGHTS_DIR / entry.file))
    model = zoo.build(entry.arch, entry.config)
    copied, _ = warm_start(model, zoo.WEIGHTS_DIR / entry.file)
    params = dict(model.named_parameters())
    assert set(params) <= set(copied)
    for name, p in params.items():
        assert p.dtype == torch.float32
        assert torch.equal(p.detach(), shipped[name].float()), name
