"""Video codecs as still-image codecs, through PyAV's bundled FFmpeg: HEVC intra and AV1 intra.

- ``hevc``: libx265, one intra frame, 4:4:4 (``hevc``) or 4:2:0 (``hevc-420``), a QP sweep,
  preset slow, tune psnr: the codec inside BPG (which adds a few header bytes to the same
  stream). x265's default psycho-visual tools (psy-rd, adaptive quantisation) trade PSNR for
  perceived detail: on kodim23 at QP 32 they cost 1.2 dB for 9% fewer bits, so a PSNR
  comparison turns them off, as it uses the PSNR-tuned settings of every other codec.
- ``av1``: SVT-AV1, one key frame, 4:2:0, a CRF sweep, tune 1 (PSNR). SVT-AV1 encodes only
  4:2:0 (it refuses yuv444p: avcodec_open2 returns EINVAL), and the wheel bundles no other AV1
  encoder; AVIF (``avif``, libavif through Pillow) is the 4:4:4 AV1 still-image row.

RGB is converted to full-range BT.601 YCbCr by FFmpeg's swscale (8 bits: the conversion alone
costs about 49 dB PSNR on Kodak, far above any coded point). A file is the bare elementary
stream (parameter sets in-band, no container); its size is what is counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

__all__ = ["HevcIntraCodec", "Av1IntraCodec"]

_HEVC_QPS = [44.0, 41.0, 38.0, 35.0, 32.0, 29.0, 26.0, 23.0, 20.0, 17.0]
_AV1_CRFS = [55.0, 48.0, 42.0, 36.0, 30.0, 24.0, 18.0, 12.0, 6.0, 1.0]
_FULL_RANGE = 2  # AVCOL_RANGE_JPEG


def _yuv_frame(pixels: np.ndarray, pix_fmt: str):
    import av

    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
    return frame.reformat(format=pix_fmt, dst_colorspace="ITU601", dst_color_range="JPEG")


def _encode_frame(pixels: np.ndarray, encoder: str, pix_fmt: str, options: dict) -> bytes:
    import av

    h, w, _ = pixels.shape
    if pix_fmt == "yuv420p" and (h % 2 or w % 2):
        raise ValueError(f"4:2:0 needs even image sides, got {w}x{h}")
    ctx = av.CodecContext.create(encoder, "w")
    ctx.width, ctx.height, ctx.pix_fmt = w, h, pix_fmt
    ctx.time_base = Fraction(1, 25)
    ctx.color_range = _FULL_RANGE
    ctx.thread_count = 1
    ctx.options = options
    packets = ctx.encode(_yuv_frame(pixels, pix_fmt)) + ctx.encode(None)
    return b"".join(bytes(p) for p in packets)


def _decode_frame(data: bytes, decoder: str) -> np.ndarray:
    import av

    ctx = av.CodecContext.create(decoder, "r")
    frames = ctx.decode(av.Packet(data)) + ctx.decode(None)
    if not frames:
        raise ValueError("the stream holds no frame")
    rgb = frames[0].reformat(format="rgb24", src_colorspace="ITU601", src_color_range="JPEG")
    return rgb.to_ndarray()


def _library(encoder: str) -> str:
    import av

    return f"PyAV {av.__version__} (FFmpeg {av.ffmpeg_version_info}), {encoder}"


@dataclass
class HevcIntraCodec:
    """HEVC (libx265) all-intra at a QP; chroma "444" (main 4:4:4) or "420" (main)."""

    chroma: str = "444"
    preset: str = "slow"
    params: list[float] = field(default_factory=lambda: list(_HEVC_QPS))

    @property
    def name(self) -> str:
        return "hevc" if self.chroma == "444" else f"hevc-{self.chroma}"

    @property
    def _pix_fmt(self) -> str:
        return {"444": "yuv444p", "420": "yuv420p"}[self.chroma]

    def settings(self) -> dict:
        return {
            "library": _library("libx265"),
            "preset": self.preset,
            "tune": "psnr",
            "chroma": self.chroma,
            "x265-params": "qp=QP:keyint=1:info=0",
            "colour": "BT.601 full range, 8 bits",
            "container": False,
            "param": "qp",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        options = {
            "preset": self.preset,
            "tune": "psnr",
            # info=0: no SEI with x265's version and options (about 2.2 KB of text in every
            # stream, which BPG does not carry and no decoder reads)
            "x265-params": f"qp={int(param)}:keyint=1:info=0:log-level=error",
        }
        return _encode_frame(pixels, "libx265", self._pix_fmt, options)

    def decode(self, data: bytes) -> np.ndarray:
        return _decode_frame(data, "hevc")


@dataclass
class Av1IntraCodec:
    """AV1 (SVT-AV1) key frame, 4:2:0, at a CRF."""

    preset: int = 4
    params: list[float] = field(default_factory=lambda: list(_AV1_CRFS))

    @property
    def name(self) -> str:
        return "av1"

    def settings(self) -> dict:
        return {
            "library": _library("libsvtav1"),
            "preset": self.preset,
            "chroma": "420",
            "svtav1-params": "keyint=1:tune=1",
            "colour": "BT.601 full range, 8 bits",
            "container": False,
            "param": "crf",
        }

    def encode(self, pixels: np.ndarray, param: float) -> bytes:
        os.environ.setdefault("SVT_LOG", "1")  # errors only (SVT-AV1 logs to stderr)
        options = {
            "preset": str(self.preset),
            "crf": str(int(param)),
            "svtav1-params": "keyint=1:tune=1",
        }
        return _encode_frame(pixels, "libsvtav1", "yuv420p", options)

    def decode(self, data: bytes) -> np.ndarray:
        return _decode_frame(data, "libdav1d")
