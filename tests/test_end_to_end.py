"""Real kernels, real nbconvert, real WeasyPrint: run the CLI on the test dataset."""

import csv
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import html5lib
import pytest

from .conftest import DATA, ROOT

pytestmark = pytest.mark.integration
HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(1)"> [bấm](javascript:alert(1)) '
           '<iframe src="https://x.vn"></iframe> ![ảnh](../../etc/passwd)\n\n## Ý kiến\n\n- **một** ý')


def _kehoach(*args, cwd):
    return subprocess.run([sys.executable, "-m", "kehoach_nb", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    ds = work / "mini"
    shutil.copytree(DATA / "mini", ds)
    with (ds / "school.csv").open("a", encoding="utf-8") as fh:  # a third, broken school
        fh.write("TH02,Trường Tiểu học Hỏng,THH,tieu_hoc,PHÒNG GD&ĐT,Xã Hỏng,,,,,\n")
    with (ds / "enrollment_by_grade.csv").open("a", encoding="utf-8") as fh:
        fh.write("TH02,2023,actual,1,2,-5,,,,\n")
    _clone_school(ds, "TH01", "TH03")  # same data, plus a character no font can draw
    with (ds / "narrative_section.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["TH01", "ke_hoach_phat_trien_giao_duc", "ket_qua.cong_doan.dat_duoc",
                                 HOSTILE])
        csv.writer(fh).writerow(["TH03", "ke_hoach_phat_trien_giao_duc", "ke_hoach.cong_doan.muc_tieu", "Đề nghị 漢."])
    proc = _kehoach("run", "--dataset", "mini", "--out", "outputs", "--jobs", "2", cwd=work)
    return work, proc


def _clone_school(ds: Path, src: str, dst: str) -> None:
    for path in ds.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8")))
        extra = [[dst] + r[1:] for r in rows[1:] if r[0] == src]
        with path.open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(extra)


def _out(work, school, ext):
    return work / "outputs" / "mini" / "2024" / school / f"ke_hoach_phat_trien_giao_duc.{ext}"


def test_bad_school_is_reported_and_others_rendered(run):
    work, proc = run
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "enrollment_by_grade.csv, dòng 20, cột students: \"-5\" không hợp lệ" in proc.stdout
    assert "Tổng kết: 4 báo cáo, 2 thành công, 2 lỗi." in proc.stdout
    assert ('trường TH03: phông chữ Liberation Serif không có mục "5.1. Mục tiêu, chỉ tiêu": '
            'ký tự "漢" (U+6F22' in proc.stdout)
    for school in ("TH01", "THCS01"):
        for ext in ("ipynb", "html", "pdf"):
            assert _out(work, school, ext).stat().st_size > 1000
    assert not (work / "outputs" / "mini" / "2024" / "TH02").exists()  # invalid data: nothing
    # TH03's data is valid (its audit report is written) but its plan failed: no plan file
    assert not list((work / "outputs" / "mini" / "2024" / "TH03").glob("ke_hoach_*"))


def test_html_is_strict_self_contained_and_safe(run):
    work, _ = run
    text = _out(work, "TH01", "html").read_text(encoding="utf-8")
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    assert doc.get("lang") == "vi"
    csp = [m for m in doc.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].get("content")
    tags = {el.tag for el in doc.iter()}
    assert not tags & {"script", "iframe", "object", "embed", "link"}
    for el in doc.iter():
        assert not any(k.startswith("on") for k in el.attrib), el.attrib
        for attr in ("src", "href"):
            value = el.get(attr, "")
            assert not re.match(r"(https?:|javascript:|file:|\.\./)", value), value
    # a sub-heading, numbered under its section ("9.1.1.")
    assert re.search(r'<p class="subheading"><strong><em>[\d.]+ Ý kiến</em></strong></p>', text)
    assert "<strong>một</strong>" in text
    assert "In [" not in text and "build_report" not in text and "school_id =" not in text


def test_html_numbers_are_computed_from_data(run):
    work, _ = run
    text = _out(work, "TH01", "html").read_text(encoding="utf-8")
    assert "660 học sinh với 20 lớp học" in text
    assert "dự kiến 19 lớp với 605 học sinh, giảm 1 lớp và giảm 55 học sinh" in text
    assert "+ Khối lớp 1: 03 lớp với 102 học sinh;" not in text  # items are list elements
    assert "Khối lớp 1: 03 lớp với 102 học sinh;" in text
    assert '<td class="num">-55</td>' in text and '<td class="num">-1</td>' in text


def test_index_lists_every_school_with_status_links_and_figures(run):
    work, _ = run
    page = work / "outputs" / "mini" / "2024" / "index.html"
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.read_bytes())
    rows = {r.find("td").text: [td for td in r.findall("td")] for r in doc.iter("tr") if r.find("td") is not None}
    assert set(rows) == {"TH01", "TH02", "TH03", "THCS01"}
    status = {sid: cells[3].text for sid, cells in rows.items()}
    assert status == {"TH01": "thành công", "THCS01": "thành công", "TH02": "dữ liệu không hợp lệ",
                      "TH03": "kết quả không hợp lệ"}
    assert rows["TH01"][2].text == "KH phát triển GD (dự thảo)"
    assert [rows["TH01"][4].text, rows["TH01"][5].text] == ["19", "605"]  # the 2024 plan, as in the report
    links = [a.get("href") for a in rows["TH01"][8].iter("a")]
    assert links == [f"TH01/ke_hoach_phat_trien_giao_duc.{ext}" for ext in ("docx", "html", "pdf")]
    assert all((page.parent / href).is_file() for href in links)
    assert not list(rows["TH02"][8].iter("a"))
    assert rows["TH01"][7].text == "—"  # nothing issued yet
    audit = rows["TH01"][6].find("a")
    assert audit.get("href") == "TH01/kiem_tra_so_lieu.html" and audit.text == "0 lỗi / 2 phát hiện"
    report = (page.parent / "TH01" / "kiem_tra_so_lieu.html").read_text(encoding="utf-8")
    assert "vượt sĩ số tối đa 35 học sinh/lớp" in report and "V11" not in report
    assert (page.parent / "TH01" / "kiem_tra_so_lieu.pdf").read_bytes().startswith(b"%PDF")
    assert not (page.parent / "TH02" / "kiem_tra_so_lieu.html").exists()  # invalid data: no audit


