"""User-facing errors: each carries a one-line message that the CLI prints as is (exit 2)."""

from __future__ import annotations

__all__ = ["AecodecError", "ConfigError", "MediaError", "ModelError"]


class AecodecError(Exception):
    """Base of every error caused by the user's input rather than by a bug."""


class MediaError(AecodecError):
    """An input image or audio file that cannot be read or is not supported."""


class ModelError(AecodecError):
    """An unknown model, or weights that are missing or fail their hash check."""


class ConfigError(AecodecError, ValueError):
    """A setting that cannot work: a training config, a bandwidth ratio, an SNR range, a codec
    or model name, a quality. Also a ValueError, so library callers may catch either."""
