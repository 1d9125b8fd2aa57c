"""Data audit (kehoach_nb.audit): every validator on a clean and a failing case,
consistency properties, the demo and seed datasets, and the HTML/CSV/JSON outputs."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehoach_nb.audit import (
    AuditConfig, audit_dataset, audit_school, write_findings,
)
from kehoach_nb.audit.base import key_of
from kehoach_nb.audit.targets import min_count, ratio_reachable
from kehoach_nb.formatting import parse_vi_number, pct
from kehoach_nb.loading import load_dataset

ROOT = Path(__file__).parent.parent
SID = "S1"
SCHOOL = {"name": "Trường Tiểu học Thử", "name_abbrev": "THT", "school_level": "tieu_hoc",
          "governing_body": "PHÒNG GD&ĐT THỬ", "place_name": "Thử", "terrain_zone": "dong_bang"}
META = {"doc_kind": "ke_hoach_phat_trien_giao_duc", "school_year": 2024, "register_number": "5",
        "symbol": "KH-THT", "issue_date": dt.date(2024, 10, 2), "signer_title": "HIỆU TRƯỞNG",
        "signer_name": "Nguyễn Văn A"}
FIVE = {g: (3, 90) for g in range(1, 6)}  # 15 classes, 450 pupils


def enrollment(year: int, scenario: str, grades: dict, total: tuple | None = None, **extra) -> list:
    rows = [{"school_year": year, "scenario": scenario, "grade": g, "classes": c, "students": s,
             **extra} for g, (c, s) in grades.items()]
    if total:
        rows.append({"school_year": year, "scenario": scenario, "grade": "tong", "classes": total[0],
                     "students": total[1]})
    return rows


def staff(year: int, scenario: str, **roles) -> list:
    return [{"school_year": year, "scenario": scenario, "role": role,
             **(v if isinstance(v, dict) else {"count": v})} for role, v in roles.items()]


def results(year: int, scenario: str, dimension: str, counts: dict, grade=None, regime=None,
            model=None, claimed: dict | None = None) -> list:
    return [{"school_year": year, "scenario": scenario, "grade": grade, "program_model": model,
             "regime": regime, "dimension": dimension, "category": c, "count": n,
             "claimed_percent": parse_vi_number(claimed[c]) if claimed and c in claimed else None}
            for c, n in counts.items()]


def run(school: dict | None = SCHOOL, meta: dict | None = META, config=None, **tables):
    data = {"school": [school] if school else [], "document_meta": [meta] if meta else [], **tables}
    frames = {name: pd.DataFrame([{"school_id": SID, **r} for r in rows]) for name, rows in data.items()}
    return audit_school(frames, SID, config)


def only(findings, code):
    return [f for f in findings if f.code == code]


def one(findings, code):
    found = only(findings, code)
    assert len(found) == 1, [(f.code, f.explanation) for f in findings]
    return found[0]


# --- a clean school -------------------------------------------------------------
def clean_tables() -> dict:
    tong_hop = {"ht_xuat_sac": 30, "ht_tot": 25, "hoan_thanh": 34, "chua_hoan_thanh": 1}
    return {
        "enrollment_by_grade": enrollment(2023, "actual", FIVE, (15, 450))
        + enrollment(2024, "plan", FIVE),
        "staff_aggregate": staff(2023, "actual", hieu_truong=1, pho_hieu_truong=1,
                                 giao_vien={"count": 22, "bien_che": 20, "hop_dong": 2, "qual_tren": 2,
                                            "qual_dat": 19, "qual_chua_dat": 1}, tong=24),
        "assessment_result": results(2023, "actual", "tong_hop", tong_hop, grade=1,
                                     claimed={"ht_xuat_sac": "33,3"}),
        "completion_outcome": [{"school_year": 2023, "scenario": "actual", "grade": 1, "assessed": 90,
                                "completed_grade": 89}],
        "legal_basis": [{"seq": 1, "doc_category": "thong_tu", "number": "27/2020/TT-BGDĐT",
                         "issue_date": dt.date(2020, 9, 4), "subject": "đánh giá học sinh tiểu học"}],
        "target": [{"school_year": 2024, "target_id": "T1", "area": "giao_duc", "label": "HTCT lớp học",
                    "indicator_code": "E1", "comparator": "ge", "value": Decimal(99), "unit": "percent",
                    "numerator": 446, "denominator": 450},
                   {"school_year": 2024, "target_id": "T2", "area": "quy_mo", "label": "Số học sinh",
                    "indicator_code": "Q2", "comparator": "eq", "value": Decimal(450), "unit": "count"}],
    }


def test_clean_school_has_no_findings():
    assert run(**clean_tables()) == []


def test_empty_tables_give_no_findings():
    assert audit_school({}, SID) == []


# --- V1 ---------------------------------------------------------------------------
def test_v1_grade_total_differs_from_the_grades():
    f = one(run(enrollment_by_grade=enrollment(2024, "plan", FIVE, (15, 451))), "V1")
    assert (f.severity, f.stated, f.expected) == ("lỗi", "451", "450")
    assert f.explanation == "Tổng số học sinh ghi 451 nhưng cộng các khối được 450."
    assert f.keys[0]["grade"] == "tong" and len(f.compared_keys) == 5
    assert f.where == "năm học 2024-2025, kế hoạch, dòng tổng"


def test_v1_grades_not_covering_the_level_are_not_summed():
    rows = enrollment(2024, "plan", {1: (3, 99)}, (19, 605))
    assert only(run(enrollment_by_grade=rows), "V1") == []
    rows = enrollment(2024, "plan", {1: (3, 99), 2: (4, 140)}, (6, 605))
    f = one(run(enrollment_by_grade=rows), "V1")
    assert (f.stated, f.expected) == ("6", "7")


def test_v1_role_total_and_employment_partition():
    rows = staff(2024, "plan", hieu_truong=1, pho_hieu_truong=1,
                 giao_vien={"count": 50, "bien_che": 48, "hop_dong": 1}, tong=53)
    found = only(run(staff_aggregate=rows), "V1")
    by_stated = {f.stated: f for f in found}
    assert set(by_stated) == {"53", "49"}
    assert by_stated["53"].explanation == "Tổng số người ghi 53 nhưng cộng các chức vụ được 52."
    assert by_stated["49"].expected == "50"
    assert by_stated["49"].explanation == ("Cộng số biên chế (48) + số hợp đồng (1) được 49, khác số "
                                           "người (50).")


def test_v1_qualification_of_cbql_and_teachers_on_the_total_row_is_accepted():
    rows = staff(2018, "actual", hieu_truong=1, pho_hieu_truong=1, giao_vien=18, nhan_vien=4,
                 tong={"count": 24, "qual_tren": 17, "qual_dat": 3})
    assert only(run(meta=None, staff_aggregate=rows), "V1") == []
    rows[-1].update(qual_dat=4, qual_chua_dat=0)
    f = one(run(meta=None, staff_aggregate=rows), "V1")
    assert (f.stated, f.expected, f.severity) == ("21", "24", "lỗi")


def test_v1_parts_without_values_only_give_a_note():
    rows = staff(2024, "plan", hieu_truong={"count": 1, "bien_che": 1},
                 giao_vien={"count": 10, "hop_dong": 1}, bao_ve={"count": 2, "hop_dong": 2},
                 tong={"count": 13, "hop_dong": 5})
    f = one(run(staff_aggregate=rows), "V1")
    assert (f.severity, f.stated, f.expected) == ("lưu ý", "5", "≥ 3")


def test_v1_assessment_total_differs_from_the_categories():
    rows = results(2018, "actual", "hoc_luc", {"tong": 97, "gioi": 23, "kha": 33, "tb": 44, "yeu": 0},
                   regime="tt58_2011")
    f = one(run(school=None, meta=None, assessment_result=rows), "V1")
    assert (f.stated, f.expected) == ("97", "100")
    assert f.explanation == ("Tổng số học sinh được đánh giá (Học lực) ghi 97 nhưng cộng các mức đánh "
                             "giá được 100.")


def test_v1_a_missing_grade_is_a_warning_and_a_stated_total_stands_in():
    partial = {g: FIVE[g] for g in (1, 2, 4, 5)}
    f = one(run(enrollment_by_grade=enrollment(2024, "plan", partial)), "V1")
    assert (f.severity, f.stated, f.where) == ("cảnh báo", "thiếu khối 3", "năm học 2024-2025, kế hoạch")
    assert only(run(enrollment_by_grade=enrollment(2024, "plan", partial, total=(15, 450))), "V1") == []


def test_v1_sub_counts_at_most_the_whole():
    rows = enrollment(2024, "plan", FIVE)
    rows[0]["female"] = 95
    f = one(run(enrollment_by_grade=rows), "V1")
    assert f.explanation == "Số nữ (95) lớn hơn số học sinh (90)."
    outcome = {"school_year": 2023, "scenario": "actual", "grade": 1, "assessed": 90,
               "completed_grade": 91}
    f = one(run(completion_outcome=[outcome]), "V1")
    assert (f.stated, f.expected) == ("91", "90")


# --- V2 ---------------------------------------------------------------------------
def test_v2_percentages_against_rounding_and_truncation():
    counts = {"tong": 183, "tot": 158, "dat": 25}
    rows = results(2019, "estimate", "pham_chat", counts, regime="vnen", model="vnen",
                   claimed={"tot": "86,4", "dat": "13,6"})
    found = {f.stated: f for f in only(run(school=None, meta=None, assessment_result=rows), "V2")}
    assert (found["86,4%"].severity, found["86,4%"].expected) == ("lỗi", "86,3%")
    assert found["86,4%"].explanation == "Tỉ lệ ghi 86,4% nhưng 158/183 học sinh là 86,3%."
    assert (found["13,6%"].severity, found["13,6%"].expected) == ("cảnh báo", "13,7%")


def test_v2_clean_percentages_use_the_stated_total_and_printed_decimals():
    rows = results(2018, "actual", "hanh_kiem", {"tong": 97, "tot": 67, "kha": 27, "tb": 3},
                   regime="tt58_2011", claimed={"tot": "69,1", "kha": "27,8", "tb": "3,1"})
    rows += results(2018, "actual", "hoc_luc", {"tong": 97, "gioi": 23, "kha": 33, "tb": 44},
                    regime="tt58_2011", claimed={"gioi": "23,7", "kha": "34", "tb": "45"})
    found = run(school=None, meta=None, assessment_result=rows)
    assert only(found, "V2") == []  # 23/97 = 23,7% even though the categories add up to 100
    assert [f.code for f in found] == ["V1"]


# --- V3 ---------------------------------------------------------------------------
def test_v3_assessed_pupils_against_enrolment():
    tables = clean_tables()
    tables["completion_outcome"][0]["assessed"] = 91
    f = one(run(**tables), "V3")
    assert (f.severity, f.stated, f.expected) == ("cảnh báo", "91", "90")


def test_v3_count_target_against_the_plan_enrolment():
    tables = clean_tables()
    tables["target"][1]["value"] = Decimal(460)
    f = one(run(**tables), "V3")
    assert (f.severity, f.stated, f.expected) == ("lỗi", "460", "450")


# --- V4 ---------------------------------------------------------------------------
def test_v4_dimension_pupils_against_the_grade():
    tables = clean_tables()
    tables["assessment_result"][-1]["count"] = 0  # 89 assessed, grade 1 has 90 pupils
    found = run(**tables)
    f = one(found, "V4")
    assert (f.severity, f.stated, f.expected) == ("cảnh báo", "89", "90")


def test_v4_program_models_add_up_to_an_unsplit_enrolment():
    enr = enrollment(2018, "actual", {6: (2, 60), 7: (2, 71), 8: (2, 65), 9: (2, 60)})
    res = (results(2018, "actual", "hanh_kiem", {"tong": 97, "tot": 67, "kha": 27, "tb": 3},
                   regime="tt58_2011", model="standard")
           + results(2018, "actual", "pham_chat", {"tong": 159, "tot": 129, "dat": 30}, regime="vnen",
                     model="vnen"))
    assert only(run(school=None, meta=None, enrollment_by_grade=enr, assessment_result=res), "V4") == []
    enr[0]["students"] = 54
    f = one(run(school=None, meta=None, enrollment_by_grade=enr, assessment_result=res), "V4")
    assert (f.stated, f.expected) == ("256", "250")


# --- V5 ---------------------------------------------------------------------------
def test_v5_ratio_reachable_with_whole_teachers():
    assert not ratio_reachable(Decimal("1.53"), 11) and ratio_reachable(Decimal("1.53"), 15)
    grades = {1: (2, 60), 2: (2, 60), 3: (2, 60), 4: (2, 60), 5: (3, 90)}
    goal = {"school_year": 2024, "target_id": "T9", "area": "to_chuc_can_bo", "label": "GV/lớp",
            "indicator_code": "S2", "comparator": "eq", "value": Decimal("1.53"), "unit": "ratio"}
    f = one(run(enrollment_by_grade=enrollment(2024, "plan", grades), target=[goal]), "V5")
    assert (f.severity, f.stated) == ("lỗi", "1,53")
    goal["value"] = Decimal("1.55")  # 17/11
    assert only(run(enrollment_by_grade=enrollment(2024, "plan", grades), target=[goal]), "V5") == []


# --- V6 ---------------------------------------------------------------------------
def test_v6_scenarios_against_the_plan_year():
    rows = (enrollment(2024, "actual", FIVE) + enrollment(2021, "estimate", FIVE)
            + enrollment(2022, "plan", FIVE))
    found = {f.stated: f for f in only(run(enrollment_by_grade=rows), "V6")}
    assert found["năm học 2024-2025, thực hiện"].severity == "lỗi"
    assert found["năm học 2021-2022, ước thực hiện"].severity == "cảnh báo"
    assert found["năm học 2021-2022, ước thực hiện"].expected == "thực hiện"
    assert found["năm học 2022-2023, kế hoạch"].severity == "lưu ý"
    assert len(found["năm học 2024-2025, thực hiện"].keys) == 5


def test_v6_issue_date_and_target_year():
    late = {**META, "issue_date": dt.date(2025, 6, 15)}
    goal = {"school_year": 2023, "target_id": "T1", "area": "quy_mo", "label": "x"}
    found = only(run(meta=late, target=[goal]), "V6")
    assert sorted((f.table, f.severity, f.expected) for f in found) == [
        ("document_meta", "lỗi", "trước 31/05/2025"), ("target", "cảnh báo", "2024-2025")]


# --- V7 ---------------------------------------------------------------------------
def legal(number, issued, category="thong_tu", claimed=None, seq=1):
    return {"seq": seq, "doc_category": category, "number": number, "issue_date": issued,
            "claimed_date_text": claimed, "subject": "x"}


@pytest.mark.parametrize("row", [
    legal("27/2020/TT-BGDĐT", dt.date(2020, 9, 4)),
    legal("59/2012/TT - BGD&ĐT", dt.date(2012, 12, 28)),  # spacing and "&" normalised
    legal("1254/HD-PGDĐT", dt.date(2023, 8, 25), "huong_dan"),
])
def test_v7_clean_citations(row):
    assert run(legal_basis=[row]) == []


@pytest.mark.parametrize("row, severity, stated, expected", [
    (legal("99/2018/TT-BGDĐT", dt.date(2019, 2, 1)), "lỗi", "01/02/2019", "năm 2018"),
    (legal("100/2024/TT-BGDĐT", dt.date(2024, 11, 5)), "lỗi", "05/11/2024", "trước 02/10/2024"),
    (legal("43/2019/QH14", None, "luat", claimed="14/6/201"), "lỗi", "14/6/201", "14/06/2019"),
    (legal("84/2020/NĐ-CP", dt.date(2020, 9, 1), "nghi_dinh"), "lỗi", "01/09/2020", "17/07/2020"),
    (legal("12/CT-UBND", dt.date(2017, 12, 16), "quyet_dinh"), "cảnh báo", "quyết định", "chỉ thị"),
])
def test_v7_citation_errors(row, severity, stated, expected):
    f = one(run(legal_basis=[row]), "V7")
    assert (f.severity, f.stated, f.expected) == (severity, stated, expected)


def test_v7_unverified_catalogue_entries_only_note():
    meta = {**META, "issue_date": dt.date(2027, 1, 5)}
    f = one(run(meta=meta, legal_basis=[legal("15/2026/TT-BGDĐT", dt.date(2026, 4, 1))]), "V7")
    assert (f.severity, f.expected) == ("lưu ý", "24/03/2026")


# --- V10 --------------------------------------------------------------------------
def test_r3_min_count():
    assert [min_count(Decimal(99), 605, c) for c in ("ge", "gt", "le", "lt")] == [599, 599, 598, 598]
    assert min_count(Decimal(40), 10, "gt") == 5 and min_count(Decimal(40), 10, "lt") == 3


def goal(comparator, value, numerator=None, denominator=None, code=None):
    return {"school_year": 2024, "target_id": "T1", "area": "giao_duc", "label": "x",
            "indicator_code": code, "comparator": comparator, "value": parse_vi_number(value),
            "unit": "percent", "numerator": numerator, "denominator": denominator}


@pytest.mark.parametrize("row, severity, stated, expected", [
    (goal("ge", "99", 445, 450), "lỗi", "445/450 (98,9%)", "446/450"),
    (goal("eq", "100", 604, 605), "lỗi", "604/605 (99,8%)", "100%"),
    (goal("eq", "33,3", 31, 90), "lỗi", "31/90 (34,4%)", "33,3%"),
    (goal("le", "5", 30, 450), "lỗi", "30/450 (6,7%)", "22/450"),
    (goal("ge", "101"), "lỗi", "101%", "0–100%"),
    (goal("ge", "99,5", None, 150), "cảnh báo", "99,5%", "—"),
])
def test_v10_target_errors(row, severity, stated, expected):
    f = one(run(enrollment_by_grade=enrollment(2024, "plan", FIVE), target=[row]), "V10")
    assert (f.severity, f.stated, f.expected) == (severity, stated, expected)


def test_v4_target_denominator_against_the_plan_pupils():
    row = goal("ge", "99", 456, 460, "E1")  # 456/460 meets 99%, but the plan has 450 pupils
    f = one(run(enrollment_by_grade=enrollment(2024, "plan", FIVE), target=[row]), "V4")
    assert (f.severity, f.stated, f.expected) == ("lỗi", "460", "450")
    assert f.explanation == "Mẫu số 460 khác số học sinh năm học kế hoạch (450)."


def test_v10_clean_targets():
    rows = [goal("ge", "99", 446, 450, "E1"), goal("eq", "100", 605, 605), goal("eq", "33,3", 30, 90),
            goal("lt", "5", 22, 450)]
    for i, row in enumerate(rows):
        row["target_id"] = f"T{i}"
    assert run(enrollment_by_grade=enrollment(2024, "plan", FIVE), target=rows) == []


# --- V11 --------------------------------------------------------------------------
def test_v11_class_size_over_the_cap():
    grades = {**FIVE, 3: (5, 195)}
    f = one(run(enrollment_by_grade=enrollment(2024, "plan", grades)), "V11")
    assert (f.severity, f.stated, f.expected) == ("cảnh báo", "195", "≤ 175")
    assert f.explanation == ("Năm học 2024-2025, khối 3 có 195 học sinh trong 5 lớp (bình quân 39 học "
                             "sinh/lớp), vượt sĩ số tối đa 35 học sinh/lớp.")
    assert f.basis == "Thông tư 28/2020/TT-BGDĐT, Điều 16"


def test_v11_teachers_and_vice_principals_over_the_norm():
    rows = staff(2024, "plan", hieu_truong=1, pho_hieu_truong=2, giao_vien=23)
    found = only(run(enrollment_by_grade=enrollment(2024, "plan", FIVE), staff_aggregate=rows), "V11")
    assert sorted((f.stated, f.expected) for f in found) == [("2", "≤ 1"), ("23", "≤ 22")]


def test_v11_school_size_and_land_per_pupil():
    grades = {g: (6, 120) for g in range(1, 5)} | {5: (7, 140)}  # 31 classes, 620 pupils
    found = only(run(school={**SCHOOL, "land_area_m2": Decimal(5000)},
                     enrollment_by_grade=enrollment(2024, "plan", grades)), "V11")
    assert sorted((f.stated, f.expected) for f in found) == [("31", "10–30"), ("8,1", "≥ 10")]


# --- V12 --------------------------------------------------------------------------
@pytest.mark.parametrize("number, symbol, severity, stated, expected", [
    ("32", "KHCTCL-THT", "lỗi", "KHCTCL", "KH"),
    ("32", "BC-THT", "lỗi", "BC", "KH"),
    ("32", "KH-ABC", "cảnh báo", "ABC", "THT"),
    ("05a", "KH-THT", "lỗi", "05a", "số Ả Rập"),
    ("32", "KH - THT", "lỗi", "KH - THT", "KH-<tên viết tắt của trường>"),
])
def test_v12_number_and_symbol(number, symbol, severity, stated, expected):
    f = one(run(meta={**META, "register_number": number, "symbol": symbol}), "V12")
    assert (f.severity, f.stated, f.expected) == (severity, stated, expected)


# --- V13 --------------------------------------------------------------------------
def test_v13_categories_of_the_regime():
    ok = results(2024, "actual", "tong_hop", {"ht_tot": 3}, grade=1)  # regime filled: tt27_2020
    ok += results(2019, "estimate", "hoc_tap", {"htt": 3}, regime="vnen", model="vnen", grade=6)
    assert only(run(meta=None, assessment_result=ok), "V13") == []
    bad = results(2024, "actual", "tong_hop", {"gioi": 3}, grade=1)
    f = one(run(meta=None, assessment_result=bad), "V13")
    assert (f.severity, f.stated) == ("lỗi", "Giỏi")
    bad = results(2024, "actual", "hoc_luc", {"gioi": 3}, grade=1, regime="tt27_2020")
    assert one(run(meta=None, assessment_result=bad), "V13").severity == "lỗi"
    old = results(2024, "actual", "mon:toan", {"htt": 3}, grade=1, regime="tt22_2016")
    f = one(run(meta=None, assessment_result=old), "V13")
    assert (f.severity, f.expected) == ("cảnh báo", "Thông tư 27/2020/TT-BGDĐT")


# --- cohort roll-forward ------------------------------------------------------------
def test_cohort_break_beyond_the_tolerance():
    before = enrollment(2023, "actual", FIVE)
    after = enrollment(2024, "plan", {**FIVE, 2: (3, 80)})
    f = one(run(enrollment_by_grade=before + after), "Q6")
    assert (f.severity, f.stated, f.expected) == ("lưu ý", "80", "90")
    small = enrollment(2024, "plan", {**FIVE, 2: (3, 83)})
    assert only(run(enrollment_by_grade=before + small), "Q6") == []
    strict = AuditConfig(cohort_tolerance_pct=Decimal(5))
    assert len(only(run(config=strict, enrollment_by_grade=before + small), "Q6")) == 1


# --- properties -----------------------------------------------------------------------
CATEGORIES = ["ht_xuat_sac", "ht_tot", "hoan_thanh", "chua_hoan_thanh"]


@st.composite
def consistent_tables(draw, claimed: bool = True) -> dict:
    """Grade rows with their total, roles with their total, a grade's results with its total;
    sized within the norms with room for a small increase of any one count."""
    grades = {}
    for g in range(1, 6):
        classes = draw(st.integers(2, 5))
        students = draw(st.integers(15 * classes, 30 * classes))
        grades[g] = (classes, students, draw(st.integers(0, students - 5)))
    enr = [{"school_year": 2024, "scenario": "plan", "grade": g, "classes": c, "students": s,
            "female": f} for g, (c, s, f) in grades.items()]
    enr.append({"school_year": 2024, "scenario": "plan", "grade": "tong",
                **{k: sum(r[k] for r in enr) for k in ("classes", "students", "female")}})
    classes = enr[-1]["classes"]
    roles = {"hieu_truong": 1, "pho_hieu_truong": 1, "nhan_vien": draw(st.integers(0, 6)),
             "giao_vien": draw(st.integers(5, int(classes * Decimal("1.5")) - 5))}
    people = staff(2024, "plan", **roles, tong=sum(roles.values()))
    pupils = grades[1][1]
    cuts = sorted(draw(st.lists(st.integers(0, pupils), min_size=3, max_size=3)))
    counts = dict(zip(CATEGORIES, [b - a for a, b in zip([0, *cuts], [*cuts, pupils])]))
    percents = {c: str(pct(n, pupils)).replace(".", ",") for c, n in counts.items()} if claimed else None
    res = results(2024, "plan", "tong_hop", {"tong": pupils, **counts}, grade=1, claimed=percents)
    return {"enrollment_by_grade": enr, "staff_aggregate": people, "assessment_result": res}


@given(consistent_tables())
def test_consistent_data_give_no_findings(tables):
    assert run(**tables) == []


MUTABLE = {"enrollment_by_grade": ("classes", "students", "female"), "staff_aggregate": ("count",),
           "assessment_result": ("count",)}


def single_constraint_cells(tables: dict) -> list[tuple[str, int, str]]:
    """Cells that take part in one total only: not a stated total that other tables use
    (results' "tong"), not the vice-principals (norm at its limit), not grade 1's pupils
    (also the results' denominator, V4)."""
    return [(name, i, column) for name, columns in MUTABLE.items()
            for i, row in enumerate(tables[name]) for column in columns
            if row.get("category") != "tong" and row.get("role") != "pho_hieu_truong"
            and not (row.get("grade") == 1 and column == "students" and name != "assessment_result")]


@given(consistent_tables(claimed=False), st.data())
def test_one_changed_count_gives_one_finding_pointing_at_it(tables, data):
    table, i, column = data.draw(st.sampled_from(single_constraint_cells(tables)))
    rows = tables[table]
    rows[i] = {**rows[i], column: rows[i][column] + data.draw(st.integers(1, 5))}
    found = run(**tables)
    assert [f.code for f in found] == ["V1"], [f.explanation for f in found]
    assert key_of(table, {"school_id": SID, **rows[i]}) in found[0].keys + found[0].compared_keys


# --- datasets -----------------------------------------------------------------------
def test_demo_dataset_has_no_errors():
    found = audit_dataset(load_dataset(ROOT / "params" / "demo"))
    assert [f for f in found if f.severity == "lỗi"] == []


SEED_ERRORS = {  # (school, code, table, stated, expected): what the seed documents got wrong
    ("seed000", "V7", "legal_basis", "14/6/201", "14/06/2019"),  # Luật Giáo dục, year cut off
    ("seed000", "V7", "legal_basis", "01/09/2020", "17/07/2020"),  # NĐ 84/2020/NĐ-CP
    ("seed000", "V7", "legal_basis", "18/08/2020", "30/06/2020"),  # NĐ 71/2020/NĐ-CP
    ("seed000", "V7", "legal_basis", "05/09/2017", "17/07/2017"),  # NĐ 80/2017/NĐ-CP
    ("seed001", "V1", "staff_aggregate", "49", "50"),  # GV: biên chế 48 + hợp đồng 01 ≠ 50
    ("seed001", "V1", "staff_aggregate", "69", "68"),  # CBGVNV: biên chế 53 + hợp đồng 16 ≠ 68
    ("seed001", "V12", "document_meta", "KHCTCL", "KH"),  # "32/KHCTCL-THQT"
    ("seed004", "V1", "assessment_result", "97", "100"),  # học lực 2018-2019: 23 + 33 + 44 ≠ 97
    ("seed004", "V2", "assessment_result", "86,4%", "86,3%"),  # 158/183
}
SEED_WARNINGS = {
    ("seed004", "V2", "assessment_result", "30,7%", "30,8%"),  # 20/65 truncated
    ("seed004", "V2", "assessment_result", "13,6%", "13,7%"),  # 25/183 truncated
    ("seed001", "V11", "enrollment_by_grade", "195", "≤ 175"),  # khối 3: 39 HS/lớp
    ("seed001", "V11", "enrollment_by_grade", "31", "10–30"),  # 31 lớp > quy mô tối đa
}


def test_seed_documents_errors_are_found():
    found = audit_dataset(load_dataset(ROOT / "params" / "seeds"))
    got = {(f.school_id, f.code, f.table, f.stated, f.expected): f for f in found}
    assert SEED_ERRORS <= {k for k, f in got.items() if f.severity == "lỗi"}
    assert SEED_WARNINGS <= {k for k, f in got.items() if f.severity == "cảnh báo"}
    total = got[("seed004", "V1", "assessment_result", "97", "100")]
    assert total.rows == [6] and total.compared_rows == [7, 8, 9, 10, 11]
    hop_dong = [f for f in found if f.school_id == "seed001" and f.severity == "lưu ý"]
    assert [(f.stated, f.expected) for f in hop_dong] == [("16", "≥ 14")]



@pytest.mark.parametrize("dataset", ["params/seeds", "params/demo", "tests/data/mini"])
def test_audit_dataset_is_audit_school_of_each_school(dataset):
    """Grouping every table once gives what each school's own tables give."""
    from kehoach_nb.audit import spreadsheet_rows, with_row_numbers

    ds = load_dataset(ROOT / dataset)
    index = spreadsheet_rows(ds.root)
    one_by_one = [with_row_numbers(f, index) for sid in ds.school_ids()
                  for f in audit_school(ds.school_tables(sid), sid, plan_year=ds.config.school_year)]
    assert audit_dataset(ds) == one_by_one


def test_audit_dataset_uses_the_shared_rows_a_school_does_not_override(tmp_path):
    import shutil

    shutil.copytree(ROOT / "tests" / "data" / "mini", tmp_path / "mini")
    with open(tmp_path / "mini" / "legal_basis.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["TH01", "1", "can_cu", "luat", "43/2019/QH14", "14/06/2018", "", "Giáo dục"])
    ds = load_dataset(tmp_path / "mini")
    v7 = [(f.school_id, f.keys, f.rows) for f in audit_dataset(ds) if f.code == "V7"]
    # TH01's own citation (year 2019 in the number, dated 2018) replaces shared seq 1; THCS01 keeps it
    assert v7 == [("TH01", [{"school_id": "TH01", "seq": "1"}], [5])] * 2

# --- outputs ------------------------------------------------------------------------
def test_write_findings_csv_and_json(tmp_path):
    found = audit_dataset(load_dataset(ROOT / "params" / "seeds"))
    write_findings(found, tmp_path / "kiem_tra.csv", tmp_path / "kiem_tra.json")
    with open(tmp_path / "kiem_tra.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    data = json.loads((tmp_path / "kiem_tra.json").read_text(encoding="utf-8"))
    assert len(rows) == len(data) == len(found)
    assert rows[0]["severity"] == data[0]["severity"] == "lỗi"
    assert any(r["explanation"].startswith("Tỉ lệ ghi 86,4%") for r in rows)
