"""Shared pieces of the data audit (REFERENCE §d.7): findings, thresholds, the school's
context, typed access to the tables and Vietnamese descriptions of rows.

Pure: works on the frames that `Dataset.school_tables` returns.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from .. import catalogues as cat
from ..formatting import fmt_school_year
from ..schema import SCENARIOS, TABLES

Rows = list[dict]
LOI, CANH_BAO, LUU_Y = "lỗi", "cảnh báo", "lưu ý"
SEVERITY_ORDER = {LOI: 0, CANH_BAO: 1, LUU_Y: 2}
TOTAL = "tong"
LEVEL_GRADES = {"tieu_hoc": (1, 2, 3, 4, 5), "thcs": (6, 7, 8, 9)}
MODEL_TEXT = {"standard": "mô hình hiện hành", "vnen": "mô hình trường học mới"}

BASIS = {  # what the user reads as "Căn cứ": plain Vietnamese, no rule codes
    "V1": "Tổng số phải bằng tổng các thành phần",
    "V2": "Tỉ lệ = số lượng / mẫu số, làm tròn nửa lên đến số chữ số thập phân đã ghi",
    "V3": "Cùng chỉ số, cùng năm học phải có cùng giá trị ở mọi bảng",
    "V4": "Mẫu số phải khớp số học sinh của bảng quy mô",
    "V5": "Tỉ lệ ghi phải đạt được bằng một số nguyên người",
    "V6": ("Thực hiện = năm học trước, ước thực hiện = năm trước/năm nay, kế hoạch = năm học "
           "của văn bản"),
    "V7": ("Trích dẫn văn bản: năm trong số hiệu = năm ban hành, ngày không sau ngày ban hành "
           "kế hoạch"),
    "V10": "Chỉ tiêu khả thi: không thấp hơn mức tối thiểu, không mịn hơn một học sinh",
    "V12": "Nghị định 30/2020/NĐ-CP, Phụ lục I và Phụ lục III (số, ký hiệu văn bản)",
    "V13": "Mức đánh giá phải thuộc thông tư đánh giá đang áp dụng",
    "V14": ("Nghị định 142/2025/NĐ-CP và Nghị quyết 202/2025/QH15: từ 01/7/2025 chính quyền địa "
            "phương hai cấp, trường do UBND xã, phường, đặc khu quản lý"),
    "Q6": "Học sinh khối g năm nay ≈ học sinh khối g−1 năm trước (dự báo theo lứa)",
}

# Vietnamese names of the count columns, by table where the meaning differs.
COLUMN_TEXT = {
    "classes": "số lớp", "students": "số học sinh", "female": "số nữ",
    "ethnic_minority": "số người dân tộc thiểu số",
    "disabled_inclusive": "số học sinh khuyết tật học hòa nhập",
    "disadvantaged": "số học sinh có hoàn cảnh khó khăn",
    "two_session_students": "số học sinh học 2 buổi/ngày",
    "semi_boarding_students": "số học sinh bán trú", "new_intake": "số học sinh tuyển mới",
    "dropouts": "số học sinh bỏ học", "repeaters": "số học sinh lưu ban",
    "bien_che": "số biên chế", "hop_dong": "số hợp đồng", "qual_tren": "số trên chuẩn",
    "qual_dat": "số đạt chuẩn", "qual_chua_dat": "số chưa đạt chuẩn",
    "party_members": "số đảng viên", "rating_tot": "số xếp loại Tốt",
    "rating_kha": "số xếp loại Khá", "rating_dat": "số xếp loại Đạt",
    "rating_chua_dat": "số xếp loại Chưa đạt", "vc_htxsnv": "số hoàn thành xuất sắc nhiệm vụ",
    "vc_httnv": "số hoàn thành tốt nhiệm vụ", "vc_htnv": "số hoàn thành nhiệm vụ",
    "vc_khtnv": "số không hoàn thành nhiệm vụ", "assessed": "số học sinh được đánh giá",
    "completed_grade": "số hoàn thành chương trình lớp học",
    "completed_primary": "số hoàn thành chương trình tiểu học", "promoted": "số lên lớp",
    "retained": "số ở lại lớp", "graduated_lower_secondary": "số tốt nghiệp THCS",
    "award_excellent": "số được khen thưởng xuất sắc",
    "award_outstanding": "số được khen thưởng tiêu biểu",
}
COUNT_TEXT = {"staff_aggregate": "số người", "assessment_result": "số học sinh được đánh giá",
              "facility_room": "số phòng", "equipment": "số lượng"}


@dataclass(frozen=True)
class AuditConfig:
    """Thresholds and severities of the audit (REFERENCE §d.7), kept out of the code."""

    cohort_tolerance_pct: Decimal = Decimal(10)  # a cohort break beyond both limits is noted
    cohort_tolerance_pupils: int = 5
    school_year_end: tuple[int, int] = (5, 31)  # (month, day) in year t+1: a plan issued later is late
    school_year_start: tuple[int, int] = (9, 5)  # norms of a year without a document date
    enrollment_mismatch: str = CANH_BAO  # start-of-year enrolment vs end-of-year assessment
    norm_severity: str = CANH_BAO
    default_sessions: int = 2  # sessions per day when the data does not say
    in_force_from: Mapping = field(default_factory=dict)  # dataset.yaml: regulation start dates moved


@dataclass
class Finding:
    """One problem found in the figures of a school."""

    code: str  # "V1" … "V14", "Q6"
    severity: str  # "lỗi" / "cảnh báo" / "lưu ý"
    school_id: str
    table: str
    where: str  # the rows' key values in Vietnamese
    stated: str  # value as stated by the data, formatted
    expected: str  # computed / expected value, formatted
    explanation: str  # one Vietnamese sentence
    basis: str  # rule or regulation
    keys: list[dict[str, str]] = field(default_factory=list)  # key columns of the rows stating it
    compared_keys: list[dict[str, str]] = field(default_factory=list)  # rows it was checked against
    rows: list[int] = field(default_factory=list)  # spreadsheet rows of `keys`, when known
    compared_rows: list[int] = field(default_factory=list)  # spreadsheet rows of `compared_keys`


@dataclass(frozen=True)
class SchoolContext:
    """What the rules need to know about the school and its document."""

    school_id: str
    level: str | None = None
    terrain: str | None = None
    hardship: bool = False
    num_sites: int | None = None
    land_m2: Decimal | None = None
    abbrev: str | None = None
    plan_year: int | None = None
    doc_date: dt.date | None = None

    def grades(self) -> tuple[int, ...] | None:
        return LEVEL_GRADES.get(self.level or "")

    def norm_date(self, cfg: AuditConfig, year: int | None = None) -> dt.date:
        """Norms are read on the document's date, else at the start of the school year."""
        if self.doc_date is not None:
            return self.doc_date
        month, day = cfg.school_year_start
        return dt.date(year or self.plan_year or dt.date.today().year, month, day)


