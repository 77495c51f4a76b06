"""Each shipped audio model against the one it extends: which settings changed, which bytes
stay the same, and what the change does to the decoded signal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from aecodec import audio_codec, bitstream, zoo
from aecodec.errors import ModelError
from aecodec.models.audio_config import AudioConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from audio_signals import speechlike  # noqa: E402


def test_speech_v4_codes_speech_v3_bytes_and_goes_below_its_lowest_level() -> None:
    x = speechlike(2.0, 16000)
    for q in (1.0, 2.7):
        v3 = bitstream.decode(audio_codec.compress_audio(x, 16000, q, "speech-v3"))
        v4 = bitstream.decode(audio_codec.compress_audio(x, 16000, q, "speech-v4"))
        assert v3.sections == v4.sections
    sizes = [len(audio_codec.compress_audio(x, 16000, q, "speech-v4")) for q in (0.0, 0.5, 1.0)]
    assert sizes[0] < sizes[1] < sizes[2]
    y, header = audio_codec.decompress_audio(audio_codec.compress_audio(x, 16000, 0.0, "speech-v4"))
    assert header.quality == 0.0 and y.shape == x.shape
    with pytest.raises(ModelError, match="quality must be between 1 and 4"):
        audio_codec.compress_audio(x, 16000, 0.5, "speech-v3")


def _band_db(y: np.ndarray, low_hz: float, high_hz: float) -> float:
    """Energy of the int16 signal between low_hz and high_hz, dB (16 kHz, first channel)."""
    spectrum = np.abs(np.fft.rfft(y[:, 0].astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(y.shape[0], 1 / 16000)
    return float(10 * np.log10(spectrum[(freqs >= low_hz) & (freqs < high_hz)].sum() + 1e-9))


def test_speech_v5_codes_speech_v4_bytes_and_decodes_them_through_its_postfilter() -> None:
    x = speechlike(2.0, 16000)
    x += 0.02 * np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)  # 4-8 kHz
    for q in (1.0, 3.7):
        v4 = audio_codec.compress_audio(x, 16000, q, "speech-v4")
        v5 = audio_codec.compress_audio(x, 16000, q, "speech-v5")
        assert bitstream.decode(v4).sections == bitstream.decode(v5).sections
        y4, y5 = audio_codec.decompress_audio(v4)[0], audio_codec.decompress_audio(v5)[0]
        assert y5.shape == y4.shape and not np.array_equal(y4, y5)
        loss_above_4k = _band_db(y4, 4500, 8000) - _band_db(y5, 4500, 8000)
        if q < 3.5:  # band-limited: 4.5-8 kHz at least 20 dB down (Butterworth, 8th order)
            assert loss_above_4k > 20
        else:  # full band: the postfilter only reshapes within each frame's spectrum
            assert abs(loss_above_4k) < 6
        assert abs(_band_db(y4, 100, 3500) - _band_db(y5, 100, 3500)) < 1.5


def test_speech_v6_codes_speech_v5_bytes_masks_them_and_goes_above_the_top_level() -> None:
    x = speechlike(2.0, 16000)
    x += 0.02 * np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)
    for q in (0.5, 3.7):
        v5 = audio_codec.compress_audio(x, 16000, q, "speech-v5")
        v6 = audio_codec.compress_audio(x, 16000, q, "speech-v6")
        assert bitstream.decode(v5).sections == bitstream.decode(v6).sections
        y5, y6 = audio_codec.decompress_audio(v5)[0], audio_codec.decompress_audio(v6)[0]
        assert y6.shape == y5.shape and not np.array_equal(y5, y6)  # the trained mask acts
        if q < 3.5:  # the low-pass still follows the mask
            assert _band_db(y5, 4500, 8000) - _band_db(y6, 4500, 8000) > -3
    assert audio_codec.audio_quality_range("speech-v6", 16000) == (0.0, 5.0)
    sizes = [len(audio_codec.compress_audio(x, 16000, q, "speech-v6")) for q in (4.0, 4.5, 5.0)]
    assert sizes[0] < sizes[1] < sizes[2]
    y, header = audio_codec.decompress_audio(audio_codec.compress_audio(x, 16000, 5.0, "speech-v6"))
    assert header.model == "speech-v6" and header.quality == 5.0 and y.shape == x.shape
    with pytest.raises(ModelError, match="quality must be between 0 and 4 for speech-v5"):
        audio_codec.compress_audio(x, 16000, 4.5, "speech-v5")


def test_speech_v7_codes_speech_v6_bytes_and_fills_spectral_holes() -> None:
    from aecodec.bench.audio.hole_probe import level_errors

    x = speechlike(2.0, 16000)
    x += 0.02 * np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)
    v6 = audio_codec.compress_audio(x, 16000, 3.7, "speech-v6")
    v7 = audio_codec.compress_audio(x, 16000, 3.7, "speech-v7")
    assert bitstream.decode(v6).sections == bitstream.decode(v7).sections
    y6, y7 = (audio_codec.decompress_audio(v)[0][:, 0].astype(np.float32) / 32768 for v in (v6, v7))
    e6, e7 = level_errors(x[:, 0], y6), level_errors(x[:, 0], y7)
    # the bins 30-50 dB under the loudest: energy speech-v6 leaves out, the floor puts back
    assert e6["mean -30..-50 dB"] < -2 and e7["mean -30..-50 dB"] > e6["mean -30..-50 dB"] + 0.5


def test_music_v4_codes_music_v3_bytes_and_decodes_them_through_its_mask() -> None:
    x = speechlike(1.5, 44100, 2)
    for q in (0.5, 3.0):
        v3 = audio_codec.compress_audio(x, 44100, q, "music-v3")
        v4 = audio_codec.compress_audio(x, 44100, q, "music-v4")
        assert bitstream.decode(v3).sections == bitstream.decode(v4).sections
        y3, y4 = audio_codec.decompress_audio(v3)[0], audio_codec.decompress_audio(v4)[0]
        assert y4.shape == y3.shape == x.shape and not np.array_equal(y3, y4)
    assert audio_codec.audio_quality_range("music-v4", 44100) == (0.0, 4.0)


def test_music_v6_codes_music_v4_bytes_and_adds_its_floor() -> None:
    x = speechlike(1.5, 44100, 2)
    v4 = audio_codec.compress_audio(x, 44100, 3.0, "music-v4")
    v6 = audio_codec.compress_audio(x, 44100, 3.0, "music-v6")
    assert bitstream.decode(v4).sections == bitstream.decode(v6).sections
    y4, y6 = audio_codec.decompress_audio(v4)[0], audio_codec.decompress_audio(v6)[0]
    assert y6.shape == y4.shape == x.shape and not np.array_equal(y4, y6)


def test_speech_v8_codes_speech_v7_bytes_plus_band_energies_that_restore_the_level() -> None:
    x = speechlike(2.0, 16000, 2)
    x += 0.01 * np.random.default_rng(4).standard_normal(x.shape).astype(np.float32)
    v7 = bitstream.decode(audio_codec.compress_audio(x, 16000, 3.7, "speech-v7"))
    data = audio_codec.compress_audio(x, 16000, 3.7, "speech-v8")
    v8 = bitstream.decode(data)
    assert v8.model == "speech-v8"
    assert len(v8.sections) == 6 and v8.sections[0:2] + v8.sections[3:5] == v7.sections
    y7 = audio_codec.decompress_audio(bitstream.encode(v7))[0][:, 0] / 32768
    y8 = audio_codec.decompress_audio(data)[0][:, 0] / 32768
    e7, e8 = (_band_energy_error_db(y, x[:, 0]) for y in (y7, y8))
    assert e7 > 1.5 and e8 < 0.6 * e7


@pytest.mark.parametrize("quality", [2.0, 3.0])
def test_speech_v9_restores_the_band_above_4_khz_from_the_codec_not_from_a_low_pass(
    quality: float,
) -> None:
    x = speechlike(2.0, 16000, 2)
    x += 0.01 * np.random.default_rng(4).standard_normal(x.shape).astype(np.float32)
    v8 = audio_codec.compress_audio(x, 16000, quality, "speech-v8")
    data = audio_codec.compress_audio(x, 16000, quality, "speech-v9")
    v9 = bitstream.decode(data)
    assert v9.model == "speech-v9"
    assert v9.sections[:2] == bitstream.decode(v8).sections[:2]  # the same codec bytes
    y8 = audio_codec.decompress_audio(v8)[0][:, 0] / 32768
    y9 = audio_codec.decompress_audio(data)[0][:, 0] / 32768
    e8, e9 = (_fine_error_above_4_khz_db(y, x[:, 0]) for y in (y8, y9))
    assert e8 > 8.0 and e9 < 4.0  # speech-v8 scaled up what its low-pass had left


def _changed_settings(before: zoo.ZooEntry, after: zoo.ZooEntry) -> set[str]:
    """The config keys a registry entry sets differently from the one it extends (a key the
    older entry predates counts as its default)."""
    defaults = AudioConfig().to_dict()
    old = {**defaults, **before.config}
    same = {k for k in after.config if json.dumps(after.config[k]) == json.dumps(old.get(k))}
    return set(after.config) - same


def _lineage(old: str, new: str, setting: str, value: object) -> tuple[zoo.ZooEntry, ...]:
    """The registry entries of ``old`` and ``new``, checking that ``new`` changes one setting
    of ``old`` and nothing else: ``setting``, to ``value``."""
    before, after = zoo.registry()[old], zoo.registry()[new]
    assert _changed_settings(before, after) == {setting} and after.config[setting] == value
    return before, after


def _coded(x: np.ndarray, quality: float, *models: str) -> list[bitstream.AecHeader]:
    """x coded at ``quality`` by each of ``models`` (16 kHz), as parsed headers."""
    headers = [bitstream.decode(audio_codec.compress_audio(x, 16000, quality, m)) for m in models]
    assert [h.model for h in headers] == list(models)
    return headers


def _decoded(header: bitstream.AecHeader) -> np.ndarray:
    """The int16 samples [T, C] a header's file decodes to."""
    return audio_codec.decompress_audio(bitstream.encode(header))[0]


