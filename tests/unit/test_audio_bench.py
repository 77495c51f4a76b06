"""Audio benchmark pieces: alignment, metrics, and the libsndfile adapters' rate search."""

from __future__ import annotations

import numpy as np
import pytest

from aecodec.bench.audio import metrics as M
from aecodec.bench.audio.codecs import make_audio_codecs
from aecodec.bench.audio.report import summary_table
from aecodec.bench.audio.runner import _summary, middle_excerpt


def noise_speechlike(seconds: float = 2.0, rate: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    x = envelope * (0.2 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(t.size))
    return x[:, None].astype(np.float32)


def test_align_recovers_a_known_delay() -> None:
    x = noise_speechlike()
    delayed = np.concatenate([np.zeros((1105, 1), np.float32), x])
    aligned, lag = M.align(x, delayed)
    assert lag == 1105
    assert np.allclose(aligned, x)


def test_log_mel_distance_is_zero_for_identical_and_positive_otherwise() -> None:
    x = noise_speechlike()
    assert M.log_mel_distance(x, x, 16000) == pytest.approx(0.0, abs=1e-9)
    assert M.log_mel_distance(x, 0.5 * x, 16000) == pytest.approx(6.02, abs=0.05)


def test_stoi_is_high_for_clean_and_lower_for_noisy_speechlike_audio() -> None:
    x = noise_speechlike(3.0)
    noisy = x + 0.3 * np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    assert M.stoi(x, x, 16000) > 0.99
    assert M.stoi(x, noisy, 16000) < M.stoi(x, x, 16000)


def test_opus_adapter_lands_near_its_target_bitrate() -> None:
    (opus,) = make_audio_codecs(["opus"])
    x = noise_speechlike(4.0)
    data, used = opus.encode(x, 16000, 24.0)
    kbps = len(data) * 8 / 4.0 / 1000
    assert abs(kbps - 24.0) / 24.0 < 0.15
    assert used["sample_rate"] == 16000
    assert opus.decode(data, 16000).shape[1] == 1


@pytest.mark.parametrize(("name", "kbps"), [("opus", 6.0), ("opus-cbr", 6.0), ("opus-cbr", 3.0)])
def test_libopus_reaches_low_targets_within_2_percent_of_the_real_file(name, kbps) -> None:
    (codec,) = make_audio_codecs([name])
    x = noise_speechlike(4.0)
    data, used = codec.encode(x, 16000, kbps)
    real = len(data) * 8 / 4.0 / 1000  # Ogg container included
    # CBR moves in steps of a byte per 20-ms frame (0.4 kbit/s): the nearest step
    tolerance = 0.021 if name == "opus" else 0.2 / kbps + 0.021
    assert abs(real - kbps) / kbps <= tolerance and used["sample_rate"] == 16000
    y = codec.decode(data, 16000)
    assert y.shape == x.shape and codec.settings()["library"].startswith("PyAV")


def test_aac_codes_stereo_music_rates() -> None:
    (aac,) = make_audio_codecs(["aac"])
    rng = np.random.default_rng(0)
    x = (0.1 * rng.standard_normal((44100 * 2, 2))).astype(np.float32)
    data, _ = aac.encode(x, 44100, 64.0)
    assert abs(len(data) * 8 / 2.0 / 1000 - 64.0) / 64.0 <= 0.021
    y = aac.decode(data, 44100)
    assert y.shape[1] == 2 and abs(y.shape[0] - x.shape[0]) <= 4096  # encoder delay


def test_vorbis_adapter_drops_the_sample_rate_for_low_targets() -> None:
    (vorbis,) = make_audio_codecs(["vorbis"])
    x = noise_speechlike(4.0)
    _, used = vorbis.encode(x, 16000, 8.0)
    assert used["sample_rate"] < 16000


def test_unknown_codec_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown audio codec"):
        make_audio_codecs(["wma"])


def test_summary_averages_files_per_codec_and_target() -> None:
    rows = [
        {"codec": "opus", "target_kbps": 6.0, "kbps": 7.0, "si_sdr": 1.0, "log_mel": 2.0},
        {"codec": "opus", "target_kbps": 6.0, "kbps": 8.0, "si_sdr": 3.0, "log_mel": 4.0},
    ]
    summary = _summary(rows, ["opus"], [6.0], ["si_sdr", "log_mel"])
    assert summary["opus"]["kbps"] == [7.5]
    assert summary["opus"]["si_sdr"] == [2.0]
    table = summary_table({"metrics": ["si_sdr", "log_mel"], "summary": summary})
    assert "| opus | 6 | 7.50 | 2.00 | 3.00 |" in table


def test_rows_are_reused_per_file_and_target_only_for_identical_settings(tmp_path) -> None:
    from aecodec.bench.audio.runner import reusable_rows

    (opus,) = make_audio_codecs(["opus"])
    files = [tmp_path / "a.flac", tmp_path / "b.flac"]
    rows = [{"codec": "opus", "file": f.name, "target_kbps": 6.0} for f in files]
    previous = {"codecs": {"opus": opus.settings()}, "metrics": ["si_sdr"], "rows": rows}
    assert reusable_rows(previous, opus, files, [6.0], ["si_sdr"]) == {
        ("a.flac", 6.0): rows[0],
        ("b.flac", 6.0): rows[1],
    }
    # a wider run keeps what it has and codes only the rest
    assert set(reusable_rows(previous, opus, files, [6.0, 12.0], ["si_sdr"])) == {
        ("a.flac", 6.0),
        ("b.flac", 6.0),
    }
    assert set(reusable_rows(previous, opus, files[:1], [6.0], ["si_sdr"])) == {("a.flac", 6.0)}
    assert reusable_rows(previous, opus, files, [6.0], ["si_sdr", "stoi"]) == {}
    changed = {**previous, "codecs": {"opus": {**opus.settings(), "format": "X"}}}
    assert reusable_rows(changed, opus, files, [6.0], ["si_sdr"]) == {}


def test_aecodec_rows_are_not_reused_after_a_model_changes_its_config(monkeypatch) -> None:
    import dataclasses

    from aecodec import zoo

    (codec,) = make_audio_codecs(["aecodec"])
    before = codec.settings()
    assert before["models"]["speech-v4"]["config"]["min_quality"] == 0.0
    real = zoo.registry()
    changed = dict(real)
    changed["music-v3"] = dataclasses.replace(
        real["music-v3"], config={**real["music-v3"].config, "min_quality": 0.5}
    )
    monkeypatch.setattr(zoo, "registry", lambda *a, **k: changed)
    assert codec.settings() != before  # same names, another quality range: rerun


def test_aecodec_rows_record_a_digest_that_follows_any_library_change(tmp_path) -> None:
    from aecodec.bench.codecs.library_digest import aecodec_source_digest

    (codec,) = make_audio_codecs(["aecodec"])
    assert codec.settings()["source"] == aecodec_source_digest()
    (tmp_path / "models").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "models" / "b.py").write_text("y = 2\n")
    before = aecodec_source_digest(tmp_path)
    (tmp_path / "models" / "b.py").write_text("y = 3\n")
    aecodec_source_digest.cache_clear()
    assert aecodec_source_digest(tmp_path) != before


