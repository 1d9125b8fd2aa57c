"""Indicators as pure functions of a school's tables (REFERENCE §d).

Rates come from formatting.pct (Decimal, half-up); a zero denominator gives None,
which the report shows as "—". Rows with grade/role/category "tong" are totals
stated by a document (claimed) and never enter a computation, except that a
total with no parts at all stands for itself.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from . import catalogues as cat
from .formatting import pct, ratio

CLAIMED = "tong"


def _num(series: pd.Series) -> int:
    return int(sum(int(v) for v in series if v is not None and not pd.isna(v)))


def rows_for(df: pd.DataFrame, year: int, scenario: str | None = None) -> pd.DataFrame:
    out = df[df["school_year"] == year]
    return out if scenario is None else out[out["scenario"] == scenario]


def parts(df: pd.DataFrame, column: str = "grade") -> pd.DataFrame:
    return df[df[column] != CLAIMED]


def best_scenario(df: pd.DataFrame, year: int, order=("actual", "estimate", "plan")) -> str | None:
    """The most factual scenario that has rows for a year."""
    present = set(df.loc[df["school_year"] == year, "scenario"])
    return next((s for s in order if s in present), None)


@dataclass(frozen=True)
class Scale:
    """Q1/Q2: classes and pupils of one year and scenario, by grade."""

    year: int
    scenario: str
    by_grade: pd.DataFrame  # grade, classes, students (+ other counts), sorted
    classes: int
    students: int
    from_parts: bool


LEVEL_GRADES = {"tieu_hoc": {1, 2, 3, 4, 5}, "thcs": {6, 7, 8, 9}}


def scale(enr: pd.DataFrame, year: int, scenario: str, level: str | None = None) -> Scale | None:
    """Scale of a year; a stated total stands in when the grade rows do not cover the level."""
    rows = rows_for(enr, year, scenario)
    if rows.empty:
        return None
    grades = parts(rows)
    claimed = rows[rows["grade"] == CLAIMED]
    partial = level is not None and not LEVEL_GRADES[level] <= set(grades["grade"])
    if len(claimed) and partial:
        grades = grades.iloc[0:0]
    source = grades if len(grades) else (claimed if len(claimed) else rows)
    cols = [c for c in enr.columns if c not in ("school_id", "school_year", "scenario", "grade",
                                                "program_model", "claimed_mobilisation_rate")]
    cols = [c for c in cols if grades[c].notna().any()]
    by_grade = (grades.groupby("grade")[cols].agg(_num).reset_index().sort_values("grade")
                if len(grades) else grades)
    return Scale(year, scenario, by_grade, _num(source["classes"]), _num(source["students"]),
                 bool(len(grades)))


def students_per_class(students: int, classes: int) -> Decimal | None:
    """Q3: average class size, 1 decimal."""
    return ratio(students, classes, 1)


def grades_over_cap(sc: Scale, cap: int) -> list[int]:
    """Q4 (aggregate form): grades where at least one class must exceed the cap."""
    g = sc.by_grade
    return [int(r.grade) for r in g.itertuples() if r.students > cap * r.classes]


def delta(now: int | None, before: int | None) -> int | None:
    """Q5: signed change."""
    return None if now is None or before is None else now - before


def school_size_status(classes: int, level: str, hardship: bool, on: dt.date) -> str | None:
    """Q7: "duoi" / "dat" / "vuot" against TT13 school size, None without a rule."""
    rule = cat.norm("school_size", level, on)
    if rule is None:
        return None
    low = rule["min_hardship"] if hardship else rule["min"]
    return "duoi" if classes < low else ("vuot" if classes > rule["max"] else "dat")


def share(sc: Scale, column: str) -> Decimal | None:
    """Q13/Q14/Q16: share of pupils with a property (two_session_students, …)."""
    if column not in sc.by_grade or sc.by_grade[column].isna().all():
        return None
    return pct(_num(sc.by_grade[column]), sc.students)


# --- staff (S) -------------------------------------------------------------
GROUPS = {"hieu_truong": "cbql", "pho_hieu_truong": "cbql", "giao_vien": "giao_vien",
          "tong_phu_trach_doi": "giao_vien", "nhan_vien": "nhan_vien", "bao_ve": "nhan_vien",
          "phuc_vu": "nhan_vien"}


def _in_catalogue_order(df: pd.DataFrame, column: str, group: str) -> pd.DataFrame:
    """Rows ordered as the code list in labels.yaml, so input row order never matters."""
    order = {code: i for i, code in enumerate(cat.codes(group))}
    return df.iloc[sorted(range(len(df)), key=lambda i: (order.get(df[column].iloc[i], len(order)),
                                                          str(df[column].iloc[i])))]


def staff_by_role(staff: pd.DataFrame, year: int, scenario: str) -> pd.DataFrame:
    rows = _in_catalogue_order(parts(rows_for(staff, year, scenario), "role"), "role", "role")
    return rows.set_index("role") if len(rows) else rows


def role_count(by_role: pd.DataFrame, role: str, column: str = "count") -> int:
    if role not in by_role.index:
        return 0
    value = by_role.loc[role, column]
    return 0 if value is None or pd.isna(value) else int(value)


def staff_total(by_role: pd.DataFrame) -> int:
    """S1: every person on the staff list."""
    return _num(by_role["count"]) if len(by_role) else 0


def teachers_per_class(teachers: int, classes: int) -> Decimal | None:
    """S2: teaching staff (without CBQL and TPT Đội) per class, 2 decimals."""
    return ratio(teachers, classes, 2)


def teacher_norm(classes: int, level: str, sessions: int, on: dt.date) -> int | None:
    """S3: maximum teachers, floor(classes × ratio) under the rule in force."""
    rule = cat.norm("teachers_per_class", level, on, sessions=sessions)
    return None if rule is None else math.floor(classes * cat.norm_value(rule))


def vice_principal_norm(classes: int, terrain: str | None, level: str, num_sites: int | None,
                        on: dt.date) -> int | None:
    """S5: allowed vice-principals (TH gets one more with ≥ 5 sites)."""
    rule = cat.norm("vice_principal_threshold", level, on, terrain=terrain or "dong_bang")
    if rule is None:
        return None
    n = 2 if classes >= rule["value"] else 1
    return n + (1 if level == "tieu_hoc" and (num_sites or 0) >= 5 else 0)


def group_sum(by_role: pd.DataFrame, roles: list[str], column: str) -> int | None:
    rows = by_role.loc[[r for r in roles if r in by_role.index]] if len(by_role) else by_role
    if rows.empty or column not in rows or rows[column].isna().all():
        return None
    return _num(rows[column])


def rates(by_role: pd.DataFrame, roles: list[str], columns: list[str],
          places: int = 1) -> dict[str, Decimal | None] | None:
    """S6/S8/S10/S11: pct of each column over the group's headcount."""
    total = group_sum(by_role, roles, "count")
    values = {c: group_sum(by_role, roles, c) for c in columns}
    if total is None or all(v is None for v in values.values()):
        return None
    return {c: (pct(v, total, places) if v is not None else None) for c, v in values.items()}


