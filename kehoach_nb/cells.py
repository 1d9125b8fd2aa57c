"""Parse one text cell by its column kind; errors say what was expected, in Vietnamese."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from .formatting import parse_vi_number
from .schema import Column

COLUMN_LABELS = {
    "school_id": "mã trường", "school_year": "năm học", "students": "số học sinh",
    "classes": "số lớp", "count": "số lượng", "female": "số nữ", "grade": "khối lớp",
    "assessed": "số học sinh được đánh giá", "numerator": "tử số", "denominator": "mẫu số",
    "seq": "số thứ tự", "order": "số thứ tự", "issue_date": "ngày ban hành",
}
TRUE = {"có", "co", "x", "1", "true", "đúng", "yes"}
DATE_YEARS = (1900, 2100)  # a plausible year of a document date
FALSE = {"không", "khong", "0", "false", "sai", "no", ""}


class CellError(ValueError):
    """Carries the Vietnamese explanation of what the cell should hold."""


def label_of(col: Column) -> str:
    return COLUMN_LABELS.get(col.name) or col.label or "giá trị"


def clean_text(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()


def _integer(col: Column, text: str) -> int:
    try:
        value = parse_vi_number(text)
    except ValueError:
        value = None
    if value is None or value != value.to_integral_value():
        raise CellError(f"{label_of(col)} phải là số nguyên" + _range_hint(col))
    n = int(value)
    _check_range(col, n)
    return n


def _range_hint(col: Column) -> str:
    if col.min_value == 0 and col.max_value is None:
        return " không âm"
    if col.min_value is not None and col.max_value is not None:
        return f" từ {col.min_value} đến {col.max_value}"
    return ""


def _check_range(col: Column, n: int | Decimal) -> None:
    low = col.min_value is not None and n < col.min_value
    high = col.max_value is not None and n > col.max_value
    if low or high:
        kind = "số nguyên" if col.kind == "int" else "số"
        raise CellError(f"{label_of(col)} phải là {kind}{_range_hint(col)}")


def _decimal(col: Column, text: str) -> Decimal:
    try:
        value = parse_vi_number(text)
    except ValueError:
        raise CellError(
            f"{label_of(col)} phải là số viết kiểu Việt Nam (ví dụ 3.727,5)") from None
    _check_range(col, value)
    return value


def _date(col: Column, text: str) -> dt.date:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text) or re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00)?", text)
    try:
        if m and len(m.group(1)) == 4:
            value = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m:
            value = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        m = None
    if m and not DATE_YEARS[0] <= value.year <= DATE_YEARS[1]:
        raise CellError(f"{label_of(col)}: năm {value.year} không hợp lý (từ {DATE_YEARS[0]} đến "
                        f"{DATE_YEARS[1]}); viết đủ bốn chữ số, ví dụ 05/09/2024")
    if m:
        return value
    raise CellError(f"{label_of(col)} phải là ngày hợp lệ dạng ngày/tháng/năm (ví dụ 05/09/2024)")


def _grade(col: Column, text: str) -> int | str:
    if text.lower() == "tong":
        return "tong"
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    raise CellError("khối lớp phải là số từ 1 đến 12, hoặc \"tong\" cho dòng tổng ghi trong văn bản")


def _enum(col: Column, text: str) -> str:
    if text in col.choices:
        return text
    shown = ", ".join(c for c in col.choices if c) or "(trống)"
    raise CellError(f"{label_of(col)} phải là một trong: {shown}")


def _bool(col: Column, text: str) -> bool:
    low = text.lower()
    if low in TRUE or low in FALSE:
        return low in TRUE
    raise CellError(f"{label_of(col)} phải là \"có\" hoặc \"không\"")


PARSERS = {
    "int": _integer, "dec": _decimal, "percent": _decimal, "date": _date,
    "grade": _grade, "enum": _enum, "bool": _bool,
}


def parse_cell(col: Column, raw: str) -> object:
    """Typed value of a cell, None when empty; raises CellError when invalid."""
    text = clean_text(raw)
    if text == "":
        if col.required:
            raise CellError(f"thiếu {label_of(col)} (cột bắt buộc)")
        return None
    parser = PARSERS.get(col.kind)
    return parser(col, text) if parser else text
