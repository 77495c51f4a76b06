"""Start-up: commands that need no model import neither torch nor compressai's heavy parts;
several files go through one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec.cli.main import main

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "data" / "golden"

_PROBE = """
import sys
from aecodec.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = [m for m in ("torch", "compressai.entropy_models", "torch_geometric", "scipy")
         if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["--help"],
        ["compress", "--help"],
        ["info", str(GOLDEN / "speech-v3-1ch-q1.aec")],
    ],
)
def test_commands_without_a_model_do_not_import_torch(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert "HEAVY=\n" in out.stdout, out.stdout + out.stderr


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter at the repository root."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def _loaded_after_image_model_load(modules: tuple[str, ...]) -> subprocess.CompletedProcess:
    """Which of ``modules`` a fresh interpreter holds after loading the image model."""
    return _python(
        "import sys; from aecodec import api, zoo; zoo.load('hyperprior-v4'); "
        f"print(sorted(m for m in {modules!r} if m in sys.modules))"
    )


def test_coding_path_skips_compressai_point_cloud_stack() -> None:
    out = _loaded_after_image_model_load(
        ("torch_geometric", "torch._dynamo", "compressai.datasets")
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_image_coding_path_skips_scipy_stats_signal_and_ndimage() -> None:
    out = _loaded_after_image_model_load(("scipy.stats._stats_py", "scipy.signal", "scipy.ndimage"))
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_deferred_scipy_stats_works_on_first_use() -> None:
    code = (
        "import aecodec, scipy.stats; from scipy.stats import beta; "
        "from compressai.entropy_models import GaussianConditional; "
        "print(round(scipy.stats.norm.ppf(0.975), 4), beta(2, 3).mean(), "
        "round(float(GaussianConditional._standardized_quantile(0.025)), 4))"
    )
    out = _python(code)
    assert out.stdout.split() == ["1.96", "0.4", "-1.96"], out.stdout + out.stderr


def test_full_compressai_still_importable_after_the_light_load() -> None:
    code = (
        "import aecodec.models.gained_hyperprior, compressai; "
        "from compressai.zoo import bmshj2018_factorized; "
        "print(compressai.get_entropy_coder(), compressai.available_entropy_coders()[0], "
        "callable(bmshj2018_factorized))"
    )
    out = _python(code)
    assert out.stdout.split() == ["ans", "ans", "True"], out.stdout + out.stderr


def test_batch_compress_and_decompress_report_each_file(
    tmp_path: Path, demo_pixels: np.ndarray, capsys
) -> None:
    inputs = []
    for i, size in enumerate([(64, 80), (48, 64)]):
        p = tmp_path / f"img{i}.png"
        Image.fromarray(demo_pixels[: size[0], : size[1]].copy()).save(p)
        inputs.append(p)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not an image")
    coded = tmp_path / "coded"
    coded.mkdir()
    status = main(["compress", *map(str, inputs), str(bad), "-o", str(coded), "-q", "2"])
    err = capsys.readouterr().err
    assert status == 2  # one file failed ...
    assert sorted(p.name for p in coded.iterdir()) == ["img0.aec", "img1.aec"]  # ... not others
    assert err.count("bpp") == 2 and "broken.png" in err and "1 of 3 files failed" in err
    decoded = tmp_path / "decoded"
    decoded.mkdir()
    files = sorted(map(str, coded.iterdir()))
    assert main(["decompress", *files, "-o", str(decoded)]) == 0
    for i, p in enumerate(inputs):
        with Image.open(decoded / f"img{i}.png") as im, Image.open(p) as orig:
            assert im.size == orig.size


def test_batch_refuses_a_file_as_output_folder(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert main(["compress", str(a), str(b), "-o", str(tmp_path / "x.aec")]) == 2
    assert "must be an existing folder" in capsys.readouterr().err
