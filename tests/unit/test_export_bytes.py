"""Exported weights files are byte-identical from one export to the next."""

import json

import torch
from safetensors.torch import load, save

from aecodec.training.export import canonical_safetensors


def _reordered(data: bytes) -> bytes:
    """The same file with its header's keys in reverse order (as another run may write it)."""
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    header["__metadata__"] = dict(reversed(header["__metadata__"].items()))
    text = json.dumps(dict(reversed(header.items()))).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + data[8 + size :]


def test_canonical_bytes_do_not_depend_on_the_header_order() -> None:
    tensors = {"b.weight": torch.arange(6.0).view(2, 3), "a.bias": torch.ones(3, dtype=torch.int32)}
    data = save(tensors, metadata={"name": "x", "arch": "y", "train_config": "steps = 3\n"})
    one, two = canonical_safetensors(data), canonical_safetensors(_reordered(data))
    assert _reordered(data) != data and one == two
    assert int.from_bytes(one[:8], "little") % 8 == 0
    loaded = load(one)
    assert set(loaded) == set(tensors) and all(
        torch.equal(loaded[k], v) for k, v in tensors.items()
    )
