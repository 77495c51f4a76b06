"""The entropy half shared by the image and audio codecs: gain units + mean-scale hyperprior.

::

    y ─ ×gain[q] ─ y' ─┬──────────────── Q ─ ŷ' ─ ×inv_gain[q] ─ (synthesis)
                       │                 ▲  (GaussianConditional, N(μ, σ))
                       └─ h_a ─ z ─ Q ─ ẑ ─ h_s (exact integer) ─ μ, σ
                                    (EntropyBottleneck)

A subclass supplies the transforms (``g_a``, ``g_s``, ``h_a``, ``h_s`` as 2-D conv stacks; audio
runs as one row, Tensor[B, C, 1, T]) and ``config.m`` (channels of y) and ``config.levels``.
Variable rate follows Cui et al. (CVPR 2021): per-channel gain and inverse-gain vectors, one
pair per rate level; a continuous quality between two levels interpolates them geometrically.
At coding time h_s runs as an exact integer network (see integer_conv.py), so encoder and
decoder derive identical scale indexes and means on any machine and with any thread count.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from compressai.ans import RansDecoder, RansEncoder
from compressai.entropy_models import EntropyBottleneck, GaussianConditional
from compressai.models.base import CompressionModel
from torch import Tensor, nn

from aecodec.errors import ConfigError, ModelError
from aecodec.models.ans_coding import (
    ESCAPE_LIMIT,
    CdfTables,
    CodingError,
    decode_indexed,
    encode_indexed,
    quantize_symbols,
    tables_of,
)
from aecodec.models.channel_context import ChannelContext
from aecodec.models.grouped_coding import decode_grouped_symbols, encode_grouped_symbols
from aecodec.models.integer_conv import IntegerConvStack
from aecodec.models.legacy_coding import run_isolated

__all__ = ["GainedHyperprior", "scale_table", "SCALE_MIN", "SCALE_MAX", "SCALE_LEVELS"]

# Scales below this are clamped: the table covers [SCALE_MIN, SCALE_MAX] log-uniformly.
SCALE_MIN, SCALE_MAX, SCALE_LEVELS = 0.11, 256.0, 64


def scale_table() -> Tensor:
    """Tensor[64] of Gaussian scales (latent units) for which CDFs are tabulated."""
    return torch.exp(torch.linspace(math.log(SCALE_MIN), math.log(SCALE_MAX), SCALE_LEVELS))


class GainedHyperprior(CompressionModel):
    """Entropy models, gain vectors and exact hyper-synthesis; see module docstring."""

    def _init_entropy(
        self, n: int, m: int, levels: int, context_slices: int = 0, context_hidden: int = 96
    ) -> None:
        """Create the entropy models (z: n channels, y: m channels) and ``levels`` gain pairs;
        with ``context_slices`` > 0, y is coded in that many channel slices, each conditioned
        on the slices before it (channel_context.py)."""
        self.entropy_bottleneck = EntropyBottleneck(n)
        self.gaussian_conditional = GaussianConditional(None)
        # log-gains, initialised to spread the levels over a factor of 8 in step size.
        spread = torch.linspace(-1.0, 1.0, levels).unsqueeze(1) * math.log(8.0) / 2
        self.log_gain = nn.Parameter(spread.repeat(1, m))
        self.log_inv_gain = nn.Parameter(-spread.repeat(1, m))
        self._integer_h_s: IntegerConvStack | None = None
        self.context = (
            ChannelContext(m, context_slices, context_hidden) if context_slices > 0 else None
        )

    @property
    def section_count(self) -> int:
        """Entropy-coded sections per latent: z, then y whole or slice by slice."""
        return 1 + (len(self.context.bounds) if self.context is not None else 1)

    # ----------------------------------------------------------------- rate control
    @property
    def min_quality(self) -> float:
        """Lowest quality: 1 (the lowest trained level) unless the config extends it below."""
        return float(getattr(self.config, "min_quality", 1.0))

    @property
    def max_quality(self) -> float:
        """Top quality: ``levels``, or above it where the config extends the ladder upwards."""
        return float(getattr(self.config, "max_quality", 0.0) or self.config.levels)

    def gains(self, quality: float | Tensor) -> tuple[Tensor, Tensor]:
        """Gain and inverse gain for a quality in [min_quality, max_quality]: two Tensor[M]
        (geometric interpolation between levels; below 1, level 1's gains halve, and its
        inverse gains double, per unit of quality: a coarser quantisation of the same latent;
        above ``levels`` the top level's gains double per unit: a finer one)."""
        levels = self.config.levels
        q = float(quality)
        if not self.min_quality <= q <= self.max_quality:
            raise ConfigError(
                f"quality must be in [{self.min_quality:g}, {self.max_quality:g}], got {q}"
            )
        if q < 1.0:
            shift = (1.0 - q) * math.log(2.0)
            return torch.exp(self.log_gain[0] - shift), torch.exp(self.log_inv_gain[0] + shift)
        if q > levels:
            shift = (q - levels) * math.log(2.0)
            return torch.exp(self.log_gain[-1] + shift), torch.exp(self.log_inv_gain[-1] - shift)
        lo = min(int(math.floor(q)), levels - 1)
        t = q - lo
        lg = (1 - t) * self.log_gain[lo - 1] + t * self.log_gain[lo]
        lig = (1 - t) * self.log_inv_gain[lo - 1] + t * self.log_inv_gain[lo]
        return torch.exp(lg), torch.exp(lig)

    def level_gains(self, level: int) -> tuple[Tensor, Tensor]:
        """Gain and inverse gain of training level ``level`` in [0, levels): Tensor[1, M, 1, 1]."""
        gain = torch.exp(self.log_gain[level]).view(1, -1, 1, 1)
        inv_gain = torch.exp(self.log_inv_gain[level]).view(1, -1, 1, 1)
        return gain, inv_gain

    # ----------------------------------------------------------------- training
    def quantize_with_rate(self, y: Tensor, device_type: str) -> tuple[Tensor, dict]:
        """Gained latent y: Tensor[B, M, h, w] -> (ŷ, likelihoods {"y", "z"}).

        The likelihood uses additive noise; ŷ is the rounded latent (straight-through), as the
        synthesis sees it at test time. Entropy models run in fp32 even under autocast.
        """
        z = self.h_a(y)
        with torch.autocast(device_type, enabled=False):
            z_hat, z_likelihoods = self.entropy_bottleneck(z.float())
        scales, means = self.h_s(z_hat).float().chunk(2, 1)
        y = y.float()
        with torch.autocast(device_type, enabled=False):
            if self.context is not None:
                y_hat, y_likelihoods = self.context(y, scales, means, self.gaussian_conditional)
                return y_hat, {"y": y_likelihoods, "z": z_likelihoods}
            _, y_likelihoods = self.gaussian_conditional(y, scales, means=means)
        y_hat = torch.round(y - means).detach() + (y - means) - (y - means).detach() + means
        return y_hat, {"y": y_likelihoods, "z": z_likelihoods}

    # ----------------------------------------------------------------- export / coding
    def freeze(self) -> None:
        """Compute and freeze the entropy models' CDF tables (call once at export)."""
        self.update(scale_table=scale_table(), force=True)
        self._integer_h_s = None
        if self.context is not None:
            self.context.forget_integer()

    def cdfs_frozen(self) -> bool:
        eb, gc = self.entropy_bottleneck, self.gaussian_conditional
        return all(t.numel() > 0 for t in (eb._offset, eb._quantized_cdf, gc._quantized_cdf))

    def _require_frozen(self) -> None:
        if not self.cdfs_frozen():
            raise ModelError("entropy model CDFs are not frozen: export the model first")

    def integer_h_s(self) -> IntegerConvStack:
        """h_s as an exact integer network (built on first use after freeze)."""
        if self._integer_h_s is None:
            self._integer_h_s = IntegerConvStack(self.h_s)
        return self._integer_h_s

    def run_h_s(self, z_hat: Tensor) -> Tensor:
        """ẑ -> Tensor[1, 2M, ...] of (scales, means), exactly; subclasses may tile it."""
        return self.integer_h_s()(z_hat)

    def _hyper_params(self, z_hat: Tensor) -> tuple[Tensor, Tensor]:
        """Exact h_s: ẑ -> means, scale indexes. The means are copied out of h_s's float64
        output so that buffer (twice their size, large for long audio) is freed before coding."""
        scales, means = self.run_h_s(z_hat).chunk(2, 1)
        indexes = self.gaussian_conditional.build_indexes(scales)
        return means.clone(), indexes

    def _z_medians(self) -> Tensor:
        """The hyper-latent's per-channel medians, Tensor[1, N, 1, 1] (z is coded around them)."""
        return self.entropy_bottleneck.quantiles[:, 0, 1].detach().view(1, -1, 1, 1)

    def code_latent(self, y: Tensor) -> list[bytes]:
        """Gained latent y: Tensor[1, M, h, w] -> [z_string, y_string] (format 2, ans_coding)."""
        self._require_frozen()
        z = self.h_a(y)
        medians = self._z_medians()
        z_symbols = quantize_symbols(z, medians)
        z_string = encode_indexed(z_symbols, _channel_indexes(z.shape), self._z_tables())
        z_hat = z_symbols.float() + medians
        if self.context is not None:
            return [z_string, *self._code_slices(y, z_hat)]
        means, indexes = self._hyper_params(z_hat)
        y_symbols = quantize_symbols(y, means)
        y_string = encode_indexed(y_symbols, indexes, tables_of(self.gaussian_conditional))
        return [z_string, y_string]

    def _code_slices(self, y: Tensor, z_hat: Tensor) -> list[bytes]:
        """Gained y Tensor[1, M, h, w] -> one string per context slice."""
        gc = self.gaussian_conditional
        tables = tables_of(gc)
        scales, means = self.run_h_s(z_hat).chunk(2, 1)
        decoded: list[Tensor] = []
        strings = []
        for i, (a, b) in enumerate(self.context.bounds):
            s, mu = self.context.exact_params(i, scales[:, a:b], means[:, a:b], decoded)
            symbols = quantize_symbols(y[:, a:b], mu)
            strings.append(encode_indexed(symbols, gc.build_indexes(s), tables))
            decoded.append(gc.dequantize(symbols, mu))
        return strings

    def _decode_slices(self, strings: list[bytes], z_hat: Tensor) -> Tensor:
        """The inverse of ``_code_slices``: ŷ Tensor[1, M, h, w] (gained)."""
        gc = self.gaussian_conditional
        tables = tables_of(gc)
        scales, means = self.run_h_s(z_hat).chunk(2, 1)
        decoded: list[Tensor] = []
        for i, (a, b) in enumerate(self.context.bounds):
            s, mu = self.context.exact_params(i, scales[:, a:b], means[:, a:b], decoded)
            values = decode_indexed(strings[i], gc.build_indexes(s), tables)
            decoded.append(gc.dequantize(torch.from_numpy(values), mu))
        return torch.cat(decoded, 1)

    def _z_tables(self) -> CdfTables:
        return tables_of(self.entropy_bottleneck)

    def decode_strings(
        self, strings: list[bytes], z_shape: tuple[int, int], quality: float, version: int = 2
    ) -> Tensor:
        """[z_string, y_string] and the shape of z -> un-gained latent ŷ Tensor[1, M, h, w].

        version: the file's format version (1: CompressAI's rANS, decoded in isolation by
        legacy_coding; 2: ans_coding). Raises CodingError if a section does not decode exactly.
        """
        self._require_frozen()
        if len(strings) != self.section_count:
            raise CodingError(f"expected {self.section_count} sections, got {len(strings)}")
        if version == 1 and self.context is not None:
            raise CodingError("format 1 has no context models")
        n = self.entropy_bottleneck.channels
        z_indexes = _channel_indexes((1, n, *z_shape))
        medians = self._z_medians()
        if version == 1:
            z_hat = self._legacy_z(strings[0], z_indexes) + medians
        else:
            z_values = decode_indexed(strings[0], z_indexes, self._z_tables())
            z_hat = torch.from_numpy(z_values).float() + medians
        _, inv_gain = self.gains(quality)
        if self.context is not None:
            return self._decode_slices(strings[1:], z_hat) * inv_gain.view(1, -1, 1, 1)
        means, indexes = self._hyper_params(z_hat)
        gc = self.gaussian_conditional
        if version == 1:
            y_hat = self._legacy_y(strings[1], indexes, means)
        else:
            y_values = decode_indexed(strings[1], indexes, tables_of(gc))
            y_hat = gc.dequantize(torch.from_numpy(y_values), means)
        return y_hat * inv_gain.view(1, -1, 1, 1)

    def _legacy_z(self, string: bytes, indexes: Tensor) -> Tensor:
        """Format 1: z's symbols through CompressAI's rANS decoder, in a child process; they
        must re-encode to exactly ``string`` (the format-1 consumption check)."""
        eb = self.entropy_bottleneck
        tables = (eb._quantized_cdf.tolist(), eb._cdf_length.tolist(), eb._offset.tolist())
        flat = indexes.reshape(-1).tolist()
        values = run_isolated(
            lambda: np.asarray(RansDecoder().decode_with_indexes(string, flat, *tables)),
            len(flat),
        )
        _check_legacy_range(values)
        if RansEncoder().encode_with_indexes(values.tolist(), flat, *tables) != string:
            raise CodingError("format-1 section is corrupted (it does not re-encode exactly)")
        return torch.from_numpy(values).reshape(indexes.shape).float()

    def _legacy_y(self, string: bytes, indexes: Tensor, means: Tensor) -> Tensor:
        """Format 1: the latent through grouped_coding's decoder, in a child process, checked
        by re-encoding as in ``_legacy_z``."""
        gc = self.gaussian_conditional
        symbols = run_isolated(lambda: decode_grouped_symbols(gc, string, indexes), indexes.numel())
        _check_legacy_range(symbols)
        if encode_grouped_symbols(gc, symbols, indexes) != string:
            raise CodingError("format-1 section is corrupted (it does not re-encode exactly)")
        return gc.dequantize(torch.from_numpy(symbols).reshape(indexes.shape), means)


def _check_legacy_range(symbols: np.ndarray) -> None:
    """Decoded format-1 symbols beyond format 2's range come only from corrupted bytes."""
    if symbols.size and np.abs(symbols.astype(np.int64)).max() > ESCAPE_LIMIT:
        raise CodingError("format-1 section is corrupted (a symbol is out of range)")


def _channel_indexes(shape: tuple[int, ...] | torch.Size) -> Tensor:
    """Tensor[shape] of int32 channel numbers: the hyper-latent's table per element."""
    return torch.arange(shape[1], dtype=torch.int32).view(1, -1, 1, 1).expand(*shape)
