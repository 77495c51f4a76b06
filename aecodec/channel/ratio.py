"""The bandwidth ratio k/n of a transmission: complex channel uses per pixel value."""

from __future__ import annotations

from fractions import Fraction

from aecodec.errors import ConfigError

__all__ = ["parse_ratio"]


def parse_ratio(text: str | float) -> float:
    """'1/6' or '0.1667' -> float bandwidth ratio in (0, 1]; ValueError otherwise."""
    try:
        value = float(Fraction(str(text).strip()))
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"bandwidth ratio must look like 1/6, got {text!r}") from None
    if not 0 < value <= 1:
        raise ConfigError(f"bandwidth ratio must be in (0, 1], got {text!r}")
    return value
