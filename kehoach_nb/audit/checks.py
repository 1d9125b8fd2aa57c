"""V3 (same metric across tables), V6 (year labels), V13 (categories of the regime in
force) and the cohort roll-forward of pupils from one year to the next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from .. import catalogues as cat
from .base import (
    CANH_BAO, LOI, LUU_Y, TOTAL, AuditConfig, Finding, Rows, SchoolContext, best_scenario,
    describe, dimension_text, finding, groups, missing, num, select, total,
)
from ..formatting import fmt_date, fmt_int, fmt_school_year

SCENARIO_TABLES = ("enrollment_by_grade", "staff_aggregate", "assessment_result", "completion_outcome")


# --- V3 ----------------------------------------------------------------------------
def completion_vs_enrollment(outcomes: Rows, enr: Rows, ctx: SchoolContext,
                             cfg: AuditConfig) -> list[Finding]:
    """Pupils assessed at year end = pupils of the grade in the enrolment table."""
    out = []
    for row in outcomes:
        same = select(enr, school_year=row["school_year"], scenario=row["scenario"], grade=row["grade"])
        assessed, pupils = num(row["assessed"]), total(same, "students")
        if row["grade"] == TOTAL or not same or assessed is None or pupils == assessed:
            continue
        text = (f"Khối {row['grade']} năm học {fmt_school_year(row['school_year'])} có "
                f"{fmt_int(assessed)} học sinh được đánh giá nhưng bảng quy mô ghi {fmt_int(pupils)} "
                "học sinh.")
        out.append(finding("V3", cfg.enrollment_mismatch, ctx, "completion_outcome", [row],
                           fmt_int(assessed), fmt_int(pupils), text))
    return out


# --- V6 ----------------------------------------------------------------------------
def _scenario_verdict(scenario: str, year: int, t: int) -> tuple[str, str, str] | None:
    """(severity, expected label, explanation) of a scenario used for a year."""
    label, plan = fmt_school_year(year), fmt_school_year(t)
    if scenario == "actual" and year >= t:
        return (LOI, "ước thực hiện hoặc kế hoạch",
                f"Số liệu thực hiện của năm học {label} chưa thể có khi lập kế hoạch năm học {plan}.")
    if scenario == "estimate" and year not in (t - 1, t):
        return (CANH_BAO, "thực hiện" if year < t else "kế hoạch",
                f"Số liệu ước thực hiện chỉ dùng cho năm học {fmt_school_year(t - 1)} hoặc {plan}, "
                f"không dùng cho năm học {label}.")
    if scenario == "plan" and year != t:
        when = "trước" if year < t else "sau"
        return (LUU_Y, f"năm học {plan}",
                f"Số liệu kế hoạch của năm học {label}, {when} năm học của văn bản ({plan}).")
    return None


def year_labels(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """Scenario against the plan year: actual = t−1 (or earlier), estimate = t−1/t, plan = t."""
    t = ctx.plan_year
    if t is None:
        return []
    out = []
    for name in SCENARIO_TABLES:
        for (year, scenario), g in groups(tables[name], ["school_year", "scenario"]):
            verdict = _scenario_verdict(scenario, year, t)
            if verdict:
                stated = describe(name, {"school_year": year, "scenario": scenario})
                out.append(finding("V6", verdict[0], ctx, name, g, stated, verdict[1],
                                   verdict[2], where=stated))
    for (year,), g in groups(tables["target"], ["school_year"]):
        if year != t:
            text = (f"Chỉ tiêu ghi cho năm học {fmt_school_year(year)}, khác năm học của kế hoạch "
                    f"({fmt_school_year(t)}).")
            out.append(finding("V6", CANH_BAO, ctx, "target", g, fmt_school_year(year),
                               fmt_school_year(t), text, where=f"năm học {fmt_school_year(year)}"))
    return out


def issue_date_vs_year(meta: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """A plan for year t is issued before the year ends (month/day of t+1 in the config)."""
    out = []
    month, day = cfg.school_year_end
    for row in meta:
        issued, year = row["issue_date"], row["school_year"]
        if missing(issued) or missing(year):
            continue
        end = dt.date(year + 1, month, day)
        if issued > end:
            text = (f"Kế hoạch năm học {fmt_school_year(year)} ban hành ngày {fmt_date(issued)}, "
                    f"sau khi năm học kết thúc ({fmt_date(end)}).")
            out.append(finding("V6", LOI, ctx, "document_meta", [row], fmt_date(issued),
                               f"trước {fmt_date(end)}", text))
    return out


# --- V13 -------------------------------------------------------------------------
def regime_categories(res: Rows, ctx: SchoolContext) -> list[Finding]:
    """Each category belongs to its dimension in the regime (named, else in force)."""
    if ctx.level is None or not res:
        return []
    out = []
    for row in res:
        regime, category = _regime(row, ctx.level), row["category"]
        if category == TOTAL or missing(regime):
            continue
        named, row = row["regime"], {**row, "regime": regime}
        allowed = cat.categories(regime, row["dimension"])
        label = cat.regimes().get(regime, {}).get("label", regime)
        if not allowed:
            name = dimension_text(row["dimension"], regime)
            text = f"Nội dung đánh giá \"{name}\" không có trong {label}."
            out.append(finding("V13", LOI, ctx, "assessment_result", [row], row["dimension"],
                               "—", text))
        elif category not in allowed:
            names = ", ".join(cat.category_label(c) for c in allowed)
            text = (f"Mức \"{cat.category_label(category)}\" không thuộc {label} cho nội dung "
                    f"\"{dimension_text(row['dimension'], regime)}\" (các mức: {names}).")
            out.append(finding("V13", LOI, ctx, "assessment_result", [row],
                               cat.category_label(category), names, text))
        elif not missing(named):
            out += _regime_in_force(row, ctx)
    return out


def _regime(row: Mapping, level: str) -> str | None:
    """The regime a result row names, else the one in force (as indicators.with_regime)."""
    if not missing(row["regime"]):
        return row["regime"]
    return cat.regime_in_force(level, row["grade"] if isinstance(row["grade"], int) else None,
                               row["school_year"])


def _regime_in_force(row: Mapping, ctx: SchoolContext) -> list[Finding]:
    grade = row["grade"] if isinstance(row["grade"], int) else None
    if grade is None or (row["regime"] == "vnen" and row["program_model"] == "vnen"):
        return []
    in_force = cat.regime_in_force(ctx.level, grade, row["school_year"])
    if in_force in (None, row["regime"]):
        return []
    names = [cat.regimes()[r]["label"] for r in (row["regime"], in_force)]
    text = (f"Khối {grade} năm học {fmt_school_year(row['school_year'])} được đánh giá theo "
            f"{names[1]}, không theo {names[0]}.")
    return [finding("V13", CANH_BAO, ctx, "assessment_result", [row], names[0], names[1], text)]


# --- cohort roll-forward -------------------------------------------------------------
def _grade_rows(enr: Rows, year: int) -> dict[int, Rows]:
    out: dict[int, Rows] = {}
    for r in select(enr, school_year=year, scenario=best_scenario(enr, year)):
        if r["grade"] != TOTAL:
            out.setdefault(r["grade"], []).append(r)
    return out


def cohort_breaks(enr: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """Grade g in year t against grade g−1 in year t−1, beyond the configured tolerance."""
    out = []
    years = sorted({r["school_year"] for r in enr})
    for year in years:
        if year - 1 not in years:
            continue
        now, before = _grade_rows(enr, year), _grade_rows(enr, year - 1)
        for grade, rows in sorted(now.items()):
            if grade - 1 not in before:
                continue
            actual, expected = total(rows, "students"), total(before[grade - 1], "students")
            limit = max(Decimal(cfg.cohort_tolerance_pupils), cfg.cohort_tolerance_pct * expected / 100)
            if abs(actual - expected) > limit:
                text = (f"Khối {grade} năm học {fmt_school_year(year)} có {fmt_int(actual)} học sinh "
                        f"nhưng khối {grade - 1} năm học {fmt_school_year(year - 1)} có "
                        f"{fmt_int(expected)} học sinh (chênh {fmt_int(abs(actual - expected))}).")
                out.append(finding("Q6", LUU_Y, ctx, "enrollment_by_grade", rows, fmt_int(actual),
                                   fmt_int(expected), text, compared=before[grade - 1]))
    return out


# --- V13: the framework of the self-assessment -----------------------------------------
PLANS_ON_CRITERIA = ("ke_hoach_cai_tien_chat_luong", "ke_hoach_xay_dung_truong_chuan")


def assessment_framework(meta: Rows, assessed: Rows, ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    """A plan built on the self-assessment, dated when one framework applies, whose school
    entered its self-assessment only under another: the plan would show no level at all."""
    from .. import accreditation as acc

    entered = sorted({r["framework"] for r in assessed if not missing(r.get("framework"))})
    out = []
    for row in meta:
        if row.get("doc_kind") not in PLANS_ON_CRITERIA or row.get("issue_date") is None or not entered:
            continue
        try:
            chosen = acc.framework_in_force(ctx.level or "", row["issue_date"], row.get("framework") or None,
                                            cfg.in_force_from)
        except (KeyError, ValueError):
            continue
        if chosen is None or chosen in entered:
            continue
        label = acc.catalogue()["frameworks"][chosen]["label"]
        others = ", ".join(acc.catalogue()["frameworks"].get(c, {}).get("label", c) for c in entered)
        text = (f"Văn bản ngày {fmt_date(row['issue_date'])} áp dụng {label}, nhưng kết quả tự đánh giá "
                f"chỉ có theo {others}: kế hoạch sẽ không có mức đạt của các tiêu chí. Nhập kết quả tự "
                f"đánh giá theo {label}, hoặc ghi bộ tiêu chí đã dùng ở cột framework của document_meta.")
        out.append(finding("V13", CANH_BAO, ctx, "document_meta", [row], others, label, text))
    return out
