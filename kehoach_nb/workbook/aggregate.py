"""Pupil records of an export (importers.Sheet) -> counts in our tables. Nothing else leaves.

A count whose column is absent from the export stays blank (not reported), never 0; a value
the mapping does not know is reported with its row, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .. import catalogues
from ..errors import Problem
from .importers import Sheet, coded, mapping, refused, title_grade, title_year


@dataclass
class Counts:
    """Rows to write by table, and the problems met (no pupil data in either)."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _unknown(sheet: Sheet, row: int, field_name: str, text: str, source: str) -> Problem:
    return Problem(sheet.where, f"giá trị \"{text}\" không có trong mappings/{source}.yaml — dòng này không "
                   "được tính; thêm giá trị vào tệp mô tả nếu cần", row, sheet.headers.get(field_name, field_name))


def _grade(sheet: Sheet, row: int, values: dict[str, str], problems: list[Problem]) -> int | None:
    text = values.get("grade") or values.get("class", "")
    m = re.match(r"\s*(?:khối|lớp)?\s*(\d{1,2})", text, re.IGNORECASE)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    column = sheet.headers.get("grade" if "grade" in values else "class")
    problems.append(Problem(sheet.where, f"không xác định được khối lớp từ \"{text}\" — dòng này không được tính",
                            row, column))
    return None


def csdl_enrollment(sheets: list[Sheet], school: str, year: int, scenario: str) -> Counts:
    """CSDL ngành pupil list -> enrollment_by_grade: classes, pupils, female, ethnic-minority and
    disabled pupils per grade, counting pupils whose status counts them as enrolled."""
    spec, out = mapping("csdl"), Counts()
    pupils: dict[int, Counter] = defaultdict(Counter)
    classes: dict[int, set[str]] = defaultdict(set)
    present: set[str] = set()
    for sheet in sheets:
        present |= sheet.fields
        for row, values in sheet.rows:
            status = coded(spec, "status", values.get("status", ""))
            if status is None:
                out.problems.append(_unknown(sheet, row, "status", values.get("status", ""), "csdl"))
                continue
            if status != "counted":
                continue
            gender = coded(spec, "gender", values.get("gender", "")) if values.get("gender") else None
            if values.get("gender") and gender is None:
                out.problems.append(_unknown(sheet, row, "gender", values["gender"], "csdl"))
                continue
            grade = _grade(sheet, row, values, out.problems)
            if grade is None:
                continue
            classes[grade].add(values["class"])
            tally = pupils[grade]
            tally["students"] += 1
            tally["female"] += gender == "female"
            tally["ethnic_minority"] += bool(values.get("ethnicity")) and coded(
                spec, "ethnicity", values["ethnicity"]) != "majority"
            tally["disabled_inclusive"] += bool(values.get("disability")) and coded(
                spec, "disability", values["disability"]) != "none"
    reported = {"female": "gender", "ethnic_minority": "ethnicity", "disabled_inclusive": "disability"}
    out.rows["enrollment_by_grade"] = [
        {"school_id": school, "school_year": year, "scenario": scenario, "grade": grade,
         "classes": len(classes[grade]), "students": pupils[grade]["students"],
         **{k: pupils[grade][k] if src in present else None for k, src in reported.items()}}
        for grade in sorted(pupils)]
    return out


def vnedu_assessment(sheets: list[Sheet], school: str, year: int | None, scenario: str) -> Counts:
    """vnEdu year-end summary -> assessment_result (TT22/2021: Kết quả học tập, rèn luyện) per grade."""
    spec, out = mapping("vnedu"), Counts()
    counts: dict[tuple[int, int, str], Counter] = defaultdict(Counter)
    for sheet in sheets:
        where = _sheet_year_grade(spec, sheet, year, out.problems)
        if where is None:
            continue
        sheet_year, grade = where
        for row, values in sheet.rows:
            for dim in ("hoc_tap", "ren_luyen"):
                text = values.get(dim, "")
                category = coded(spec, dim, text) if text else None
                if text and category is None:
                    out.problems.append(_unknown(sheet, row, dim, text, "vnedu"))
                counts[(sheet_year, grade, dim)][category] += category is not None
    out.rows["assessment_result"] = [
        {"school_id": school, "school_year": y, "scenario": scenario, "grade": g, "regime": spec["regime"],
         "dimension": dim, "category": cat, "count": tally[cat]}
        for (y, g, dim), tally in sorted(counts.items())
        for cat in catalogues.categories(spec["regime"], dim)]
    return out


def _sheet_year_grade(spec: dict, sheet: Sheet, year: int | None,
                      problems: list[Problem]) -> tuple[int, int] | None:
    bad_title = refused(spec, sheet.titles)
    if bad_title:
        problems.append(Problem(sheet.where, f"\"{bad_title}\" không phải kết quả cả năm — hãy xuất sổ tổng "
                                "kết cả năm (hoặc học kỳ 2)"))
        return None
    sheet_year = title_year(spec, sheet.titles) or year
    grade = title_grade(sheet.titles, sheet.name)
    if sheet_year is None or grade is None:
        problems.append(Problem(sheet.where, "không xác định được năm học hoặc khối lớp từ dòng tiêu đề hay "
                                "tên trang tính — dùng --year, đặt tên trang tính theo lớp (ví dụ 6A)"))
        return None
    regime = catalogues.regime_in_force(spec["level"], grade, sheet_year)
    if regime != spec["regime"]:
        problems.append(Problem(sheet.where, f"khối {grade} năm học {sheet_year}-{sheet_year + 1} chưa đánh giá "
                                f"theo Thông tư 22/2021 (catalogues/regimes.yaml) — không nhập"))
        return None
    return sheet_year, grade