def test_speech_v10_is_speech_v9_decoded_with_a_lower_band_energy_floor() -> None:
    v9_entry, v10_entry = _lineage("speech-v9", "speech-v10", "energy_floor_db", -30.0)
    assert v10_entry.file == v9_entry.file  # the same weights and tables
    v10, v9 = _coded(speechlike(2.0, 16000, 2), 3.8, "speech-v10", "speech-v9")
    assert v10.sections[:2] == v9.sections[:2]
    y9, y10 = _decoded(v9), _decoded(v10)
    assert y10.shape == y9.shape and not np.array_equal(y9, y10)


def test_speech_v11_is_speech_v10_decoded_through_the_pitch_postfilter() -> None:
    v10_entry, v11_entry = _lineage("speech-v10", "speech-v11", "pitch_strength", 0.15)
    assert v11_entry.file == v10_entry.file
    v11, v10 = _coded(speechlike(2.0, 16000, 2), 3.8, "speech-v11", "speech-v10")
    assert v11.sections[:2] == v10.sections[:2]
    y10, y11 = _decoded(v10), _decoded(v11)
    assert y11.shape == y10.shape and not np.array_equal(y10, y11)


def test_speech_v12_is_speech_v11_with_smoothed_pauses_and_the_same_bytes() -> None:
    v11_entry, v12_entry = _lineage("speech-v11", "speech-v12", "energy_smooth_db", 4.0)
    assert v12_entry.file == v11_entry.file
    # speech with pauses of faint noise, which the codec leaves mostly uncoded
    x = speechlike(2.0, 16000, 2)
    x[8000:16000] = 0.0
    x += 0.002 * np.random.default_rng(5).standard_normal(x.shape).astype(np.float32)
    v12, v11 = _coded(x, 2.0, "speech-v12", "speech-v11")
    assert v12.sections == v11.sections  # every byte the same: decoding alone differs
    y11 = _decoded(v11)[:, 0] / 32768
    y12 = _decoded(v12)[:, 0] / 32768
    pause = slice(9000, 15000)
    # in the pause the rebuilt bands follow the noise's flat spectrum more closely
    assert _spectral_ripple_db(y12[pause]) < _spectral_ripple_db(y11[pause]) - 0.5
    assert np.array_equal(y11[:4000], y12[:4000]) or np.abs(y11 - y12)[:4000].max() < 0.05


