"""Figures stated in the seed documents against what the generated documents print.

Each row: the school, where the seed states the figure (as the seed says it), the value as
the seed states it, the text the generated document prints, and, when the seed's own
arithmetic or consistency is wrong, the finding of `kehoach check` that flags the stated
value (code, stated, value the data gives). A row without a finding asserts that the seed's
value and the printed value agree.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import pytest

from kehoach_nb.audit import audit_dataset
from kehoach_nb.formatting import parse_vi_number
from kehoach_nb.loading import load_dataset
from kehoach_nb.plans import build_report

SEEDS = Path(__file__).parent.parent / "params" / "seeds"

# (school, where the seed states it, stated, printed by the generated document, finding)
FIGURES = [
    # --- seed000: Kế hoạch phát triển giáo dục 2023-2024, TH thị trấn Chi Nê ---------------
    ("seed000", "I.1.1 Tổng số học sinh 2022-2023", "660",
     "Tổng số học sinh năm học 2022-2023: 660 học sinh với 20 lớp học", None),
    ("seed000", "I.1.1 số lớp 2022-2023", "20", "Tổng | 20 | 660 | 33,0", None),
    ("seed000", "I.1.1 Khối lớp 1", "03 lớp với 102 học sinh", "Khối lớp 1: 03 lớp với 102 học sinh", None),
    ("seed000", "I.1.1 Khối lớp 2", "04 lớp với 145 học sinh", "Khối lớp 2: 04 lớp với 145 học sinh", None),
    ("seed000", "I.1.1 Khối lớp 3", "04 lớp với 134 học sinh", "Khối lớp 3: 04 lớp với 134 học sinh", None),
    ("seed000", "I.1.1 Khối lớp 4", "04 lớp với 125 học sinh", "Khối lớp 4: 04 lớp với 125 học sinh", None),
    ("seed000", "I.1.1 Khối lớp 5", "05 lớp với 154 học sinh", "Khối lớp 5: 05 lớp với 154 học sinh", None),
    ("seed000", "I.1.2 Tổng số CBQL,GV,NV", "44", "năm học 2022-2023: 44 người", None),
    ("seed000", "I.1.2 Cán bộ quản lý", "03", "cán bộ quản lý 03", None),
    ("seed000", "I.1.2 Giáo viên", "31", "giáo viên 31", None),
    ("seed000", "I.1.2 HĐNH (bảo vệ)", "02", "Bảo vệ | 2 | 2", None),
    ("seed000", "I.1.3 tổng số phòng lớp học và phòng chức năng", "33", "có tổng số 34 phòng",
     ("V3", "33", "34")),
    ("seed000", "I.1.3 Trong đó: 21 phòng học", "21", "Phòng học | 21", None),
    ("seed000", "I.1.3 02 phòng Phó hiệu trưởng", "02", "Phòng Phó hiệu trưởng | 2", None),
    ("seed000", "B.1.2 \"Nhà trường chưa có nhà đa năng\"", "0", "Nhà đa năng | 1 | 0 | 1",
     ("V3", "0", "1")),
    ("seed000", "B.1.1 Số lớp", "20", "Số lớp: 20; số học sinh: 660 em", None),
    ("seed000", "B.6.1 20 GVCN + 01 TPT Đội + 08 môn chuyên", "29", "giáo viên 31", ("V3", "29", "31")),
    ("seed000", "B.6.1 nhân viên thư viện, thiết bị, kế toán", "4", "Nhân viên | 5", ("V3", "4", "5")),
    ("seed000", "B.6.1 08 giáo viên môn chuyên = 02+01+01+01+02", "7", "08 giáo viên môn chuyên",
     ("V3", "7", "8")),
    ("seed000", "B.6.3 12 giáo viên chưa đạt chuẩn", "12", "Giáo viên | 31 | — | 0 | 19 | 12", None),
    ("seed000", "Phần hai bảng quy mô: Kế hoạch 2023-2024 số lớp", "19", "Tiểu học | 1 | 20 | 660 | 1 | 19 | 605", None),
    ("seed000", "Phần hai bảng quy mô: Tăng (giảm) lớp", "-1", "| 0 | -1 | -55", None),
    ("seed000", "Phần hai bảng quy mô: Tăng (giảm) học sinh", "- 55", "| 0 | -1 | -55", None),
    ("seed000", "Phần hai I.1.2 Huy động học sinh vào lớp 1", "99/99", "(99/99 học sinh)", None),
    ("seed000", "Phần hai II.2.1 Hoàn thành chương trình lớp học", "599/605 … 99%",
     "đạt 99% trở lên (599/605 học sinh)", None),
    ("seed000", "Phần hai II.2.1 HTCTTH 134/134 (khối 4 năm trước có 125 học sinh)", "134",
     "(134/134 học sinh)", ("V10", "134", "≤ 125")),
    ("seed000", "Phần hai VI.6.1 tỉ lệ giáo viên 1,5/ lớp", "1,5", "tỉ lệ giáo viên/lớp đạt 1,5", None),
    ("seed000", "B.8.1.5 Đảng viên chiếm 56.8%", "56.8%", "chiếm 56.8%", ("R5", "56.8", "56,8")),
    ("seed000", "B.3.1.1 Chỉ thị 1737/CT-BGDĐT ngày 07/5/3018", "07/5/3018", "1737/CT-BGDĐT",
     ("V7", "07/5/3018", "07/05/2018")),
    ("seed000", "Căn cứ Nghị định 84/2020/NĐ-CP ngày 01/9/2020", "01/9/2020", "84/2020/NĐ-CP ngày 01/09/2020",
     ("V7", "01/09/2020", "17/07/2020")),
    # --- seed001: Kế hoạch cải tiến chất lượng 2024-2025, TH Quang Trung ---------------------
    ("seed001", "I.1 bảng, dòng T.trường: Số lớp", "31", "| 31 | 1.095 | 35,3", None),
    ("seed001", "I.1 bảng, dòng T.trường: Số học sinh", "1.095", "dự kiến 31 lớp với 1.095 học sinh", None),
    ("seed001", "I.1 bảng, khối 1", "06 / 207", "Khối lớp 1: 06 lớp với 207 học sinh", None),
    ("seed001", "I.1 bảng, khối 5", "08 / 273", "Khối lớp 5: 08 lớp với 273 học sinh", None),
    ("seed001", "I.1 bảng, dòng T.trường: Tăng (+) Giảm (-) số học sinh", "-30", "| 0 | 0 | -30", None),
    ("seed001", "I.1 bảng, dòng T.trường: Tăng (+) Giảm (-) số lớp", "0", "| 1.095 | 0 | 0 | -30", None),
    ("seed001", "I.2 Tổng số CBGVNV", "68", "năm học 2024-2025: 68 người", None),
    ("seed001", "I.2 Biên chế 53 + Hợp đồng 16", "69", "năm học 2024-2025: 68 người", ("V3", "69", "68")),
    ("seed001", "I.2 Hợp đồng (02 GV …)", "02", "Giáo viên | 50 | 48 | 1", ("V3", "2", "1")),
    ("seed001", "I.2 Hợp đồng (… 01NV)", "01", "Nhân viên | 2 | 2 | 0", ("V3", "1", "0")),
    ("seed001", "I.2 Giáo viên giảng dạy", "50", "giáo viên 50", None),
    ("seed001", "I.2 Giáo viên giảng dạy: Biên chế 48 + Hợp đồng 01", "49", "Giáo viên | 50 | 48 | 1",
     ("V3", "49", "50")),
    ("seed001", "I.2 tỷ lệ 1,6 GV/lớp", "1,6", "Tỉ lệ giáo viên/lớp: 1,61", None),
    ("seed001", "I.2 Chưa chuẩn : 01/53, đạt 1,8%", "1,8%", "chưa đạt chuẩn 01", ("V2", "1,8%", "1,9%")),
    ("seed001", "I.3 đều đạt trình độ đào tạo chuẩn và trên chuẩn", "0", "chưa đạt chuẩn 01", ("V3", "0", "1")),
    ("seed001", "I.4.1 bán trú 870/1.098 = 79,23%", "1.098", "1.095 học sinh", ("V4", "1.098", "1.095")),
    ("seed001", "III.5 Hoàn thành xuất sắc nhiệm vụ 09/47 = 20%", "20%", None, ("V2", "20%", "19%")),
    ("seed001", "III.5 Hoàn thành tốt nhiệm vụ 38/47 = 80%", "80%", None, ("V2", "80%", "81%")),
    ("seed001", "III.5 Tốt: 31/47 = 65,9% (47 giáo viên, có 50)", "47", "giáo viên 50", ("V4", "47", "50")),
    ("seed001", "III.5 Tốt: 31/47 = 65,9%", "65,9%", None, ("V2", "65,9%", "66,0%")),
    # --- seed002: Kế hoạch giải pháp nâng cao chất lượng 2023-2024, TH Bình Phú --------------
    ("seed002", "II.1 Huy động trẻ 6 tuổi vào lớp 1", "100%", "Huy động trẻ 6 tuổi vào lớp 1 đạt 100%", None),
    ("seed002", "II.4 Hoàn thành Chương trình Tiểu học", "trên 99,9%", "hoàn thành chương trình tiểu học đạt trên 99,9%", None),
    ("seed002", "II.5 Hiệu quả đào tạo", "trên 95%", "hiệu quả đào tạo đạt trên 95%", None),
    ("seed002", "II.6 PC GDTH-XMC tỉ lệ trên 90%", "90%", "phổ cập GDTH-XMC năm 2023 đạt trên 90%",
     ("V13", "90%", "mức độ")),
    ("seed002", "II.2 Duy trì sĩ số: 0% / Duy trì sĩ số đạt: 100%", "100%", "Duy trì sĩ số đạt 100%",
     ("V3", "100%", "0%")),
    # --- seed003: Kế hoạch xây dựng trường chuẩn mức độ 2, TH Kim Khê ------------------------
    ("seed003", "IV.3.a Phồng học thường: 11 phòng", "11", "Phòng học | 11", None),
    ("seed003", "IV.3.a 01 phòng tin học", "01", "Phòng bộ môn Tin học | 1", None),
    ("seed003", "IV.3.a \"đã có 1 phòng đủ cho 11 lớp\"", "1", "Phòng học | 11", ("V3", "1", "11")),
    ("seed003", "IV.3.b Đã có đủ các phòng chức năng", "0", "Nhà đa năng | 0", ("V3", "0", "1")),
    ("seed003", "IV.3.a 02 máy chiếu + 03 bổ sung cho mỗi lớp (11 lớp)", "11", None, ("V3", "11", "5")),
    ("seed003", "IV.2 tỉ lệ 1.53 giáo viên/lớp (11 lớp)", "1,53", None,
     ("V5", "1,53", "16/11 = 1,455 hoặc 17/11 = 1,545")),
    ("seed003", "IV.2 \"1.53 giáo viên/lớp\" viết dấu chấm", "1.53", None, ("R5", "1.53", "1,53")),
    ("seed003", "IV.5.c Duy trì PCGD tiểu học đạt mức độ 3", "mức độ 3", "phổ cập giáo dục tiểu học mức độ 3", None),
    ("seed003", "IV.4 Hiệu quả đào tạo sau 5 năm", "99%", "hiệu quả đào tạo sau 5 năm đạt 99%", None),
    # --- seed004: Kế hoạch phát triển sự nghiệp GD&ĐT 2020-2021, THCS Thanh Trường ---------
    ("seed004", "I.2.a Thực hiện 8 lớp với 256 học sinh", "256", "Tổng | 8 | 256 | 32,0", None),
    ("seed004", "I.2.b Tỷ lệ học sinh trên lớp", "32", "Tổng | 8 | 256 | 32,0", None),
    ("seed004", "II Duy trì … 8 lớp với 248 học sinh", "248", "248 học sinh với 08 lớp học", None),
    ("seed004", "III.2.2 Số học sinh", "240", "dự kiến 08 lớp với 240 học sinh", None),
    ("seed004", "III.2.2 Tỉ lệ học sinh/lớp 30HS/1 lớp", "30", "8 | 240 | 30,0", None),
    ("seed004", "II bảng chất lượng hiện hành 2018-2019, Học lực: 23+33+44+0+0 (tổng 97)", "97",
     "Học lực | 100", ("V1", "97", "100")),
    ("seed004", "I.2.d bảng hiện hành: Hạnh kiểm Khá", "23", "27 (27,8%)", ("V3", "23", "27")),
    ("seed004", "I.2.d bảng hiện hành: Học lực TB", "40", "44 (44,0%)", ("V3", "40", "44")),
    ("seed004", "I.2.d bảng trường học mới: Năng lực Đạt", "85", "99 (62,3%)", ("V3", "85", "99")),
    ("seed004", "II bảng trường học mới 2019-2020: Phẩm chất Tốt 158 = 86,4%", "86,4%", "158 (86,3%)",
     ("V2", "86,4%", "86,3%")),
    ("seed004", "II bảng trường học mới, dòng \"2018-2019\" thứ hai: 183", "183", "Phẩm chất | 159",
     ("V3", "183", "159")),
    ("seed004", "I.2.b tỉ lệ huy động 52/59=113%", "113%", None, ("V2", "113%", "0–100%")),
    ("seed004", "I.3 \"có 8 phòng học nhà cấp bốn\"", "8", "Phòng học | 8 | 6 | 2", ("V3", "8", "2")),
    ("seed004", "III.3.3 Tổng số: 24 CBGV, NV", "24", "Tổng số | 26", ("V3", "24", "26")),
    ("seed004", "III.2.2 Tổng số: 26 CBGV,NV", "26", "Tổng số | 26", None),
    ("seed004", "III.2.2 GV dạy giỏi từ cấp trường 90% (16 giáo viên)", "90%", "giáo viên dạy giỏi từ cấp trường trở lên đạt 90%",
     ("V5", "90%", "14/16 = 87,5% hoặc 15/16 = 93,8%")),
    ("seed004", "III.3.2 hạnh kiểm từ trung bình trở lên 99,1% (240 học sinh)", "99,1%", "đạt 99,1%",
     ("V5", "99,1%", "237/240 = 98,8% hoặc 238/240 = 99,2%")),
    ("seed004", "III.2.2 Tổng số cần: 21 phòng", "21", "7): 21.", None),
    ("seed004", "Căn cứ Kế hoạch số 43-KH/TW của Ban Thường vụ Thành ủy", "Ban Thường vụ Thành ủy Điện Biên Phủ",
     "43-KH/TW", ("V7", "Ban Thường vụ Thành ủy Điện Biên Phủ", "Trung ương")),
]


NUMBER = re.compile(r"-?\s?\d[\d.]*(?:,\d+)?")


def numbers(text: str) -> set[Decimal]:
    """The numbers of a text, Vietnamese style ("1.095", "1,5", "- 55", "03" = 3)."""
    return {parse_vi_number(m.group(0).replace(" ", "").rstrip(".")) for m in NUMBER.finditer(text)}


def agrees(stated: Decimal, printed: set[Decimal]) -> bool:
    """The printed value, rounded half-up to the decimals the seed states, is the seed's value."""
    step = Decimal(1).scaleb(stated.as_tuple().exponent)
    return any(p.quantize(step, rounding=ROUND_HALF_UP) == stated for p in printed)


@cache
def document_text(school: str) -> str:
    return build_report(str(SEEDS), school).text()


@cache
def findings() -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = {}
    for f in audit_dataset(load_dataset(SEEDS)):
        out.setdefault(f.school_id, set()).add((f.code, f.stated, f.expected))
    return out


def test_at_least_sixty_figures_from_every_seed():
    assert len(FIGURES) >= 60
    assert {row[0] for row in FIGURES} == {f"seed00{i}" for i in range(5)}


@pytest.mark.parametrize("school,where,stated,printed,flag", FIGURES,
                         ids=[f"{r[0]}:{r[1][:40]}" for r in FIGURES])
def test_stated_figure_is_printed_or_flagged(school, where, stated, printed, flag):
    if printed is not None:
        assert printed in document_text(school), f"{where}: \"{printed}\" not printed"
    if flag is None:
        said, shown = numbers(stated), numbers(printed or "")
        assert said and all(agrees(n, shown) for n in said), f"{where}: stated {stated} vs printed {printed}"
    else:
        assert flag in findings()[school], f"{where}: {flag} not in the audit of {school}"
