"""One parser per kind of command-line value; each error is one line naming the option.

Importable without torch: the commands parse before they load any model.
"""

from __future__ import annotations

from aecodec.errors import AecodecError

__all__ = ["parse_numbers", "parse_names", "parse_db_grid", "parse_db_range", "parse_ratio_arg"]

_MAX_GRID = 1000


def parse_numbers(
    text: str, flag: str, positive: bool = False, increasing: bool = False
) -> list[float]:
    """'3,6,12' -> [3.0, 6.0, 12.0]; optionally all positive and increasing."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise AecodecError(f"{flag}: expected numbers like 3,6,12, got {text!r}") from None
    if positive and min(values) <= 0:
        raise AecodecError(f"{flag}: expected positive numbers, got {text!r}")
    if increasing and values != sorted(values):
        raise AecodecError(f"{flag}: expected increasing numbers, got {text!r}")
    return values


def parse_names(text: str) -> list[str]:
    """'a, b,,c' -> ['a', 'b', 'c'] (codec or scheme names)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def parse_db_grid(text: str, flag: str) -> list[float]:
    """'0:10:1' -> [0, 1, ..., 10]; '3,5,7' -> [3, 5, 7] (dB)."""
    try:
        if ":" in text:
            start, stop, step = (float(v) for v in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = int(round((stop - start) / step)) + 1
            if count > _MAX_GRID:
                raise ValueError
            return [round(start + i * step, 6) for i in range(count)]
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise AecodecError(
            f"{flag}: expected START:STOP:STEP (STEP > 0) or a comma list, got {text!r}"
        ) from None


def parse_db_range(text: str, flag: str) -> list[float]:
    """'7' -> [7, 7]; '5:8' -> [5, 8] (dB)."""
    try:
        parts = [float(v) for v in text.split(":")]
    except ValueError:
        raise AecodecError(f"{flag}: expected DB or LOW:HIGH, got {text!r}") from None
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or parts[0] > parts[1]:
        raise AecodecError(f"{flag}: expected DB or LOW:HIGH with LOW <= HIGH, got {text!r}")
    return parts


def parse_ratio_arg(text: str, flag: str = "--ratio") -> float:
    """'1/6' -> 0.1667: a bandwidth ratio k/n in (0, 1] (aecodec.training.jscc_task)."""
    from aecodec.channel.ratio import parse_ratio

    try:
        return parse_ratio(text)
    except ValueError as e:
        raise AecodecError(f"{flag}: {e}") from None
