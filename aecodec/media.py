"""Reading and writing images: the only module that touches image file formats.

Images are ``np.ndarray[H, W, 3]`` uint8 RGB. Grayscale, palette, CMYK and other 8-bit modes
are converted to RGB. An alpha channel is dropped when it is fully opaque and refused
otherwise; 16-bit and floating-point images are refused (the codec is 8-bit): each with a
clear message rather than a silent loss.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from aecodec.bitstream import MAX_PIXELS, MAX_SIDE
from aecodec.errors import MediaError

# Pillow refuses images over 2 x MAX_IMAGE_PIXELS (89 Mpx by default) as decompression bombs,
# which would refuse a 196-Mpx photo that the .aec format allows; aecodec's own limit is checked
# right after opening, so Pillow's is set to match it (a deliberate process-wide setting).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

__all__ = ["read_image", "encode_png", "encode_jpeg", "encode_jpeg2000", "JPEG_SUBSAMPLING"]

JPEG_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}  # Pillow's codes

_HIGH_DEPTH_MODES = {"I", "F", "I;16", "I;16B", "I;16L", "I;16N"}


def _is_16bit_rgb(im: Image.Image) -> bool:
    # Pillow loads 48/64-bit PNG and TIFF as 8-bit RGB(A); the raw mode of the tile tells.
    return any("16" in str(t[3]) for t in getattr(im, "tile", []) if len(t) > 3)


def read_image(source: str | Path | bytes, name: str | None = None) -> np.ndarray:
    """Decode an image file (path or bytes) to np.ndarray[H, W, 3] uint8 RGB.

    name: how error messages call the input (default: the path, or <stdin> for bytes).
    """
    if name is None:
        name = "<stdin>" if isinstance(source, bytes) else str(source)
    try:
        fp = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    except FileNotFoundError:
        raise MediaError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise MediaError(f"{name}: is a directory") from None
    except OSError as e:
        raise MediaError(f"{name}: cannot open ({e.strerror})") from None
    with fp:
        try:
            im = Image.open(fp)
        except UnidentifiedImageError:
            raise MediaError(f"{name}: not an image format aecodec can read") from None
        except Image.DecompressionBombError:  # Pillow's own limit: twice MAX_IMAGE_PIXELS
            raise MediaError(f"{name}: image exceeds the {MAX_PIXELS}-pixel limit") from None
        with im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise MediaError(f"{name}: {w}x{h} exceeds the {MAX_PIXELS}-pixel limit")
            if max(w, h) > MAX_SIDE:
                raise MediaError(f"{name}: {w}x{h} has a side over the {MAX_SIDE}-pixel limit")
            if im.mode in _HIGH_DEPTH_MODES or _is_16bit_rgb(im):
                raise MediaError(
                    f"{name}: 16-bit and floating-point images are not supported; "
                    "convert to 8 bits per channel first"
                )
            try:
                im.load()
            except (OSError, ValueError, SyntaxError) as e:
                raise MediaError(f"{name}: damaged image ({e})") from None
            has_alpha = im.mode in ("RGBA", "LA", "PA") or (
                im.mode == "P" and "transparency" in im.info
            )
            if has_alpha:
                rgba = np.asarray(im.convert("RGBA"))
                if (rgba[..., 3] != 255).any():
                    raise MediaError(
                        f"{name}: image has transparency; aecodec codes opaque RGB only "
                        "(flatten it onto a background first)"
                    )
                return np.array(rgba[..., :3], copy=True)
            return np.array(im.convert("RGB"), dtype=np.uint8)


def encode_png(pixels: np.ndarray) -> bytes:
    """np.ndarray[H, W, 3] uint8 -> PNG file bytes (lossless)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("expected an array of shape [H, W, 3] and dtype uint8")
    return _encode(pixels, "PNG", compress_level=6)


def _encode(pixels: np.ndarray, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format=fmt, **options)
    return buf.getvalue()


def encode_jpeg(pixels: np.ndarray, quality: int, subsampling: str = "4:2:0") -> bytes:
    """uint8 RGB [H, W, 3] -> baseline JPEG (libjpeg through Pillow) at quality 1..100 with
    optimised Huffman tables; subsampling one of JPEG_SUBSAMPLING."""
    return _encode(
        pixels,
        "JPEG",
        quality=int(quality),
        subsampling=JPEG_SUBSAMPLING[subsampling],
        optimize=True,
    )


def encode_jpeg2000(pixels: np.ndarray, bpp: float, strong: bool = True) -> bytes:
    """uint8 RGB [H, W, 3] -> raw J2K codestream (OpenJPEG through Pillow) in rate mode at
    ``bpp`` bits per pixel; strong: irreversible 9/7 wavelet, else reversible 5/3; both with
    the multi-component transform."""
    return _encode(
        pixels,
        "JPEG2000",
        quality_mode="rates",
        quality_layers=[24.0 / float(bpp)],  # compression ratio of 24-bit RGB
        irreversible=strong,
        mct=1,
        no_jp2=True,
    )