# --- values and frames --------------------------------------------------------
NA, NAT = pd.NA, pd.NaT  # looked up once: the rules test millions of cells


def missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is NA or v is NAT


def num(v: object) -> int | None:
    """An integer cell, None when empty."""
    if type(v) is int:  # the usual case, as table_rows gives it
        return v
    return None if missing(v) else int(v)


def _clean(kind: str, v: object) -> object:
    if v is None or missing(v):
        return None
    if kind == "int" or (kind == "grade" and v != TOTAL):
        return int(v)
    if kind in ("dec", "percent") and not isinstance(v, Decimal):
        return Decimal(str(v))
    return v


PLAIN = {"int": int, "grade": int, "dec": Decimal, "percent": Decimal, "bool": bool, "date": dt.date}


def _clean_column(kind: str, values: list) -> list:
    """_clean of every value; a value of the kind's plain type is already clean."""
    plain = PLAIN.get(kind, str)
    return [v if type(v) is plain else _clean(kind, v) for v in values]


def table_rows(tables: Mapping[str, pd.DataFrame], name: str) -> Rows:
    """A table as row dicts with every schema column; empty cells None, integers int."""
    cols = TABLES[name].columns
    df = tables.get(name)
    if df is None or df.empty:
        return []
    data = [_clean_column(c.kind, df[c.name].tolist()) if c.name in df.columns else [None] * len(df)
            for c in cols]
    names = [c.name for c in cols]
    return [dict(zip(names, values)) for values in zip(*data)]


def groups(rows: Rows, cols: list[str]) -> Iterator[tuple[tuple, Rows]]:
    """Rows by the values of `cols` (None is a value), in order of appearance."""
    out: dict[tuple, Rows] = {}
    keys = zip(*[[r[c] for r in rows] for c in cols]) if cols else [()] * len(rows)
    for key, r in zip(keys, rows):
        out.setdefault(key, []).append(r)
    yield from out.items()


def select(rows: Rows, **where: object) -> Rows:
    out = list(rows)
    for k, v in where.items():
        out = [r for r in out if r[k] == v]
    return out


def best_scenario(rows: Rows, year: int) -> str | None:
    """The most factual scenario with rows for a year (as indicators.best_scenario)."""
    present = {r["scenario"] for r in rows if r["school_year"] == year}
    return next((s for s in SCENARIOS if s in present), None)


