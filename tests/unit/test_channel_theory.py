"""Uncoded BPSK and QPSK through aecodec's AWGN match theory and Sionna's AWGN + Mapper."""

import math

import pytest
import torch

from aecodec.channel import awgn, ebno_to_snr_db, noise_variance
from aecodec.channel.theory import bpsk_ber

EBNO_DB = list(range(0, 11))


def _bits_for(ebno_db: float) -> int:
    """Enough bits for about 200 expected errors (capped at 2e7)."""
    return int(min(2e7, max(2e5, 200 / bpsk_ber(ebno_db))))


def _assert_within_monte_carlo_error(errors: int, n: int, p: float) -> None:
    sigma = math.sqrt(n * p * (1 - p))
    assert abs(errors - n * p) <= 5 * sigma + 2, f"{errors} errors in {n}, expected {n * p:.1f}"


@pytest.mark.parametrize("ebno_db", EBNO_DB)
def test_bpsk_ber_through_real_awgn_matches_q_function(ebno_db):
    g = torch.Generator().manual_seed(ebno_db)
    n = _bits_for(ebno_db)
    # all-zeros bits -> +1 symbols: an error is a negative received value
    y = awgn(torch.ones(1, n), ebno_to_snr_db(ebno_db, 1.0, 1), g)
    _assert_within_monte_carlo_error(int((y < 0).sum()), n, bpsk_ber(ebno_db))


@pytest.mark.parametrize("ebno_db", EBNO_DB)
def test_gray_qpsk_ber_through_complex_awgn_matches_q_function(ebno_db):
    g = torch.Generator().manual_seed(100 + ebno_db)
    symbols = _bits_for(ebno_db) // 2
    bits = torch.randint(0, 2, (1, symbols, 2), generator=g)
    x = torch.complex((1 - 2 * bits[..., 0]).float(), (1 - 2 * bits[..., 1]).float()) / 2**0.5
    y = awgn(x, ebno_to_snr_db(ebno_db, 1.0, 2), g)
    decided = torch.stack([(y.real < 0).long(), (y.imag < 0).long()], dim=-1)
    _assert_within_monte_carlo_error(int((decided != bits).sum()), 2 * symbols, bpsk_ber(ebno_db))


sionna = pytest.importorskip("sionna.phy")


def test_noise_variance_agrees_with_sionna_ebnodb2no():
    from sionna.phy.utils import ebnodb2no

    for ebno in (0.0, 3.5, 10.0):
        for bits, rate in ((1, 1.0), (2, 1.0), (4, 0.5)):
            expected = float(ebnodb2no(ebno, bits, rate))
            got = noise_variance(ebno_to_snr_db(ebno, rate, bits))
            assert got == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("ebno_db", [0, 4, 8])
@pytest.mark.parametrize("bits_per_symbol", [1, 2])
def test_ber_matches_sionna_awgn_with_sionna_mapper(ebno_db, bits_per_symbol):
    """BPSK (PAM, 1 bit) and QPSK (QAM, 2 bits): Sionna's Mapper and hard Demapper around
    Sionna's AWGN and around aecodec's AWGN give the same bit error rate, and both match
    theory."""
    from sionna.phy.channel import AWGN
    from sionna.phy.mapping import Demapper, Mapper
    from sionna.phy.utils import ebnodb2no

    kind = "pam" if bits_per_symbol == 1 else "qam"
    mapper = Mapper(kind, bits_per_symbol)
    demapper = Demapper("app", kind, bits_per_symbol, hard_out=True)
    g = torch.Generator().manual_seed(ebno_db * 10 + bits_per_symbol)
    n = _bits_for(ebno_db) // bits_per_symbol * bits_per_symbol
    n = min(n, 4_000_000)
    bits = torch.randint(0, 2, (1, n), generator=g).float()
    x = mapper(bits)
    no = ebnodb2no(float(ebno_db), bits_per_symbol, 1.0)
    y_sionna = AWGN()(x, no)
    y_ours = awgn(x, ebno_to_snr_db(float(ebno_db), 1.0, bits_per_symbol), g)
    p = bpsk_ber(ebno_db)
    err_sionna = int((demapper(y_sionna, no) != bits).sum())
    err_ours = int((demapper(y_ours, no) != bits).sum())
    _assert_within_monte_carlo_error(err_sionna, n, p)
    _assert_within_monte_carlo_error(err_ours, n, p)
    assert abs(err_sionna - err_ours) <= 7 * math.sqrt(2 * n * p) + 2
