"""The trained spectral mask: identity untrained, blocks without seams, training and decoding
paths agree, and the ranged STFT loss ignores what lies under its floor."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aecodec.models import spectral_postfilter as P
from aecodec.models.spectral_mask import SpectralMask, apply_spectral_mask, mask_waveforms
from aecodec.training.audio_loss import ranged_stft_loss

RATE = 16000
BINS = P.frame_size(RATE) // 2 + 1


def _noise(seconds: float, seed: int) -> np.ndarray:
    return (0.1 * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(
        np.float32
    )


def _trained_looking_mask(seed: int = 0, floor: bool = False) -> SpectralMask:
    """A mask whose output layers are not zero (as after training)."""
    torch.manual_seed(seed)
    mask = SpectralMask(BINS, 16, local=4, floor=floor)
    with torch.no_grad():
        for conv in (mask.wide_out, mask.local[-1]):
            conv.weight.normal_(0, 0.05)
            conv.bias.normal_(0, 0.1)
        if floor:
            mask.floor_out.weight.normal_(0, 0.05)
    return mask.eval()


def test_an_untrained_mask_is_the_identity() -> None:
    x = _noise(0.7, 0)
    y = apply_spectral_mask(x, RATE, SpectralMask(BINS, 16, local=4), 0.5)
    assert y.shape == x.shape and np.abs(y - x).max() < 1e-6


def test_mask_output_is_bounded_in_db() -> None:
    mask = _trained_looking_mask()
    with torch.no_grad():
        mask.wide_out.bias.fill_(100.0)  # would be +870 dB unbounded
        gain, floor = mask(torch.randn(2, BINS, 9), torch.tensor([0.2, 0.9]))
    assert floor is None
    assert gain.shape == (2, BINS, 9)
    assert gain.abs().max() <= 18 / 20 * np.log(10) + 1e-5


def test_the_mask_changes_the_signal_and_blocks_join_without_seams(monkeypatch) -> None:
    x, mask = _noise(2.0, 1), _trained_looking_mask()
    whole = apply_spectral_mask(x, RATE, mask, 0.5)
    assert np.abs(whole - x).max() > 1e-3
    monkeypatch.setattr(P, "_BLOCK_FRAMES", 5)  # each block sees only its 7-frame margins
    blocked = apply_spectral_mask(x, RATE, mask, 0.5)
    assert np.abs(blocked - whole).max() < 1e-5


def test_margins_give_every_frame_its_full_context(monkeypatch) -> None:
    """A process that mixes neighbouring frames gives the same output in blocks of 3 frames
    as in one block, when its margin covers its reach."""

    def smear(spectrum: np.ndarray) -> np.ndarray:  # each frame plus half of its neighbours
        out = spectrum.copy()
        out[1:] += 0.5 * spectrum[:-1]
        out[:-1] += 0.5 * spectrum[1:]
        return out

    x = _noise(0.5, 2)
    whole = P.filter_spectra(x, RATE, smear, margin=1)
    monkeypatch.setattr(P, "_BLOCK_FRAMES", 3)
    assert np.abs(P.filter_spectra(x, RATE, smear, margin=1) - whole).max() < 1e-6
    assert np.abs(P.filter_spectra(x, RATE, smear, margin=0) - whole).max() > 1e-3


def test_the_floor_fills_a_spectral_hole_and_stays_in_its_range() -> None:
    t = np.arange(RATE) / RATE
    rng = np.random.default_rng(7)
    tones = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 3000 * t)
    tones = (tones + 1e-4 * rng.standard_normal(RATE)).astype(np.float32)  # a hole near 1.7 kHz
    mask = SpectralMask(BINS, 16, local=4, floor=True).eval()
    with torch.no_grad():
        mask.floor_out.bias.fill_(100.0)  # the top of the range: the frame's RMS magnitude
        log_mag = torch.log(torch.rand(1, BINS, 5) + 1e-3)
        _, floor = mask(log_mag, torch.tensor([0.5]))
    rms = torch.log(torch.exp(log_mag).pow(2).mean(1, keepdim=True).sqrt())
    assert torch.allclose(floor, rms.expand_as(floor), atol=1e-4)

    def hole_db(x: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(x[RATE // 4 : RATE // 4 + 4096] * np.hanning(4096)))
        return 20 * np.log10(spectrum[435:445].mean() / spectrum.max())  # about 1.7 kHz

    filled = apply_spectral_mask(tones, RATE, mask, 0.5)
    assert hole_db(filled) > hole_db(tones) + 15
    plain = apply_spectral_mask(tones, RATE, SpectralMask(BINS, 16, local=4, floor=True), 0.5)
    assert hole_db(tones) - 1 < hole_db(plain) < hole_db(filled) - 15  # untrained: RMS - 40 dB


@pytest.mark.parametrize("floor", [False, True])
@pytest.mark.parametrize("lowpass", [0.0, 4000.0])
def test_training_and_decoding_paths_give_the_same_signal(lowpass: float, floor: bool) -> None:
    x, mask = _noise(1.0, 3), _trained_looking_mask(1, floor)
    band = P.band_gain(BINS, RATE, lowpass) if lowpass else None
    decoded = apply_spectral_mask(x, RATE, mask, 0.7, band)
    with torch.no_grad():
        trained = mask_waveforms(
            torch.from_numpy(x)[None],
            mask,
            torch.tensor([0.7]),
            RATE,
            None if band is None else torch.from_numpy(band.astype(np.float32)),
        )[0].numpy()
    inner = slice(4 * P.frame_size(RATE), -4 * P.frame_size(RATE))  # edges are framed apart
    assert np.abs(trained[inner] - decoded[inner]).max() < 1e-4 * np.abs(x).max()


def test_ranged_loss_is_zero_for_a_copy_and_ignores_what_lies_under_its_floor() -> None:
    x = torch.from_numpy(_noise(0.5, 4))[None]
    sizes = (256, 512)
    assert ranged_stft_loss(x, x.clone(), sizes).item() < 1e-6
    faint = x + 1e-5 * torch.from_numpy(_noise(0.5, 5))[None]  # about -80 dB under x
    audible = x + 0.3 * torch.from_numpy(_noise(0.5, 5))[None]
    assert ranged_stft_loss(x, faint, sizes).item() < 1e-3
    assert ranged_stft_loss(x, audible, sizes).item() > 0.1


def test_decoding_runs_on_one_thread_and_gives_the_callers_threads_back() -> None:
    x, mask = _noise(1.0, 6), _trained_looking_mask(2)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = apply_spectral_mask(x, RATE, mask, 0.4)
        torch.set_num_threads(2)
        two = apply_spectral_mask(x, RATE, mask, 0.4)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert np.array_equal(one, two)
