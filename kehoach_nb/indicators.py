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
# a facility row whose note contains one of these gives only part of its count
PARTIAL_MARKS = ("không nêu", "chưa nêu", "chưa rõ", "chưa đủ số liệu")


def _missing(v) -> bool:
    return v is None or bool(pd.isna(v))


def total(series) -> int | None:
    """Sum of reported values; None as soon as one value was not reported (a sum of the parts
    that were entered is not the total). No rows at all sum to 0."""
    values = list(series)
    if any(_missing(v) for v in values):
        return None
    return int(sum(int(v) for v in values))


_num = total  # the one summing rule: missing is never 0


def known_sum(values) -> int | None:
    """Sum of values that are all known (None when any is None)."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


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
    classes: int | None  # None when a value or a grade of the level was not reported
    students: int | None
    from_parts: bool
    missing_grades: tuple[int, ...] = ()  # grades of the level with no row (no stated total)


LEVEL_GRADES = {"tieu_hoc": {1, 2, 3, 4, 5}, "thcs": {6, 7, 8, 9}}


def scale(enr: pd.DataFrame, year: int, scenario: str, level: str | None = None) -> Scale | None:
    """Scale of a year; a stated total stands in when the grade rows do not cover the level.
    Without one, the year's totals are unknown (None): the grades entered are not the school."""
    rows = rows_for(enr, year, scenario)
    if rows.empty:
        return None
    grades = parts(rows)
    claimed = rows[rows["grade"] == CLAIMED]
    missing = tuple(sorted(LEVEL_GRADES[level] - set(grades["grade"]))) if level and len(grades) else ()
    if len(claimed) and missing:
        grades, missing = grades.iloc[0:0], ()
    source = grades if len(grades) else (claimed if len(claimed) else rows)
    cols = [c for c in enr.columns if c not in ("school_id", "school_year", "scenario", "grade",
                                                "program_model", "claimed_mobilisation_rate")]
    cols = [c for c in cols if grades[c].notna().any()]
    by_grade = (grades.groupby("grade")[cols].agg(_num).reset_index().sort_values("grade")
                if len(grades) else grades)
    if missing:
        return Scale(year, scenario, by_grade, None, None, True, missing)
    return Scale(year, scenario, by_grade, _num(source["classes"]), _num(source["students"]),
                 bool(len(grades)))


def students_per_class(students: int | None, classes: int | None) -> Decimal | None:
    """Q3: average class size, 1 decimal."""
    return None if students is None or classes is None else ratio(students, classes, 1)


def grades_over_cap(sc: Scale, cap: int) -> list[int]:
    """Q4 (aggregate form): grades where at least one class must exceed the cap."""
    g = sc.by_grade
    return [int(r.grade) for r in g.itertuples()
            if not _missing(r.students) and not _missing(r.classes) and r.students > cap * r.classes]


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
    n = total(sc.by_grade[column])
    return None if n is None else pct(n, sc.students)


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


def role_count(by_role: pd.DataFrame, role: str, column: str = "count") -> int | None:
    """A role's figure; None when the role is not on the list or the cell was left blank."""
    if role not in by_role.index or column not in by_role:
        return None
    value = by_role.loc[role, column]
    return None if _missing(value) else int(value)


def roles_count(by_role: pd.DataFrame, roles: list[str]) -> int | None:
    """Head count of the listed roles that are on the staff list; None when none is."""
    present = [role_count(by_role, r) for r in roles if r in by_role.index]
    return known_sum(present) if present else None


def staff_total(by_role: pd.DataFrame) -> int | None:
    """S1: every person on the staff list."""
    return total(by_role["count"]) if len(by_role) else None


def teachers_per_class(teachers: int | None, classes: int | None) -> Decimal | None:
    """S2: teaching staff (without CBQL and TPT Đội) per class, 2 decimals."""
    return None if teachers is None or classes is None else ratio(teachers, classes, 2)


