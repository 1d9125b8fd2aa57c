"""Read the sector's Excel exports as described by mappings/<source>.yaml.

Columns are found by header text (NFC, whitespace folded, case-insensitive) in the first rows,
never by position; a header the mapping does not know is reported, never guessed. Only the
fields the mapping names are read ("ignore" columns, such as pupils' names and identifiers,
are never even extracted) and the pupil records live only in memory: aggregate.py turns them
into counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ..errors import Problem
from .vocab import fold

HERE = Path(__file__).parent / "mappings"
SOURCES = ("csdl", "vnedu")
IGNORE = "ignore"


@cache
def mapping(source: str) -> dict:
    spec = yaml.safe_load((HERE / f"{source}.yaml").read_text(encoding="utf-8"))
    spec["by_header"] = {fold(h): f for h, f in spec["columns"].items()}
    spec["by_value"] = {f: {fold(k): v for k, v in m.items()} for f, m in spec.get("values", {}).items()}
    return spec


@dataclass
class Sheet:
    """The mapped fields of one sheet's data rows (text, folded), with where they came from."""

    where: str
    name: str
    titles: list[str]  # the non-empty texts above the header row
    fields: set[str]  # fields whose column exists
    headers: dict[str, str] = field(default_factory=dict)  # field -> 'C "Trạng thái HS"'
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, field -> text)


def read_export(source: str, path: Path) -> tuple[list[Sheet], list[Problem]]:
    """The sheets of an export that carry the mapped header, and every problem found."""
    spec = mapping(source)
    if path.suffix.lower() == ".ods":
        return [], [Problem(str(path), "tệp .ods chưa đọc được — mở bằng LibreOffice và Lưu thành "
                            "«Sổ làm việc Excel (.xlsx)», rồi nhập tệp .xlsx")]
    try:
        book = _workbook(path)
    except Exception as exc:  # noqa: BLE001 — an unreadable file is reported, never a traceback
        return [], [Problem(str(path), f"không mở được tệp Excel ({type(exc).__name__})")]
    sheets, problems = [], []
    wanted = {fold(s) for s in spec.get("sheets") or []}
    for title, rows in book:
        if wanted and fold(title) not in wanted:
            continue
        sheet, found = _read_sheet(spec, title, rows, f"{path}, trang tính {title}")
        problems += found
        if sheet is not None:
            sheets.append(sheet)
    if not sheets and not problems:
        problems.append(Problem(str(path), "không có trang tính nào đúng mẫu " + spec["label"]))
    return sheets, problems


def _workbook(path: Path) -> list[tuple[str, object]]:
    """(sheet name, its rows as tuples of values, None for an empty cell) for .xlsx and for
    the older .xls that vnEdu and many school tools still export."""
    if path.suffix.lower() == ".xls":
        import xlrd

        book = xlrd.open_workbook(str(path))
        return [(sh.name, iter([tuple(None if v == "" else v for v in sh.row_values(i)) for i in range(sh.nrows)]))
                for sh in book.sheets()]
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:  # read now: a read-only workbook keeps its file open until closed
        return [(ws.title, iter(list(ws.iter_rows(values_only=True)))) for ws in wb.worksheets]
    finally:
        wb.close()


def _read_sheet(spec: dict, title: str, rows, where: str) -> tuple[Sheet | None, list[Problem]]:
    titles = []
    for number in range(1, spec["header_within"] + 1):
        cells = next(rows, None)
        if cells is None:
            break
        columns = _columns(spec, cells)
        if set(spec["required"]) <= set(columns.values()):
            return _body(spec, title, where, titles, cells, columns, number, rows)
        titles += [str(c).strip() for c in cells if c is not None and str(c).strip()]
    missing = ", ".join(h for h, f in spec["columns"].items() if f in spec["required"])
    return None, [Problem(where, f"không tìm thấy dòng tên cột (trong {spec['header_within']} dòng đầu) "
                          f"có các cột cần thiết: {missing}")]


def _columns(spec: dict, cells) -> dict[int, str]:
    return {j: spec["by_header"][fold(c)] for j, c in enumerate(cells)
            if c is not None and fold(c) in spec["by_header"]}


def _body(spec: dict, name: str, where: str, titles: list[str], header, columns: dict[int, str],
          header_row: int, rows) -> tuple[Sheet, list[Problem]]:
    from openpyxl.utils import get_column_letter

    problems = [Problem(where, f"cột \"{' '.join(str(c).split())}\" không có trong tệp mô tả "
                        f"mappings/{_source(spec)}.yaml — bỏ qua cột này (chương trình không đoán)",
                        header_row, get_column_letter(j + 1))
                for j, c in enumerate(header) if c is not None and str(c).strip() and j not in columns]
    wanted = {j: f for j, f in columns.items() if f != IGNORE}
    shown = {f: f"{get_column_letter(j + 1)} \"{' '.join(str(header[j]).split())}\"" for j, f in wanted.items()}
    sheet = Sheet(where, name, titles, set(wanted.values()), shown)
    for number, cells in enumerate(rows, start=header_row + 1):
        values = {f: _text(cells[j]) for j, f in wanted.items() if j < len(cells)}
        if _is_data(spec, values):
            sheet.rows.append((number, {f: v for f, v in values.items() if v}))
    return sheet, problems


def _source(spec: dict) -> str:
    return next(s for s in SOURCES if mapping(s) is spec)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _is_data(spec: dict, values: dict[str, str]) -> bool:
    key = values.get(spec["row_when"], "")
    return key.isdigit() if spec["row_when"] == "stt" else bool(key)


def coded(spec: dict, field_name: str, text: str) -> str | None:
    """The code a value maps to in the mapping file, None when the mapping does not know it."""
    return spec["by_value"].get(field_name, {}).get(fold(text))


def title_year(spec: dict, titles: list[str]) -> int | None:
    pattern = spec.get("year_from_title")
    for text in titles if pattern else ():
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            return int(m.group(1))
    return None


def title_grade(titles: list[str], sheet_name: str) -> int | None:
    for text in titles:
        m = re.search(r"Khối\s*(\d{1,2})", text, re.IGNORECASE)
        if m:
            return int(m.group(1))
    m = re.match(r"\s*(\d{1,2})", sheet_name)
    return int(m.group(1)) if m else None


def refused(spec: dict, titles: list[str]) -> str | None:
    """The title text that makes the sheet unusable (e.g. a first-semester summary)."""
    for pattern in spec.get("refuse_titles", []):
        for text in titles:
            if re.search(pattern, text, re.IGNORECASE):
                return text
    return None
