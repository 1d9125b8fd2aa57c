"""`kehoach template`: an Excel workbook a school secretary fills without reading our docs.

One sheet per table of schema.TABLES: hidden row 1 holds the column codes (what the reader
uses), row 2 the Vietnamese labels (frozen), data from row 3. Dropdowns show Vietnamese
labels, counts only take whole numbers >= 0, dates read dd/mm/yyyy, ID and code columns are
text ("@") so leading zeros and "1.10" survive; a "Hướng dẫn" sheet explains it all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..schema import TABLES, Column, Table
from . import vocab
from .guide import write_guide

CODE_ROW, LABEL_ROW, FIRST_ROW = 1, 2, 3
SPARE_ROWS = 500  # rows below the data that keep the validations
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "DD/MM/YYYY"


class Lists:
    """The hidden "Danh mục" sheet: one column per dropdown list, reused by equal lists."""

    def __init__(self, wb: Workbook):
        self.ws = wb.create_sheet(vocab.LIST_SHEET)
        self.ws.sheet_state = "hidden"
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, title: str, labels: list[str]) -> str:
        key = tuple(labels)
        if key not in self.ranges:
            col = len(self.ranges) + 1
            letter = get_column_letter(col)
            self.ws.cell(1, col, title)
            for i, label in enumerate(labels, start=2):
                self.ws.cell(i, col, label).number_format = "@"
            self.ranges[key] = f"'{vocab.LIST_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        return self.ranges[key]


def build_workbook(school_id: str, rows: dict[str, list[dict]], level: str | None,
                   years: tuple[int, ...]) -> Workbook:
    """The workbook of one school: `rows` are its own rows per table (values as loaded)."""
    wb = Workbook()
    write_guide(wb.active, school_id)
    lists = Lists(wb)
    for table in TABLES.values():
        ws = wb.create_sheet(vocab.sheet_name(table), index=len(wb.sheetnames) - 1)
        table_rows = rows.get(table.name) or ([{"school_id": school_id}] if table.name == "school" else [])
        _write_sheet(ws, table, table_rows, lists, level, years)
    return wb


def _write_sheet(ws: Worksheet, table: Table, rows: list[dict], lists: Lists,
                 level: str | None, years: tuple[int, ...]) -> None:
    last = FIRST_ROW + len(rows) + SPARE_ROWS
    for j, col in enumerate(table.columns, start=1):
        letter = get_column_letter(j)
        ws.cell(CODE_ROW, j, col.name)
        head = ws.cell(LABEL_ROW, j, vocab.column_label(table, col) + (" *" if col.required else ""))
        head.font, head.fill = Font(bold=True), HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = _width(table, col, rows, level, years)
        fmt = _column_format(col)
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
        for i, row in enumerate(rows, start=FIRST_ROW):
            _write_cell(ws.cell(i, j), table, col, row)
        dv = _validation(table, col, lists, level, years)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
    ws.row_dimensions[CODE_ROW].hidden = True
    ws.row_dimensions[LABEL_ROW].height = 45
    ws.freeze_panes = f"A{FIRST_ROW}"
    _print_setup(ws)


def _write_cell(cell, table: Table, col: Column, row: dict) -> None:
    texts = {k: "" if v is None else str(v) for k, v in row.items()}
    value = vocab.to_label(table, col, row.get(col.name), texts)
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent)
        cell.value = int(value) if places == 0 else float(value)
        cell.number_format = "0" if places == 0 else "0." + "0" * places
        return
    cell.value = value
    fmt = _column_format(col)
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    elif fmt == "@" and value is not None:
        cell.value = str(value)
        cell.number_format = "@"


def _column_format(col: Column) -> str | None:
    if col.kind in ("str", "enum"):
        return "@"
    if col.kind == "date":
        return DATE_FORMAT
    return None


def _width(table: Table, col: Column, rows: list[dict], level: str | None, years: tuple[int, ...]) -> float:
    shown = [lab for _, lab in vocab.options(table, col, level, years) or ()]
    longest = max([len(str(r.get(col.name) or "")) for r in rows[:200]] + [min(len(s), 22) for s in shown] + [8])
    label = len(vocab.column_label(table, col))
    return float(min(60, max(10, min(label, 24), longest + 2)))


def _validation(table: Table, col: Column, lists: Lists, level: str | None,
                years: tuple[int, ...]) -> DataValidation | None:
    label = vocab.column_label(table, col)
    choices = vocab.options(table, col, level, years)
    if choices:
        labels = list(dict.fromkeys(lab for _, lab in choices))
        dv = DataValidation(type="list", formula1=lists.range_of(f"{table.name}.{col.name}", labels),
                            allow_blank=True, errorStyle="stop" if vocab.strict(col) else "warning")
        dv.error = "Chọn một giá trị trong danh sách (bấm mũi tên ▼)."
    elif col.kind == "int":
        low, high = col.min_value, col.max_value
        op = "between" if high is not None else "greaterThanOrEqual"
        dv = DataValidation(type="whole", operator=op, formula1=str(low if low is not None else -10**9),
                            formula2=str(high) if high is not None else None, allow_blank=True)
        dv.error = f"{label}: số nguyên" + (f" từ {low} đến {high}." if high is not None else " không âm.")
    elif col.kind in ("dec", "percent") and col.min_value is not None:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(col.min_value),
                            allow_blank=True)
        dv.error = f"{label}: số không âm."
    elif col.kind == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        dv.error = f"{label}: ngày dạng ngày/tháng/năm, ví dụ 05/09/2024."
    else:
        return None
    dv.errorTitle, dv.showErrorMessage = "Giá trị không hợp lệ", True
    dv.promptTitle, dv.prompt, dv.showInputMessage = label[:32], _prompt(col), True
    return dv


def _prompt(col: Column) -> str:
    blank = "Để trống nếu chưa có số liệu (không ghi 0)."
    if col.required:
        blank = "Bắt buộc."
    if col.kind in ("enum", "bool", "grade"):
        return f"Chọn trong danh sách. {blank}"
    return blank


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{LABEL_ROW}:{LABEL_ROW}"
    ws.page_margins.left = ws.page_margins.right = 0.4