def test_paired_table_compares_file_by_file_with_lower_log_mel_better() -> None:
    from aecodec.bench.audio.report import paired_table

    rows = [
        {"codec": c, "target_kbps": 6.0, "file": f, "visqol": v, "log_mel": m}
        for c, f, v, m in [
            ("aecodec", "a", 2.0, 10.0),
            ("aecodec", "b", 3.0, 12.0),
            ("opus", "a", 1.0, 11.0),
            ("opus", "b", 3.5, 20.0),
        ]
    ]
    result = {
        "metrics": ["visqol", "log_mel"],
        "rows": rows,
        "summary": {"aecodec": {}, "opus": {}},
    }
    table = paired_table(result)
    assert "| opus | 6 | +0.250 ± 0.750 (1/2) | +4.500 ± 3.500 (2/2) |" in table
    assert paired_table({**result, "rows": rows[2:]}) == ""


def test_mdct_oracle_keeps_a_low_tone_and_drops_a_high_one() -> None:
    from aecodec.bench.audio.mdct_oracle import lowest_bins_si_sdr

    t = np.arange(16000) / 16000
    low, high = np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 6000 * t)
    assert lowest_bins_si_sdr(low, 64, 0.25) > 30  # 300 Hz: inside the lowest 2 kHz
    assert lowest_bins_si_sdr(high, 64, 0.25) < 0  # 6 kHz: outside


def test_perceptual_metrics_rank_a_clean_copy_above_a_noisy_one() -> None:
    from aecodec.bench.audio import metrics as M
    from aecodec.bench.audio.runner import metric_names

    assert metric_names(True, perceptual=True)[-4:] == ["visqol", "dnsmos", "si_sdr", "log_mel"]
    assert "dnsmos" not in metric_names(False, perceptual=True)
    rate = 16000
    t = np.arange(3 * rate) / rate
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 3 * t))  # syllable-like bursts
    voiced = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((180, 360, 540, 720), 1))
    ref = (0.1 * envelope * voiced)[:, None]
    noisy = ref + 0.02 * np.random.default_rng(0).standard_normal(ref.shape)
    clean_score, noisy_score = M.visqol(ref, ref, rate, True), M.visqol(ref, noisy, rate, True)
    assert 1.0 <= noisy_score < clean_score <= 5.0
    assert 1.0 <= M.dnsmos_ovrl(noisy, rate) <= 5.0
    assert 1.0 <= M.dnsmos_ovrl(noisy * 12, rate) <= 5.0  # beyond full scale: clipped, scored


