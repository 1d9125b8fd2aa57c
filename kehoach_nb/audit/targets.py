"""Targets: V10 (achievable: R2 precision, R3 minimum count, denominators), V5 (stated
ratios reachable with whole people), V3 (count targets = the plan's enrolment)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .base import (
    CANH_BAO, LOI, Finding, Rows, SchoolContext, finding, missing, num, plan_size, select,
)
from .rates import places_of
from ..formatting import fmt_dec, fmt_fraction, fmt_int, fmt_percent, fmt_school_year, pct

PUPIL_BASED = ("E1", "Q2", "Q13")  # denominators = the plan year's pupils
COMPARATOR_TEXT = {"ge": "{} trở lên", "gt": "trên {}", "le": "không quá {}", "lt": "dưới {}"}


def min_count(value: Decimal, d: int, comparator: str) -> int | None:
    """R3: the count that meets a percentage of d (ge/gt: least, le/lt: most)."""
    exact = value * d / 100
    return {"ge": math.ceil(exact), "gt": math.floor(exact) + 1, "le": math.floor(exact),
            "lt": math.ceil(exact) - 1}.get(comparator)


def coarse_precision(value: Decimal, d: int) -> bool:
    """R2: one pupil moves the rate by more than the printed precision, and the target
    lies within one pupil of 100% (or 0%) without being it, so it means "all" ("none")."""
    step = Decimal(100) / d
    near_edge = 0 < 100 - value < step or 0 < value < step
    return step > Decimal(1).scaleb(-places_of(value)) and near_edge


def _eq_met(n: int, d: int, value: Decimal) -> bool:
    """"eq": 100% (0%) means every (no) person; other values compare at the printed decimals."""
    if value in (0, 100):
        return n == (d if value == 100 else 0)
    return pct(n, d, places_of(value)) == value


def _fraction_verdict(row: Mapping, n: int, d: int, value: Decimal) -> tuple[str, str, str] | None:
    """(stated, expected, explanation) when numerator/denominator do not give the value."""
    comparator, places = row["comparator"], places_of(value)
    shown, shown_places = fmt_percent(value, places, False), max(places, 1)
    stated = fmt_fraction(n, d, shown_places)
    if n > d:
        return fmt_int(n), f"≤ {fmt_int(d)}", f"Tử số {fmt_int(n)} lớn hơn mẫu số {fmt_int(d)}."
    if comparator == "eq":
        actual = fmt_percent(pct(n, d, shown_places), shown_places, False)
        return None if _eq_met(n, d, value) else (
            stated, shown, f"Chỉ tiêu {shown} nhưng {fmt_int(n)}/{fmt_int(d)} là {actual}.")
    m = min_count(value, d, comparator)
    if m is None or (n >= m if comparator in ("ge", "gt") else n <= m):
        return None
    goal = COMPARATOR_TEXT[comparator].format(shown)
    need = "cần ít nhất" if comparator in ("ge", "gt") else "cho phép nhiều nhất"
    return (stated, f"{fmt_int(m)}/{fmt_int(d)}",
            f"Chỉ tiêu {goal} trong số {fmt_int(d)} người {need} {fmt_int(m)} người, nhưng ghi "
            f"{stated}.")


Check = tuple[str, str, str, str, str]  # code, severity, stated, expected, explanation


def _precision(value: Decimal, base: int) -> list[Check]:
    if not coarse_precision(value, base):
        return []
    shown, step = fmt_percent(value, places_of(value)), fmt_dec(Decimal(100) / base, 2)
    everyone = f"tất cả {fmt_int(base)} người" if value > 50 else "không có ai"
    return [("V10", CANH_BAO, shown, "—", f"Với {fmt_int(base)} người, mỗi người ứng với {step} điểm "
             f"phần trăm nên chỉ tiêu {shown} thực chất là {everyone}.")]


def _target_checks(row: Mapping, plan_pupils: int | None) -> list[Check]:
    """Checks of one percentage target; plan_pupils is the plan year's enrolment."""
    value = row["value"]
    if row["unit"] != "percent" or missing(value):
        return []
    value = Decimal(value)
    if value > 100 or value < 0:
        shown = fmt_percent(value, places_of(value))
        return [("V10", LOI, shown, "0–100%", f"Tỉ lệ chỉ tiêu {shown} nằm ngoài 0–100%.")]
    out = []
    n, d = num(row["numerator"]), num(row["denominator"])
    verdict = _fraction_verdict(row, n, d, value) if n is not None and d else None
    out += [("V10", LOI, *verdict)] if verdict else []
    pupils = plan_pupils if row["indicator_code"] in PUPIL_BASED else None
    if d and pupils is not None and d != pupils:
        out.append(("V4", LOI, fmt_int(d), fmt_int(pupils),
                    f"Mẫu số {fmt_int(d)} khác số học sinh năm học kế hoạch ({fmt_int(pupils)})."))
    base = d or pupils
    return out + (_precision(value, base) if base else [])


