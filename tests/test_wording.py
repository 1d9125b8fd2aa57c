"""Target sentences a school would write (issue 12, item 5): one test per kind of target."""

from decimal import Decimal

import pytest

from kehoach_nb.narrative import describe_target


def t(label, value=None, unit="count", comparator="eq", **kw):
    return {"label": label, "value": None if value is None else Decimal(value), "unit": unit,
            "comparator": comparator, **kw}


@pytest.mark.parametrize("row, baseline, expected", [
    # count with its unit in the label
    (t("Kiểm tra toàn diện nhà trường (lần)", "1"), None, "Phấn đấu kiểm tra toàn diện nhà trường: 1 lần."),
    # zero target
    (t("Sáng kiến cấp Quận loại C", "0"), None, "Phấn đấu không có sáng kiến cấp Quận loại C."),
    (t("Tỷ lệ học sinh bỏ học", "0", "percent"), None, "Phấn đấu không có học sinh bỏ học."),
    # range stated in the label
    (t("Đảng viên (từ 03-05 đảng viên)", "3", comparator="ge", verb="Kết nạp"), None,
     "Kết nạp đảng viên: từ 3 đến 5 đảng viên."),
    # count with last year's figure
    (t("Số lớp học", "8", indicator_code="Q1"), "8 lớp", "Phấn đấu số lớp học: 8 lớp (bằng năm học trước)."),
    (t("Số học sinh", "240", indicator_code="Q2"), "248 học sinh",
     "Phấn đấu số học sinh: 240 học sinh; năm học trước: 248 học sinh."),
    # "at least" already in the label
    (t("Học sinh hoàn thành từ trung bình trở lên", "93", "percent", "ge"), None,
     "Phấn đấu học sinh hoàn thành từ trung bình trở lên đạt 93%."),
    # rate, at least
    (t("Tỉ lệ học sinh khá, giỏi", "40", "percent", "ge"), None, "Phấn đấu tỉ lệ học sinh khá, giỏi đạt 40% trở lên."),
    # level
    (t("Trường đạt chuẩn quốc gia", "2", "level", "maintain", verb="Duy trì"), None,
     "Duy trì trường đạt chuẩn quốc gia mức độ 2."),
    # transcription remarks never reach the body
    (t('Tỉ lệ giáo viên/lớp (văn bản ghi "1.53")', "1.53", "ratio", verb="Đảm bảo"), None,
     "Đảm bảo tỉ lệ giáo viên/lớp đạt 1,53."),
])
def test_target_kinds(row, baseline, expected):
    assert describe_target(row, baseline) == expected


def test_one_spelling_of_ty_le():
    row = t("Tỷ lệ học sinh chuyển lớp", "100", "percent")
    assert describe_target(row) == "Phấn đấu tỉ lệ học sinh chuyển lớp đạt 100%."
    assert describe_target(row, spelling="tỷ lệ") == "Phấn đấu tỷ lệ học sinh chuyển lớp đạt 100%."


def test_counts_follow_the_padding_setting():
    row = t("Kiểm tra toàn diện nhà trường (lần)", "1")
    assert describe_target(row, pad=True) == "Phấn đấu kiểm tra toàn diện nhà trường: 01 lần."
    assert describe_target(t("Số lớp học", "8", indicator_code="Q1"), "08 lớp", pad=True) == \
        "Phấn đấu số lớp học: 08 lớp (bằng năm học trước)."
    # rates are never padded
    assert describe_target(t("Tỉ lệ học sinh chuyển lớp", "5", "percent"), pad=True) == \
        "Phấn đấu tỉ lệ học sinh chuyển lớp đạt 5%."


def test_hundred_percent_is_never_exceeded():
    assert describe_target(t("Trình độ CBGV trên chuẩn", "100", "percent", "ge")) == \
        "Phấn đấu trình độ CBGV trên chuẩn đạt 100%."
