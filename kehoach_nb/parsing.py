"""Read the tables of a dataset folder as text and parse them against the schema.

Every cell is read as text (CSV, or an XLSX sheet) and parsed explicitly by
cells.py, column by column; every problem becomes a Vietnamese `Problem`
naming the file (and sheet), the spreadsheet row and the column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from .cells import CellError, clean_text, parse_cell
from .errors import Problem
from .readers import RawTable, read_raw_tables
from .schema import SCHOOL_ID_PATTERN, TABLES, Column, Table

ALL = "*"

__all__ = ["RawTable", "read_raw_tables", "parse_table", "spreadsheet_index"]


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
    guesses = _likely_owners(sids, status, known)
    for j in sorted(bad):  # in row order; in a row: the school id, then columns in order
        problems += _row_problems(table, raw.source, numbers[j], status[sids[j]], guesses.get(j),
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


def _folded(sid: str) -> str:
    return re.sub(r"\s+", "", sid).casefold()


def _likely_owners(sids: Sequence[str], status: dict, known: set[str] | None) -> dict[int, str]:
    """Row -> the school a row with a wrong school id most likely belongs to: the known id it
    equals once spaces and case are ignored ("TH 01", "th01"), or, for a blank id, the school
    of the row above (a merged school_id cell in Excel leaves the cells below it blank); "*"
    when a blank id has no row above. These rows make that school (or the table) invalid:
    a plan must never be computed without them."""
    if known is None:
        return {}
    folded = {_folded(s): s for s in known}
    out: dict[int, str] = {}
    last = None
    for j, text in enumerate(sids):
        sid, wrong = status[text]
        if wrong and not sid:
            out[j] = last or ALL
        elif wrong and _folded(sid) in folded:
            out[j] = last = folded[_folded(sid)]
        elif not wrong:
            last = sid
    return out


def _id_problem(table: Table, sid: str, wrong: str, guess: str | None) -> str:
    if not sid:
        what = "thiếu mã trường (ô trống; ô school_id bị gộp — merge — trong Excel cũng để trống các dòng dưới)"
    elif wrong == "invalid":
        what = f"mã trường \"{sid}\" không hợp lệ — chỉ dùng chữ, số, \"-\" và \"_\" (tối đa 64 ký tự)"
    else:
        what = f"mã trường \"{sid}\" không có trong bảng school"
    if guess == ALL:
        return what + f"; không biết dòng này thuộc trường nào nên cả bảng {table.name} bị từ chối"
    if guess:
        return what + (f"; dòng này có lẽ thuộc trường {guess} nên trường {guess} không được lập "
                       "kế hoạch cho đến khi sửa (nếu không, số liệu sẽ thiếu dòng này)")
    return what


def _row_problems(table: Table, source: str, row_no: int, owner: tuple[str, str | None],
                  guess: str | None, cells: dict[str, tuple[str, dict[str, str]]]) -> list[Problem]:
    """Problems of one row: its school id, then each invalid cell (text, errors of its column).
    `guess`: the school the row most likely belongs to when its id is wrong (_likely_owners)."""
    sid, wrong = owner
    problems = []
    if wrong:
        problems.append(Problem(source, _id_problem(table, sid, wrong, guess), row_no, "school_id",
                                school_id=guess))
    for col in table.columns:
        text, errors = cells[col.name]
        if text in errors and not (wrong and col.name == "school_id"):
            problems.append(Problem(source, f"\"{clean_text(text)}\" không hợp lệ — {errors[text]}", row_no,
                                    col.name, school_id=guess or (None if wrong == "invalid" else sid)))
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
