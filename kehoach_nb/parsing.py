"""Read the tables of a dataset folder as text and parse them against the schema.

Every cell is read as text (CSV, or an XLSX sheet) and parsed explicitly by
cells.py, column by column; every problem becomes a Vietnamese `Problem`
naming the file (and sheet), the spreadsheet row and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .cells import CellError, clean_text, parse_cell
from .errors import Problem
from .schema import SCHOOL_ID_PATTERN, TABLES, Column, Table

ALL = "*"

@dataclass
class RawTable:
    """Text cells of one table with where they came from."""

    source: str  # "params/demo/x.csv" or "params/demo/a.xlsx, trang tính x"
    header: list[str]
    rows: list[list[str]]
    digest: str


def _read_csv(path: Path, shown: str) -> RawTable:
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [clean_text(h) for h in rows[0]] if rows else []
    return RawTable(shown, header, rows[1:], hashlib.sha256(data).hexdigest())


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        d = Decimal(repr(value))
        return str(int(d)) if d == d.to_integral_value() else f"{d:f}".replace(".", ",")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _read_xlsx(path: Path, shown: str) -> dict[str, RawTable]:
    from openpyxl import load_workbook

    data = path.read_bytes()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = [[_xlsx_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
        while rows and not any(c.strip() for c in rows[-1]):
            rows.pop()
        header = [clean_text(h) for h in rows[0]] if rows else []
        body = rows[1:]
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        out[ws.title] = RawTable(f"{shown}, trang tính {ws.title}", header, body, digest)
    wb.close()
    return out


def read_raw_tables(root: Path, shown: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Find each table as <name>.csv or as a sheet of an XLSX workbook."""
    found: dict[str, RawTable] = {}
    problems = []
    for path in sorted(root.glob("*.xlsx")):
        for name, raw in _read_xlsx(path, str(shown / path.name)).items():
            found[name] = raw
    for path in sorted(root.glob("*.csv")):
        name = path.stem
        if name in found:
            problems.append(Problem(str(shown / path.name),
                                    f"bảng {name} có cả tệp CSV và trang tính XLSX; chỉ giữ một",
                                    school_id=ALL))
        found[name] = _read_csv(path, str(shown / path.name))
    for name, raw in found.items():
        if name not in TABLES:
            problems.append(Problem(raw.source, f"bảng \"{name}\" không có trong mẫu dữ liệu",
                                    school_id=ALL))
    return found, problems


