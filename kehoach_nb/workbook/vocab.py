"""What a school workbook shows instead of codes: sheet names, column labels, value labels.

Everything is derived from schema.TABLES plus the texts of labels.yaml and the catalogues,
so a new column or code appears in the workbook without code changes (labelled by its
schema label, or its code, until labels.yaml names it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

from .. import catalogues
from ..cells import COLUMN_LABELS
from ..schema import TABLES, Column, Table

HERE = Path(__file__).parent
GUIDE_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
BOOL_OPTIONS = (("có", "Có"), ("không", "Không"))
ALL_GRADES = tuple(range(1, 13))
LEVEL_GRADES = {"tieu_hoc": (1, 2, 3, 4, 5), "thcs": (6, 7, 8, 9)}


@cache
def texts() -> dict:
    return yaml.safe_load((HERE / "labels.yaml").read_text(encoding="utf-8"))


def fold(text: str) -> str:
    """Compare key of a header or label: NFC, whitespace folded, case-insensitive."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip().casefold()


def _table_texts(table: Table) -> dict:
    return texts()["tables"].get(table.name, {})


def sheet_name(table: Table) -> str:
    return _table_texts(table).get("sheet", table.name)[:31]


def table_of_sheet(title: str) -> Table | None:
    """The table a sheet holds, by its Vietnamese name or its table code."""
    key = fold(title)
    return next((t for t in TABLES.values() if key in (fold(sheet_name(t)), fold(t.name))), None)


def column_label(table: Table, col: Column) -> str:
    own = _table_texts(table).get("columns", {}).get(col.name)
    text = own or texts()["columns"].get(col.name) or col.label or COLUMN_LABELS.get(col.name) or col.name
    return text[:1].upper() + text[1:]


def row_meaning(table: Table) -> str:
    return _table_texts(table).get("row", table.label)


def _value_label(group: str, code: str) -> str:
    own = texts()["values"].get(group, {})
    if code in own:
        return own[code]
    if group == "regime" and code in catalogues.regimes():
        return catalogues.regimes()[code]["label"]
    return catalogues.label(group, code)


def regimes_in_force(level: str | None, years: tuple[int, ...]) -> list[str]:
    """Assessment regimes in force for a level's grades in the given years (all levels if None)."""
    levels = [level] if level in LEVEL_GRADES else list(LEVEL_GRADES)
    found = []
    for lv in levels:
        for grade in LEVEL_GRADES[lv]:
            for year in years:
                regime = catalogues.regime_in_force(lv, grade, year)
                if regime and regime not in found:
                    found.append(regime)
    return found


def _category_codes(regimes: list[str]) -> list[str]:
    out = []
    for regime in regimes:
        for dim in catalogues.regimes()[regime]["dimensions"]:
            out += [c for c in catalogues.categories(regime, dim) if c not in out]
    return out + ["tong"]


@cache
def options(table: Table, col: Column, level: str | None = None,
            years: tuple[int, ...] = ()) -> list[tuple[object, str]] | None:
    """(code, Vietnamese label) choices of an enumerated column, None for a free column.
    Grades follow the school level; categories the regimes in force in `years`."""
    if col.kind == "bool":
        return list(BOOL_OPTIONS)
    if col.kind == "grade":
        return [(g, str(g)) for g in LEVEL_GRADES.get(level, ALL_GRADES)] + [("tong", _value_label("grade", "tong"))]
    if col.kind == "enum":
        return [(c, _value_label(col.name, c)) for c in col.choices if c]
    if table.name == "assessment_result" and col.name == "category":
        regimes = regimes_in_force(level, years) if years else list(catalogues.regimes())
        return [(c, catalogues.category_label(c)) for c in _category_codes(regimes)]
    group = texts()["suggested"].get(col.name)
    if group:
        return [(c, catalogues.label(group, c)) for c in catalogues.codes(group)]
    return None


def strict(col: Column) -> bool:
    """Whether only listed values are allowed (a suggested free-text list only warns)."""
    return col.kind in ("bool", "grade", "enum")


@cache
def _label_index(table_name: str, col_name: str) -> dict[str, tuple[str, ...]]:
    table = TABLES[table_name]
    found: dict[str, list[str]] = {}
    for code, label in options(table, table.column(col_name)) or ():
        found.setdefault(fold(label), []).append(str(code))
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


def to_code(table: Table, col: Column, text: str, row: dict[str, str] | None = None) -> str:
    """The code a cell means: a code stays as it is, a label becomes its code; a label shared by
    several codes (assessment categories) is decided by the row's regime and dimension."""
    if not text or options(table, col) is None:
        return text
    codes = _label_index(table.name, col.name).get(fold(text))
    if not codes or any(fold(c) == fold(text) for c, _ in options(table, col)):
        return text
    if len(codes) > 1 and row is not None:
        codes = _by_context(codes, row)
    return codes[0] if len(codes) == 1 else text


def _by_context(codes: tuple[str, ...], row: dict[str, str]) -> tuple[str, ...]:
    regime, dimension = row.get("regime", ""), row.get("dimension", "")
    regimes = [regime] if regime in catalogues.regimes() else list(catalogues.regimes())
    allowed = {c for r in regimes for c in catalogues.categories(r, dimension)}
    return tuple(c for c in codes if c in allowed)


def to_label(table: Table, col: Column, value: object, row: dict[str, str] | None = None) -> object:
    """What the workbook shows for a value: its label when the label reads back as the same
    code (in this row), else the value itself."""
    if value is None:
        return None
    if col.kind == "bool":
        return "Có" if value else "Không"
    choices = options(table, col)
    if not choices or (col.kind == "grade" and value != "tong"):
        return value
    label = dict((str(c), lab) for c, lab in choices).get(str(value))
    return label if label is not None and to_code(table, col, label, row) == str(value) else value
