"""Codec adapters: each encodes uint8 RGB [H, W, 3] to bytes and decodes back."""