def target_feasibility(targets: Rows, enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """V10 (and V4 for pupil denominators) for every percentage target of the school."""
    size = plan_size(enr, ctx)
    pupils = size[1] if size else None
    out = []
    for row in targets:
        basis = pupils if row["school_year"] == ctx.plan_year else None
        out += [finding(code, sev, ctx, "target", [row], stated, expected, text)
                for code, sev, stated, expected, text in _target_checks(row, basis)]
    return out


# --- V5 ------------------------------------------------------------------------
def ratio_reachable(value: Decimal, classes: int) -> bool:
    """∃ integer g: g/classes rounded half-up to the printed decimals = value."""
    q = Decimal(1).scaleb(-places_of(value))
    low = math.floor((value - q) * classes)
    return any((Decimal(g) / classes).quantize(q, rounding=ROUND_HALF_UP) == value
               for g in range(max(0, low), math.ceil((value + q) * classes) + 1))


def stated_ratios(targets: Rows, enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """Ratio targets per class (S2 teachers, Q3 pupils) reachable with the plan's classes."""
    size = plan_size(enr, ctx)
    if size is None or not size[0]:
        return []
    out = []
    for row in select(targets, school_year=ctx.plan_year):
        if row["unit"] != "ratio" or row["indicator_code"] not in ("S2", "Q3") or missing(row["value"]):
            continue
        value = Decimal(row["value"])
        if not ratio_reachable(value, size[0]):
            shown = fmt_dec(value, places_of(value), False)
            text = (f"Không có số nguyên nào chia cho {fmt_int(size[0])} lớp năm học "
                    f"{fmt_school_year(ctx.plan_year)} cho đúng tỉ lệ {shown}.")
            out.append(finding("V5", LOI, ctx, "target", [row], shown, "—", text))
    return out


# --- V3 ------------------------------------------------------------------------
def count_targets(targets: Rows, enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """Count targets Q1 (classes) and Q2 (pupils) of the plan year = the plan's enrolment."""
    size = plan_size(enr, ctx)
    if size is None:
        return []
    out = []
    metric = {"Q1": ("lớp", size[0]), "Q2": ("học sinh", size[1])}
    for row in select(targets, school_year=ctx.plan_year):
        code, value = row["indicator_code"], row["value"]
        if code not in metric or row["unit"] != "count" or missing(value):
            continue
        noun, expected = metric[code]
        if Decimal(value) != expected:
            shown = fmt_dec(Decimal(value), places_of(Decimal(value)))
            text = (f"Chỉ tiêu ghi {shown} {noun} nhưng bảng quy mô năm học "
                    f"{fmt_school_year(ctx.plan_year)} có {fmt_int(expected)} {noun}.")
            out.append(finding("V3", LOI, ctx, "target", [row], shown, fmt_int(expected), text))
    return out
