"""V1: stated totals against the sum of their parts, and partitions inside a row.

A "tong" row (grade, role or category) is a total stated by a document. It is
compared with the rows it sums; a part missing from the data is unknown, so
a smaller sum is only noted, while a larger one is always an error.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import (
    COLUMN_TEXT, COUNT_TEXT, LOI, LUU_Y, TOTAL, Finding, Rows, SchoolContext, dimension_text,
    CANH_BAO, describe, finding, groups, missing_grades, num, select, total,
)
from ..formatting import fmt_int
from ..schema import TABLES

CBQL_GV = ("hieu_truong", "pho_hieu_truong", "giao_vien", "tong_phu_trach_doi")
QUALIFICATION = ("qual_tren", "qual_dat", "qual_chua_dat")
EMPLOYMENT = ("bien_che", "hop_dong")
RATINGS = ("rating_tot", "rating_kha", "rating_dat", "rating_chua_dat")
VC_RATINGS = ("vc_htxsnv", "vc_httnv", "vc_htnv", "vc_khtnv")
PART_NOUN = {"enrollment_by_grade": "các khối", "staff_aggregate": "các chức vụ",
             "assessment_result": "các mức đánh giá"}


def count_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns if c.kind == "int" and c.min_value == 0]


def column_text(table: str, column: str) -> str:
    return COUNT_TEXT.get(table, "số lượng") if column == "count" else COLUMN_TEXT.get(column, column)


def sum_verdict(stated: int | None, values: list[int | None], complete: bool) -> tuple[str, int] | None:
    """(severity, sum) when a stated total and its parts disagree; None when they agree
    or when the parts are too incomplete to tell."""
    known = [v for v in values if v is not None]
    if stated is None or not known or sum(known) == stated:
        return None
    summed = sum(known)
    if summed > stated or (complete and len(known) == len(values)):
        return LOI, summed
    return (LUU_Y, summed) if complete else None


def _total_vs_parts(ctx: SchoolContext, table: str, total_row: Mapping, parts: list[Mapping],
                    column: str, complete: bool, what: str = "") -> Finding | None:
    stated = num(total_row[column])
    verdict = sum_verdict(stated, [num(p[column]) for p in parts], complete)
    if verdict is None:
        return None
    severity, computed = verdict
    label = column_text(table, column) + (f" ({what})" if what else "")
    text = f"Tổng {label} ghi {fmt_int(stated)} nhưng cộng {PART_NOUN[table]} được {fmt_int(computed)}"
    if severity == LOI:
        text, expected = text + ".", fmt_int(computed)
    else:
        text += "; một số dòng chưa ghi số liệu nên chưa kết luận được."
        expected = f"≥ {fmt_int(computed)}"
    return finding("V1", severity, ctx, table, [total_row], fmt_int(stated), expected, text,
                   compared=parts)


def _split(rows: Rows, column: str) -> tuple[Rows, Rows]:
    """(stated "tong" rows, part rows)."""
    return [r for r in rows if r[column] == TOTAL], [r for r in rows if r[column] != TOTAL]


def enrollment_totals(enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """Grade "tong" rows against the grade rows of the same year, scenario and model."""
    out = []
    grades = ctx.grades()
    for _, g in groups(enr, ["school_year", "scenario", "program_model"]):
        totals, parts = _split(g, "grade")
        if not totals or not parts:
            continue
        complete = grades is None or set(grades) <= {p["grade"] for p in parts}
        for column in count_columns("enrollment_by_grade"):
            found = _total_vs_parts(ctx, "enrollment_by_grade", totals[0], parts, column, complete)
            out += [found] if found else []
    return out


def enrollment_coverage(enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """A year whose grade rows leave out a grade of the level, with no stated total: the school's
    classes and pupils are unknown for that year (the plans say so instead of adding up)."""
    out = []
    for _, g in groups(enr, ["school_year", "scenario"]):
        gap = missing_grades(g, ctx.grades())
        if gap:
            grades = ", ".join(str(x) for x in gap)
            text = (f"Không có dòng khối {grades} và không có dòng tổng số toàn trường: chưa tính được tổng số "
                    f"lớp, số học sinh của trường trong năm học này; kế hoạch không cộng các khối đã có.")
            year = {k: g[0][k] for k in ("school_year", "scenario")}
            out.append(finding("V1", CANH_BAO, ctx, "enrollment_by_grade", g, "thiếu khối " + grades,
                               "đủ các khối hoặc có dòng tổng", text,
                               where=describe("enrollment_by_grade", year)))
    return out


def staff_totals(staff: Rows, ctx: SchoolContext) -> list[Finding]:
    """Role "tong" rows against the sum of the roles (an absent role counts 0)."""
    out = []
    for _, g in groups(staff, ["school_year", "scenario"]):
        totals, parts = _split(g, "role")
        if not totals or not parts:
            continue
        for column in count_columns("staff_aggregate"):
            found = _total_vs_parts(ctx, "staff_aggregate", totals[0], parts, column, True)
            out += [found] if found else []
    return out


def assessment_totals(res: Rows, ctx: SchoolContext) -> list[Finding]:
    """Category "tong" rows against the categories of the same dimension."""
    out = []
    keys = ["school_year", "scenario", "grade", "program_model", "dimension"]
    for key, g in groups(res, keys):
        totals, parts = _split(g, "category")
        if totals and parts:
            found = _total_vs_parts(ctx, "assessment_result", totals[0], parts, "count", True,
                                    what=dimension_text(key[-1], totals[0]["regime"]))
            out += [found] if found else []
    return out


# --- partitions inside one row -------------------------------------------------
def _partition(ctx: SchoolContext, table: str, row: Mapping, columns: tuple[str, ...],
               whole: str, exact: bool, reference: int | None = None) -> Finding | None:
    """Columns that split (exact) or are part of (not exact) the row's `whole` column."""
    total = num(row[whole]) if reference is None else reference
    values = [num(row[c]) for c in columns]
    known = [v for v in values if v is not None]
    if total is None or not known:
        return None
    s = sum(known)
    all_known = len(known) == len(values)
    if s <= total and not (exact and all_known and s != total):
        return None
    names = " + ".join(f"{column_text(table, c)} ({fmt_int(v)})" for c, v in zip(columns, values)
                       if v is not None)
    whole_text = column_text(table, whole)
    if len(known) == 1:
        text = f"{names[0].upper()}{names[1:]} lớn hơn {whole_text} ({fmt_int(total)})."
    else:
        relation = "lớn hơn" if s > total else "khác"
        text = f"Cộng {names} được {fmt_int(s)}, {relation} {whole_text} ({fmt_int(total)})."
    return finding("V1", LOI, ctx, table, [row], fmt_int(s), fmt_int(total), text)


