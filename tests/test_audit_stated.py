"""Stated figures (stated_figure), the analyst's text and the issuers of citations:
each rule on a clean and a failing case, and properties over generated figures."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach_nb.audit.stated import parse_scope
from kehoach_nb.audit.stated_rules import percent_reachable
from kehoach_nb.formatting import fmt_dec, fmt_percent, pct
from tests.test_audit import FIVE, META, enrollment, run, staff

YEAR = 2024


def fig(location="Mục I: \"…\"", metric="enrollment.students", value=None, unit="count", scope=None,
        numerator=None, denominator=None, year=YEAR, scenario="plan", text=None) -> dict:
    return {"seq": 1, "location": location, "school_year": year, "scenario": scenario,
            "metric": metric, "scope": scope, "unit": unit,
            "value": None if value is None else Decimal(str(value)), "numerator": numerator,
            "denominator": denominator, "stated_text": text}


def numbered(*rows: dict) -> list[dict]:
    return [{**r, "seq": i} for i, r in enumerate(rows, 1)]


def audit(*figures, **tables):
    tables.setdefault("enrollment_by_grade", enrollment(YEAR, "plan", FIVE))
    return run(stated_figure=numbered(*figures), **tables)


def codes(findings, code):
    return [f for f in findings if f.code == code and f.table in ("stated_figure", "narrative_section",
                                                                  "legal_basis", "target")]


# --- V3: against the data, and the same figure twice ------------------------------------
def test_figures_agreeing_with_the_data_give_nothing():
    assert audit(fig(value=450), fig(metric="enrollment.classes", value=15),
                 fig(metric="enrollment.students", scope="grade=1", value=90)) == []


def test_figure_differing_from_the_data_names_place_stated_and_computed():
    [f] = codes(audit(fig("Mục I.1: \"Tổng số học sinh: 460\"", value=460)), "V3")
    assert (f.stated, f.expected) == ("460", "450")
    assert f.where.startswith("Mục I.1: \"Tổng số học sinh: 460\"") and "2024-2025" in f.where


def test_value_not_reported_is_unknown_never_zero():
    # staff rows without bien_che: the stated number of permanent staff cannot be checked
    rows = staff(YEAR, "plan", giao_vien=20, nhan_vien=3)
    assert audit(fig(metric="staff.bien_che", value=7), staff_aggregate=rows) == []
    assert audit(fig(metric="rooms.count", value=3)) == []  # no room inventory at all


def test_the_same_figure_stated_twice_with_two_values():
    [f] = codes(audit(fig("Mục 6.1: \"08 giáo viên môn chuyên\"", "gv_mon_chuyen", 8),
                      fig("Mục 6.1: \"02 + 01 + 01 + 01 + 02\"", "gv_mon_chuyen", 7)), "V3")
    assert (f.stated, f.expected) == ("7", "8") and "08 giáo viên môn chuyên" in f.where


def test_itemisation_and_total_of_rooms():
    rooms = [{"school_year": YEAR, "room_type": t, "count": n}
             for t, n in (("phong_hoc", 15), ("thu_vien", 1), ("nha_da_nang", 1))]
    found = codes(audit(fig(metric="rooms.count", value=16), fig(metric="rooms.count", value=17,
                                                               location="Trong đó (cộng)"),
                        facility_room=rooms), "V3")
    assert [(f.stated, f.expected) for f in found] == [("16", "17")]


def test_text_contradicted_by_the_inventory():
    rooms = [{"school_year": YEAR, "room_type": "nha_da_nang", "count": 0},
             {"school_year": YEAR, "room_type": "phong_hoc", "count": 15}]
    [f] = codes(audit(fig("b) \"Đã có đủ các phòng chức năng\"", "rooms.missing", 0, scope="muc=muc_2",
                          text="Đã có đủ các phòng chức năng"), facility_room=rooms), "V3")
    assert f.expected == "1" and "Nhà đa năng" in f.explanation


def test_delta_and_sum_metrics():
    enr = enrollment(YEAR - 1, "plan", {g: (3, 100) for g in range(1, 6)}) + enrollment(YEAR, "plan", FIVE)
    assert codes(audit(fig(metric="delta.enrollment.students", value=-50), enrollment_by_grade=enr), "V3") == []
    [f] = codes(audit(fig(metric="delta.enrollment.students", value=-55), enrollment_by_grade=enr), "V3")
    assert f.expected == "-50"
    equipment = [{"school_year": YEAR, "item": "may_chieu", "count": 2, "needed": 3}]
    [f] = codes(audit(fig(metric="equipment.count+equipment.needed", scope="item=may_chieu", value=15),
                      equipment=equipment), "V3")
    assert (f.stated, f.expected) == ("15", "5")


# --- V2: percentages ----------------------------------------------------------------------
def test_percentage_above_100_and_fraction_that_disagrees():
    found = codes(audit(fig(metric="mobilisation", unit="percent", value=113, numerator=52,
                            denominator=59)), "V2")
    assert {(f.stated, f.expected) for f in found} == {("113%", "0–100%"), ("113%", "88%")}


def test_truncated_fraction_is_a_warning():
    [f] = codes(audit(fig(metric="x", unit="percent", value=Decimal("65.9"), numerator=31,
                          denominator=47)), "V2")
    assert (f.severity, f.expected) == ("cảnh báo", "66,0%")


@given(st.integers(1, 2000), st.data(), st.integers(0, 2))
@settings(max_examples=60, deadline=None)
def test_correct_fractions_are_never_flagged(d, data, places):
    n = data.draw(st.integers(0, d))
    value = pct(n, d, places)
    assert codes(audit(fig(metric="x", unit="percent", value=value, numerator=n, denominator=d)), "V2") == []


@given(st.decimals(min_value=Decimal("100.1"), max_value=Decimal(1000), places=1))
@settings(max_examples=30, deadline=None)
def test_any_percentage_above_100_is_flagged(value):
    assert codes(audit(fig(metric="x", unit="percent", value=value)), "V2")


# --- V4: denominators ---------------------------------------------------------------------
def test_rate_over_another_population_than_the_enrolment():
    found = audit(fig(metric="enrollment.semi_boarding_students/enrollment.students", unit="percent",
                      value=Decimal("79.23"), numerator=870, denominator=1098))
    [f] = codes(found, "V4")
    assert (f.stated, f.expected) == ("1.098", "450")
    assert codes(found, "V3") == []  # the rate itself is reported once, as a denominator


# --- V5: ratios and percentages of people -------------------------------------------------
def test_teachers_per_class_no_whole_number_gives():
    [f] = codes(audit(fig(metric="staff.count/enrollment.classes", scope="role=giao_vien",
                          unit="ratio", value=Decimal("1.53"), denominator=11)), "V5")
    assert f.stated == "1,53" and "17/11" in f.expected


@given(st.integers(1, 60), st.integers(0, 150), st.integers(1, 2))
@settings(max_examples=60, deadline=None)
def test_reachable_ratios_are_never_flagged(classes, teachers, places):
    value = (Decimal(teachers) / classes).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert codes(audit(fig(metric="staff.count/enrollment.classes", unit="ratio", value=value,
                           denominator=classes)), "V5") == []


def test_percentage_of_teachers_no_whole_number_gives():
    rows = staff(YEAR, "plan", giao_vien=16)
    [f] = codes(audit(fig(metric="gvdg.truong/staff.count", scope="role=giao_vien", unit="percent",
                          value=90), staff_aggregate=rows), "V5")
    assert f.expected == "14/16 = 87,5% hoặc 15/16 = 93,8%"
    assert audit(fig(metric="gvdg.tinh/staff.count", scope="role=giao_vien", unit="percent",
                     value=Decimal("12.5")), staff_aggregate=rows) == []


@given(st.integers(1, 500), st.data(), st.integers(0, 2))
@settings(max_examples=80, deadline=None)
def test_percent_reachable_for_every_whole_count(base, data, places):
    k = data.draw(st.integers(0, base))
    assert percent_reachable(pct(k, base, places), base)


# --- V10: targets the cohort cannot meet --------------------------------------------------
def test_completion_target_larger_than_the_cohort():
    enr = enrollment(YEAR - 1, "actual", {g: (4, 125 if g == 4 else 100) for g in range(1, 6)})
    goal = {"school_year": YEAR, "target_id": "T06", "area": "giao_duc", "label": "HTCTTH",
            "indicator_code": "E2", "comparator": "eq", "value": Decimal(100), "unit": "percent",
            "numerator": 134, "denominator": 134}
    [f] = [f for f in run(enrollment_by_grade=enr, target=[goal]) if f.code == "V10"]
    assert (f.stated, f.expected) == ("134", "≤ 125") and "khối 4 năm học 2023-2024" in f.explanation
    fine = {**goal, "numerator": 125, "denominator": 125}
    assert not [f for f in run(enrollment_by_grade=enr, target=[fine]) if f.code == "V10"]


# --- V13: regime and level labels ---------------------------------------------------------
def test_regime_stated_for_a_grade_and_year():
    assert audit(fig(metric="regime", scope="grade=4|5;regime=tt22_2016", unit="text", year=2022)) == []
    [f] = codes(audit(fig(metric="regime", scope="grade=4;regime=tt27_2020", unit="text", year=2022)), "V13")
    assert "Thông tư 22/2016" in f.expected or "22" in f.expected


def test_pcgd_stated_as_a_percentage():
    [f] = codes(audit(fig(metric="pcgd", unit="percent", value=90)), "V13")
    assert (f.stated, f.expected) == ("90%", "mức độ")
    assert audit(fig(metric="pcgd", unit="level", value=3)) == []


# --- the analyst's text -------------------------------------------------------------------
def narrative(text: str) -> list[dict]:
    return [{"doc_kind": "ke_hoach_phat_trien_giao_duc", "section_key": "dac_diem.doi_ngu",
             "text": text, "order": 1}]


def test_english_number_formats_in_the_text():
    found = codes(run(narrative_section=narrative(
        "25 đảng viên chiếm 56.8% tổng số; đạt 1.53 giáo viên/lớp.")), "R5")
    assert [(f.stated, f.expected) for f in found] == [("56.8", "56,8"), ("1.53", "1,53")]


def test_thousands_grouped_with_spaces_before_a_currency():
    [f] = codes(run(narrative_section=narrative("Xây dựng quỹ khuyến học ít nhất 100 000 đ/ người")), "R5")
    assert (f.stated, f.expected) == ("100 000", "100.000")
    assert codes(run(narrative_section=narrative("quỹ 200.000 đồng; lớp 2 000 học sinh")), "R5") == []


def test_vietnamese_numbers_versions_and_criteria_are_not_flagged():
    text = ("Phần mềm Das 10.6; tiêu chí 1.1 và 2.3; 1.095 học sinh; đạt 79,23%; ngày 14.6.2019; "
            "tỉ lệ 1,5 giáo viên/lớp.")
    assert codes(run(narrative_section=narrative(text)), "R5") == []


@given(st.integers(0, 10000), st.integers(1, 10000), st.integers(0, 2))
@settings(max_examples=60, deadline=None)
def test_formatted_percentages_and_ratios_are_never_flagged(n, d, places):
    text = f"Đạt {fmt_percent(pct(n, d, places), places)}, bình quân {fmt_dec(Decimal(n) / d, 2)} học sinh/lớp."
    assert codes(run(narrative_section=narrative(text)), "R5") == []


def test_citation_with_a_date_that_cannot_exist():
    found = codes(run(narrative_section=narrative(
        "theo Chỉ thị số 1737/CT-BGDĐT ngày 07/5/3018, về trường học an toàn")), "V7")
    assert [(f.stated, f.expected) for f in found] == [("07/5/3018", "07/05/2018")]
    ok = "Thông tư số 31/2017/TT-BGDĐT ngày 18/12/2017 của Bộ Giáo dục và Đào tạo"
    assert codes(run(narrative_section=narrative(ok)), "V7") == []


def test_issuer_against_the_number():
    legal = [{"seq": 1, "doc_category": "ke_hoach", "number": "43-KH/TW", "issue_date": dt.date(2018, 9, 17),
              "issuer": "Ban Thường vụ Thành ủy Điện Biên Phủ", "subject": "…"},
             {"seq": 2, "doc_category": "nghi_dinh", "number": "71/2020/NĐ-CP",
              "issue_date": dt.date(2020, 6, 30), "issuer": "Chính phủ", "subject": "…"},
             {"seq": 3, "doc_category": "thong_tu", "number": "27/2020/TT-BGDĐT",
              "issue_date": dt.date(2020, 9, 4), "issuer": "Bộ GD&ĐT", "subject": "…"}]
    [f] = codes(run(legal_basis=legal), "V7")
    assert (f.stated, f.expected) == ("Ban Thường vụ Thành ủy Điện Biên Phủ", "Trung ương")


def test_scope_parsing():
    assert parse_scope("grade=5; role=hieu_truong|pho_hieu_truong") == {
        "grade": ["5"], "role": ["hieu_truong", "pho_hieu_truong"]}
    assert parse_scope(None) == {} and parse_scope("") == {}


# --- the table itself: loading and its error messages ---------------------------------------
def test_stated_figure_table_loads_and_bad_cells_name_file_row_and_column(mini):
    from kehoach_nb.loading import load_dataset

    path = mini / "stated_figure.csv"
    path.write_text("school_id,seq,location,school_year,scenario,metric,scope,unit,value\n"
                    "TH01,1,\"Mục I: tổng số học sinh\",2024,plan,enrollment.students,,count,\"1.095\"\n"
                    "TH01,2,\"Mục I: tỉ lệ\",2024,plan,x,,phần trăm,\"56.8\"\n", encoding="utf-8")
    ds = load_dataset(mini)
    messages = [str(p) for p in ds.problems]
    assert len(messages) == 2 and "stated_figure.csv, dòng 3, cột unit: \"phần trăm\"" in messages[0]
    assert "đơn vị" in messages[0]
    assert "dòng 3, cột value: \"56.8\" không hợp lệ — giá trị ghi trong văn bản" in messages[1]
    rows = ds.school_tables("TH01")["stated_figure"]
    assert rows["value"].tolist()[0] == Decimal(1095)


def test_school_name_stated_in_the_text():
    [f] = codes(audit(fig(metric="school.name", unit="text", text="Trường Tiểu học Thanh Hà")), "V8")
    assert (f.stated, f.expected) == ("Trường Tiểu học Thanh Hà", "Trường Tiểu học Thử")
    assert codes(audit(fig(metric="school.name", unit="text", text="trường tiểu học  Thử")), "V8") == []


def test_citation_of_a_replaced_circular():
    text = "Thực hiện công tác PCGD theo Thông tư số 36/2009 của Bộ và Nghị định 20/2014 của Chính phủ"
    [f] = codes(run(narrative_section=narrative(text)), "V7")  # the plan is dated 02/10/2024
    assert f.expected == "07/2016/TT-BGDĐT" and "36/2009" in f.stated
    early = {**META, "issue_date": dt.date(2015, 9, 1), "school_year": 2015}
    assert codes(run(meta=early, narrative_section=narrative(text)), "V7") == []


def test_year_label_of_a_scenario_against_the_data():
    enr = enrollment(YEAR - 1, "estimate", FIVE) + enrollment(YEAR, "plan", FIVE)
    said = fig("Mở đầu: \"ước thực hiện năm học 2024 - 2025\"", "scenario_year", YEAR, unit="year",
               scope="scenario=estimate", year=None, scenario=None)
    [f] = codes(audit(said, enrollment_by_grade=enr), "V6")
    assert (f.stated, f.expected) == ("năm học 2024-2025", "năm học 2023-2024")
    assert codes(audit({**said, "value": Decimal(YEAR - 1)}, enrollment_by_grade=enr), "V6") == []
