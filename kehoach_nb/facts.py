"""Gather a school's indicators for one plan year into one plain object (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from . import indicators as ind

CBQL = ["hieu_truong", "pho_hieu_truong"]
TEACHERS = ["giao_vien", "tong_phu_trach_doi"]
STAFF_NV = ["nhan_vien", "bao_ve", "phuc_vu"]


@dataclass
class StaffFacts:
    year: int
    scenario: str
    by_role: pd.DataFrame
    total: int | None  # None = a figure was not reported (never 0)
    cbql: int | None
    teachers: int | None  # giao_vien + TPT Đội
    teaching: int | None  # giao_vien only (S2 numerator)
    nv: int | None
    qualification: dict | None
    ratings: dict | None
    party: tuple[int, int] | None
    teachers_per_class: Decimal | None
    teacher_norm: int | None
    vice_principals: int | None
    vice_principal_norm: int | None
    stated: dict | None = None  # the staff list's stated total row ("tong"), when there is one


@dataclass
class Facts:
    school: dict
    meta: dict
    year: int  # plan year t
    level: str
    on: dt.date  # date norms are read on
    scales: dict[int, ind.Scale] = field(default_factory=dict)  # most factual scale per year
    plan: ind.Scale | None = None
    previous: ind.Scale | None = None
    staff: StaffFacts | None = None
    rooms: pd.DataFrame | None = None
    rooms_year: int | None = None
    equipment: pd.DataFrame | None = None
    results_year: int | None = None
    results_scenario: str | None = None
    distributions: list[ind.Distribution] = field(default_factory=list)  # latest year
    result_sets: list[tuple[int, str, list[ind.Distribution]]] = field(default_factory=list)
    completion: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    targets: pd.DataFrame | None = None
    class_cap: int | None = None
    sessions: int | None = None  # 1 or 2 sessions a day; None when the data does not say


def _scales(enr: pd.DataFrame, level: str) -> dict[int, ind.Scale]:
    out = {}
    for year in sorted(set(enr["school_year"])):
        scen = ind.best_scenario(enr, year)
        sc = ind.scale(enr, year, scen, level) if scen else None
        if sc:
            out[year] = sc
    return out


def _staff(staff: pd.DataFrame, year: int, classes: int | None, f: Facts) -> StaffFacts | None:
    scen = ind.best_scenario(staff, year)
    if scen is None:
        return None
    by_role = ind.staff_by_role(staff, year, scen)
    if by_role.empty:
        return None
    teaching = ind.role_count(by_role, "giao_vien")
    qual = ind.rates(by_role, ["giao_vien"], ["qual_tren", "qual_dat", "qual_chua_dat"])
    party_n = ind.group_sum(by_role, list(by_role.index), "party_members")
    total = ind.staff_total(by_role)
    stated = ind.rows_for(staff, year, scen)
    stated = stated[stated["role"] == ind.CLAIMED]
    return StaffFacts(
        year, scen, by_role, total,
        cbql=ind.roles_count(by_role, CBQL),
        teachers=ind.roles_count(by_role, TEACHERS),
        teaching=teaching,
        nv=ind.roles_count(by_role, STAFF_NV),
        qualification=qual,
        ratings=ind.rates(by_role, ["giao_vien"], ["rating_tot", "rating_kha", "rating_dat",
                                                  "rating_chua_dat"]),
        party=(party_n, total) if party_n is not None else None,
        teachers_per_class=ind.teachers_per_class(teaching, classes),
        teacher_norm=ind.teacher_norm(classes, f.level, f.sessions, f.on),
        vice_principals=ind.role_count(by_role, "pho_hieu_truong"),
        vice_principal_norm=ind.vice_principal_norm(
            classes, f.school.get("terrain_zone"), f.level, f.school.get("num_sites"), f.on),
        stated=stated.iloc[0].to_dict() if len(stated) else None,
    )


def _latest_year(df: pd.DataFrame, upto: int) -> int | None:
    years = [y for y in set(df["school_year"]) if y <= upto]
    return max(years) if years else None


def compute_facts(tables: dict[str, pd.DataFrame], meta: dict, year: int, places: int = 1) -> Facts:
    """Every number the plan needs, for plan year `year` (previous year = year − 1)."""
    school = tables["school"].iloc[0].to_dict()
    level = school["school_level"]
    f = Facts(school, meta, year, level, meta["issue_date"])
    from . import catalogues as cat

    cap = cat.norm("class_size_max", level, f.on)
    f.class_cap = cap["value"] if cap else None
    enr = tables["enrollment_by_grade"]
    f.scales = _scales(enr, level)
    f.plan = f.scales.get(year)
    f.previous = f.scales.get(year - 1)
    base = f.previous or f.plan
    if base is not None and "two_session_students" in base.by_grade:
        two = ind.total(base.by_grade["two_session_students"])  # not reported: unknown, not 1
        # the share of the grades entered (both counts over the same grades) when one is missing
        pupils = base.students if base.students is not None else ind.total(base.by_grade["students"])
        if two is not None and pupils:
            f.sessions = 2 if two * 2 >= pupils else 1
    f.staff = _staff(tables["staff_aggregate"], year - 1, base.classes if base else None, f)
    if f.staff is None:
        f.staff = _staff(tables["staff_aggregate"], year, f.plan.classes if f.plan else None, f)
    f.rooms_year = _latest_year(tables["facility_room"], year)
    if f.rooms_year is not None:
        f.rooms = ind.rooms_for(tables["facility_room"], f.rooms_year)
    eq = tables["equipment"]
    ey = _latest_year(eq, year)
    f.equipment = eq[eq["school_year"] == ey] if ey is not None else None
    results = ind.with_regime(tables["assessment_result"], level)
    f.results_year = _latest_year(results[results["scenario"] != "plan"], year - 1) or _latest_year(
        results, year)
    for y in sorted(set(results.loc[results["scenario"] != "plan", "school_year"])):
        if y < year:
            scen = ind.best_scenario(results, y)
            f.result_sets.append((y, scen, ind.distributions(results, y, scen, places)))
    if f.results_year is not None:
        f.results_scenario = ind.best_scenario(results, f.results_year)
        f.distributions = ind.distributions(results, f.results_year, f.results_scenario, places)
    f.completion = _completion(tables["completion_outcome"], year - 1, level)
    f.targets = tables["target"][tables["target"]["school_year"] == year]
    return f


def _completion(outcomes: pd.DataFrame, year: int, level: str) -> dict:
    scen = ind.best_scenario(outcomes, year)
    if scen is None:
        return {}
    last = 5 if level == "tieu_hoc" else 9
    out = {
        "E1": ind.completion(outcomes, year, scen, "completed_grade"),
        "E2": ind.completion(outcomes, year, scen, "completed_primary", [last]),
        "E17": ind.completion(outcomes, year, scen, "promoted"),
        "E18": ind.completion(outcomes, year, scen, "graduated_lower_secondary", [last]),
        "E8": ind.award_rate(outcomes, year, scen),
        "scenario": scen,
    }
    return {k: v for k, v in out.items() if v is not None}


def placeholder_values(f: Facts) -> tuple[dict[str, str], dict[str, str]]:
    """Indicators an analyst may quote as {{ name }}: (formatted text, plain number)."""
    from . import formatting as fm

    raw: dict[str, object] = {}
    if f.plan:
        raw.update(so_lop=f.plan.classes, so_hoc_sinh=f.plan.students)
    if f.previous:
        raw.update(so_lop_nam_truoc=f.previous.classes, so_hoc_sinh_nam_truoc=f.previous.students)
    if f.plan and f.previous:
        raw["tang_giam_hoc_sinh"] = ind.delta(f.plan.students, f.previous.students)
    if f.staff:
        raw.update(so_can_bo_giao_vien_nhan_vien=f.staff.total, so_giao_vien=f.staff.teachers)
    raw = {k: v for k, v in raw.items() if v is not None}
    for code, name in (("E1", "ty_le_hoan_thanh_chuong_trinh_lop_hoc"),
                       ("E2", "ty_le_hoan_thanh_chuong_trinh_cap_hoc"), ("E17", "ty_le_len_lop"),
                       ("E8", "ty_le_khen_thuong")):
        if code in f.completion and fm.pct(*f.completion[code]) is not None:
            raw[name] = fm.pct(*f.completion[code])
    text = {k: (fm.fmt_percent(v) if k.startswith("ty_le") else fm.fmt_int(v)) for k, v in raw.items()}
    text.update(ten_truong=f.school["name"], nam_hoc=fm.fmt_school_year(f.year))
    return text, {k: str(v) for k, v in raw.items()}