def test_speech_v13_is_speech_v12_coding_its_input_without_the_rumble() -> None:
    v12_entry, v13_entry = _lineage("speech-v12", "speech-v13", "highpass_hz", 60.0)
    assert v13_entry.file == v12_entry.file
    x = speechlike(2.0, 16000, 2)
    hum = 0.05 * np.sin(2 * np.pi * 30.0 * np.arange(x.shape[0]) / 16000).astype(np.float32)
    x[:, 0] += hum
    v13, v12 = _coded(x, 3.0, "speech-v13", "speech-v12")
    y13 = _decoded(v13)[:, 0] / 32768
    y12 = _decoded(v12)[:, 0] / 32768

    def hum_db(y: np.ndarray) -> float:  # the 30-Hz component, dB under the rumble put in
        inner = slice(4000, -4000)
        ref = hum[inner] / np.linalg.norm(hum[inner])
        return float(20 * np.log10(abs(np.dot(y[inner], ref)) / np.linalg.norm(hum[inner])))

    assert hum_db(y12) > -6.0 and hum_db(y13) < -35.0


def test_speech_v14_lifts_quiet_passages_and_its_band_energies_put_them_back() -> None:
    v13_entry, v14_entry = _lineage("speech-v13", "speech-v14", "quiet_lift_db", 10.0)
    assert v14_entry.file != v13_entry.file  # its band-energy tables were counted again
    x = speechlike(3.0, 16000, 2)
    x[16000:32000] *= 10 ** (-35 / 20)  # a quiet second between two loud ones
    v14, v13 = _coded(x, 3.8, "speech-v14", "speech-v13")
    assert v14.sections[0] != v13.sections[0] or v14.sections[1] != v13.sections[1]
    y = _decoded(v14)[:, 0] / 32768
    quiet = slice(19000, 29000)
    level_db = 10 * np.log10(np.mean(y[quiet] ** 2) / np.mean(x[quiet, 0] ** 2))
    assert abs(level_db) < 2.0  # lifted by up to 10 dB for coding, put back by decoding
    # under quality 2 there is no lift: the codec sections are speech-v13's
    low14, low13 = _coded(x, 1.5, "speech-v14", "speech-v13")
    assert low14.sections[:2] == low13.sections[:2]