def _teaching_staff(staff: Rows, row: Mapping) -> int | None:
    same = [r for r in select(staff, school_year=row["school_year"], scenario=row["scenario"])
            if r["role"] in CBQL_GV]
    return total(same, "count") if same else None


def staff_partitions(staff: Rows, ctx: SchoolContext) -> list[Finding]:
    """bien_che + hop_dong = count; qualifications = count; ratings and others ≤ count.

    On a "tong" row a qualification split equal to CBQL + GV is the usual convention
    (standards apply to managers and teachers) and is not reported.
    """
    out = []
    for row in staff:
        checks = [(EMPLOYMENT, True), (QUALIFICATION, True), (RATINGS, False), (VC_RATINGS, False),
                  (("female",), False), (("ethnic_minority",), False), (("party_members",), False)]
        for columns, exact in checks:
            if columns == QUALIFICATION and row["role"] == TOTAL:
                values = [num(row[c]) for c in columns]
                if None not in values and sum(values) == _teaching_staff(staff, row):
                    continue
            found = _partition(ctx, "staff_aggregate", row, columns, "count", exact)
            out += [found] if found else []
    return out


def enrollment_partitions(enr: Rows, ctx: SchoolContext) -> list[Finding]:
    """Every pupil sub-count of a row is at most the row's pupils."""
    subs = [c for c in count_columns("enrollment_by_grade") if c not in ("classes", "students")]
    out = []
    for row in enr:
        for column in subs:
            found = _partition(ctx, "enrollment_by_grade", row, (column,), "students", False)
            out += [found] if found else []
    return out


def completion_partitions(outcomes: Rows, ctx: SchoolContext) -> list[Finding]:
    """Outcome counts at most the pupils assessed; promoted + retained at most assessed."""
    singles = [c for c in count_columns("completion_outcome") if c != "assessed"]
    out = []
    for row in outcomes:
        found = [f for c in singles
                 if (f := _partition(ctx, "completion_outcome", row, (c,), "assessed", False))]
        if not found:
            pair = _partition(ctx, "completion_outcome", row, ("promoted", "retained"), "assessed",
                              False)
            found = [pair] if pair else []
        out += found
    return out
