"""Rules on one stated figure: percentages outside 0–100% and "a/b = c%" that disagree (V2),
denominators that are not the population they are taken over (V4), ratios and percentages
no whole number of people gives (V5), targets larger than the cohort they concern (V10),
regimes and levels stated for the wrong year or as a percentage (V13), and the school's
name as the text states it (V8)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .. import catalogues as cat
from .base import (
    CANH_BAO, LOI, Finding, Rows, SchoolContext, finding, missing, num, select, total,
)
from .rates import places_of, truncated_pct
from .stated import TABLE, term_value, parse_scope, show, where_of
from .targets import ratio_reachable
from ..formatting import fmt_dec, fmt_int, fmt_percent, fmt_school_year, pct

BASIS_RANGE = "Tỉ lệ phần trăm phải nằm trong khoảng 0–100%"
PER_CLASS = ("enrollment.classes",)


def _percent_checks(row: Mapping) -> list[tuple[str, str, str, str]]:
    value, unit = row["value"], row["unit"]
    n, d = num(row["numerator"]), num(row["denominator"])
    out = []
    if unit == "percent" and not missing(value) and not 0 <= Decimal(value) <= 100:
        shown = show(Decimal(value), unit)
        out.append((shown, "0–100%", f"Tỉ lệ ghi {shown} nằm ngoài khoảng 0–100%.", LOI))
    if unit != "percent" or n is None or not d:
        return out
    if n > d:
        out.append((f"{fmt_int(n)}/{fmt_int(d)}", f"≤ {fmt_int(d)}",
                    f"Tử số {fmt_int(n)} lớn hơn mẫu số {fmt_int(d)}.", LOI))
    if missing(value):
        return out
    stated = Decimal(value)
    places = places_of(stated)
    right = pct(n, d, places)
    if right != stated and not (stated == 100 and n == d):
        shown, good = show(stated, unit), fmt_percent(right, places, False)
        cut = truncated_pct(n, d, places) == stated
        why = (f"Văn bản ghi {fmt_int(n)}/{fmt_int(d)} = {shown} nhưng {fmt_int(n)}/{fmt_int(d)} là "
               f"{good}" + (" (ghi cắt bớt chữ số thập phân, không làm tròn)." if cut else "."))
        out.append((shown, good, why, CANH_BAO if cut else LOI))
    return out


def fractions(figures: Rows, ctx: SchoolContext) -> list[Finding]:
    """V2: a stated percentage within 0–100% and equal to its stated fraction."""
    return [finding("V2", severity, ctx, TABLE, [row], stated, expected, text,
                    BASIS_RANGE if "0–100" in expected else None, where=where_of(row))
            for row in figures for stated, expected, text, severity in _percent_checks(row)]


def denominators(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """V4: the stated denominator of "a/b" = the population the data gives for b."""
    out = []
    for row in tables.get(TABLE) or []:
        d, metric = num(row["denominator"]), str(row["metric"] or "")
        if d is None or "/" not in metric or missing(row["school_year"]):
            continue
        base = term_value(tables, metric.split("/")[1], row["school_year"], row["scenario"],
                     parse_scope(row["scope"]), ctx)
        if base is None or base == d:
            continue
        text = (f"Mẫu số ghi {fmt_int(d)} nhưng số liệu năm học "
                f"{fmt_school_year(row['school_year'])} cho {fmt_int(int(base))}.")
        out.append(finding("V4", LOI, ctx, TABLE, [row], fmt_int(d), fmt_int(int(base)), text,
                           where=where_of(row)))
    return out


def ratios(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """V5: a per-class ratio that no whole number of people gives for the classes stated
    (the denominator) or, when none is stated, for the classes of the data."""
    out = []
    for row in tables.get(TABLE) or []:
        metric = str(row["metric"] or "")
        if row["unit"] != "ratio" or missing(row["value"]) or "/" not in metric:
            continue
        base = num(row["denominator"])
        if base is None and metric.split("/")[1] in PER_CLASS and not missing(row["school_year"]):
            found = term_value(tables, metric.split("/")[1], row["school_year"], row["scenario"],
                          parse_scope(row["scope"]), ctx)
            base = int(found) if found else None
        value = Decimal(row["value"])
        if not base or ratio_reachable(value, base):
            continue
        shown = fmt_dec(value, places_of(value))
        q = Decimal(1).scaleb(-places_of(value))
        low = int(value * base)
        near = " hoặc ".join(
            f"{fmt_int(g)}/{fmt_int(base)} = {fmt_dec(Decimal(g) / base, places_of(value) + 1)}"
            for g in (low, low + 1))
        noun = " lớp" if metric.endswith("enrollment.classes") else ""
        text = (f"Tỉ lệ {shown} không đạt được với {fmt_int(base)}{noun} (số "
                f"nguyên người chỉ cho {near}; làm tròn đến {fmt_dec(q, places_of(value))}).")
        out.append(finding("V5", LOI, ctx, TABLE, [row], shown, near, text, where=where_of(row)))
    return out


def _cohort(enr: Rows, year: int, grade: int) -> tuple[int, str] | None:
    """Pupils of a grade in a year, else the same cohort one grade lower a year earlier."""
    for y, g in ((year, grade), (year - 1, grade - 1)):
        rows = [r for r in select(enr, school_year=y) if r["grade"] == g]
        if rows:
            scen = next(s for s in ("plan", "estimate", "actual") if any(r["scenario"] == s for r in rows)) \
                if y == year else next(s for s in ("actual", "estimate", "plan")
                                       if any(r["scenario"] == s for r in rows))
            n = total(select(rows, scenario=scen), "students")
            if y == year:
                return n, f"khối {g} năm học {fmt_school_year(y)}"
            return n, (f"lứa học sinh lên khối {grade} năm học {fmt_school_year(year)} (khối {g} "
                       f"năm học {fmt_school_year(y)})")
    return None


COHORT_GRADE = {"E2": {"tieu_hoc": 5}, "E18": {"thcs": 9}}


def cohort_targets(goals: Rows, enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """V10: a completion target's pupils (numerator or denominator) at most the grade it concerns."""
    out = []
    for row in goals:
        grade = COHORT_GRADE.get(row["indicator_code"] or "", {}).get(ctx.level or "")
        counts = [c for c in (num(row["denominator"]), num(row["numerator"])) if c is not None]
        if grade is None or not counts:
            continue
        found = _cohort(enr, row["school_year"], grade)
        if found is None or max(counts) <= found[0]:
            continue
        n, scope = found
        text = (f"Chỉ tiêu tính trên {fmt_int(max(counts))} học sinh nhưng {scope} chỉ có "
                f"{fmt_int(n)} học sinh.")
        out.append(finding("V10", LOI, ctx, "target", [row], fmt_int(max(counts)),
                           f"≤ {fmt_int(n)}", text))
    return out


