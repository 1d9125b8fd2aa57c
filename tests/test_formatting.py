import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehoach_nb import formatting as fm


@pytest.mark.parametrize("n, text", [(0, "0"), (7, "7"), (1095, "1.095"), (-55, "-55"),
                                     (1234567, "1.234.567")])
def test_fmt_int(n, text):
    assert fm.fmt_int(n) == text


def test_fmt_int_pads_small_counts_but_not_zero():
    assert [fm.fmt_int(n, pad=True) for n in (0, 3, 12)] == ["0", "03", "12"]


@pytest.mark.parametrize("x, places, text", [
    (Decimal("3727.5"), 1, "3.727,5"), (Decimal("14.56"), 2, "14,56"), (Decimal("33.0"), 1, "33"),
    (Decimal("0.05"), 1, "0,1"), (Decimal("-2.25"), 1, "-2,3")])
def test_fmt_dec_half_up(x, places, text):
    assert fm.fmt_dec(x, places) == text


def test_pct_is_half_up_not_bankers():
    # 79,235 rounds up under R1; Python's round() and Babel would give 79,23 / 79,24 by parity
    assert fm.pct(15847, 20000, 2) == Decimal("79.24")
    assert fm.pct(1, 8, 1) == Decimal("12.5") and fm.pct(1, 16, 1) == Decimal("6.3")


def test_percent_and_fraction_text():
    assert fm.fmt_percent(Decimal("79.23"), 2) == "79,23%"
    assert fm.fmt_percent(fm.pct(605, 605)) == "100%"
    assert fm.fmt_fraction(599, 605) == "599/605 (99,0%)"
    assert fm.fmt_percent(fm.pct(3, 0)) == "—"


def test_delta_and_phrases():
    assert [fm.fmt_delta(x) for x in (5, -55, 0)] == ["+5", "-55", "0"]
    assert fm.fmt_delta_phrase(-55, "học sinh") == "giảm 55 học sinh"
    assert fm.fmt_delta_phrase(1, "lớp") == "tăng 1 lớp"


def test_dates_follow_nd30():
    assert fm.fmt_date_header(dt.date(2023, 10, 2), "Tân Hồng") == "Tân Hồng, ngày 02 tháng 10 năm 2023"
    assert fm.fmt_date_header(dt.date(2024, 2, 5), "X") == "X, ngày 05 tháng 02 năm 2024"
    assert fm.fmt_date_header(dt.date(2024, 3, 15), "X") == "X, ngày 15 tháng 3 năm 2024"
    assert fm.fmt_school_year(2023) == "2023-2024"


@pytest.mark.parametrize("text, value", [("1.095", 1095), ("3.727,5", Decimal("3727.5")),
                                         ("79,23%", Decimal("79.23")), ("-5", -5), ("0", 0)])
def test_parse_vi_number(text, value):
    assert fm.parse_vi_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.5", "12,", "abc", "1,2,3", "", "1.0955"])
def test_parse_vi_number_rejects(text):
    with pytest.raises(ValueError):
        fm.parse_vi_number(text)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_int_round_trip(n):
    assert fm.parse_vi_number(fm.fmt_int(n)) == n


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False), st.integers(0, 3))
def test_decimal_round_trip_and_separators(x, places):
    text = fm.fmt_dec(x, places, drop_zero=False)
    whole, _, frac = text.lstrip("-").partition(",")
    assert len(frac) == places and all(len(g) == 3 for g in whole.split(".")[1:])
    assert fm.parse_vi_number(text) == x.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(0, 3))
def test_rates_stay_within_bounds(n, d, places):
    n = min(n, d)
    value = fm.pct(n, d, places)
    assert Decimal(0) <= value <= Decimal(100)
    assert fm.fmt_percent(value, places).endswith("%")
