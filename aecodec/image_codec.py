"""The image codec on arrays and bytes: uint8 RGB in, .aec bytes out, and back.

uint8 [H, W, 3] -> float [1, 3, H', W'] padded (edge replication) to a multiple of 64 -> model
strings -> .aec bytes. Decoding crops back to [H, W, 3] uint8. The rate of a file is its real
size: bpp = file bytes x 8 / (H x W). Users call these through aecodec.api.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from aecodec import bitstream, zoo
from aecodec.defaults import DEFAULT_QUALITY
from aecodec.errors import AecodecError, ModelError
from aecodec.models.latent_refinement import MAX_REFINE_PIXELS
from aecodec.models.tiling import tile_count

__all__ = ["compress_image", "compress_image_to_bpp", "decompress_image", "work_units"]

Progress = Callable[[], None] | None


def _padded_size(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def work_units(height: int, width: int, decompress: bool = False, refine: int = 0) -> int:
    """Steps (tiles, refinement iterations) one compress or decompress takes (progress bars)."""
    from aecodec.models.image_hyperprior import MeanScaleHyperprior as M

    tiles = tile_count(
        _padded_size(height, M.FACTOR) // 16, _padded_size(width, M.FACTOR) // 16, M.TILE
    )
    return tiles + (0 if decompress else refine)


def _load_image_model(name: str | None) -> tuple[torch.nn.Module, zoo.ZooEntry]:
    return zoo.load(name, kind="image")


def compress_image_to_bpp(
    pixels: np.ndarray,
    target_bpp: float,
    model: str | None = None,
    tolerance: float = 0.03,
    refine: int = 0,
) -> tuple[bytes, float]:
    """Like compress_image, at the quality whose file is within ``tolerance`` of ``target_bpp``.

    Returns (.aec bytes, quality used). Raises ModelError when the target is out of reach.
    """
    from aecodec.rate_control import compress_to_bpp

    net, _ = _load_image_model(model)
    h, w, _ = pixels.shape
    return compress_to_bpp(
        lambda q: compress_image(pixels, q, model, refine=refine),
        h * w,
        target_bpp,
        net.config.levels,
        tolerance,
    )


def compress_image(
    pixels: np.ndarray,
    quality: float = DEFAULT_QUALITY,
    model: str | None = None,
    progress: Progress = None,
    refine: int = 0,
) -> bytes:
    """np.ndarray[H, W, 3] uint8 RGB -> .aec bytes. quality: in [1, levels] of the model.

    refine: iterations of encoder-side latent refinement (slower encoding, smaller files at
    equal quality; the decoder is unchanged; images up to MAX_REFINE_PIXELS).
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("expected pixels of shape [H, W, 3] and dtype uint8")
    net, entry = _load_image_model(model)
    levels = net.config.levels
    quality = float(np.float32(quality))  # the header stores float32: code with that exact value
    if not 1.0 <= quality <= levels:
        raise ModelError(f"quality must be between 1 and {levels} for model {entry.name}")
    h, w, _ = pixels.shape
    if refine < 0:
        raise AecodecError("--refine must be 0 or a positive number of iterations")
    if refine and h * w > MAX_REFINE_PIXELS:
        raise AecodecError(
            f"--refine handles images up to {MAX_REFINE_PIXELS / 1e6:.1f} megapixels "
            f"(this one has {h * w / 1e6:.1f}); compress without it"
        )
    f = net.FACTOR
    pad_h, pad_w = _padded_size(h, f) - h, _padded_size(w, f) - w
    if pad_h or pad_w:  # edge replication, on uint8 to keep one float copy only
        pixels = np.pad(pixels, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    x = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
    strings = net.compress(x, quality, on_tile=progress, refine=refine, valid=(h, w))
    header = bitstream.AecHeader(
        kind=bitstream.KIND_IMAGE,
        model=entry.name,
        weights_hash=entry.hash_prefix,
        quality=float(np.float32(quality)),
        height=h,
        width=w,
        channels=3,
        sections=strings,
    )
    return bitstream.encode(header)


def decompress_image(
    data: bytes, progress: Progress = None
) -> tuple[np.ndarray, bitstream.AecHeader]:
    """.aec bytes -> (np.ndarray[H, W, 3] uint8, header). Raises BitstreamError or ModelError."""
    header = bitstream.decode(data)
    if header.kind != bitstream.KIND_IMAGE:
        raise bitstream.BitstreamError("this .aec file holds audio, not an image")
    net, entry = _load_image_model(header.model)
    if entry.hash_prefix != header.weights_hash:
        raise ModelError(
            f"file was coded with other weights of model {header.model!r} "
            f"(sha256 {header.weights_hash.hex()}..., installed {entry.sha256[:16]}...)"
        )
    if len(header.sections) != net.section_count:
        raise bitstream.BitstreamError(f"image file must hold {net.section_count} sections")
    if not 1.0 <= header.quality <= net.config.levels:
        raise bitstream.BitstreamError(f"quality {header.quality} out of the model's range")
    f = net.FACTOR
    hp, wp = _padded_size(header.height, f), _padded_size(header.width, f)
    y_hat = net.decode_latent(header.sections, hp, wp, header.quality, header.version)
    out = np.empty((header.height, header.width, 3), dtype=np.uint8)

    def sink(top: int, left: int, bottom: int, right: int, tile: torch.Tensor) -> None:
        bottom, right = min(bottom, header.height), min(right, header.width)
        if top >= bottom or left >= right:
            return
        crop = tile[0, :, : bottom - top, : right - left]
        pix = crop.mul(255.0).round_().clamp_(0, 255).to(torch.uint8).permute(1, 2, 0)
        out[top:bottom, left:right] = pix.numpy()

    net.synthesize(y_hat, sink=sink, on_tile=progress)
    return out, header