def level_rows(rows: Rows, grades: tuple[int, ...] | None, strict: bool = False) -> Rows:
    """Grade rows when they cover the level, else the stated "tong" row (when not strict,
    incomplete grade rows stand in for a missing total)."""
    parts = [r for r in rows if r["grade"] != TOTAL]
    totals = [r for r in rows if r["grade"] == TOTAL]
    complete = grades is None or set(grades) <= {r["grade"] for r in parts}
    return parts if parts and (complete or not (totals or strict)) else totals


def total(rows: Rows, column: str) -> int:
    return sum(num(r[column]) or 0 for r in rows)


def known_total(rows: Rows, column: str) -> int | None:
    """The sum when every row reports the column; None for no rows or a value not reported."""
    values = [num(r[column]) for r in rows]
    return None if not values or None in values else sum(values)


def missing_grades(rows: Rows, grades: tuple[int, ...] | None) -> tuple[int, ...]:
    """The level's grades with no row, when the year has grade rows and no stated total."""
    parts = {r["grade"] for r in rows if r["grade"] != TOTAL}
    if grades is None or not parts or any(r["grade"] == TOTAL for r in rows):
        return ()
    return tuple(g for g in grades if g not in parts)


def plan_size(enr: Rows, ctx: SchoolContext) -> tuple[int, int] | None:
    """Classes and pupils of the plan year (the plan scenario when present)."""
    if ctx.plan_year is None:
        return None
    present = {r["scenario"] for r in enr if r["school_year"] == ctx.plan_year}
    scenario = "plan" if "plan" in present else best_scenario(enr, ctx.plan_year)
    rows = level_rows(select(enr, school_year=ctx.plan_year, scenario=scenario), ctx.grades(), strict=True)
    size = known_total(rows, "classes"), known_total(rows, "students")
    return None if None in size else size


# --- row keys and descriptions -------------------------------------------------
def key_of(table: str, row: Mapping) -> dict[str, str]:
    """The key columns of a row as text (empty for no value): how a finding names a row."""
    return {k: "" if missing(row.get(k)) else str(row.get(k)) for k in TABLES[table].keys}


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def dimension_text(dimension: str, regime: str | None = None) -> str:
    """"mon:toan" -> "Toán"; "hoc_luc" -> "Học lực" (label of the regime when given)."""
    kind, _, subject = dimension.partition(":")
    regimes = cat.regimes()
    if subject:
        return cat.dimension_label("tt27_2020", dimension)
    for code in ([regime] if regime in regimes else []) + list(regimes):
        if kind in regimes[code]["dimensions"]:
            return regimes[code]["dimensions"][kind]["label"]
    return dimension


KEY_TEXT = {
    "school_year": lambda v: f"năm học {fmt_school_year(int(v))}",
    "scenario": lambda v: _lower_first(cat.label("scenario", v)),
    "grade": lambda v: "dòng tổng" if v == TOTAL else f"khối {v}",
    "program_model": lambda v: MODEL_TEXT.get(v, v),
    "role": lambda v: "dòng tổng" if v == TOTAL else _lower_first(cat.label("role", v)),
    "category": lambda v: "dòng tổng" if v == TOTAL else _lower_first(cat.category_label(v)),
    "target_id": lambda v: f"chỉ tiêu {v}",
    "seq": lambda v: f"căn cứ thứ {v}",
    "room_type": lambda v: _lower_first(cat.label("room_type", v)),
    "construction": lambda v: _lower_first(cat.label("construction", v)),
    "item": lambda v: _lower_first(cat.label("equipment", v)),
}


def describe(table: str, row: Mapping) -> str:
    """Vietnamese description of a row by its key values: "năm học 2018-2019, thực hiện, khối 6"."""
    bits = []
    for k in TABLES[table].keys:
        v = row.get(k)
        if missing(v):
            continue
        if k == "dimension":
            text = dimension_text(v, row.get("regime"))
            bits.append(text if ":" in v else _lower_first(text))
        elif k in KEY_TEXT:
            bits.append(KEY_TEXT[k](v))
    return ", ".join(bits)


def finding(code: str, severity: str, ctx: SchoolContext, table: str, rows: list[Mapping],
            stated: str, expected: str, explanation: str, basis: str | None = None,
            compared: list[Mapping] = (), where: str | None = None) -> Finding:
    """A finding about `rows` (holding the stated value), checked against `compared` rows."""
    place = where if where is not None else describe(table, rows[0]) if rows else ""
    return Finding(code, severity, ctx.school_id, table, place, stated, expected, explanation,
                   basis or BASIS.get(code, code), [key_of(table, r) for r in rows],
                   [key_of(table, r) for r in compared])