def test_speech_v15_codes_speech_v14_sections_with_shorter_band_energies() -> None:
    _lineage("speech-v14", "speech-v15", "energy_context", 3)
    v15, v14 = _coded(speechlike(3.0, 16000, 2), 3.8, "speech-v15", "speech-v14")
    assert v15.sections[:2] == v14.sections[:2]  # the same codec and encoder
    assert v15.sections[3:5] == v14.sections[3:5]
    energy15 = len(v15.sections[2]) + len(v15.sections[5])
    energy14 = len(v14.sections[2]) + len(v14.sections[5])
    assert energy15 < 0.95 * energy14  # the same corrections, coded in context
    assert np.array_equal(_decoded(v15), _decoded(v14))  # the same symbols, the same samples


def test_speech_v16_codes_band_energies_in_finer_steps_than_speech_v15() -> None:
    v15_entry, v16_entry = _lineage("speech-v15", "speech-v16", "energy_step_db", 2.0)
    assert v16_entry.file != v15_entry.file  # tables counted for the finer step
    assert audio_codec.pick_audio_model(16000) == "speech-v16"
    x = speechlike(3.0, 16000, 1)
    v16, v15 = _coded(x, 3.8, "speech-v16", "speech-v15")
    assert v16.sections[:2] == v15.sections[:2]  # the same codec and encoder
    assert len(v16.sections[2]) > len(v15.sections[2])  # finer steps cost more bits
    error16 = _band_energy_error_db(_decoded(v16)[:, 0] / 32768, x[:, 0])
    error15 = _band_energy_error_db(_decoded(v15)[:, 0] / 32768, x[:, 0])
    assert error16 < error15  # each band lands closer to the original's energy


def _spectral_ripple_db(y: np.ndarray) -> float:
    """Standard deviation, in dB, of a signal's time-averaged power spectrum between 300 Hz
    and 4 kHz around its 250-Hz moving mean (a flat noise spectrum: about 0)."""
    from scipy.signal import welch

    f, p = welch(y, 16000, nperseg=512)
    db = 10 * np.log10(p + 1e-20)
    smooth = np.convolve(db, np.ones(9) / 9, mode="same")
    band = (f > 300) & (f < 4000)
    return float(np.std((db - smooth)[band]))


def _fine_error_above_4_khz_db(y: np.ndarray, x: np.ndarray) -> float:
    """Mean |dB| between the energies of y and x in 250-Hz bands from 4 to 8 kHz, frame by
    frame, away from the ends (finer than the coded bands, which are 1 kHz wide there)."""
    from aecodec.models import spectral_postfilter

    def bands(s: np.ndarray) -> np.ndarray:
        power = spectral_postfilter.frame_features(
            s.astype(np.float32), 16000, lambda z: np.abs(z) ** 2
        )[8:-8, 128:256]
        return 10 * np.log10(power.reshape(power.shape[0], 16, 8).sum(-1) + 1e-12)

    return float(np.abs(bands(y) - bands(x)).mean())


def _band_energy_error_db(y: np.ndarray, x: np.ndarray) -> float:
    """Mean |dB| between the band energies (band_energy's bands) of y and x, frame by frame,
    away from the ends."""
    from aecodec.models import band_energy, spectral_postfilter

    edges = band_energy.band_edges(16000)

    def bands(s: np.ndarray) -> np.ndarray:
        power = spectral_postfilter.frame_features(
            s.astype(np.float32), 16000, lambda z: np.abs(z) ** 2
        )
        return 10 * np.log10(np.add.reduceat(power, edges[:-1], axis=1) + 1e-12)

    return float(np.abs(bands(y) - bands(x))[8:-8].mean())


def test_music_v7_codes_music_v6_bytes_plus_band_energies() -> None:
    x = speechlike(1.5, 44100, 2)
    v6 = bitstream.decode(audio_codec.compress_audio(x, 44100, 3.0, "music-v6"))
    data = audio_codec.compress_audio(x, 44100, 3.0)
    v7 = bitstream.decode(data)
    assert v7.model == "music-v7" == audio_codec.pick_audio_model(44100)
    assert len(v7.sections) == 6 and v7.sections[0:2] + v7.sections[3:5] == v6.sections
    y, _ = audio_codec.decompress_audio(data)
    assert y.shape == x.shape