def teacher_norm_rule(level: str, sessions: int | None, on: dt.date) -> dict | None:
    """The teachers-per-class rule; with sessions unknown, only if 1 and 2 sessions agree."""
    if sessions is not None:
        return cat.norm("teachers_per_class", level, on, sessions=sessions)
    rules = [cat.norm("teachers_per_class", level, on, sessions=s) for s in (1, 2)]
    same = rules[0] is not None and rules[1] is not None and rules[0]["value"] == rules[1]["value"]
    return rules[0] if same else None


def teacher_norm(classes: int | None, level: str, sessions: int | None, on: dt.date) -> int | None:
    """S3: maximum teachers, floor(classes × ratio) under the rule in force."""
    rule = teacher_norm_rule(level, sessions, on)
    return None if rule is None or classes is None else math.floor(classes * cat.norm_value(rule))


def vice_principal_norm(classes: int, terrain: str | None, level: str, num_sites: int | None,
                        on: dt.date) -> int | None:
    """S5: allowed vice-principals (TH gets one more with ≥ 5 sites)."""
    rule = cat.norm("vice_principal_threshold", level, on, terrain=terrain or "dong_bang")
    if rule is None or classes is None:
        return None
    n = 2 if classes >= rule["value"] else 1
    sites = num_sites if num_sites is not None and num_sites == num_sites else 0  # TODO(issue 12): unknown sites
    return n + (1 if level == "tieu_hoc" and sites >= 5 else 0)


def group_sum(by_role: pd.DataFrame, roles: list[str], column: str) -> int | None:
    """Sum of a column over the roles on the list; None unless every one of them reported it."""
    rows = by_role.loc[[r for r in roles if r in by_role.index]] if len(by_role) else by_role
    if rows.empty or column not in rows:
        return None
    return total(rows[column])


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


def partial_rows(rooms: pd.DataFrame) -> pd.Series:
    """Rows whose note says the count is only part of the total ("tổng số … không nêu")."""
    notes = rooms["note"] if "note" in rooms else pd.Series([None] * len(rooms), index=rooms.index)
    marks = PARTIAL_MARKS
    return notes.map(lambda n: isinstance(n, str) and any(m in n.lower() for m in marks))


def room_count(rooms: pd.DataFrame, room_type: str) -> int | None:
    """Rooms of one type; None when no row was entered or a row gives only part of the count."""
    rows = rooms[rooms["room_type"] == room_type]
    if rows.empty or partial_rows(rows).any():
        return None
    return total(rows["count"])


def total_rooms(rooms: pd.DataFrame) -> int | None:
    """F1 (None when a row gives only part of its count)."""
    if rooms.empty or partial_rows(rooms).any():
        return None
    return total(rooms["count"])


def classrooms_per_class(rooms: pd.DataFrame, classes: int | None) -> Decimal | None:
    """F2: phòng học per class (≥ 1,0 meets TT17 3.2)."""
    n = room_count(rooms, "phong_hoc")
    return None if n is None or classes is None else ratio(n, classes, 2)


def construction_rates(rooms: pd.DataFrame) -> dict[str, Decimal | None]:
    """F3: share of rooms by construction type (none when the total is not known)."""
    all_rooms = total_rooms(rooms)
    if all_rooms is None:
        return {}
    kinds = rooms["construction"].fillna("unknown")
    return {k: pct(total(rooms.loc[kinds == k, "count"]), all_rooms) for k in sorted(set(kinds))}


def land_per_pupil(land_m2: Decimal | None, students: int | None) -> Decimal | None:
    """F5: m² of land per pupil, 1 decimal."""
    if land_m2 is None or students is None or land_m2 != land_m2:
        return None
    return ratio(land_m2, students, 1)


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
    n = total(rows[column]) if not rows.empty else None
    return None if n is None else (n, total(rows["assessed"]))


def award_rate(outcomes: pd.DataFrame, year: int, scenario: str) -> tuple[int, int] | None:
    """E8: pupils awarded (Xuất sắc + Tiêu biểu / Giỏi) over assessed."""
    rows = parts(rows_for(outcomes, year, scenario))
    if rows.empty:
        return None
    awarded = known_sum([total(rows["award_excellent"]), total(rows["award_outstanding"])])
    return None if awarded is None else (awarded, total(rows["assessed"]))
