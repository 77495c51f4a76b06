"""aecodec.transmission.transmit: every scheme a user can pick runs in the library."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from aecodec.errors import AecodecError, ConfigError
from aecodec.metrics import psnr_rgb
from aecodec.transmission import SCHEMES, transmit


@pytest.mark.parametrize("scheme", ["djscc", "softcast", "softcast-refined"])
def test_analog_schemes_improve_with_snr_and_count_channel_uses(scheme, demo_pixels) -> None:
    crop = np.ascontiguousarray(demo_pixels[:96, :128])
    low = transmit(crop, 0.0, scheme, seed=1)
    high = transmit(crop, 20.0, scheme, seed=1)
    assert low.pixels.shape == crop.shape and low.pixels.dtype == np.uint8
    assert psnr_rgb(crop, high.pixels) > psnr_rgb(crop, low.pixels) + 2
    assert 0 < low.channel_uses <= crop.size / 6 + 64  # ratio 1/6 (deep JSCC pads to 4)


def test_digital_scheme_names_the_extra_when_sionna_is_missing(monkeypatch, demo_pixels):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sionna" else real(name, *a)
    )
    with pytest.raises(AecodecError, match=r"pip install 'aecodec\[bench\]'"):
        transmit(np.ascontiguousarray(demo_pixels[:64, :64]), 10.0, "digital-j2k")


def test_unknown_scheme_is_a_config_error() -> None:
    assert "softcast" in SCHEMES
    with pytest.raises(ConfigError, match="unknown scheme"):
        transmit(np.zeros((8, 8, 3), np.uint8), 10.0, "analog-fm")
