"""V11: figures against the norms in force (catalogues/norms.yaml via indicators)."""

from __future__ import annotations

from collections.abc import Mapping

from .. import catalogues as cat
from .. import indicators as ind
from .base import (
    TOTAL, AuditConfig, Finding, Rows, SchoolContext, best_scenario, describe, finding, known_total,
    level_rows, num, select,
)
from ..formatting import fmt_dec, fmt_int, fmt_school_year, ratio

SIZE_TEXT = {"duoi": "dưới mức tối thiểu", "vuot": "vượt mức tối đa"}


def _year_rows(enr: Rows, year: int) -> Rows:
    return select(enr, school_year=year, scenario=best_scenario(enr, year))


def _classes_students(rows: Rows, grades: tuple[int, ...] | None) -> tuple[int | None, int | None, Rows]:
    """The year's classes and pupils: grade rows when they cover the level, else the stated
    total; unknown (None) when a grade or a count was not reported."""
    used = level_rows(rows, grades, strict=True)
    return known_total(used, "classes"), known_total(used, "students"), used


def _year_scope(year: int, rows: list[Mapping]) -> str:
    return describe("enrollment_by_grade", {"school_year": year, "scenario": rows[0]["scenario"]})


def _sessions(rows: list[Mapping], students: int, cfg: AuditConfig) -> int:
    two = [num(r["two_session_students"]) for r in rows if num(r["two_session_students"]) is not None]
    return (2 if sum(two) * 2 >= students else 1) if two else cfg.default_sessions


def class_size(enr: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """Aggregate form of Q4: a grade with more pupils than cap × classes has a class over the cap."""
    out = []
    for year in sorted({r["school_year"] for r in enr}):
        rule = cat.norm("class_size_max", ctx.level, ctx.norm_date(cfg, year)) if ctx.level else None
        if rule is None:
            continue
        used = level_rows(_year_rows(enr, year), ctx.grades())  # each grade stands on its own
        cap = rule["value"]
        for row in used:
            classes, students = num(row["classes"]) or 0, num(row["students"]) or 0
            if classes and students > cap * classes:
                where = "toàn trường" if row["grade"] == TOTAL else f"khối {row['grade']}"
                mean = fmt_dec(ratio(students, classes, 1), 1)
                text = (f"Năm học {fmt_school_year(year)}, {where} có {fmt_int(students)} học sinh "
                        f"trong {fmt_int(classes)} lớp (bình quân {mean} học sinh/lớp), vượt sĩ số tối "
                        f"đa {fmt_int(cap)} học sinh/lớp.")
                out.append(finding("V11", cfg.norm_severity, ctx, "enrollment_by_grade", [row],
                                   fmt_int(students), f"≤ {fmt_int(cap * classes)}", text,
                                   rule["basis"]))
    return out


def _staff_rows(staff: Rows, year: int) -> Rows:
    rows = select(staff, school_year=year, scenario=best_scenario(staff, year))
    return [r for r in rows if r["role"] != TOTAL]


def staffing(enr: Rows, staff: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """Teachers at most floor(classes × ratio); vice-principals at most the allowed number."""
    out = []
    for year in sorted({r["school_year"] for r in staff} & {r["school_year"] for r in enr}):
        rows = _staff_rows(staff, year)
        classes, students, used = _classes_students(_year_rows(enr, year), ctx.grades())
        if not rows or not classes or students is None or ctx.level is None:
            continue
        on = ctx.norm_date(cfg, year)
        teachers = [r for r in rows if r["role"] == "giao_vien"]
        sessions = _sessions(used, students, cfg)
        norm = ind.teacher_norm(classes, ctx.level, sessions, on)
        n = sum(num(r["count"]) or 0 for r in teachers)
        if teachers and norm is not None and n > norm:
            rule = cat.norm("teachers_per_class", ctx.level, on, sessions=sessions)
            text = (f"Năm học {fmt_school_year(year)} có {fmt_int(n)} giáo viên cho {fmt_int(classes)} "
                    f"lớp, vượt định mức tối đa {fmt_int(norm)} giáo viên (thừa {fmt_int(n - norm)}).")
            out.append(finding("V11", cfg.norm_severity, ctx, "staff_aggregate", teachers, fmt_int(n),
                               f"≤ {fmt_int(norm)}", text, rule["basis"] if rule else None))
        out += _vice_principals(rows, classes, year, on, ctx, cfg)
    return out


def _vice_principals(rows, classes, year, on, ctx, cfg) -> list[Finding]:
    vps = [r for r in rows if r["role"] == "pho_hieu_truong"]
    allowed = ind.vice_principal_norm(classes, ctx.terrain, ctx.level, ctx.num_sites, on)
    n = sum(num(r["count"]) or 0 for r in vps)
    if not vps or allowed is None or n <= allowed:
        return []
    rule = cat.norm("vice_principal_threshold", ctx.level, on, terrain=ctx.terrain or "dong_bang")
    text = (f"Năm học {fmt_school_year(year)} có {fmt_int(n)} phó hiệu trưởng nhưng trường có "
            f"{fmt_int(classes)} lớp chỉ được bố trí tối đa {fmt_int(allowed)} phó hiệu trưởng.")
    return [finding("V11", cfg.norm_severity, ctx, "staff_aggregate", vps, fmt_int(n),
                    f"≤ {fmt_int(allowed)}", text, rule["basis"] if rule else None)]


def school_size(enr: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """Q7: classes of each year within the TT 13/2020 school size."""
    out = []
    for year in sorted({r["school_year"] for r in enr}) if ctx.level else []:
        on = ctx.norm_date(cfg, year)
        classes, _, used = _classes_students(_year_rows(enr, year), ctx.grades())
        if classes is None:
            continue
        status = ind.school_size_status(classes, ctx.level, ctx.hardship, on)
        if status in SIZE_TEXT and used:
            rule = cat.norm("school_size", ctx.level, on)
            low = rule["min_hardship"] if ctx.hardship else rule["min"]
            size_range = f"{fmt_int(low)}–{fmt_int(rule['max'])}"
            text = (f"Năm học {fmt_school_year(year)} trường có {fmt_int(classes)} lớp, "
                    f"{SIZE_TEXT[status]} về quy mô ({size_range} lớp).")
            out.append(finding("V11", cfg.norm_severity, ctx, "enrollment_by_grade", used,
                               fmt_int(classes), size_range, text, rule["basis"],
                               where=_year_scope(year, used)))
    return out


def land_per_pupil(enr: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """F5: land area per pupil of the latest year at least the TT 13/2020 minimum."""
    years = sorted({r["school_year"] for r in enr})
    if ctx.land_m2 is None or not years or ctx.level is None:
        return []
    year = ctx.plan_year if ctx.plan_year in years else years[-1]
    on = ctx.norm_date(cfg, year)
    rule = cat.norm("land_per_pupil_m2", ctx.level, on)
    _, students, used = _classes_students(_year_rows(enr, year), ctx.grades())
    area = ind.land_per_pupil(ctx.land_m2, students)
    minimum = (rule.get("value_hardship") if ctx.hardship else rule.get("value")) if rule else None
    if area is None or minimum is None or area >= minimum:
        return []
    text = (f"Năm học {fmt_school_year(year)}, diện tích khuôn viên bình quân là {fmt_dec(area, 1)} "
            f"m²/học sinh, dưới mức tối thiểu {fmt_int(minimum)} m²/học sinh.")
    return [finding("V11", cfg.norm_severity, ctx, "enrollment_by_grade", used, fmt_dec(area, 1),
                    f"≥ {fmt_int(minimum)}", text, rule["basis"], where=_year_scope(year, used))]
