"""One workbook cell as the text kehoach_nb.cells parses, or a CellIssue saying what Excel did.

The cell's type and number format matter: a number in a date column is an Excel serial date,
a number typed as text will not add up in Excel, a formula may never have been calculated, a
percent-formatted cell holds a fraction, and "0.0" keeps the decimals a value was written with.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..formatting import parse_vi_number
from ..schema import Column

NUMBER_KINDS = ("int", "dec", "percent")
MAX_SERIAL = 2958465  # 31/12/9999


class CellIssue(ValueError):
    """A Vietnamese explanation of what is wrong with a cell and how to fix it in Excel."""


def cell_text(col: Column, cell, cached: object = None) -> str:
    """Text of a cell for the column's parser; raises CellIssue for an Excel pitfall."""
    value = cell.value
    if cell.data_type == "f":
        if cached is None:
            raise CellIssue(f"ô chứa công thức {str(value)[:40]} nhưng chưa có giá trị đã tính (tệp do "
                            "chương trình tạo, chưa mở bằng Excel) — mở tệp bằng Excel hoặc LibreOffice "
                            "rồi lưu lại, hoặc thay công thức bằng giá trị")
        value = cached
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        return _number(col, value, cell.number_format or "General")
    text = str(value)
    if col.kind in NUMBER_KINDS and _is_number(text):
        raise CellIssue(f"số \"{text.strip()}\" được lưu dưới dạng văn bản (Excel không cộng được ô này) — "
                        "chọn ô, bấm dấu cảnh báo và chọn «Chuyển thành số» (Convert to Number), hoặc "
                        "định dạng ô là Số rồi gõ lại")
    return text


def _is_number(text: str) -> bool:
    try:
        return parse_vi_number(text.strip().lstrip("'")) is not None
    except ValueError:
        return False


def _number(col: Column, value: int | float, fmt: str) -> str:
    if col.kind == "date":
        raise CellIssue(_serial_message(value))
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    percent = "%" in fmt
    if percent and col.kind == "percent":
        number *= 100
    places = _places(fmt) if fmt != "General" else None
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    elif number == number.to_integral_value():
        number = number.to_integral_value()
    return f"{number:f}".replace(".", ",")


def _places(fmt: str) -> int | None:
    """Decimals a number format shows ("0.0" -> 1, "#,##0" -> 0); None for other formats."""
    first = fmt.split(";", 1)[0]
    if not re.fullmatch(r"[#,0]*0(\.0+)?%?", first):
        return None
    return len(first.split(".", 1)[1].rstrip("%")) if "." in first else 0


def _serial_message(value: int | float) -> str:
    if 1 <= value <= MAX_SERIAL:
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value).strftime("%d/%m/%Y")
        return (f"ngày được lưu dưới dạng số {value:g} (số sê-ri ngày của Excel, tức {day}) — định dạng "
                f"ô là Ngày (dd/mm/yyyy) hoặc gõ lại {day}")
    return f"ô chứa số {value:g}, không phải ngày — ghi ngày dạng ngày/tháng/năm, ví dụ 05/09/2024"
