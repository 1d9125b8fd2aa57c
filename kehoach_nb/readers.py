"""Read the tables of a dataset folder as text cells: CSV files and XLSX sheets.

Every limit (limits.Limits) is checked before the cells are loaded: the file size from the
file system, a sheet's size from its <dimension> element, rows while reading. A file that
cannot be read (encoding, binary content, corrupt or hostile workbook) becomes a Vietnamese
`Problem` naming it; its table is marked unreadable, never a traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .cells import clean_text
from .decoding import DecodeError, decode_text
from .errors import Problem
from .limits import DEFAULT, Limits
from .schema import TABLES

ALL = "*"


@dataclass
class RawTable:
    """Text cells of one table with where they came from."""

    source: str  # "params/demo/x.csv" or "params/demo/a.xlsx, trang tính x"
    header: list[str]
    rows: list[list[str]]
    digest: str
    readable: bool = True  # False: the file could not be read (its problem is reported)


class ReadError(ValueError):
    """Why a file cannot be read, in Vietnamese."""


def _unreadable(source: str) -> RawTable:
    return RawTable(source, [], [], "", readable=False)


def _check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ReadError(f"tệp quá lớn ({size / 1e6:.1f} MB; tối đa {limits.max_file_mb} MB, "
                        "đổi bằng limits: max_file_mb trong dataset.yaml)".replace(".", ","))


def _too_many_rows(limits: Limits) -> ReadError:
    return ReadError(f"bảng có quá {limits.max_rows} dòng (đổi bằng limits: max_rows trong "
                     "dataset.yaml); có thể tệp có dòng rác ở cuối")


def read_csv(path: Path, shown: str, limits: Limits = DEFAULT, encoding: str = "utf-8") -> RawTable:
    _check_size(path, limits)
    data = path.read_bytes()
    try:
        text = decode_text(data, encoding)
    except DecodeError as exc:
        raise ReadError(str(exc)) from None
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(rows) > limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(row)
    except csv.Error as exc:
        raise ReadError(f"tệp CSV không đọc được ở dòng {len(rows) + 1} ({exc})") from None
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


def _sheet_rows(ws, limits: Limits) -> list[list[str]]:
    """A sheet's text rows, refused from its <dimension> before any cell is read."""
    if (ws.max_row or 0) > limits.max_rows + 1:
        raise ReadError(f"trang tính {ws.title} khai báo {ws.max_row} dòng (tối đa {limits.max_rows}"
                        ", đổi bằng limits: max_rows trong dataset.yaml); hãy xóa các dòng, ô thừa")
    if (ws.max_column or 0) > limits.max_columns:
        raise ReadError(f"trang tính {ws.title} khai báo {ws.max_column} cột (tối đa "
                        f"{limits.max_columns}, đổi bằng limits: max_columns); hãy xóa các cột, ô thừa")
    rows, blank = [], 0  # trailing blank rows are dropped, so they are only counted
    for n, values in enumerate(ws.iter_rows(values_only=True, max_col=limits.max_columns), start=1):
        if n > limits.max_rows + 1:
            raise _too_many_rows(limits)
        cells = [_xlsx_cell(v) for v in values]
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        rows += [[]] * blank + [cells]
        blank = 0
    return rows


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — any failure of a hostile or corrupt file is reported
        kind = type(exc).__name__
        raise ReadError("tệp XLSX bị hỏng, chứa nội dung không an toàn hoặc không phải tệp Excel .xlsx (" + kind + "); hãy mở "
                        "bằng Excel và lưu lại dạng Sổ làm việc Excel (.xlsx)") from None


def read_xlsx(path: Path, shown: str, limits: Limits = DEFAULT) -> dict[str, RawTable]:
    _check_size(path, limits)
    wb = _open_workbook(path)
    out = {}
    try:
        for ws in wb.worksheets:
            source = f"{shown}, trang tính {ws.title}"
            try:
                rows = _sheet_rows(ws, limits)
            except ReadError:
                raise
            except Exception as exc:  # noqa: BLE001 — entity expansion, broken XML, …
                raise ReadError(f"trang tính {ws.title} không đọc được ({type(exc).__name__}): tệp "
                                "bị hỏng hoặc chứa nội dung không an toàn; hãy lưu lại bằng Excel") from None
            header = [clean_text(h) for h in rows[0]] if rows else []
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            out[ws.title] = RawTable(source, header, rows[1:], digest)
    finally:
        wb.close()
    return out


def read_raw_tables(root: Path, shown: Path, limits: Limits = DEFAULT,
                    encoding: str = "utf-8") -> tuple[dict[str, RawTable], list[Problem]]:
    """Find each table as <name>.csv or as a sheet of an XLSX workbook."""
    found: dict[str, RawTable] = {}
    problems = []
    for path in sorted(root.glob("*.xlsx")):
        try:
            found.update(read_xlsx(path, str(shown / path.name), limits))
        except (ReadError, OSError) as exc:
            problems.append(_file_problem(shown / path.name, exc))
    for path in sorted(root.glob("*.csv")):
        name, where = path.stem, str(shown / path.name)
        if name in found:
            problems.append(Problem(where, f"bảng {name} có cả tệp CSV và trang tính XLSX; chỉ giữ một",
                                    school_id=ALL))
        try:
            found[name] = read_csv(path, where, limits, encoding)
        except (ReadError, OSError) as exc:
            problems.append(_file_problem(shown / path.name, exc))
            found[name] = _unreadable(where)
    for name, raw in found.items():
        if name not in TABLES:
            problems.append(Problem(raw.source, f"bảng \"{name}\" không có trong mẫu dữ liệu",
                                    school_id=ALL))
    return found, problems


def _file_problem(shown: Path, exc: Exception) -> Problem:
    reason = str(exc) if isinstance(exc, ReadError) else f"không đọc được tệp ({exc.strerror or exc})"
    return Problem(str(shown), reason, school_id=ALL)
