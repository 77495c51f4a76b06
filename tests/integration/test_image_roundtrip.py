"""Real images through the shipped model: sizes, rate accounting, quality, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from aecodec import api, bitstream, media, zoo
from aecodec.errors import ModelError
from aecodec.metrics import psnr_rgb
from aecodec.models.image_hyperprior import HyperpriorConfig, MeanScaleHyperprior

KODAK_SUBSET = ["kodim04.png", "kodim15.png", "kodim23.png"]  # portrait + two landscapes


@pytest.mark.parametrize("name", KODAK_SUBSET)
def test_kodak_round_trip_keeps_size_and_quality(kodak_dir, name: str) -> None:
    pixels = media.read_image(kodak_dir / name)
    data = api.compress_image(pixels, quality=3)
    out, header = api.decompress_image(data)
    assert out.shape == pixels.shape and out.dtype == np.uint8
    assert (header.height, header.width) == pixels.shape[:2]
    bpp = len(data) * 8 / (pixels.shape[0] * pixels.shape[1])
    assert 0.05 < bpp < 2.0
    assert psnr_rgb(pixels, out) > 26.0


def test_higher_quality_costs_more_bits_and_gives_higher_psnr(demo_pixels) -> None:
    sizes, psnrs = [], []
    for q in (1, 3.5, 6):
        data = api.compress_image(demo_pixels, quality=q)
        out, _ = api.decompress_image(data)
        sizes.append(len(data))
        psnrs.append(psnr_rgb(demo_pixels, out))
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
    assert psnrs == sorted(psnrs)


@pytest.mark.parametrize("shape", [(1, 1), (7, 300), (65, 129), (130, 64)])
def test_odd_sizes_round_trip(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (shape[0], shape[1], 3), dtype=np.uint8)
    out, header = api.decompress_image(api.compress_image(base, 2))
    assert out.shape == base.shape
    assert (header.height, header.width) == shape


def test_input_array_is_not_modified(demo_pixels) -> None:
    before = demo_pixels.copy()
    api.compress_image(demo_pixels, 2)
    assert np.array_equal(demo_pixels, before)


def test_quality_outside_range_is_refused(demo_pixels) -> None:
    with pytest.raises(ModelError, match="quality"):
        api.compress_image(demo_pixels, quality=0.5)


def test_unknown_model_is_refused_on_compress(demo_pixels) -> None:
    with pytest.raises(ModelError, match="unknown model"):
        api.compress_image(demo_pixels, model="no-such-model")


def _reheader(data: bytes, **changes: object) -> bytes:
    h = bitstream.decode(data)
    fields = dict(
        kind=h.kind,
        model=h.model,
        weights_hash=h.weights_hash,
        quality=h.quality,
        height=h.height,
        width=h.width,
        channels=h.channels,
        sections=h.sections,
    )
    fields.update(changes)
    return bitstream.encode(bitstream.AecHeader(**fields))


def test_decode_rejects_unknown_model(demo_pixels) -> None:
    data = _reheader(api.compress_image(demo_pixels[:64, :64].copy(), 2), model="mystery-net")
    with pytest.raises(ModelError, match="unknown model"):
        api.decompress_image(data)


def test_decode_rejects_weights_hash_mismatch(demo_pixels) -> None:
    data = _reheader(api.compress_image(demo_pixels[:64, :64].copy(), 2), weights_hash=b"\0" * 8)
    with pytest.raises(ModelError, match="other weights"):
        api.decompress_image(data)


def test_decode_rejects_quality_outside_model_range(demo_pixels) -> None:
    data = _reheader(api.compress_image(demo_pixels[:64, :64].copy(), 2), quality=1e9)
    with pytest.raises(bitstream.BitstreamError, match="quality"):
        api.decompress_image(data)


def test_unfrozen_model_refuses_to_compress() -> None:
    import torch

    net = MeanScaleHyperprior(HyperpriorConfig(n=8, m=8, levels=2, lambdas=(0.01, 0.02)))
    with pytest.raises(ModelError, match="not frozen"):
        net.compress(torch.zeros(1, 3, 64, 64), 1.0)


def test_registry_weights_pass_their_hash_check() -> None:
    entry = zoo.default_model("image")
    assert zoo.sha256_file(zoo.WEIGHTS_DIR / entry.file) == entry.sha256
    assert entry.file.startswith(f"{entry.name}-{entry.sha256[:8]}")
