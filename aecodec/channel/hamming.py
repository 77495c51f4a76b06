"""Hamming(7,4) over BPSK: the hand-designed baseline for the (7,4) communication autoencoder.

Systematic code: codeword = [m1 m2 m3 m4 p1 p2 p3]. BPSK maps bit b to 1 - 2b (one real channel
use per coded bit, Es = 1). Two receivers: hard decisions with syndrome decoding (corrects one
error) and maximum-likelihood soft decoding (the codeword with the largest correlation, exact ML
on AWGN since all codewords have equal energy).
"""

from __future__ import annotations

import torch

__all__ = ["HAMMING74_G", "HAMMING74_H", "hamming74_encode", "hard_decode", "ml_decode"]

_P = torch.tensor([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=torch.int64)
HAMMING74_G = torch.cat([torch.eye(4, dtype=torch.int64), _P], dim=1)  # (4, 7)
HAMMING74_H = torch.cat([_P.T, torch.eye(3, dtype=torch.int64)], dim=1)  # (3, 7)


def _message_bits(messages: torch.Tensor) -> torch.Tensor:
    """(B,) integers in [0, 16) -> (B, 4) bits, most significant first."""
    shifts = torch.arange(3, -1, -1, device=messages.device)
    return (messages.unsqueeze(1) >> shifts) & 1


def _bits_to_message(bits: torch.Tensor) -> torch.Tensor:
    weights = torch.tensor([8, 4, 2, 1], device=bits.device)
    return (bits[:, :4] * weights).sum(dim=1)


def hamming74_encode(messages: torch.Tensor) -> torch.Tensor:
    """(B,) messages in [0, 16) -> (B, 7) BPSK symbols in {+1, -1} (float32)."""
    code = (_message_bits(messages) @ HAMMING74_G.to(messages.device)) % 2
    return 1.0 - 2.0 * code.float()


def hard_decode(y: torch.Tensor) -> torch.Tensor:
    """(B, 7) received values -> (B,) messages: hard decisions, then syndrome correction."""
    r = (y < 0).long()
    syndrome = (r @ HAMMING74_H.T.to(y.device)) % 2  # (B, 3)
    columns = HAMMING74_H.T.to(y.device)  # (7, 3): the syndrome of an error in each position
    match = (syndrome.unsqueeze(1) == columns.unsqueeze(0)).all(dim=2)  # (B, 7)
    r = (r + match.long()) % 2  # flip the bit whose column equals the syndrome (none if zero)
    return _bits_to_message(r)


_CODEBOOK = hamming74_encode(torch.arange(16))  # (16, 7)


def ml_decode(y: torch.Tensor) -> torch.Tensor:
    """(B, 7) received values -> (B,) messages: maximum-likelihood (max correlation) decoding."""
    return (y @ _CODEBOOK.to(y.device, y.dtype).T).argmax(dim=1)
