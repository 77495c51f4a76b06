"""Codec names accepted by ``aecodec bench image --codecs``."""

from __future__ import annotations

from collections.abc import Callable

from aecodec import zoo
from aecodec.bench.codecs.aecodec_codec import AecodecCodec
from aecodec.bench.codecs.base import ImageCodec
from aecodec.bench.codecs.jpegxl import JpegXlCodec
from aecodec.bench.codecs.pillow_codecs import AvifCodec, Jpeg2000Codec, JpegCodec, WebpCodec
from aecodec.bench.codecs.pyav_video import Av1IntraCodec, HevcIntraCodec
from aecodec.errors import ConfigError

__all__ = ["CODECS", "make_codecs"]

CODECS: dict[str, Callable[[], list[ImageCodec]]] = {
    "aecodec": lambda: [AecodecCodec()],
    "jpeg2000": lambda: [Jpeg2000Codec(strong=True)],
    "jpeg2000-53": lambda: [Jpeg2000Codec(strong=False)],
    "jpeg": lambda: [JpegCodec("4:2:0"), JpegCodec("4:4:4")],
    "webp": lambda: [WebpCodec()],
    "avif": lambda: [AvifCodec()],
    "jpegxl": lambda: [JpegXlCodec()],  # needs imagecodecs (the bench extra)
    "hevc": lambda: [HevcIntraCodec("444")],  # needs PyAV (the bench extra)
    "hevc-420": lambda: [HevcIntraCodec("420")],
    "av1": lambda: [Av1IntraCodec()],
}


def make_codecs(names: list[str]) -> list[ImageCodec]:
    """Adapters for comma-separated names; ValueError names the unknown one.

    ``aecodec:MODEL`` benchmarks a registered image model other than the default.
    """
    out: list[ImageCodec] = []
    for name in names:
        if name.startswith("aecodec:"):
            model = name.split(":", 1)[1]
            images = [n for n, e in zoo.registry().items() if e.kind == "image"]
            if model not in images:
                raise ConfigError(f"no image model {model!r} (shipped: {', '.join(images)})")
            out.append(AecodecCodec(model=model))
            continue
        if name not in CODECS:
            raise ConfigError(f"unknown codec {name!r} (known: {', '.join(CODECS)})")
        out.extend(CODECS[name]())
    return out
