"""Test helper: forge .aec files the way an attacker would (fields edited, CRC recomputed)."""

from __future__ import annotations

import struct
import zlib

__all__ = ["geometry_offset", "with_geometry", "with_crc"]


def geometry_offset(data: bytes) -> int:
    """Byte offset of the geometry fields (u32, u32, u8) in an .aec file of any version."""
    name_len = data[6]
    return 8 + name_len + 8 + 4


def with_crc(body: bytes | bytearray) -> bytes:
    """``body`` (a file without its last 4 bytes) followed by its correct CRC-32."""
    return bytes(body) + struct.pack("!I", zlib.crc32(bytes(body)))


def with_geometry(data: bytes, first: int, second: int) -> bytes:
    """The file with its geometry (image: height, width; audio: rate, frames) replaced."""
    body = bytearray(data[:-4])
    struct.pack_into("!II", body, geometry_offset(data), first, second)
    return with_crc(body)
