"""Read the per-school workbooks of a dataset folder (`truong/<mã trường>.xlsx`).

Each sheet becomes a parsing.RawTable for the same parse as the shared tables; what Excel does
to data (serial dates, numbers stored as text, formulas never calculated, merged cells, extra
sheets or columns, another school's rows, .xls/.ods files) becomes a Vietnamese Problem naming
file, sheet, row and column. A workbook's problems belong to its school only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import Problem
from ..parsing import RawTable, parse_table
from ..schema import SCHOOL_ID_PATTERN, Table
from . import vocab
from .cells import CellIssue, cell_text

FOLDER = "truong"
OTHER_FORMATS = {".xls": "Excel 97-2003 (.xls)", ".ods": "OpenDocument (.ods)",
                 ".xlsm": "Excel có macro (.xlsm)", ".xlsb": "Excel nhị phân (.xlsb)"}
HEADER_ROWS = 3  # the codes row and the labels row are looked for in the first rows


@dataclass
class Part:
    """One sheet of one school's workbook, ready for parsing.parse_table."""

    raw: RawTable
    school: str
    columns: dict[str, str]  # code -> how the sheet shows the column, e.g. 'D "Số lớp"'


@dataclass
class SchoolWorkbooks:
    """Every per-school workbook of a dataset, by table."""

    parts: dict[str, list[Part]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def read(cls, root: Path, shown: Path) -> SchoolWorkbooks:
        books = cls()
        folder = root / FOLDER
        if not folder.is_dir():
            return books
        for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", "."))):
            books._read_file(path, shown / FOLDER / path.name)
        return books

    def has(self, name: str) -> bool:
        return name in self.parts

    def parse(self, table: Table, shared: RawTable | None,
              known: set[str] | None) -> tuple[pd.DataFrame, list[Problem]]:
        """The table from the shared file and the workbooks; a school's workbook sheet replaces
        that school's rows of the shared file."""
        if not self.has(table.name):  # no workbook has this table: the shared file as it is
            return parse_table(table, shared, known) if shared is not None else (
                pd.DataFrame(columns=[c.name for c in table.columns]), [])
        frames, problems = [], []
        mine = {p.school for p in self.parts[table.name]}
        if shared is not None:
            df, found = parse_table(table, shared, known)
            frames.append(df[~df["school_id"].isin(mine)] if mine else df)
            problems += [p for p in found if p.school_id not in mine]
        for part in self.parts.get(table.name, []):
            df, found = parse_table(table, part.raw, known)
            frames.append(df)
            problems += [dataclasses.replace(p, school_id=part.school,
                                             column=part.columns.get(p.column, p.column)) for p in found]
        frames = [f for f in frames if len(f)]
        columns = [c.name for c in table.columns]
        merged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
        return merged.astype(object).where(merged.notna(), None), problems

    def _read_file(self, path: Path, shown: Path) -> None:
        school = unicodedata.normalize("NFC", path.stem)
        owner = school if re.fullmatch(SCHOOL_ID_PATTERN, school) else None
        suffix = path.suffix.lower()
        if suffix in OTHER_FORMATS:
            self._problem(str(shown), f"tệp lưu dạng {OTHER_FORMATS[suffix]} — mở bằng Excel hoặc "
                          "LibreOffice, chọn Lưu thành (Save As) «Sổ làm việc Excel (.xlsx)», rồi xóa tệp cũ", owner)
            return
        if suffix != ".xlsx":
            return
        if owner is None:
            self._problem(str(shown), "tên tệp phải là mã trường (chữ, số, \"-\", \"_\"), ví dụ TH01.xlsx", None)
            return
        try:
            sheets = read_sheets(path, str(shown), owner)
        except Exception as exc:  # noqa: BLE001 — any unreadable file is the school's problem only
            self._problem(str(shown), f"không mở được sổ Excel ({type(exc).__name__}); hãy lưu lại dạng .xlsx", owner)
            return
        for name, part, found in sheets:
            if part is not None:
                self.parts.setdefault(name, []).append(part)
            self.problems += found

    def _problem(self, where: str, message: str, school: str | None) -> None:
        self.problems.append(Problem(where, message, school_id=school))


def read_sheets(path: Path, shown: str, school: str) -> list[tuple[str, Part | None, list[Problem]]]:
    """Each sheet of a school's workbook as (table name, part, problems)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=False)
    cached = None
    out = []
    for ws in wb.worksheets:
        where = f"{shown}, trang tính {ws.title}"
        if ws.title in (vocab.GUIDE_SHEET, vocab.LIST_SHEET):
            continue
        table = vocab.table_of_sheet(ws.title)
        if table is None:
            out.append(("", None, [Problem(where, "trang tính không thuộc mẫu — xóa trang tính này hoặc "
                                           "chuyển số liệu sang đúng trang tính của mẫu", school_id=school)]))
            continue
        if cached is None and _has_formulas(wb):
            cached = load_workbook(path, data_only=True)
        values = cached[ws.title] if cached is not None else None
        part, found = _read_sheet(ws, values, table, where, school)
        out.append((table.name, part, found))
    return out


def _has_formulas(wb) -> bool:
    return any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def _header(ws, table: Table) -> tuple[int, dict[int, str], dict[int, str]]:
    """(last header row, code of each column position, unknown header texts by position).
    A header row is one whose filled cells are mostly codes or labels of the table."""
    by_text = {vocab.fold(c.name): c.name for c in table.columns}
    by_text.update({vocab.fold(vocab.column_label(table, c)): c.name for c in table.columns})
    by_text.update({vocab.fold(vocab.column_label(table, c) + " *"): c.name for c in table.columns})
    last, codes, texts = 0, {}, {}
    for r in range(1, HEADER_ROWS + 1):
        cells = {c.column: str(c.value) for c in ws[r] if c.value is not None and str(c.value).strip()}
        hits = {j: by_text[vocab.fold(t)] for j, t in cells.items() if vocab.fold(t) in by_text}
        if not cells or len(hits) * 2 < len(cells):
            break
        last = r
        for j, t in cells.items():
            if j in hits:
                codes.setdefault(j, hits[j])
            else:
                texts.setdefault(j, t)
    return last, codes, {j: t for j, t in texts.items() if j not in codes}


def _read_sheet(ws, values, table: Table, where: str, school: str) -> tuple[Part | None, list[Problem]]:
    from openpyxl.utils import get_column_letter

    last, codes, unknown = _header(ws, table)
    if not last:
        return None, [Problem(where, "không tìm thấy dòng tên cột của mẫu (dòng 1–2) — hãy dùng mẫu do "
                              "kehoach template tạo", row=1, school_id=school)]
    problems = [Problem(where, f"cột \"{text}\" không có trong mẫu — xóa cột này", row=last,
                        column=get_column_letter(j), school_id=school) for j, text in sorted(unknown.items())]
    shown = {j: f"{get_column_letter(j)} \"{vocab.column_label(table, table.column(c))}\""
             for j, c in codes.items()}
    problems += _merged(ws, last, where, school)
    header = [codes[j] for j in sorted(codes)]
    if "school_id" not in header:
        header.append("school_id")
    rows = [[""] * len(header) for _ in range(last - 1)]  # parse_table counts rows from 2
    for cells in ws.iter_rows(min_row=last + 1):
        row_no = cells[0].row if cells else last + 1
        texts, found = _row_texts(table, cells, values, codes, shown, where, school)
        found += _owner(texts, school, where, row_no, shown)
        problems += found
        rows.append([] if found else [texts.get(h, "") for h in header])
    while rows and not "".join(rows[-1]).strip():
        rows.pop()
    digest = hashlib.sha256(repr((header, rows)).encode()).hexdigest()
    columns = {c: shown[j] for j, c in codes.items()}
    return Part(RawTable(where, header, rows, digest), school, columns), problems


def _row_texts(table: Table, cells, values, codes: dict[int, str], shown: dict[int, str],
               where: str, school: str) -> tuple[dict[str, str], list[Problem]]:
    texts, problems = {}, []
    for cell in cells:
        code = codes.get(cell.column)
        if code is None:
            continue
        cached = values.cell(cell.row, cell.column).value if values is not None else None
        try:
            texts[code] = cell_text(table.column(code), cell, cached)
        except CellIssue as exc:
            problems.append(Problem(where, str(exc), cell.row, shown[cell.column], school_id=school))
    if not "".join(texts.values()).strip():
        return {}, problems
    for code, text in texts.items():
        texts[code] = vocab.to_code(table, table.column(code), text, texts)
    return texts, problems


def _owner(texts: dict[str, str], school: str, where: str, row_no: int, shown: dict[int, str]) -> list[Problem]:
    """A blank school id is the workbook's school; another school's row is reported."""
    if not texts:
        return []
    sid = texts.get("school_id", "").strip()
    if not sid:
        texts["school_id"] = school
        return []
    if sid == school:
        return []
    return [Problem(where, f"dòng của trường khác (mã \"{sid}\") trong sổ của trường {school} — mỗi trường "
                    "chỉ ghi số liệu của mình; xóa dòng này hoặc sửa mã trường", row_no,
                    _school_column(shown) or "school_id", school_id=school)]


def _school_column(shown: dict[int, str]) -> str | None:
    return next((t for j, t in sorted(shown.items()) if t.endswith(f"\"{vocab.texts()['columns']['school_id']}\"")), None)


def _merged(ws, last: int, where: str, school: str) -> list[Problem]:
    out = []
    for rng in ws.merged_cells.ranges:
        if rng.max_row > last:
            from openpyxl.utils import get_column_letter

            out.append(Problem(where, f"ô gộp {rng.coord} — bỏ gộp ô (Merge & Center) và ghi giá trị vào "
                               "từng ô", max(rng.min_row, last + 1), get_column_letter(rng.min_col),
                               school_id=school))
    return out

