"""Administrative eras (V14) and rules in force by date (frameworks, the school charter)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kehoach_nb import accreditation as acc
from kehoach_nb import admin_eras as eras
from kehoach_nb import catalogues as cat
from kehoach_nb.audit import audit_school

SID = "S1"
SCHOOL = {"name": "Trường Tiểu học Thử", "name_abbrev": "THT", "school_level": "tieu_hoc",
          "place_name": "Thử", "commune": "xã Hòa Thử", "district": "huyện Thử",
          "province": "tỉnh Lâm Giang"}


def meta(day: dt.date) -> dict:
    return {"doc_kind": "ke_hoach_phat_trien_giao_duc", "school_year": day.year if day.month > 7
            else day.year - 1, "register_number": "5", "symbol": "KH-THT", "issue_date": day,
            "signer_title": "HIỆU TRƯỞNG", "signer_name": "Nguyễn Văn A"}


def v14(governing: str, day: dt.date, recipients=(), **school) -> list:
    data = {"school": [{**SCHOOL, "governing_body": governing, **school}], "document_meta": [meta(day)],
            "recipient": [{"order": i + 1, "name": n} for i, n in enumerate(recipients)]}
    frames = {k: pd.DataFrame([{"school_id": SID, **r} for r in rows]) for k, rows in data.items()}
    return [f for f in audit_school(frames, SID) if f.code == "V14"]


def test_2024_document_with_a_district_office_header_gives_no_finding():
    assert v14("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN THỬ", dt.date(2024, 9, 20),
               ["Phòng GD&ĐT huyện Thử", "UBND huyện Thử"], province="tỉnh Hòa Bình") == []


def test_the_day_before_two_level_government_gives_no_finding():
    assert v14("UBND HUYỆN THỬ", dt.date(2025, 6, 30)) == []


@pytest.mark.parametrize("governing", ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN THỬ", "PHÒNG GD&ĐT THỬ",
                                       "UBND HUYỆN THỬ", "ỦY BAN NHÂN DÂN QUẬN THỬ",
                                       "UBND THỊ XÃ THỬ"])
def test_2026_document_with_a_district_header_is_an_error_naming_the_commune(governing):
    found = v14(governing, dt.date(2026, 9, 20))
    assert len(found) == 1
    f = found[0]
    assert f.severity == "lỗi" and f.stated == governing and f.expected == "UBND xã Hòa Thử"
    assert "01/07/2025" in f.explanation and "UBND xã Hòa Thử" in f.explanation


def test_2026_document_with_a_commune_header_and_current_recipients_gives_none():
    assert v14("UBND XÃ HÒA THỬ", dt.date(2026, 9, 20),
               ["Sở Giáo dục và Đào tạo tỉnh Lâm Giang", "UBND xã Hòa Thử",
                "Phòng Văn hóa – Xã hội xã Hòa Thử"]) == []
    assert v14("UBND PHƯỜNG THỬ", dt.date(2025, 7, 1)) == []


def test_2026_recipients_and_merged_provinces_are_named_with_the_current_name():
    found = v14("UBND XÃ HÒA THỬ", dt.date(2026, 9, 20),
                ["Phòng GD&ĐT huyện Thử", "Sở GD&ĐT tỉnh Hải Dương"], province="tỉnh Hoà Bình")
    by_stated = {f.stated: f for f in found}
    assert by_stated["Phòng GD&ĐT huyện Thử"].severity == "lỗi"
    assert "Sở Giáo dục và Đào tạo" in by_stated["Phòng GD&ĐT huyện Thử"].expected
    assert by_stated["tỉnh Hải Dương"].expected == "thành phố Hải Phòng"
    assert by_stated["tỉnh Hoà Bình"].expected == "tỉnh Phú Thọ"
    assert by_stated["tỉnh Hoà Bình"].severity == "cảnh báo"


def test_without_a_commune_the_finding_says_what_to_write():
    found = v14("UBND HUYỆN THỬ", dt.date(2026, 9, 20), commune=None)
    assert found[0].expected == "UBND xã, phường hoặc đặc khu"


def test_communes_sharing_a_province_name_are_not_provinces():
    assert eras.merged_provinces_in("UBND xã Hòa Bình") == []
    assert eras.province_successor("tỉnh Lâm Giang") is None  # fictional: unknown, never guessed
    assert not eras.two_level(dt.date(2025, 6, 30)) and eras.two_level(dt.date(2025, 7, 1))


def test_the_catalogue_has_34_provinces_after_the_merger():
    merged = eras.catalogue()["merged_provinces"]
    assert len(merged) == 63 - 34
    assert len(set(merged.values())) == 23  # 23 merged provinces + 11 unchanged = 34


# --- accreditation framework by date ------------------------------------------------
@pytest.mark.parametrize(("level", "on", "expected"), [
    ("tieu_hoc", dt.date(2026, 7, 6), "tt17_2018"),
    ("thcs", dt.date(2026, 7, 6), "tt18_2018"),
    ("tieu_hoc", dt.date(2026, 7, 7), "tt57_2026"),
    ("thcs", dt.date(2026, 9, 20), "tt57_2026"),
    ("tieu_hoc", dt.date(2024, 9, 30), "tt17_2018"),
])
def test_framework_by_document_date(level, on, expected):
    assert acc.framework_in_force(level, on) == expected


@pytest.mark.parametrize(("level", "old"), [("tieu_hoc", "tt17_2018"), ("thcs", "tt18_2018")])
def test_dataset_override_keeps_the_2018_frameworks_after_the_date(level, old):
    later = {"tt57_2026": dt.date(2026, 12, 31)}
    assert acc.framework_in_force(level, dt.date(2026, 9, 20), in_force_from=later) == old
    never = {"tt57_2026": None}
    assert acc.framework_in_force(level, dt.date(2027, 9, 20), in_force_from=never) == old


@pytest.mark.parametrize("level", ["tieu_hoc", "thcs"])
def test_dataset_override_applies_tt57_before_the_date(level):
    earlier = {"tt57_2026": dt.date(2026, 1, 1)}
    assert acc.framework_in_force(level, dt.date(2026, 3, 1), in_force_from=earlier) == "tt57_2026"
    assert acc.framework_in_force(level, dt.date(2025, 12, 31), in_force_from=earlier) != "tt57_2026"


def test_document_override_wins_over_the_dataset():
    assert acc.framework_in_force("thcs", dt.date(2026, 9, 20), override="tt18_2018",
                                  in_force_from={"tt57_2026": dt.date(2026, 1, 1)}) == "tt18_2018"


# --- other 2026 norms: the school charter -------------------------------------------------
@pytest.mark.parametrize(("level", "on", "expected"), [
    ("tieu_hoc", dt.date(2026, 3, 1), "tt28_2020"),
    ("thcs", dt.date(2026, 3, 1), "tt32_2020"),
    ("tieu_hoc", dt.date(2026, 9, 20), "tt15_2026"),
    ("thcs", dt.date(2026, 9, 20), "tt15_2026"),
])
def test_school_charter_by_date(level, on, expected):
    assert cat.regulation_in_force("dieu_le", level, on)["code"] == expected


def test_school_charter_override():
    rule = cat.regulation_in_force("dieu_le", "thcs", dt.date(2026, 9, 20), {"tt15_2026": None})
    assert rule["code"] == "tt32_2020"
    assert cat.regulation_in_force("dieu_le", "thcs", dt.date(2026, 9, 20))["verified"] is False


def _v7(number: str, day: dt.date, config=None) -> list:
    from kehoach_nb.audit import AuditConfig

    data = {"school": [{**SCHOOL, "governing_body": "UBND XÃ HÒA THỬ"}], "document_meta": [meta(day)],
            "legal_basis": [{"seq": 1, "doc_category": "thong_tu", "number": number,
                             "issue_date": dt.date(2020, 9, 4), "subject": "Điều lệ trường tiểu học"}]}
    frames = {k: pd.DataFrame([{"school_id": SID, **r} for r in rows]) for k, rows in data.items()}
    cfg = AuditConfig(in_force_from=config) if config else None
    return [f for f in audit_school(frames, SID, cfg) if f.code == "V7"]


def test_citing_the_replaced_charter_after_tt15_is_a_note():
    found = _v7("28/2020/TT-BGDĐT", dt.date(2026, 9, 20))
    assert [(f.severity, f.expected) for f in found] == [("lưu ý", "15/2026/TT-BGDĐT")]
    assert "10/05/2026" in found[0].explanation
    assert _v7("28/2020/TT-BGDĐT", dt.date(2025, 9, 20)) == []
    assert _v7("28/2020/TT-BGDĐT", dt.date(2026, 9, 20), {"tt15_2026": None}) == []


# --- the demo (2026-2027, two-level) and the seeds (district era) -------------------------
def test_demo_is_a_clean_two_level_2026_dataset():
    from pathlib import Path

    from kehoach_nb.audit import audit_dataset
    from kehoach_nb.loading import load_dataset
    from kehoach_nb.model import Header, Table
    from kehoach_nb.plans import build_report

    root = Path(__file__).parent.parent
    assert audit_dataset(load_dataset(root / "params" / "demo")) == []
    doc = build_report(str(root / "params" / "demo"), "THCS02", "ke_hoach_cai_tien_chat_luong").document
    header = next(b for b in doc.blocks if isinstance(b, Header))
    assert header.governing_body == "UBND XÃ HÒA BÌNH" and "2026" in header.date_line
    plan = next(b for b in doc.blocks if isinstance(b, Table) and "57/2026" in b.caption)
    assert plan.landscape and [c.text for c in plan.header[1]] == [f"({i})" for i in range(1, 11)]
    seed = build_report(str(root / "params" / "seeds"), "seed001", "ke_hoach_cai_tien_chat_luong").document
    assert any(isinstance(b, Table) and "17/2018" in b.caption for b in seed.blocks)
    assert next(b for b in seed.blocks if isinstance(b, Header)).governing_body == "UBND QUẬN NGÔ QUYỀN"


def test_dataset_yaml_text_null_means_never():
    from kehoach_nb.loading import DatasetConfig

    cfg = DatasetConfig(name="x", school_year="2026", in_force_from={"tt57_2026": "null",
                                                                      "tt15_2026": "2026-09-05"})
    assert cfg.in_force_from == {"tt57_2026": None, "tt15_2026": dt.date(2026, 9, 5)}
    with pytest.raises(ValueError, match="không có trong danh mục"):
        DatasetConfig(name="x", school_year="2026", in_force_from={"tt99_2030": "null"})


def test_a_self_assessment_under_another_framework_is_named_and_never_shown_as_zero(tmp_path):
    """TH02 self-assessed under TT17 but dates its quality plan after TT57 applies: the audit
    says so, and the plan shows no summary of zeros."""
    import shutil

    from kehoach_nb.audit import audit_dataset
    from kehoach_nb.loading import load_dataset
    from kehoach_nb.plans import build_report

    from .conftest import ROOT

    data = tmp_path / "demo"
    shutil.copytree(ROOT / "params" / "demo", data)
    path = data / "criterion_assessment.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.replace("tt57_2026", "tt17_2018") if line.startswith("TH02,") else line
                              for line in lines) + "\n", encoding="utf-8")
    found = [f for f in audit_dataset(load_dataset(data)) if f.school_id == "TH02"]
    assert [(f.code, f.severity) for f in found] == [("V13", "cảnh báo")] * len(found) and found
    assert "Thông tư 57/2026/TT-BGDĐT" in found[0].explanation
    text = build_report(str(data), "TH02", "ke_hoach_cai_tien_chat_luong").text()
    assert "0 (0%)" not in text and "Tổng hợp kết quả tự đánh giá" not in text


def test_abbreviated_district_offices_are_found_and_district_cities_are_not_provinces():
    found = v14("UBND XÃ HÒA THỬ", dt.date(2026, 9, 20),
                ["PGD&ĐT huyện Thử", "Phòng Giáo dục - Đào tạo huyện Thử", "UBND thành phố Hải Dương"])
    assert [f.stated for f in found] == ["PGD&ĐT huyện Thử", "Phòng Giáo dục - Đào tạo huyện Thử"]
    assert "từ ngày 01/07/2025 không còn cấp huyện" in found[0].explanation
    assert eras.commune_body("thị trấn Thử") is None  # abolished with the districts
