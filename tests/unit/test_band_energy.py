"""Coded band energies: the bands, the corrections the encoder finds, what decoding does with
them, and the entropy-coded section (exact round trip, corrupted bytes refused, forged
symbols clipped)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aecodec.models import band_energy as E
from aecodec.models import spectral_postfilter as P
from aecodec.models.ans_coding import CodingError, encode_indexed

RATE = 16000
STEP, BLOCK, LOW, HIGH = 3.0, 4, -12, 27


def _noise(seconds: float, seed: int) -> np.ndarray:
    return (0.1 * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(
        np.float32
    )


def _band_energies_db(x: np.ndarray) -> np.ndarray:
    """float64[F, B] band energies of x's short-time spectra, dB."""
    edges = E.band_edges(RATE)
    power = P.frame_features(x, RATE, lambda s: np.abs(s) ** 2)
    return 10 * np.log10(np.add.reduceat(power, edges[:-1], axis=1) + 1e-20)


def _attenuate_above(x: np.ndarray, hz: float, db: float) -> np.ndarray:
    """x with every bin above ``hz`` scaled by ``db`` (a decoded signal short of energy)."""
    n = P.frame_size(RATE)
    above = np.arange(n // 2 + 1) * RATE / n > hz
    gain = np.where(above, 10 ** (db / 20), 1.0)
    return P.filter_spectra(x, RATE, lambda s: s * gain)


def test_bands_cover_every_bin_narrow_at_low_frequencies() -> None:
    edges = E.band_edges(RATE)
    assert edges[0] == 0 and edges[-1] == P.frame_size(RATE) // 2 + 1
    widths = np.diff(edges)
    assert (widths > 0).all() and widths[0] == 8 and widths[-1] >= 32  # 250 Hz, 1 kHz
    assert len(widths) == 16
    music = E.band_edges(44100)
    assert music[-1] == P.frame_size(44100) // 2 + 1 and (np.diff(music) > 0).all()


def test_the_encoder_finds_the_missing_energy_and_decoding_restores_it() -> None:
    x = _noise(1.0, 0)
    y = _attenuate_above(x, 4000.0, -12.0)
    k = E.correction_symbols(y, x, RATE, STEP, BLOCK, LOW, HIGH)
    edges = E.band_edges(RATE)
    high = edges[:-1] * RATE / P.frame_size(RATE) > 4100
    assert k.shape == (16, E.block_count(len(x), RATE, BLOCK))
    assert np.median(k[high]) == 4  # 12 dB in 3-dB steps
    assert np.abs(np.median(k[~high & (edges[:-1] > 0)])) == 0
    z = E.apply_corrections(y, k, RATE, STEP, BLOCK)
    inner = slice(8, -8)  # away from the padded ends
    before = np.abs(_band_energies_db(y) - _band_energies_db(x))[inner, high].mean()
    after = np.abs(_band_energies_db(z) - _band_energies_db(x))[inner, high].mean()
    assert before > 11 and after < 2.0


def test_zero_corrections_only_fill_holes_under_the_floor() -> None:
    x = _noise(0.5, 1)
    k = np.zeros((16, E.block_count(len(x), RATE, BLOCK)), dtype=np.int32)
    z = E.apply_corrections(x, k, RATE, STEP, BLOCK)
    # white noise has few bins 20 dB under its band's RMS: the output hardly moves
    assert np.sqrt(np.mean((z - x) ** 2)) < 0.02 * np.sqrt(np.mean(x**2))


def test_the_floor_sets_how_deep_a_hole_may_stay() -> None:
    noise = np.fft.rfft(_noise(1.0, 12))
    freqs = np.fft.rfftfreq(RATE, 1 / RATE)
    noise[(freqs > 5500) & (freqs < 6000)] *= 0.01  # a 40-dB hole in the 5-6 kHz band
    x = np.fft.irfft(noise, RATE).astype(np.float32)
    k = np.zeros((16, E.block_count(len(x), RATE, BLOCK)), dtype=np.int32)
    bin_hz = RATE / P.frame_size(RATE)
    loud = slice(int(5100 / bin_hz), int(5400 / bin_hz))
    hole = slice(int(5600 / bin_hz), int(5900 / bin_hz))

    def depth_db(y: np.ndarray) -> float:
        power = P.frame_features(y, RATE, lambda s: np.abs(s) ** 2)[8:-8]
        return float(10 * np.log10(power[:, hole].mean() / power[:, loud].mean()))

    deep = depth_db(x)
    at_20 = depth_db(E.apply_corrections(x, k, RATE, STEP, BLOCK))
    at_40 = depth_db(E.apply_corrections(x, k, RATE, STEP, BLOCK, floor_db=-40.0))
    assert deep < -35.0 and -28.0 < at_20 < -20.0 and abs(at_40 - deep) < 2.0


def test_silence_gets_no_gain() -> None:
    x = _noise(0.5, 2)
    silent = np.zeros_like(x)
    k = E.correction_symbols(silent, x, RATE, STEP, BLOCK, LOW, HIGH)
    assert not k.any()
    k[:] = HIGH  # a forged file asking for the largest gain everywhere
    assert not E.apply_corrections(silent, k, RATE, STEP, BLOCK).any()


def test_corrections_are_deterministic_and_blockwise() -> None:
    x = _noise(40.0, 3)  # more frames than one processing block of filter_spectra
    y = _attenuate_above(x, 2000.0, -6.0)
    k = E.correction_symbols(y, x, RATE, STEP, BLOCK, LOW, HIGH)
    a = E.apply_corrections(y, k, RATE, STEP, BLOCK)
    b = E.apply_corrections(y.copy(), k.copy(), RATE, STEP, BLOCK)
    assert np.array_equal(a, b) and a.dtype == np.float32


def _sparse_lines(seconds: float, seed: int) -> np.ndarray:
    """Faint noise reduced to isolated spectral lines 125 Hz apart, flickering from frame
    to frame: what a low-rate MDCT codec leaves of a pause."""
    rng = np.random.default_rng(seed)
    n = P.frame_size(RATE)
    comb = (np.arange(n // 2 + 1) % 4 == 0).astype(np.float64)

    def keep_lines(s: np.ndarray) -> np.ndarray:
        return s * comb * rng.uniform(0.2, 1.0, size=(s.shape[0], 1))

    return P.filter_spectra(0.01 * _noise(seconds, seed), RATE, keep_lines)


def test_smoothing_keeps_every_block_energy_of_the_spectra() -> None:
    rng = np.random.default_rng(22)
    edges = E.band_edges(RATE)
    frames = 10  # two whole blocks and a short one
    magnitude = rng.uniform(0, 1, (frames, edges[-1])) * (rng.uniform(0, 1, edges[-1]) > 0.7)
    energy = np.add.reduceat(magnitude**2, edges[:-1], axis=1)
    raise_db = rng.choice([0.0, 3.0, 6.0, 12.0], size=(frames, len(edges) - 1))
    raise_db = np.repeat(raise_db[::BLOCK], BLOCK, axis=0)[:frames]  # one value per block
    smooth = E._smoothed(magnitude, energy, raise_db, edges, BLOCK, 4.0)
    after = np.add.reduceat(smooth**2, edges[:-1], axis=1)
    assert np.allclose(E._block_sums(after, BLOCK), E._block_sums(energy, BLOCK))
    calm = np.repeat(raise_db <= 4.0, np.diff(edges), axis=1)
    assert np.array_equal(smooth[calm], magnitude[calm])  # under the threshold: unchanged
    full = np.repeat(raise_db >= 8.0, np.diff(edges), axis=1)
    for f, b in zip(*np.nonzero(raise_db >= 8.0), strict=True):  # fully smoothed: flat bands
        band = smooth[f, edges[b] : edges[b + 1]]
        assert np.allclose(band, band[0])
    assert full.any() and calm.any()


def test_smoothing_changes_no_band_raised_less_than_the_threshold() -> None:
    y = _sparse_lines(2.0, 20)
    k = np.full((16, E.block_count(len(y), RATE, BLOCK)), 1, dtype=np.int32)  # +3 dB
    plain = E.apply_corrections(y, k, RATE, STEP, BLOCK, floor_db=-30.0)
    smooth = E.apply_corrections(y, k, RATE, STEP, BLOCK, floor_db=-30.0, smooth_db=4.0)
    assert np.array_equal(plain, smooth)


def test_smoothing_flattens_the_lines_of_a_band_raised_far() -> None:
    y = _sparse_lines(2.0, 21)
    k = np.full((16, E.block_count(len(y), RATE, BLOCK)), 4, dtype=np.int32)  # +12 dB

    def ripple_db(z: np.ndarray) -> float:  # line-to-gap contrast of the spectra, dB
        power = P.frame_features(z, RATE, lambda s: np.abs(s) ** 2)[8:-8, 8:120]
        return float(10 * np.log10(power[:, ::4].mean() / power[:, 2::4].mean()))

    plain = E.apply_corrections(y, k, RATE, STEP, BLOCK, floor_db=-30.0)
    smooth = E.apply_corrections(y, k, RATE, STEP, BLOCK, floor_db=-30.0, smooth_db=4.0)
    # the decoded phases bring part of the lines back in the overlap-add: 21 -> 14 dB
    assert ripple_db(plain) > 15.0 and ripple_db(smooth) < ripple_db(plain) - 5.0
    # the level stays within 2.5 dB (the overlap-add of the smoothed frames loses 1.6 here)
    level_db = 10 * np.log10(np.mean(smooth**2) / np.mean(plain**2))
    assert -2.5 < level_db < 0.5
    again = E.apply_corrections(y.copy(), k.copy(), RATE, STEP, BLOCK, -30.0, 4.0)
    assert np.array_equal(smooth, again)  # deterministic


def test_the_section_round_trips_exactly() -> None:
    counts = np.random.default_rng(4).integers(0, 1000, size=(16, HIGH - LOW + 1))
    tables = E.energy_tables(counts, LOW)
    k = np.random.default_rng(5).integers(LOW, HIGH + 1, size=(16, 37)).astype(np.int32)
    data = E.encode_corrections(k, tables)
    assert np.array_equal(E.decode_corrections(data, 16, 37, tables, LOW, HIGH), k)


def test_a_likely_table_codes_shorter() -> None:
    counts = np.zeros((16, HIGH - LOW + 1), dtype=np.int64)
    counts[:, -LOW] = 10_000  # symbol 0 is almost certain
    k = np.zeros((16, 100), dtype=np.int32)
    assert len(E.encode_corrections(k, E.energy_tables(counts, LOW))) < 16 * 100 / 8 / 4


def test_a_corrupted_section_is_refused() -> None:
    tables = E.energy_tables(np.ones((16, HIGH - LOW + 1)), LOW)
    k = np.random.default_rng(6).integers(LOW, HIGH + 1, size=(16, 20)).astype(np.int32)
    data = E.encode_corrections(k, tables)
    with pytest.raises(CodingError):
        E.decode_corrections(data + b"\x01\x00\x00\x00", 16, 20, tables, LOW, HIGH)
    with pytest.raises(CodingError):
        E.decode_corrections(data[:-4], 16, 20, tables, LOW, HIGH)


def test_forged_symbols_out_of_range_are_clipped() -> None:
    tables = E.energy_tables(np.ones((16, HIGH - LOW + 1)), LOW)
    forged = torch.full((16, 5), 60_000, dtype=torch.int32)  # escaped, far beyond the table
    indexes = torch.arange(16, dtype=torch.int32).view(-1, 1).expand(16, 5)
    data = encode_indexed(forged, indexes, tables)
    assert (E.decode_corrections(data, 16, 5, tables, LOW, HIGH) == HIGH).all()


def test_with_fewer_coded_bands_only_the_lowest_change() -> None:
    x = _noise(1.0, 7)
    y = _attenuate_above(x, 500.0, -12.0)
    k = E.correction_symbols(y, x, RATE, STEP, BLOCK, LOW, HIGH, coded_bands=4)
    assert k.shape == (4, E.block_count(len(x), RATE, BLOCK))
    z = E.apply_corrections(y, k, RATE, STEP, BLOCK)
    inner = slice(8, -8)
    change = np.abs(_band_energies_db(z) - _band_energies_db(y))[inner].mean(0)
    assert change[3] > 9 and change[4] < 2 and change[5:].max() < 0.1  # window leakage next door
    none = E.apply_corrections(y, k[:0], RATE, STEP, BLOCK)
    assert none is y
    tables = E.energy_tables(np.ones((16, HIGH - LOW + 1)), LOW)
    assert E.encode_corrections(k[:0], tables) == b""
    assert E.decode_corrections(b"", 0, k.shape[1], tables, LOW, HIGH).shape == (0, k.shape[1])


def _restore(
    y: np.ndarray, x: np.ndarray, coded: int | None = None, above: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """restore_band_energies on float64 batches of one, with this file's step and range."""
    y64, x64 = (torch.from_numpy(v[None]).double() for v in (y, x))
    return E.restore_band_energies(y64, x64, RATE, STEP, BLOCK, LOW, HIGH, coded, above)


@pytest.mark.parametrize("coded", [None, 6])
def test_the_training_path_decodes_as_the_decoder_does(coded: int | None) -> None:
    x = _noise(0.7, 8)
    y = _attenuate_above(x, 3000.0, -15.0)
    y[2000:4000] = 0.0  # silent stretch: left alone by both
    k = E.correction_symbols(y, x, RATE, STEP, BLOCK, LOW, HIGH, coded)
    decoded = E.apply_corrections(y, k, RATE, STEP, BLOCK)
    out, target = _restore(y, x, coded)
    assert np.abs(out[0].numpy() - decoded).max() < 1e-6
    assert np.abs(target[0].numpy() - x).max() < 1e-6  # analysis-synthesis is exact


def test_the_training_path_passes_no_gradient_to_the_band_level() -> None:
    x = torch.from_numpy(_noise(0.5, 9)[None]).double()
    y = torch.from_numpy(_attenuate_above(_noise(0.5, 10), 2000.0, -9.0)[None]).double()
    y[:, 1000:1500] = 0.0
    scale = torch.ones((), dtype=torch.float64, requires_grad=True)
    out, _ = E.restore_band_energies(y * scale, x, RATE, STEP, BLOCK, LOW, HIGH)
    energy = (out**2).sum()
    (d_scale,) = torch.autograd.grad(energy, scale)
    assert abs(float(d_scale)) < 1e-9 * float(energy.detach())  # the corrections absorb it
    shaped = y.clone().requires_grad_(True)
    out, _ = E.restore_band_energies(shaped, x, RATE, STEP, BLOCK, LOW, HIGH)
    (grad,) = torch.autograd.grad(out[0, 3000], shaped)
    assert torch.isfinite(grad).all() and grad.abs().max() > 0  # the shape does get one


def test_the_training_target_keeps_the_low_pass_above_the_coded_bands() -> None:
    x = _noise(0.5, 11)
    bins = P.frame_size(RATE) // 2 + 1
    top = int(E.band_edges(RATE)[4])
    response = np.where(np.arange(bins) < top, 1.0, 0.01)
    _, target = _restore(x * 0.5, x, 4, torch.from_numpy(np.full(bins, 0.01)))
    expected = P.filter_spectra(x, RATE, lambda s: s * response)
    assert np.abs(target[0].numpy() - expected).max() < 1e-6