def test_word_file_has_the_same_text_as_the_html(run):
    from docx import Document as read_docx

    work, _ = run
    doc = read_docx(str(_out(work, "TH01", "docx")))
    words = " ".join(p.text for p in doc.paragraphs)
    html = _out(work, "TH01", "html").read_text(encoding="utf-8")
    for sentence in ("Tổng số học sinh năm học 2023-2024: 660 học sinh với 20 lớp học. Trong đó:",
                     "Phần thứ hai", "KIẾN NGHỊ, ĐỀ XUẤT"):
        assert sentence in words and sentence in html


def _pdftotext(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", out)


def test_pdf_layout_text_and_fonts(run):
    work, _ = run
    pdf = _out(work, "TH01", "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    first, second = _pdftotext(pdf, 1), _pdftotext(pdf, 2)
    for expected in ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "TRƯỜNG TIỂU HỌC AN BÌNH",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Số: 05/KH-THAB", "An Bình, ngày 02 tháng 10 năm 2024", "KẾ HOẠCH"):
        assert expected in first, expected
    assert first.lstrip().startswith("DỰ THẢO\n")  # the draft mark first, no page number on page 1
    assert second.strip().splitlines()[0].strip() == "2"  # centred in the top margin
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(r.split()[-5] == "yes" for r in rows), fonts


def test_bad_data_later_never_clobbers_the_last_good_report(run):
    work, _ = run
    before = _out(work, "THCS01", "html").read_bytes()
    path = work / "mini" / "staff_aggregate.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("THCS01,2023,actual,giao_vien,15",
                                                             "THCS01,2023,actual,giao_vien,mười lăm"),
                    encoding="utf-8")
    proc = _kehoach("run", "--dataset", "mini", "--out", "outputs", "--schools", "THCS01", cwd=work)
    assert proc.returncode == 1 and "\"mười lăm\" không hợp lệ" in proc.stdout
    assert _out(work, "THCS01", "html").read_bytes() == before
