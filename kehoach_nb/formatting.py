"""Vietnamese number, date and phrase formatting (REFERENCE §b.7, R1–R9).

This module is the single owner of the locale: "." groups thousands, ","
marks decimals, percentages are computed on Decimal and rounded half-up.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DASH = "—"  # shown where a rate has no denominator


def pct(n: int | Decimal, d: int | Decimal, places: int = 1) -> Decimal | None:
    """Percentage n/d rounded half-up to `places`; None when d is 0 or either is not reported."""
    if n is None or not d:
        return None
    value = Decimal(n) * 100 / Decimal(d)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio(n: int | Decimal, d: int | Decimal, places: int = 2) -> Decimal | None:
    """Plain ratio n/d rounded half-up; None when d is 0 or either is not reported."""
    if n is None or not d:
        return None
    return (Decimal(n) / Decimal(d)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def fmt_int(n: int | None, pad: bool = False) -> str:
    """1095 -> "1.095"; with pad, counts 1–9 get two digits ("03")."""
    if n is None:
        return DASH
    sign = "-" if n < 0 else ""
    digits = str(abs(int(n)))
    if pad and len(digits) == 1 and digits != "0":
        digits = "0" + digits
    return sign + _group(digits)


def fmt_dec(x: Decimal | int | None, places: int = 1, drop_zero: bool = True) -> str:
    """3727.5 -> "3.727,5"; trailing ",0" dropped when drop_zero."""
    if x is None:
        return DASH
    q = Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places else (
        Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if q < 0 else ""
    whole, _, frac = f"{abs(q):f}".partition(".")
    if drop_zero:
        frac = frac.rstrip("0")
    text = _group(whole) + ("," + frac if frac else "")
    return sign + text if text != "0" else "0"


def fmt_percent(value: Decimal | None, places: int | None = None, drop_zero: bool | None = None) -> str:
    """Decimal percentage -> "79,23%". One precision style per document: the places the rate
    was computed with (pct's `places`, i.e. percent_decimals) are always shown ("63,0%" beside
    "64,4%"); only 0 and 100 print whole ("100%"). None -> "—"."""
    if value is None:
        return DASH
    value = Decimal(value)
    if places is None:
        places = max(0, -value.as_tuple().exponent) if isinstance(value.as_tuple().exponent, int) else 1
    whole = value == value.to_integral_value() and value in (0, 100)
    keep = drop_zero if drop_zero is not None else whole
    return fmt_dec(value, places, keep) + "%"


def fmt_rate(n: int, d: int, places: int = 1) -> str:
    """Shortcut: the formatted percentage of n over d."""
    return fmt_percent(pct(n, d, places), places)


def fmt_delta(x: int | None) -> str:
    """Signed difference: "+5", "-55", "0"."""
    if x is None:
        return DASH
    return ("+" if x > 0 else "") + fmt_int(x)


def fmt_delta_phrase(x: int, unit: str) -> str:
    """Prose difference: "tăng 5 lớp", "giảm 55 học sinh", "không thay đổi"."""
    if x == 0:
        return f"không thay đổi số {unit}"
    return f"{'tăng' if x > 0 else 'giảm'} {fmt_int(abs(x))} {unit}"


def fmt_fraction(n: int, d: int, places: int = 1) -> str:
    """"599/605 (99,0%)" — percentage keeps its decimals here."""
    return f"{fmt_int(n)}/{fmt_int(d)} ({fmt_percent(pct(n, d, places), places)})"


def fmt_school_year(start: int, spaced: bool = False) -> str:
    """2023 -> "2023-2024" (or "2023 - 2024")."""
    return f"{start}{' - ' if spaced else '-'}{start + 1}"


def fmt_date(d: dt.date) -> str:
    """Body citation date: "02/10/2023"."""
    return d.strftime("%d/%m/%Y")


def fmt_date_header(d: dt.date, place: str) -> str:
    """NĐ 30 place-and-date line: "Tân Hồng, ngày 02 tháng 10 năm 2023".

    NĐ 30 pads days below 10 and months 1–2 with a zero.
    """
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def fmt_duration(seconds: float) -> str:
    """Elapsed or remaining time: "3,4 giây", "45 giây", "1 phút 05 giây", "2 giờ 07 phút"."""
    if seconds < 10:
        return f"{fmt_dec(Decimal(str(round(seconds, 1))), 1)} giây"
    s = int(Decimal(str(seconds)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if s < 60:
        return f"{s} giây"
    if s < 3600:
        return f"{s // 60} phút {s % 60:02d} giây"
    return f"{s // 3600} giờ {s % 3600 // 60:02d} phút"


def parse_vi_number(text: str) -> Decimal:
    """Parse "1.095", "3.727,5", "79,23%", "-5" into Decimal; ValueError otherwise."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        raise ValueError("empty")
    whole, sep, frac = s.partition(",")
    if sep and (not frac.isdigit()):
        raise ValueError(text)
    sign = ""
    if whole[:1] in "+-":
        sign, whole = whole[0].replace("+", ""), whole[1:]
    if "." in whole:
        groups = whole.split(".")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise ValueError(text)
        whole = "".join(groups)
    if not whole.isdigit():
        raise ValueError(text)
    try:
        return Decimal(f"{sign}{whole}.{frac}" if sep else f"{sign}{whole}")
    except InvalidOperation as exc:  # pragma: no cover - guarded above
        raise ValueError(text) from exc
