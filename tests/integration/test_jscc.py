"""Deep JSCC end to end: the shipped model over the channel, `aecodec transmit`, the digital
chain with real LDPC codewords, training and export, and the jscc benchmarks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from aecodec import media, zoo
from aecodec.cli.main import main
from aecodec.digital.chain import send_file
from aecodec.digital.mcs import mcs_by_name
from aecodec.metrics import psnr_rgb
from aecodec.transmission import jscc_transmit

REPO = Path(__file__).resolve().parents[2]
CALIBRATION = REPO / "bench" / "results" / "jscc" / "ldpc-calibration.json"


@pytest.fixture(scope="module")
def kodak_crop(kodak_dir: Path) -> np.ndarray:
    return np.ascontiguousarray(media.read_image(kodak_dir / "kodim05.png")[128:384, 128:384])


def test_shipped_jscc_improves_with_snr_and_beats_grey(kodak_crop):
    grey = psnr_rgb(kodak_crop, np.full_like(kodak_crop, 128))
    scores = [
        psnr_rgb(kodak_crop, jscc_transmit(kodak_crop, s, "jscc-awgn-1-6", seed=1).pixels)
        for s in (0.0, 10.0, 20.0)
    ]
    assert scores[0] < scores[1] < scores[2]
    assert scores[0] > grey + 8


def test_transmit_round_trips_an_odd_size_photo(tmp_path: Path, demo_pixels, capsys):
    src = tmp_path / "odd.png"
    src.write_bytes(media.encode_png(np.ascontiguousarray(demo_pixels[:37, :53])))
    before = src.read_bytes()
    out = tmp_path / "rx.png"
    assert main(["transmit", str(src), "--snr-db", "5", "-o", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert media.read_image(out).shape == (37, 53, 3)
    assert report["channel_uses"] == math.ceil(37 / 4) * math.ceil(53 / 4) * 16 // 2
    assert report["psnr_db"] > 10 and src.read_bytes() == before
    # same seed, same received image; no overwrite without -f
    assert main(["transmit", str(src), "--snr-db", "5", "-o", str(out)]) == 2
    assert main(["transmit", str(src), "--snr-db", "5", "-o", str(out), "-f"]) == 0


def test_transmit_softcast_needs_no_model_and_any_ratio(tmp_path: Path, demo_pixels, capsys):
    src = tmp_path / "odd.png"
    src.write_bytes(media.encode_png(np.ascontiguousarray(demo_pixels[:37, :53])))
    out = tmp_path / "rx.png"
    args = ["transmit", str(src), "--snr-db", "15", "-o", str(out), "--scheme", "softcast"]
    assert main([*args, "--ratio", "1/7", "--channel", "rayleigh"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["channel_uses"] == 37 * 53 * 3 // 7 and report["kept_chunks"] > 0
    assert media.read_image(out).shape == (37, 53, 3) and report["psnr_db"] > 15


def test_shipped_softcast_refiner_improves_on_softcast(tmp_path: Path, demo_pixels, capsys):
    src = tmp_path / "demo.png"
    src.write_bytes(media.encode_png(demo_pixels))
    psnr = {}
    for scheme in ("softcast", "softcast-refined"):
        out = tmp_path / f"{scheme}.png"
        args = ["transmit", str(src), "--snr-db", "0", "-o", str(out), "--scheme", scheme]
        assert main(args) == 0
        psnr[scheme] = json.loads(capsys.readouterr().out)["psnr_db"]
    assert psnr["softcast-refined"] > psnr["softcast"] + 0.5  # measured: +1.5 dB at 0 dB


def test_transmit_is_repeatable_for_a_seed(demo_pixels):
    crop = np.ascontiguousarray(demo_pixels[:64, :64])
    a = jscc_transmit(crop, 3.0, "jscc-awgn-1-6", seed=5).pixels
    b = jscc_transmit(crop, 3.0, "jscc-awgn-1-6", seed=5).pixels
    c = jscc_transmit(crop, 3.0, "jscc-awgn-1-6", seed=6).pixels
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("extra", "msg"),
    [
        (["--ratio=-1/6"], "--ratio"),
        (["--ratio", "1/7"], "no deep JSCC model"),
        (["--snr-db", "nan"], "--snr-db"),
        (["--model", "hyperprior-v4"], "not a deep JSCC model"),
    ],
)
def test_transmit_rejects_bad_arguments_with_one_line(tmp_path, demo_pixels, capsys, extra, msg):
    src = tmp_path / "in.png"
    src.write_bytes(media.encode_png(np.ascontiguousarray(demo_pixels[:32, :32])))
    args = ["transmit", str(src), "--snr-db", "5", "-o", str(tmp_path / "o.png"), *extra]
    if any(e.startswith("--snr-db") for e in extra):
        args = ["transmit", str(src), "-o", str(tmp_path / "o.png"), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert msg in err and "\n" not in err


def test_transmit_rejects_unknown_scheme_and_unreadable_image(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    out = str(tmp_path / "o.png")
    with pytest.raises(SystemExit) as e:
        main(["transmit", str(bad), "--snr-db", "1", "--scheme", "analog", "-o", out])
    assert e.value.code == 2
    assert main(["transmit", str(bad), "--snr-db", "1", "-o", out]) == 2
    assert "not an image format" in capsys.readouterr().err


def test_ldpc_link_delivers_a_file_above_threshold_and_loses_it_far_below():
    data = bytes(np.random.default_rng(0).integers(0, 256, 400, dtype=np.uint8))
    mcs = mcs_by_name("qpsk-r1/2")
    uses = 4 * mcs.symbols_per_codeword
    good = send_file(data, mcs, uses, 6.0, "awgn", torch.Generator().manual_seed(0))
    assert good.received == data and good.failed_codewords == 0 and good.codewords == 2
    bad = send_file(data, mcs, uses, -6.0, "awgn", torch.Generator().manual_seed(0))
    assert bad.received is None and bad.failed_codewords > 0
    with pytest.raises(ValueError):
        send_file(data * 10, mcs, uses, 6.0, "awgn", torch.Generator())


def test_transmit_digital_reports_decoding_and_shows_grey_when_lost(tmp_path, demo_pixels, capsys):
    if not CALIBRATION.exists():
        pytest.skip("no LDPC calibration (run aecodec bench ldpc)")
    src = tmp_path / "in.png"
    crop = np.ascontiguousarray(demo_pixels[:64, :64])
    src.write_bytes(media.encode_png(crop))
    base = ["transmit", str(src), "--scheme", "digital-j2k", "--calibration", str(CALIBRATION)]
    out = tmp_path / "ok.png"
    assert main([*base, "--snr-db", "8", "--design-snr-db", "4", "-o", str(out)]) == 0
    ok = json.loads(capsys.readouterr().out)
    assert ok["decoded"] and ok["psnr_db"] > 25
    lost = tmp_path / "lost.png"
    assert main([*base, "--snr-db", "-4", "--design-snr-db", "10", "-o", str(lost)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["decoded"]
    assert np.all(media.read_image(lost) == 128)


def test_train_jscc_runs_resumes_and_exports(tmp_path: Path, demo_pixels):
    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        media_bytes = media.encode_png(np.ascontiguousarray(demo_pixels[i * 64 : i * 64 + 128]))
        (data / f"{i}.png").write_bytes(media_bytes)
    run = tmp_path / "run"
    args = ["train", "jscc", "--data", str(data), "--val", str(data), "--out", str(run)]
    args += ["--ratio", "1/12", "--snr-db", "0:10", "--filters", "8"]
    assert main([*args, "--steps", "3"]) == 0
    assert main([*args, "--steps", "5", "--resume"]) == 0
    log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3, 4, 5] and "val_psnr@5dB" in log[-1]
    weights = tmp_path / "weights"
    assert main(["export", str(run), "--name", "tiny-jscc", "--weights-dir", str(weights)]) == 0
    model, entry = zoo.load("tiny-jscc", weights)
    assert entry.kind == "jscc" and model.config.c == 8 and model.config.filters == 8


def test_bench_jscc_writes_json_table_and_plot(tmp_path: Path, kodak_dir: Path, capsys):
    out = tmp_path / "out"
    args = ["bench", "jscc", "--data", str(kodak_dir), "--limit", "1", "--thumbnail", "64"]
    args += ["--snr-db", "0:10:10", "--ideal", "j2k", "--no-practical", "--out", str(out)]
    assert main([*args, "--name", "t"]) == 0
    result = json.loads((out / "t.json").read_text())
    assert len(result["images"]) == 6 and result["image_size"] == ["64x64"]
    djscc, ideal = result["schemes"]["djscc"]["psnr"], result["schemes"]["ideal-j2k"]["psnr"]
    assert len(djscc) == 2 and djscc[0] < djscc[1] and ideal[0] < ideal[1]
    softcast = result["schemes"]["softcast"]["psnr"]
    assert softcast[0] < softcast[1]
    assert (out / "t.png").stat().st_size > 0 and "djscc" in capsys.readouterr().out


def test_bench_jscc_runs_ldpc_chains_with_hevc_intra_files(tmp_path: Path, kodak_dir: Path):
    out = tmp_path / "out"
    args = ["bench", "jscc", "--data", str(kodak_dir), "--limit", "1", "--thumbnail", "64"]
    args += ["--snr-db", "0:10:10", "--ideal", "hevc", "--practical", "hevc,j2k"]
    args += ["--design-snr-db", "5", "--out", str(out), "--name", "h"]
    assert main(args) == 0
    schemes = json.loads((out / "h.json").read_text())["schemes"]
    fixed, matched = schemes["ldpc-hevc@5dB"]["psnr"], schemes["ldpc-hevc-matched"]["psnr"]
    grey = schemes["ldpc-j2k@5dB"]["psnr"][0]  # below its design SNR the file is lost
    assert fixed[0] == grey and fixed[1] > grey + 10  # the cliff, then a real HEVC picture
    assert matched[0] > grey + 5 and matched[1] >= fixed[1]
    ideal = schemes["ideal-hevc"]["psnr"]
    assert ideal[0] < ideal[1] and ideal[1] > matched[1]  # capacity beats any real MCS
    assert main([*args[:-4], "--practical", "hevc,x264", "--out", str(out)]) == 2


def test_bench_jscc_refuses_a_refiner_of_another_kind(tmp_path: Path, demo_pixels, capsys):
    data = tmp_path / "img"
    data.mkdir()
    (data / "a.png").write_bytes(media.encode_png(np.ascontiguousarray(demo_pixels[:64, :64])))
    args = ["bench", "jscc", "--data", str(data), "--snr-db", "0:10:10", "--no-practical"]
    args += ["--ideal", "j2k", "--refiner", "jscc-awgn-1-6", "--out", str(tmp_path / "out")]
    assert main(args) == 2
    assert "is a deep JSCC model, not a SoftCast refiner" in capsys.readouterr().err


def test_bench_jscc_adaptive_compares_refiners_on_the_same_reception(
    tmp_path: Path, demo_pixels, capsys
):
    data = tmp_path / "img"
    data.mkdir()
    (data / "a.png").write_bytes(media.encode_png(np.ascontiguousarray(demo_pixels[:96, :128])))
    out = tmp_path / "out"
    args = ["bench", "jscc-adaptive", "--data", str(data), "--out", str(out)]
    args += ["--adaptive", "softcast-awgn-1-6"]
    single = "0=softcast-awgn-1-6,20=softcast-awgn-1-6-step1600"
    assert main([*args, "--single", single]) == 0
    result = json.loads((out / "snr-adaptive-softcast-awgn-1-6.json").read_text())
    same, other = result["rows"]
    assert same["single"] == same["adaptive_blind"]  # one reception, the same refiner
    assert other["single"] != other["adaptive_blind"]
    assert same["adaptive_blind"] > same["softcast"] and other["softcast"] > same["softcast"]
    assert "| 20 |" in capsys.readouterr().out
    mixed = "10=jscc-awgn-1-6-snr10"
    assert main([*args, "--single", mixed]) == 2  # a deep JSCC model is not a refiner
    assert "not a SoftCast refiner" in capsys.readouterr().err


def test_hybrid_probe_is_the_plain_chain_at_share_one_and_adds_detail_with_an_analog_layer(
    kodak_crop,
):
    from aecodec.bench.hda_probe import hda_psnr
    from aecodec.bench.jscc_bench import _SourceCache
    from aecodec.digital.calibration import Calibration
    from aecodec.digital.chain import grey_image

    calibration, cache = Calibration(CALIBRATION), _SourceCache()
    uses = kodak_crop.size // 6 // 2  # ratio 1/6 in complex uses
    chain = hda_psnr(kodak_crop, 0, uses, 1.0, 0.0, [-10.0, 20.0], calibration, cache, 0)
    assert chain[0] == pytest.approx(psnr_rgb(kodak_crop, grey_image(kodak_crop.shape)))
    assert chain[1] > chain[0] + 10  # the base layer decodes: a real HEVC picture
    hybrid = hda_psnr(kodak_crop, 0, uses, 0.5, 0.0, [20.0], calibration, cache, 0)
    assert hybrid[0] > chain[1]  # at 20 dB the analog half carries more than half the bits