def test_middle_excerpt_cuts_the_centre_and_keeps_short_files_whole() -> None:
    x = np.arange(100, dtype=np.float32)[:, None]
    assert middle_excerpt(x, 10, 2.0)[:, 0].tolist() == list(range(40, 60))
    assert middle_excerpt(x, 10, 0.0) is x
    assert middle_excerpt(x, 10, 50.0) is x


def test_the_aecodec_adapter_keeps_the_default_model_of_its_first_file(monkeypatch) -> None:
    from aecodec import audio_codec
    from aecodec.bench.audio.codecs import AecodecAudio

    defaults = iter(["speech-old", "speech-new"])  # the registry's default changes mid-run
    monkeypatch.setattr(audio_codec, "pick_audio_model", lambda rate: next(defaults))
    used = []

    def fake(x, rate, kbps, model):
        used.append(model)
        return b"x", 1.0

    monkeypatch.setattr(audio_codec, "compress_audio_to_kbps", fake)
    adapter = AecodecAudio("aecodec")
    rows = [adapter.encode(np.zeros((16000, 1), np.float32), 16000, 6.0)[1] for _ in range(2)]
    assert used == ["speech-old", "speech-old"] and rows[1]["model"] == "speech-old"
    assert (
        AecodecAudio("aecodec", "speech-v2").encode(np.zeros((8, 1)), 16000, 6.0)[1]["model"]
        == "speech-v2"
    )


def test_by_speaker_groups_files_and_correlates_quality_with_the_gap() -> None:
    from aecodec.bench.audio.by_speaker import by_speaker

    rows = []
    for i, (speaker, quality, ours) in enumerate(
        [("11", 3.0, 2.0), ("11", 3.2, 2.4), ("22", 3.9, 3.8)]
    ):
        name = f"{speaker}-1-{i:04d}.flac"
        rows.append(
            {
                "codec": "aecodec",
                "target_kbps": 12.0,
                "file": name,
                "quality": quality,
                "visqol": ours,
            }
        )
        rows.append({"codec": "opus", "target_kbps": 12.0, "file": name, "visqol": 4.0})
    table = by_speaker({"rows": rows}, 12.0, "opus", ["visqol"])
    assert (
        "| 11 | 2 | 3.10 | 2.200 | 4.000 |" in table
        and "| 22 | 1 | 3.90 | 3.800 | 4.000 |" in table
    )
    assert "quality vs visqol difference: 1.00" in table


def test_band_oracle_puts_the_original_back_only_in_its_region() -> None:
    from scipy.signal import stft

    from aecodec.bench.audio.band_oracle import quiet_frames, restored

    rng = np.random.default_rng(3)
    t = np.arange(16000) / 16000
    x = np.sin(2 * np.pi * 200 * t) + np.sin(2 * np.pi * 2000 * t)
    x[6000:10000] = 0.001 * rng.standard_normal(4000)  # a pause
    y = x + 0.1 * rng.standard_normal(x.shape)
    back = restored(x, y, (0, 8001), None)
    assert np.max(np.abs(back - x)) < 1e-6  # everything put back: the original
    low = restored(x, y, (0, 1000), None)
    f, _, s_low = stft(low, 16000, nperseg=512)
    _, _, s_x = stft(x, 16000, nperseg=512)
    _, _, s_y = stft(y, 16000, nperseg=512)
    # (re-analysed, so only close: the overlap-add mixes neighbouring frames a little)
    below, above = f < 900, f > 1100
    assert np.abs(s_low - s_x)[below].mean() < 0.2 * np.abs(s_y - s_x)[below].mean()
    assert np.abs(s_low - s_y)[above].mean() < 0.2 * np.abs(s_y - s_x)[above].mean()
    quiet = quiet_frames(x, 30.0)  # frames of 256 samples: the pause is frames 24 to 38
    assert quiet[26:37].all() and not quiet[:20].any() and not quiet[42:].any()


def test_save_probe_writes_json_and_markdown(tmp_path, capsys) -> None:
    import json

    from aecodec.bench.audio.report import save_probe

    save_probe(tmp_path / "new", "probe-x", {"rows": [1, 2]}, "| a |\n")
    assert json.loads((tmp_path / "new" / "probe-x.json").read_text()) == {"rows": [1, 2]}
    assert (tmp_path / "new" / "probe-x.md").read_text() == "| a |\n"
    assert capsys.readouterr().out == "| a |\n"