# --- facilities (F) --------------------------------------------------------
def rooms_for(rooms: pd.DataFrame, year: int) -> pd.DataFrame:
    return _in_catalogue_order(rooms[rooms["school_year"] == year], "room_type", "room_type")


def total_rooms(rooms: pd.DataFrame) -> int:
    """F1."""
    return _num(rooms["count"]) if len(rooms) else 0


def classrooms_per_class(rooms: pd.DataFrame, classes: int) -> Decimal | None:
    """F2: phòng học per class (≥ 1,0 meets TT17 3.2)."""
    return ratio(_num(rooms.loc[rooms["room_type"] == "phong_hoc", "count"]), classes, 2)


def construction_rates(rooms: pd.DataFrame) -> dict[str, Decimal | None]:
    """F3: share of rooms by construction type."""
    total = total_rooms(rooms)
    kinds = rooms["construction"].fillna("unknown")
    return {k: pct(_num(rooms.loc[kinds == k, "count"]), total) for k in sorted(set(kinds))}


def land_per_pupil(land_m2: Decimal | None, students: int) -> Decimal | None:
    """F5: m² of land per pupil, 1 decimal."""
    return None if land_m2 is None else ratio(land_m2, students, 1)


# --- results (E) -----------------------------------------------------------
@dataclass(frozen=True)
class Distribution:
    """E5–E7, E11, E14–E16: counts and rates of one dimension's categories."""

    regime: str
    dimension: str
    grade: int | None
    program_model: str
    counts: dict[str, int]
    assessed: int
    rates: dict[str, Decimal | None]


def with_regime(results: pd.DataFrame, level: str) -> pd.DataFrame:
    """Fill the regime of rows that do not name one (by level, grade and year)."""
    out = results.copy()
    missing = out["regime"].isna()
    out.loc[missing, "regime"] = [
        cat.regime_in_force(level, g if isinstance(g, int) else None, y)
        for g, y in zip(out.loc[missing, "grade"], out.loc[missing, "school_year"])]
    return out


def distributions(results: pd.DataFrame, year: int, scenario: str, places: int = 1) -> list[Distribution]:
    rows = parts(rows_for(results, year, scenario), "category")
    out = []
    keys = ["regime", "dimension", "grade", "program_model"]
    rows = rows.assign(grade=rows["grade"].fillna(0), program_model=rows["program_model"].fillna("standard"))
    for (regime, dim, grade, model), g in rows.groupby(keys, sort=False):
        order = cat.categories(regime, dim)
        counts = {c: _num(g.loc[g["category"] == c, "count"]) for c in order}
        assessed = sum(counts.values())
        out.append(Distribution(regime, dim, int(grade) or None, model, counts, assessed,
                                {c: pct(n, assessed, places) for c, n in counts.items()}))
    return sorted(out, key=lambda d: (d.program_model, d.grade or 0, d.regime, d.dimension))


def completion(outcomes: pd.DataFrame, year: int, scenario: str, column: str,
               grades: list[int] | None = None) -> tuple[int, int] | None:
    """E1/E2/E17/E18 as (numerator, assessed) over the chosen grades."""
    rows = parts(rows_for(outcomes, year, scenario))
    if grades is not None:
        rows = rows[rows["grade"].isin(grades)]
    if rows.empty or rows[column].isna().all():
        return None
    return _num(rows[column]), _num(rows["assessed"])


def award_rate(outcomes: pd.DataFrame, year: int, scenario: str) -> tuple[int, int] | None:
    """E8: pupils awarded (Xuất sắc + Tiêu biểu / Giỏi) over assessed."""
    rows = parts(rows_for(outcomes, year, scenario))
    if rows.empty or (rows["award_excellent"].isna().all() and rows["award_outstanding"].isna().all()):
        return None
    return _num(rows["award_excellent"]) + _num(rows["award_outstanding"]), _num(rows["assessed"])
