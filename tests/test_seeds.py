"""The five seed documents' figures, entered as stated, render with computed values."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kehoach_nb.loading import load_dataset
from kehoach_nb.plans import build_report

SEEDS = Path(__file__).parent.parent / "params" / "seeds"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_seed_dataset_loads_without_input_errors():
    ds = load_dataset(SEEDS)
    assert ds.problems == []
    assert ds.school_ids() == ["seed000", "seed001", "seed002", "seed003", "seed004"]


@pytest.mark.parametrize("school", ["seed000", "seed001", "seed002", "seed003", "seed004"])
def test_every_seed_school_builds(school):
    assert "KẾ HOẠCH" in build_report(str(SEEDS), school).render_html()


def test_seed000_scale_is_computed_from_data():
    html = build_report(str(SEEDS), "seed000").render_html()
    text = _text(html)
    assert "Tổng số học sinh năm học 2022-2023: 660 học sinh với 20 lớp học" in text
    assert "dự kiến 19 lớp với 605 học sinh, giảm 1 lớp và giảm 55 học sinh" in text
    for grade, classes, pupils in [(1, "03", 102), (2, "04", 145), (3, "04", 134), (4, "04", 125),
                                   (5, "05", 154)]:
        assert f"Khối lớp {grade}: {classes} lớp với {pupils} học sinh" in text
    row = re.search(r"<tr[^>]*><td>Tiểu học</td>(.*?)</tr>", html).group(1)
    assert re.findall(r">([^<]+)</td>", row) == ["1", "20", "660", "1", "19", "605", "0", "-1", "-55"]


def test_seed004_three_years_and_results_with_computed_percentages():
    text = _text(build_report(str(SEEDS), "seed004").render_html())
    assert "Thực hiện 2018-2019 Ước thực hiện 2019-2020 Kế hoạch 2020-2021" in text
    assert "Hạnh kiểm của học sinh năm học 2018-2019 theo Thông tư 58/2011/TT-BGDĐT" in text
    # 2019-2020 conduct as stated: 50 / 15 / 0 of 65 -> computed 76,9% / 23,1% (document: 77% / 23%)
    assert "50 (76,9%) 15 (23,1%) 0 (0%)" in text


def test_kehoach_check_reports_the_seed_errors_and_writes_the_tables(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kehoach_nb", "check", "--dataset", str(SEEDS),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1  # the seeds contain errors
    assert "Bộ dữ liệu" in proc.stdout and "0 lỗi dữ liệu đầu vào" in proc.stdout
    assert re.search(r"Kiểm tra số liệu: \d+ phát hiện \(\d+ lỗi\)", proc.stdout)
    assert "Tỉ lệ ghi 86,4% nhưng 158/183 học sinh là 86,3%." in proc.stdout
    table = tmp_path / "seeds" / "kiem_tra_so_lieu.csv"
    rows = list(csv.DictReader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert table.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    assert {"code": "V7", "school_id": "seed000", "stated": "01/09/2020", "expected": "17/07/2020"}.items() \
        <= next(r for r in rows if r["stated"] == "01/09/2020").items()
