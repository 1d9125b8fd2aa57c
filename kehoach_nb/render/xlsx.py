"""The tables of a document as an Excel workbook (openpyxl): one sheet per table.

Like the other renderers it computes nothing: a numeric cell's text ("1.095", "3.727,5",
"79,23%") is read back into the number it states (formatting.parse_vi_number) and given the
matching number format, so the office can sort and add up; "—" stays empty text.
Vietnamese headers with their spans, a frozen header, the caption above and notes below.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..formatting import parse_vi_number
from ..model import Document, Table

THIN = Side(style="thin", color="444444")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "Times New Roman"
DECIMALS = re.compile(r",(\d+)%?$")


def places_of(text: str) -> int:
    m = DECIMALS.search(text)
    return len(m.group(1)) if m else 0


def number_format(text: str, places: int | None = None) -> str:
    """Excel number format for a formatted Vietnamese number: its places (or the column's, so
    "100%" shows as "100,0%" beside "99,5%"), % as percent."""
    places = places_of(text) if places is None else places
    base = "#,##0" + ("." + "0" * places if places else "")
    return base + "%" if text.endswith("%") else base


def cell_value(text: str, numeric: bool, places: int | None = None):
    """(value, number format) of a table cell; text (and "—") stays text."""
    if not numeric or not text:
        return text, None
    try:
        value = parse_vi_number(text)
    except ValueError:
        return text, None
    if text.endswith("%"):
        value = value / 100
    number = int(value) if value == value.to_integral_value() and "," not in text else float(value)
    return number, number_format(text, places)


def _column_places(table: Table) -> dict[int, int]:
    """The most decimal places printed in each column: one precision per column."""
    out: dict[int, int] = {}
    for i, row in enumerate(table.rows):
        numeric = table.numeric[i] if i < len(table.numeric) else []
        for j, text in enumerate(row):
            if j < len(numeric) and numeric[j]:
                out[j] = max(out.get(j, 0), places_of(text))
    return out


def _sheet(wb: Workbook, table: Table, index: int) -> None:
    ws = wb.active if index == 1 else wb.create_sheet()
    ws.title = f"Bảng {table.number or index}"
    ws.cell(1, 1, table.title).font = Font(name=FONT, bold=True, size=13)
    top = 2
    for r, row in enumerate(table.header):
        c = 1
        for head in row:
            while any((top + r, c) in rng for rng in _merged(ws)):
                c += 1
            cell = ws.cell(top + r, c, head.text)
            cell.font = Font(name=FONT, bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if head.colspan > 1 or head.rowspan > 1:
                ws.merge_cells(start_row=top + r, start_column=c, end_row=top + r + head.rowspan - 1,
                               end_column=c + head.colspan - 1)
            for rr in range(top + r, top + r + head.rowspan):
                for cc in range(c, c + head.colspan):
                    ws.cell(rr, cc).border = BOX
            c += head.colspan
    first = top + len(table.header)
    totals_from = len(table.rows) - table.total_rows
    places = _column_places(table)
    for i, row in enumerate(table.rows):
        numeric = table.numeric[i] if i < len(table.numeric) else [False] * len(row)
        for j, text in enumerate(row):
            value, fmt = cell_value(text, numeric[j] if j < len(numeric) else False, places.get(j))
            cell = ws.cell(first + i, j + 1, value)
            cell.font = Font(name=FONT, bold=i >= totals_from)
            cell.border = BOX
            if fmt:
                cell.number_format = fmt
                cell.alignment = Alignment(horizontal="right")
    for k, note in enumerate(table.notes):
        ws.cell(first + len(table.rows) + 1 + k, 1, note).font = Font(name=FONT, italic=True)
    ws.freeze_panes = ws.cell(first, 3 if table.columns > 3 else 1)
    ws.print_title_rows = f"{top}:{first - 1}"  # the header repeats on every printed page
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if table.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    for j in range(1, table.columns + 1):
        longest = max((len(str(r[j - 1])) for r in table.rows if j - 1 < len(r)), default=4)
        ws.column_dimensions[get_column_letter(j)].width = min(max(longest + 2, 9), 45)


def _merged(ws):
    return [_Range(rng) for rng in ws.merged_cells.ranges]


class _Range:
    def __init__(self, rng):
        self.rng = rng

    def __contains__(self, rc) -> bool:
        r, c = rc
        return self.rng.min_row <= r <= self.rng.max_row and self.rng.min_col <= c <= self.rng.max_col


def render_xlsx(doc: Document) -> bytes:
    """Every table of the document, in reading order, as an .xlsx file."""
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    wb = Workbook()
    if not tables:
        wb.active.title = "Trống"
    for i, table in enumerate(tables, start=1):
        _sheet(wb, table, i)
    wb.properties.title = doc.title
    wb.properties.creator = "kehoach_nb"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
