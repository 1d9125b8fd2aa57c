"""V2: stated percentages against their fractions; V4: assessment denominators against
the pupils of the enrolment table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal

from .base import (
    CANH_BAO, LOI, MODEL_TEXT, TOTAL, AuditConfig, Finding, Rows, SchoolContext, dimension_text,
    finding, groups, level_rows, missing, num, select, total,
)
from ..formatting import fmt_int, fmt_percent, fmt_school_year, pct

PARTITION = ["school_year", "scenario", "grade", "program_model", "dimension"]


def places_of(value: Decimal) -> int:
    """Decimals printed in a stated value: 69,1 -> 1, 34 -> 0."""
    return max(0, -int(value.as_tuple().exponent))


def truncated_pct(n: int, d: int, places: int) -> Decimal:
    return (Decimal(n) * 100 / Decimal(d)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def _denominator(rows: list[Mapping]) -> tuple[int, list[Mapping]]:
    """The claimed "tong" row if present, else the sum of the categories."""
    totals = [r for r in rows if r["category"] == TOTAL]
    if totals:
        return num(totals[0]["count"]) or 0, totals[:1]
    return sum(num(r["count"]) or 0 for r in rows), []


def percent_verdict(n: int, d: int, stated: Decimal) -> tuple[str, Decimal] | None:
    """(severity, correct value) when a stated percentage is not n/d rounded half-up."""
    places = places_of(stated)
    expected = pct(n, d, places)
    if expected == stated:
        return None
    return (CANH_BAO if truncated_pct(n, d, places) == stated else LOI), expected


def claimed_percents(res: Rows, ctx: SchoolContext) -> list[Finding]:
    """Every assessment row with a claimed_percent, over its partition's denominator."""
    out = []
    for _, rows in groups(res, PARTITION):
        d, total_rows = _denominator(rows)
        for row in rows:
            if missing(row["claimed_percent"]) or not d:
                continue
            n, stated = num(row["count"]) or 0, Decimal(row["claimed_percent"])
            verdict = percent_verdict(n, d, stated)
            if verdict is None:
                continue
            severity, expected = verdict
            places = places_of(stated)
            shown, right = fmt_percent(stated, places, False), fmt_percent(expected, places, False)
            if severity == LOI:
                text = f"Tỉ lệ ghi {shown} nhưng {fmt_int(n)}/{fmt_int(d)} học sinh là {right}."
            else:
                text = (f"Tỉ lệ ghi {shown} là {fmt_int(n)}/{fmt_int(d)} cắt bớt chữ số thập phân; "
                        f"làm tròn nửa lên phải là {right}.")
            others = [t for t in total_rows if t is not row]
            out.append(finding("V2", severity, ctx, "assessment_result", [row], shown, right, text,
                               compared=others))
    return out


# --- V4 --------------------------------------------------------------------------
def enrollment_pupils(enr: Rows, year: int, scenario: str, grade: int | None,
                      grades: tuple[int, ...] | None) -> dict | None:
    """Pupils of a grade (None: the school) by program model ({None: n} when not split)."""
    rows = select(enr, school_year=year, scenario=scenario)
    rows = select(rows, grade=grade) if grade is not None else level_rows(rows, grades, strict=True)
    if not rows:
        return None
    if all(r["program_model"] is None for r in rows):
        return {None: total(rows, "students")}
    by_model = Counter()
    for r in rows:
        by_model[r["program_model"] or "standard"] += num(r["students"]) or 0
    return dict(by_model)


def _dimension_denominators(g: Rows) -> list[tuple[str, str, int, list[Mapping]]]:
    out = []
    for (model, dim), rows in groups(g, ["program_model", "dimension"]):
        d, totals = _denominator(rows)
        out.append((model or "standard", dim, d, totals or rows))
    return out


def _scope(year: int, grade: int | None) -> str:
    where = f"khối {grade}" if grade is not None else "toàn trường"
    return f"{where} năm học {fmt_school_year(year)}"


def _per_dimension(ctx, cfg, dims, pupils, year, grade) -> list[Finding]:
    out = []
    by_value: dict[tuple[str, int], list] = {}
    for model, dim, d, rows in dims:
        expected = pupils.get(None, pupils.get(model))
        if expected is not None and d != expected:
            by_value.setdefault((model, d), []).append((dim, rows, expected))
    for (model, d), items in by_value.items():
        names = ", ".join(dimension_text(dim) for dim, _, _ in items)
        expected = items[0][2]
        text = (f"Số học sinh được đánh giá ({names}) là {fmt_int(d)} nhưng bảng quy mô ghi "
                f"{fmt_int(expected)} học sinh {_scope(year, grade)}.")
        rows = [r for _, rs, _ in items for r in rs]
        out.append(finding("V4", cfg.enrollment_mismatch, ctx, "assessment_result", rows,
                           fmt_int(d), fmt_int(expected), text))
    return out


def _combined(ctx, cfg, dims, pupils, year, grade) -> list[Finding]:
    """Several program models against an enrolment that is not split by model."""
    modal = {}
    for model in dict.fromkeys(m for m, *_ in dims):
        modal[model] = Counter(d for m, _, d, _ in dims if m == model).most_common(1)[0][0]
    total, expected = sum(modal.values()), pupils[None]
    if total == expected:
        return []
    terms = " + ".join(f"{fmt_int(d)} ({MODEL_TEXT.get(m, m)})" for m, d in modal.items())
    text = (f"Số học sinh được đánh giá theo các mô hình là {terms} = {fmt_int(total)} nhưng bảng "
            f"quy mô ghi {fmt_int(expected)} học sinh {_scope(year, grade)}.")
    rows = [r for _, _, _, rs in dims for r in rs]
    return [finding("V4", cfg.enrollment_mismatch, ctx, "assessment_result", rows, fmt_int(total),
                    fmt_int(expected), text)]


def assessment_denominators(res: Rows, enr: Rows, ctx: SchoolContext,
                            cfg: AuditConfig) -> list[Finding]:
    """Each dimension's pupils = the grade's (or school's) pupils of the same year and scenario."""
    out = []
    for (year, scenario, grade), g in groups(res, ["school_year", "scenario", "grade"]):
        pupils = enrollment_pupils(enr, year, scenario, grade, ctx.grades())
        if pupils is None:
            continue
        dims = _dimension_denominators(g)
        models = {m for m, *_ in dims}
        check = _combined if None in pupils and len(models) > 1 else _per_dimension
        out += check(ctx, cfg, dims, pupils, year, grade)
    return out