def parse_table(table: Table, raw: RawTable, known: set[str] | None) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed DataFrame of one table; rows with problems are dropped and reported.

    Works column by column (each distinct text of a column is parsed once); only the rows
    with a problem are then looked at one by one."""
    problems = []
    unknown = [h for h in raw.header if h and table.column(h) is None]
    for h in unknown:
        problems.append(Problem(raw.source, f"cột \"{h}\" không có trong mẫu bảng {table.name} (viết sai tên?)",
                                row=1, column=h, school_id=ALL))
    missing = [c.name for c in table.columns if c.required and c.name not in raw.header]
    for name in missing:
        problems.append(Problem(raw.source, "thiếu cột bắt buộc", row=1, column=name, school_id=ALL))
    if missing:
        return pd.DataFrame(columns=[c.name for c in table.columns]), problems
    numbers = [i for i, cells in enumerate(raw.rows, start=2) if "".join(cells).strip()]  # not empty
    rows = [raw.rows[i - 2] for i in numbers]
    columns, blank = _columns(raw.header, rows), ("",) * len(rows)
    texts = {c.name: columns.get(c.name, blank) for c in table.columns}
    parsed = {c.name: _parse_column(c, texts[c.name]) for c in table.columns}
    sids = columns.get("school_id", blank)
    status = _owners(table, known, set(sids))
    wrong = {text for text, (_, what) in status.items() if what}
    bad = {j for j, text in enumerate(sids) if text in wrong} if wrong else set()
    for name, (_, errors) in parsed.items():
        if errors:
            bad.update(j for j, text in enumerate(texts[name]) if text in errors)
    for j in sorted(bad):  # in row order; in a row: the school id, then columns in order
        problems += _row_problems(table, raw.source, numbers[j], status[sids[j]],
                                  {name: (texts[name][j], parsed[name][1]) for name in texts})
    good = [j for j in range(len(rows)) if j not in bad] if bad else range(len(rows))
    values = [[parsed[c.name][0][j] for j in good] if bad else parsed[c.name][0] for c in table.columns]
    df = pd.DataFrame.from_records(list(zip(*values)), columns=[c.name for c in table.columns])
    df = df.astype(object).where(df.notna(), None)
    return df, problems + _duplicates(table, raw, df, [numbers[j] for j in good])


def _columns(header: list[str], rows: list[list[str]]) -> dict[str, tuple[str, ...]]:
    """The cells of each column, "" where a row is short (as the row padded to the header
    reads them); a name repeated in the header reads its last column."""
    n = len(header)
    full = [cells if len(cells) >= n else cells + [""] * (n - len(cells)) for cells in rows]
    by_position = list(zip(*full)) if full else [()] * n
    return {h: by_position[i] for i, h in enumerate(header)}


def _parse_column(col: Column, cells: Sequence[str]) -> tuple[list, dict[str, str]]:
    """Typed values of a column's cells (None where invalid) and the error of each invalid
    text; each distinct text is parsed once."""
    values, errors = {}, {}
    for text in set(cells):
        try:
            values[text] = parse_cell(col, text)
        except CellError as exc:
            values[text], errors[text] = None, str(exc)
    return list(map(values.__getitem__, cells)), errors


def _owners(table: Table, known: set[str] | None, texts: set[str]) -> dict[str, tuple[str, str | None]]:
    """Each school id text: the id and what is wrong with it ("invalid", "unknown" or None)."""
    out = {}
    for text in texts:
        sid = clean_text(text)
        ok = bool(re.fullmatch(SCHOOL_ID_PATTERN, sid)) or (sid == ALL and table.allow_all_schools)
        unknown = known is not None and sid != ALL and sid not in known
        out[text] = (sid, None if ok and not unknown else "unknown" if ok else "invalid")
    return out


def _row_problems(table: Table, source: str, row_no: int, owner: tuple[str, str | None],
                  cells: dict[str, tuple[str, dict[str, str]]]) -> list[Problem]:
    """Problems of one row: its school id, then each invalid cell (text, errors of its column)."""
    sid, wrong = owner
    problems = []
    if wrong == "invalid":
        problems.append(Problem(source, f"mã trường \"{sid}\" không hợp lệ — chỉ dùng chữ, số, "
                                "\"-\" và \"_\" (tối đa 64 ký tự)", row_no, "school_id"))
    elif wrong == "unknown":
        problems.append(Problem(source, f"mã trường \"{sid}\" không có trong bảng school",
                                row_no, "school_id", school_id=None))
    for col in table.columns:
        text, errors = cells[col.name]
        if text in errors:
            problems.append(Problem(source, f"\"{clean_text(text)}\" không hợp lệ — {errors[text]}", row_no,
                                    col.name, school_id=None if wrong == "invalid" else sid))
    return problems


def _duplicates(table: Table, raw: RawTable, df: pd.DataFrame, rows: list[int]) -> list[Problem]:
    """A row whose key values (as text) an earlier row already has."""
    keys = [k for k in table.keys if k in df.columns]
    if not keys or df.empty:
        return []
    first: dict[tuple, int] = {}
    out = []
    for i, key in enumerate(zip(*(df[k].astype(str).tolist() for k in keys))):
        if key not in first:
            first[key] = rows[i]
            continue
        out.append(Problem(raw.source, f"trùng khóa ({', '.join(keys)}) với dòng {first[key]}",
                           rows[i], school_id=df.iloc[i]["school_id"]))
    return out


def _key_texts(col: Column, cells: Sequence[str]) -> list[str | None]:
    """Key cells as the text findings name rows by ("" for no value), None when invalid."""
    text: dict[str, str | None] = {}
    for raw in set(cells):
        try:
            value = parse_cell(col, raw)
            text[raw] = "" if value is None else str(value)
        except CellError:
            text[raw] = None
    return list(map(text.__getitem__, cells))


def spreadsheet_index(raws: dict[str, RawTable]) -> dict[tuple[str, tuple[str, ...]], list[int]]:
    """(table, key values as text) -> row numbers in the CSV file or XLSX sheet (header = row 1),
    for every non-empty row whose key cells are valid, even a row dropped for another problem."""
    index: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for name, raw in raws.items():
        table = TABLES.get(name)
        if table is None or not table.keys:
            continue
        columns, blank = _columns(raw.header, raw.rows), ("",) * len(raw.rows)
        keys = [_key_texts(table.column(k), columns.get(k, blank) if raw.header.count(k) < 2 else
                           [dict(zip(raw.header, cells)).get(k, "") for cells in raw.rows])
                for k in table.keys]  # a repeated name: the last cell the row reaches
        # an empty row has no valid key when a key column is required (school_id always is)
        check_empty = not any(table.column(k).required for k in table.keys)
        for number, key, cells in zip(range(2, len(raw.rows) + 2), zip(*keys), raw.rows):
            if None not in key and (not check_empty or "".join(cells).strip()):
                index.setdefault((name, key), []).append(number)
    return index
