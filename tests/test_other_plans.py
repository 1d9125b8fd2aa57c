"""The quality-improvement, national-standard and quality-solutions plans."""

import re
from pathlib import Path

import pytest

from kehoach_nb.accreditation import framework
from kehoach_nb.plans import build_report

PARAMS = Path(__file__).parent.parent / "params"
KINDS = ["ke_hoach_cai_tien_chat_luong", "ke_hoach_xay_dung_truong_chuan",
         "ke_hoach_giai_phap_nang_cao_chat_luong"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("school", ["TH01", "TH04", "THCS02"])
def test_every_demo_school_gets_every_plan(school, kind):
    html = build_report(str(PARAMS / "demo"), school, kind).render_html()
    assert "KẾ HOẠCH" in html and "Nơi nhận:" in html and "Trên đây là Kế hoạch" in _text(html)


def test_seed001_criteria_table_lists_every_tt17_criterion_in_order():
    report = build_report(str(PARAMS / "seeds"), "seed001", "ke_hoach_cai_tien_chat_luong")
    html = report.render_html()
    table = html[html.index("Nội dung cải tiến theo tiêu chí"):]
    codes = re.findall(r"<tr><td>(\d\.\d+)\. ", table)
    assert codes == [c.code for c in framework("tt17_2018").criteria]
    text = _text(html)
    assert "Chưa có kết quả tự đánh giá của các tiêu chí: 1.1, 1.2, 1.8, 1.9." in text
    assert "landscape" in html[:html.index("Nội dung cải tiến theo tiêu chí")][-200:]


def test_seed001_summary_counts_are_computed_from_the_levels():
    import csv

    rows = [r for r in csv.DictReader((PARAMS / "seeds" / "criterion_assessment.csv").open(encoding="utf-8"))
            if r["school_id"] == "seed001"]
    met = {r["criterion_code"] for r in rows if r["level1_met"] == "có"}
    per_standard = {s.code: (len(s.criteria), sum(c.code in met for c in s.criteria))
                    for s in framework("tt17_2018").standards}
    html = build_report(str(PARAMS / "seeds"), "seed001", "ke_hoach_cai_tien_chat_luong").render_html()
    summary = html[html.index("Tổng hợp kết quả tự đánh giá theo tiêu chuẩn"):]
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", summary)]
    cells = [c for c in cells if c]
    assert [c[1] for c in cells[:5]] == [str(n) for n, _ in per_standard.values()]
    assert [c[2].split(" ")[0] for c in cells[:5]] == [str(k) for _, k in per_standard.values()]
    assert cells[5][:3] == ["Cộng", "27", f"{len(met)} (59,3%)"]
    assert "Chưa đủ kết quả tự đánh giá để xác định mức đạt của nhà trường." in summary


def test_seed003_inventory_adds_what_the_standard_requires():
    html = build_report(str(PARAMS / "seeds"), "seed003", "ke_hoach_xay_dung_truong_chuan").render_html()
    text = _text(html)
    assert "hiện có, theo chuẩn, cần bổ sung" in text
    assert "Tủ sách lớp học 0 12" in text  # stated need for class-library cabinets
    assert "giai đoạn 2017-2020" in text


def test_solutions_plan_shows_targets_with_baselines():
    html = build_report(str(PARAMS / "demo"), "TH01", "ke_hoach_giai_phap_nang_cao_chat_luong").render_html()
    assert "năm học trước:" in _text(html)
