"""The "Hướng dẫn" sheet: what each sheet holds, what a row is, what is required, what a blank means."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ..schema import TABLES
from . import vocab


def write_guide(ws: Worksheet, school_id: str) -> None:
    guide = vocab.texts()["guide"]
    ws.title = vocab.GUIDE_SHEET
    ws.cell(1, 1, f"{guide['title']} — TRƯỜNG {school_id}").font = Font(bold=True, size=14)
    row = 3
    for line in guide["general"]:
        ws.cell(row, 1, f"• {line}")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    for j, head in enumerate(guide["headers"], start=1):
        ws.cell(row, j, head).font = Font(bold=True)
    for table in TABLES.values():
        row += 1
        required = [vocab.column_label(table, c) for c in table.columns if c.required]
        values = (vocab.sheet_name(table), table.label, vocab.row_meaning(table),
                  ", ".join(required) or "(không có)")
        for j, text in enumerate(values, start=1):
            ws.cell(row, j, text).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (18, 40, 50, 60)):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