def figures_with_grade(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """V10 for stated figures of completion (scope grade=g): at most the cohort."""
    out = []
    enr = tables.get("enrollment_by_grade") or []
    for row in tables.get(TABLE) or []:
        scope = parse_scope(row["scope"])
        if not str(row["metric"] or "").startswith("outcomes.") or "grade" not in scope:
            continue
        counts = [c for c in (num(row["denominator"]), num(row["numerator"])) if c is not None]
        if row["unit"] == "count" and not missing(row["value"]):
            counts.append(int(Decimal(row["value"])))
        if not counts or missing(row["school_year"]) or not scope["grade"][0].isdigit():
            continue
        found = _cohort(enr, row["school_year"], int(scope["grade"][0]))
        if found and max(counts) > found[0]:
            text = (f"Văn bản tính trên {fmt_int(max(counts))} học sinh nhưng "
                    f"{found[1]} chỉ có {fmt_int(found[0])} học sinh.")
            out.append(finding("V10", LOI, ctx, TABLE, [row], fmt_int(max(counts)),
                               f"≤ {fmt_int(found[0])}", text, where=where_of(row)))
    return out


def regime_labels(figures: Rows, ctx: SchoolContext) -> list[Finding]:
    """V13: "đánh giá theo Thông tư …" stated for a grade and year (metric "regime", scope
    "grade=4;regime=tt22_2016") against the regime in force."""
    out = []
    for row in figures:
        scope = parse_scope(row["scope"])
        if row["metric"] != "regime" or missing(row["school_year"]) or ctx.level is None:
            continue
        stated, grades = scope.get("regime", [""])[0], scope.get("grade", [])
        for grade in (int(g) for g in grades if g.isdigit()):
            in_force = cat.regime_in_force(ctx.level, grade, row["school_year"])
            if in_force is None or in_force == stated:
                continue
            labels = cat.regimes()
            names = [labels.get(r, {}).get("label", r) for r in (stated, in_force)]
            text = (f"Văn bản ghi khối {grade} năm học "
                    f"{fmt_school_year(row['school_year'])} đánh giá theo {names[0]} nhưng văn bản "
                    f"đang áp dụng là {names[1]}.")
            out.append(finding("V13", LOI, ctx, TABLE, [row], names[0], names[1], text,
                               where=where_of(row)))
    return out


LEVEL_METRICS = {"pcgd": "Phổ cập giáo dục tiểu học, xóa mù chữ được công nhận theo mức độ (1, 2, 3)",
                 "school.cqg_level": "Trường chuẩn quốc gia được công nhận theo mức độ (1, 2)"}


def level_labels(figures: Rows, ctx: SchoolContext) -> list[Finding]:
    """V13: a figure that regulations express as a level (PCGD, CQG) stated as a percentage."""
    out = []
    for row in figures:
        why = LEVEL_METRICS.get(str(row["metric"] or ""))
        if why is None or row["unit"] != "percent" or missing(row["value"]):
            continue
        shown = show(Decimal(row["value"]), "percent")
        out.append(finding("V13", LOI, ctx, TABLE, [row], shown, "mức độ",
                           f"Văn bản ghi tỉ lệ {shown}; {why[0].lower()}{why[1:]}, không tính bằng "
                           "tỉ lệ phần trăm.", why, where=where_of(row)))
    return out


def percent_reachable(value: Decimal, base: int) -> bool:
    """∃ whole n ≤ base: n/base as a percentage, rounded half-up to the stated decimals = value."""
    places = places_of(value)
    n = int(value * base / 100)
    return any(0 <= k <= base and pct(k, base, places) == value for k in (n - 1, n, n + 1))


def percents_of_people(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """V5: a percentage of the people the data counts (no fraction stated) that no whole
    number of them gives ("90% of 16 teachers")."""
    out = []
    for row in tables.get(TABLE) or []:
        metric = str(row["metric"] or "")
        if (row["unit"] != "percent" or missing(row["value"]) or "/" not in metric
                or num(row["numerator"]) is not None or missing(row["school_year"])):
            continue
        value = Decimal(row["value"])
        found = term_value(tables, metric.split("/")[1], row["school_year"], row["scenario"],
                      parse_scope(row["scope"]), ctx)
        base = int(found) if found else 0
        if not base or value in (0, 100) or not 0 < value < 100 or percent_reachable(value, base):
            continue
        places = max(places_of(value), 1)
        low = int(value * base / 100)
        near = " hoặc ".join(
            f"{fmt_int(k)}/{fmt_int(base)} = {fmt_percent(pct(k, base, places), places, False)}"
            for k in (low, low + 1))
        shown = show(value, "percent")
        text = (f"Tỉ lệ {shown} không ứng với một số nguyên người trong {fmt_int(base)} người "
                f"(gần nhất: {near}).")
        out.append(finding("V5", LOI, ctx, TABLE, [row], shown, near, text, where=where_of(row)))
    return out


BASIS_V8 = "Một tên trường, một địa danh trong toàn văn bản"


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def school_names(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """V8: the school's name as the text states it (metric "school.name") is its name."""
    school = (tables.get("school") or [{}])[0]
    name = school.get("name")
    out = []
    for row in tables.get(TABLE) or []:
        said = row["stated_text"]
        if row["metric"] != "school.name" or missing(said) or not name or _fold(said) == _fold(name):
            continue
        text = f"Văn bản ghi tên trường \"{said}\" nhưng trường là \"{name}\"."
        out.append(finding("V8", LOI, ctx, TABLE, [row], str(said), str(name), text, BASIS_V8,
                           where=where_of(row)))
    return out
