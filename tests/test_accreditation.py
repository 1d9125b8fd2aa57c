"""Accreditation rules (REFERENCE §d.6 A1–A6) and the criteria catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehoach_nb import accreditation as acc
from kehoach_nb import cells, schema
from kehoach_nb.schema_accreditation import ACCREDITATION_TABLES

TT17, TT18, TT57 = acc.framework("tt17_2018"), acc.framework("tt18_2018"), acc.framework("tt57_2026")


def _all(fw, level):
    return {c.code: level for c in fw.criteria}


# --- catalogue ----------------------------------------------------------------
@pytest.mark.parametrize(("code", "standards", "criteria", "mandatory", "levels"), [
    ("tt17_2018", 5, 27, 0, (1, 2, 3)),
    ("tt18_2018", 5, 28, 0, (1, 2, 3)),
    ("tt57_2026", 4, 15, 8, (1, 2)),
    ("tt59_2012", 5, 0, 0, ()),
])
def test_framework_shapes(code, standards, criteria, mandatory, levels):
    fw = acc.framework(code)
    assert len(fw.standards) == standards
    assert len(fw.criteria) == criteria
    assert sum(c.mandatory for c in fw.criteria) == mandatory
    assert fw.criterion_levels == levels
    assert len({c.code for c in fw.criteria}) == criteria


def test_only_tt57_is_unverified():
    assert [c for c in acc.catalogue()["frameworks"] if not acc.framework(c).verified] == ["tt57_2026"]


def test_tt57_mandatory_criteria():
    assert [c.code for c in TT57.criteria if c.mandatory] == [
        "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]


def test_tt17_names_as_in_seed_001():
    names = {c.code: c.name for c in TT17.criteria}
    assert names["1.5"] == "Khối lớp và tổ chức lớp học"
    assert names["1.10"] == "Đảm bảo an ninh trật tự, an toàn trường học"
    assert names["4.2"] == ("Công tác tham mưu cấp ủy Đảng, chính quyền và phối hợp với các tổ chức, "
                            "cá nhân của nhà trường")
    assert names["5.2"] == "Thực hiện Chương trình giáo dục phổ thông cấp tiểu học"
    assert "Quản lý cán bộ quản lý, giáo viên và nhân viên" in TT17.criterion("1.7").aliases


def test_catalogue_text_is_nfc():
    text = (acc.cat.HERE / "criteria.yaml").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text


@pytest.mark.parametrize("code", ["tt17_2018", "tt18_2018", "tt57_2026", "tt59_2012"])
def test_thresholds_point_at_known_things(code):
    fw, measures = acc.framework(code), acc.catalogue()["measures"]
    for t in fw.thresholds:
        assert fw.criterion(t.criterion) is not None, t
        assert t.level in fw.criterion_levels, t
        assert t.measure in measures and t.comparator in acc.COMPARE, t


def test_reference_thresholds_are_data():
    def value(fw, crit, level, measure, field="value"):
        t = next(t for t in fw.thresholds
                 if (t.criterion, t.level, t.measure) == (crit, level, measure))
        return getattr(t, field)
    assert value(TT17, "1.5", 2, "classes") == 30
    assert value(TT18, "1.5", 2, "classes") == 45
    assert value(TT17, "2.2", 2, "teachers_tren_pct") == 55
    assert value(TT17, "2.2", 2, "teachers_tren_pct", "value_hardship") == 40
    assert value(TT17, "2.2", 3, "teachers_tren_pct", "value_hardship") == 50
    assert [value(TT17, "5.5", k, "completion_grade_pct") for k in (1, 2, 3)] == [70, 85, 95]
    assert value(TT18, "5.6", 3, "dropout_pct", "value_hardship") == 3


# --- framework in force --------------------------------------------------------
@pytest.mark.parametrize(("level", "on", "expected"), [
    ("tieu_hoc", dt.date(2017, 9, 5), "tt59_2012"),
    ("tieu_hoc", dt.date(2018, 10, 9), "tt59_2012"),
    ("tieu_hoc", dt.date(2018, 10, 10), "tt17_2018"),
    ("thcs", dt.date(2018, 10, 10), "tt18_2018"),
    ("thcs", dt.date(2017, 9, 5), None),
    ("tieu_hoc", dt.date(2027, 9, 5), "tt57_2026"),
    ("thcs", dt.date(2027, 9, 5), "tt57_2026"),
    ("tieu_hoc", dt.date(2025, 9, 5), "tt17_2018"),
])
def test_framework_in_force_by_date(level, on, expected):
    assert acc.framework_in_force(level, on) == expected


def test_override_always_wins():
    assert acc.framework_in_force("tieu_hoc", dt.date(2010, 1, 1), override="tt17_2018") == "tt17_2018"
    assert acc.framework_in_force("thcs", dt.date(2020, 1, 1), override="tt57_2026") == "tt57_2026"
    with pytest.raises(ValueError, match="không có trong danh mục"):
        acc.framework_in_force("thcs", dt.date(2020, 1, 1), override="tt99_2030")


# --- A1 criterion level --------------------------------------------------------
@pytest.mark.parametrize(("results", "expected"), [
    ({1: True, 2: True, 3: True}, 3),
    ({1: True, 2: True, 3: False}, 2),
    ({1: False, 2: True, 3: True}, 0),
    ({1: True, 3: True}, 1),                                   # Mức 3 presupposes Mức 2
    ({"1": {"a": True, "b": True, "c": True}, "2": {"a": True, "b": None}}, 1),
    ({1: {}}, 0),                                              # no indicator, nothing met
    ({1: True, 2: float("nan")}, 1),
    ({}, 0),
])
def test_criterion_level(results, expected):
    assert acc.criterion_level(results) == expected


@given(st.lists(st.booleans(), max_size=3))
def test_criterion_level_is_longest_met_prefix(flags):
    results = {k + 1: v for k, v in enumerate(flags)}
    expected = max((k for k in range(len(flags) + 1) if all(flags[:k])), default=0)
    assert acc.criterion_level(results) == expected


def test_row_level_prefers_flags_then_achieved_level():
    assert acc.row_level({"level1_met": True, "level2_met": False, "achieved_level": 3}) == 1
    assert acc.row_level({"achieved_level": 2}) == 2
    assert acc.row_level({"level1_met": None, "achieved_level": None}) is None


def test_levels_from_rows_keeps_one_framework():
    rows = [{"framework": "tt17_2018", "criterion_code": "1,5", "level1_met": True},
            {"framework": "tt18_2018", "criterion_code": "1.6", "achieved_level": 3},
            {"framework": "tt17_2018", "criterion_code": "1.7", "achieved_level": None}]
    assert acc.levels_from_rows(rows, "tt17_2018") == {"1.5": 1}


# --- A2 / A4 school level -------------------------------------------------------
def test_school_level_is_minimum_over_criteria():
    levels = _all(TT17, 3)
    assert acc.school_level(levels, TT17) == 3
    levels["3.5"] = 1
    assert acc.school_level(levels, "tt17_2018") == 1


def test_level_4_needs_level_3_everywhere_and_article_22():
    assert acc.school_level(_all(TT17, 3), TT17, level4_met=True) == 4
    assert acc.school_level(_all(TT17, 3), TT17) == 3
    assert acc.school_level(_all(TT17, 2), TT17, level4_met=True) == 2


def test_school_level_unknown_when_a_criterion_is_missing():
    levels = _all(TT18, 3)
    del levels["5.6"]
    assert acc.school_level(levels, TT18) is None
    assert acc.school_level({**levels, "5.6": None}, TT18) is None
    assert acc.school_level({**levels, "5.6": float("nan")}, TT18) is None


def test_school_level_rule_is_pluggable():
    levels = _all(TT17, 2)
    levels["1.1"] = 0
    lenient = lambda lv, fw: sorted(lv[c.code] for c in fw.criteria)[1]  # noqa: E731
    assert acc.school_level(levels, TT17) == 0
    assert acc.school_level(levels, TT17, rule=lenient) == 2


def _tt57(mandatory: int, others: list[int]):
    it = iter(others)
    return {c.code: (mandatory if c.mandatory else next(it)) for c in TT57.criteria}


@pytest.mark.parametrize(("mandatory", "others", "expected"), [
    (2, [2, 2, 2, 2, 2, 2, 2], 2),
    (2, [2, 2, 2, 2, 2, 1, 1], 2),     # 5 of 7 others at Mức 2, none below Mức 1
    (2, [2, 2, 2, 2, 2, 1, 0], 1),     # one criterion below Mức 1 -> not Mức 2
    (2, [2, 2, 2, 2, 1, 1, 1], 1),     # only 4 others at Mức 2
    (1, [2, 2, 2, 2, 2, 2, 2], 1),     # mandatory only at Mức 1
    (1, [1, 1, 1, 1, 1, 0, 0], 1),     # 5 of 7 others at Mức 1
    (1, [1, 1, 1, 1, 0, 0, 0], 0),
    (0, [2, 2, 2, 2, 2, 2, 2], 0),
])
def test_tt57_school_level(mandatory, others, expected):
    assert acc.school_level(_tt57(mandatory, others), TT57) == expected


def test_tt57_one_mandatory_below_blocks_the_level():
    levels = _tt57(2, [2] * 7)
    levels["4.2"] = 1
    assert acc.school_level(levels, TT57) == 1
    levels["4.2"] = 0
    assert acc.school_level(levels, TT57) == 0


def test_tt59_has_no_criterion_rule():
    assert acc.school_level({}, "tt59_2012") is None


# --- A3 CQG ----------------------------------------------------------------------
@pytest.mark.parametrize(("level", "cohort", "expected"), [
    (1, True, 0), (2, True, 1), (2, False, 0), (3, True, 2), (3, False, 2), (4, True, 2), (None, True, 0),
])
def test_cqg_eligibility(level, cohort, expected):
    assert acc.cqg_eligibility(level, cohort) == expected


def test_cqg_eligibility_without_mapping():
    assert acc.cqg_eligibility(2, True, "tt57_2026") is None


# --- A5 summaries and gaps --------------------------------------------------------
def test_missing_criteria_in_catalogue_order():
    present = [c.code for c in TT17.criteria if c.code not in {"1.2", "1.10", "5.5"}]
    assert acc.missing_criteria(reversed(present), TT17) == ["1.2", "1.10", "5.5"]
    assert acc.missing_criteria(["1,1", " 1.2 "] + present, TT17) == ["1.10", "5.5"]


def test_unknown_criteria_are_listed():
    assert acc.unknown_criteria(["1.1", "5.6", "1.11"], TT17) == ["5.6", "1.11"]


def test_standard_summary_counts_and_rates():
    levels = _all(TT17, 3)
    levels.update({"1.5": 1, "1.6": 2, "1.7": 0})
    del levels["1.8"]
    first = acc.standard_summary(levels, TT17)[0]
    assert (first.code, first.n_criteria, first.n_assessed) == ("1", 10, 9)
    assert first.at_least == {1: 8, 2: 7, 3: 6}
    assert first.pct == {1: Decimal("80.0"), 2: Decimal("70.0"), 3: Decimal("60.0")}
    assert [s.n_criteria for s in acc.standard_summary(levels, TT17)] == [10, 4, 6, 2, 5]
    total = acc.total_summary(levels, TT17)
    assert (total.n_criteria, total.at_least[1]) == (27, 25)
    assert total.pct[1] == Decimal("92.6")


def test_not_met_and_actions_missing():
    levels = {"3.5": 0, "1.5": 1, "2.2": 1, "1.1": 3}
    assert acc.criteria_not_met(levels, TT17) == ["3.5"]
    not_met = acc.criteria_not_met(levels, TT17, target_level=2)
    assert not_met == ["1.5", "2.2", "3.5"]
    actions = [{"criterion_code": "1.5", "content": "…"}, {"criterion_code": None}, "3,5"]
    assert acc.actions_missing(not_met, actions) == ["2.2"]


# --- A6 evidence suggestions --------------------------------------------------------
def _one(fw, **kw):
    out = acc.suggest_evidence(fw, **kw)
    assert len(out) == 1
    return out[0]


@pytest.mark.parametrize(("fw", "classes", "expected"), [
    ("tt17_2018", 30, 2), ("tt17_2018", 31, 1), ("tt18_2018", 45, 2), ("tt18_2018", 46, 1),
])
def test_suggest_classes_against_cap(fw, classes, expected):
    s = _one(fw, classes=classes)
    assert (s.criterion, s.level) == ("1.5", expected)


def test_seed_001_figures_give_its_cd_verdicts():
    # seed 001: 31 classes, 3/53 trên chuẩn (5,7%) -> self-assessed "CĐ" on 1.5 and 2.2
    found = {s.criterion: s for s in acc.suggest_evidence(TT17, classes=31, teachers_tren_pct=Decimal("5.7"))}
    assert found["1.5"].level == 1 and found["2.2"].level == 1
    assert found["1.5"].reason == "Số liệu phù hợp Mức 1: số lớp 31 chưa đạt yêu cầu Mức 2 (không quá 30 lớp)."


@pytest.mark.parametrize(("tren", "hardship", "expected"), [
    (45, False, 1), (45, True, 2), (55, False, 2), (65, False, 3), (50, True, 3), (39, True, 1),
])
def test_suggest_teachers_with_hardship_thresholds(tren, hardship, expected):
    s = _one(TT17, teachers_tren_pct=tren, hardship=hardship)
    assert (s.criterion, s.level) == ("2.2", expected)
    assert ("vùng khó khăn" in s.reason) == hardship


def test_suggest_teachers_level_1_requirements():
    s = _one(TT17, teachers_qualified_pct=Decimal("98.1"), teachers_tren_pct=70)
    assert s.level == 0
    assert s.reason.startswith("Số liệu chưa đáp ứng Mức 1: tỷ lệ giáo viên đạt chuẩn trình độ đào tạo")


@pytest.mark.parametrize(("rooms", "classes", "expected"), [(31, 31, 1), (30, 31, 0), (199, 200, 0)])
def test_suggest_classrooms_per_class(rooms, classes, expected):
    found = {s.criterion: s for s in acc.suggest_evidence(TT17, classrooms=rooms, classes=classes)}
    assert found["3.2"].level == expected


@pytest.mark.parametrize(("rate", "expected"), [
    ("69.9", 0), ("70", 1), ("84.9", 1), ("85", 2), ("95", 3), ("100", 3),
])
def test_suggest_completion_rate(rate, expected):
    assert _one(TT17, completion_grade_pct=Decimal(rate)).level == expected


def test_special_hardship_is_separate_from_hardship():
    ordinary = _one(TT17, completed_primary_age11_pct=75)
    assert ordinary.level == 1
    assert _one(TT17, completed_primary_age11_pct=75, hardship=True).level == 2   # ĐBKK follows
    assert _one(TT17, completed_primary_age11_pct=75, hardship=True,
                special_hardship=False).level == 1
    assert "vùng đặc biệt khó khăn" in _one(TT17, completed_primary_age11_pct=75,
                                           special_hardship=True).reason


def test_urban_land_threshold():
    assert _one(TT18, land_per_pupil_m2=7).level == 2
    s = _one(TT18, land_per_pupil_m2=7, urban=True)
    assert s.level == 3 and "nội thành" in s.reason


def test_suggestions_skip_empty_inputs_and_reject_unknown_names():
    assert acc.suggest_evidence(TT17, classes=None, teachers_tren_pct=float("nan")) == []
    assert acc.suggest_evidence(TT57, classes=20) == []
    with pytest.raises(ValueError, match="teacher_tren_pct"):
        acc.suggest_evidence(TT17, teacher_tren_pct=50)


def test_thresholds_come_from_the_framework_data():
    cap = next(t for t in TT17.thresholds if t.measure == "classes")
    custom = dataclasses.replace(TT17, thresholds=(dataclasses.replace(cap, value=Decimal(35)),))
    assert _one(TT17, classes=33).level == 1
    assert _one(custom, classes=33).level == 2


def test_reasons_are_nfc_vietnamese():
    for s in acc.suggest_evidence(TT17, hardship=True, classes=20, classrooms=19,
                                  teachers_tren_pct=45, completion_grade_pct=90):
        assert unicodedata.normalize("NFC", s.reason) == s.reason
        assert s.reason.endswith(".")


def test_split_evidence_codes():
    assert acc.split_evidence_codes("[H1-1.1-01]; [H1-1.1-02]\n[H2-2.2-01]") == [
        "H1-1.1-01", "H1-1.1-02", "H2-2.2-01"]
    assert acc.split_evidence_codes(None) == []


# --- proposed input tables -------------------------------------------------------------
def test_accreditation_tables_are_well_formed():
    assert set(ACCREDITATION_TABLES) == {"criterion_assessment", "improvement_action", "priority_issue"}
    assert all(schema.TABLES[name] is table for name, table in ACCREDITATION_TABLES.items())
    for table in ACCREDITATION_TABLES.values():
        names = [c.name for c in table.columns]
        assert len(names) == len(set(names))
        assert set(table.keys) <= set(names) and names[:2] == ["school_id", "school_year"]
        assert not table.required


def test_assessment_columns_parse_like_other_tables():
    table = ACCREDITATION_TABLES["criterion_assessment"]
    assert cells.parse_cell(table.column("level2_met"), "Có") is True
    assert cells.parse_cell(table.column("criterion_code"), "1.10") == "1.10"
    assert set(table.column("framework").choices) == set(acc.catalogue()["frameworks"])
    with pytest.raises(cells.CellError):
        cells.parse_cell(table.column("achieved_level"), "4")
