"""Imports from the sector's exports: synthetic files built from the described headers."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook

from kehoach_nb.cli import main
from kehoach_nb.loading import load_dataset

DEMO = Path(__file__).parent.parent / "params" / "demo"
# Fictional pupils: (class, pupil id, name, birth date, gender, status, ethnicity, disability)
PUPILS = [
    ("6A", "HS0001", "Nguyễn Văn Hư", "01/02/2013", "Nam", "Đang học", "Kinh", ""),
    ("6A", "HS0002", "Trần Thị Cấu", "03/04/2013", "Nữ", "Đang học", "Tày", ""),
    ("6B", "HS0003", "Lê Thị Giả", "05/06/2013", "Nữ", "Chuyển đến", "Kinh", "Khuyết tật vận động"),
    ("6B", "HS0004", "Phạm Văn Định", "07/08/2013", "Nam", "Chuyển đi", "Nùng", ""),
    ("7A", "HS0005", "Hoàng Thị Mẫu", "09/10/2012", "Nữ", "Đang học", "Kinh", "Không"),
    ("7A", "HS0006", "Vũ Văn Thử", "11/12/2012", "Nam", "Thôi học", "Kinh", ""),
    ("7A", "HS0007", "Đỗ Thị Nghiệm", "13/01/2012", "Nữ", "Đang học", "Dao", ""),
]
HEADERS = ["Mã lớp", "Mã học sinh", "Họ tên", "Ngày sinh", "Giới tính", "Trạng thái HS", "Dân tộc",
           "Loại khuyết tật"]
SECRETS = [p[i] for p in PUPILS for i in (1, 2)]  # identifiers and names


def csdl_file(path: Path, order: list[int], nfd: bool = False, extra: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH LÂM GIANG"])
    ws.append(["DANH SÁCH HỌC SINH"])
    ws.append([])
    heads = [HEADERS[i] for i in order] + ([extra] if extra else [])
    ws.append([unicodedata.normalize("NFD", h) if nfd else h.replace("Trạng thái HS", "Trạng thái\nHS")
               for h in heads])
    for pupil in PUPILS:
        ws.append([pupil[i] for i in order] + (["x"] if extra else []))
    wb.create_sheet("DanToc").append(["Kinh", "Tày", "Nùng"])  # a lookup sheet, ignored
    wb.save(path)
    return path


def vnedu_file(path: Path, results: dict[str, list[tuple[str, str]]], year: int = 2023) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, pupils in results.items():
        ws = wb.create_sheet(name)
        ws.append([f"BẢNG TỔNG HỢP KẾT QUẢ GIÁO DỤC CẢ NĂM, NĂM HỌC {year} - {year + 1}"])
        ws.append([f"Khối {name[0]} - Lớp {name.upper()} - (Cả năm)"])
        for _ in range(3):
            ws.append([])
        ws.append(["STT", "Mã học sinh", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Toán", "Ngữ văn",
                   "Kết quả học tập", "Kết quả rèn luyện", "Ghi chú"])
        ws.append([None, None, None, None, None, "ĐTB", "ĐTB"])
        for i, (ht, rl) in enumerate(pupils, start=1):
            ws.append([i, f"VN{name}{i:03d}", f"0012{i:08d}", f"Học Sinh Giả {name}{i}", "01/01/2012", 8.5, 7.0,
                       ht, rl, None])
    wb.save(path)
    return path


@pytest.fixture
def dataset(tmp_path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(DEMO, dest)
    return dest


EXPECTED = {6: {"classes": 2, "students": 3, "female": 2, "ethnic_minority": 1, "disabled_inclusive": 1},
            7: {"classes": 1, "students": 2, "female": 2, "ethnic_minority": 1, "disabled_inclusive": 0}}


@pytest.mark.parametrize("order,nfd", [(list(range(8)), False), ([6, 4, 2, 0, 7, 5, 3, 1], True)])
def test_csdl_pupil_list_aggregates_per_grade(tmp_path, dataset, capsys, order, nfd):
    export = csdl_file(tmp_path / "hoc_sinh.xlsx", order, nfd)
    assert main(["import", "--dataset", str(dataset), "--source", "csdl", str(export),
                 "--school", "THCS01", "--write"]) == 0
    out = capsys.readouterr().out
    assert "Quy mô lớp, học sinh theo khối" in out and "trường THCS01" in out
    ds = load_dataset(dataset)
    assert not ds.problems, [str(p) for p in ds.problems]
    df = ds.tables["enrollment_by_grade"]
    mine = df[(df.school_id == "THCS01") & (df.school_year == 2026) & (df.scenario == "actual")]
    got = {r["grade"]: {k: r[k] for k in EXPECTED[6]} for r in mine.to_dict("records")}
    assert got == EXPECTED
    written = (dataset / "enrollment_by_grade.csv").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in out and secret not in written


def test_csdl_missing_columns_stay_blank_not_zero(tmp_path, dataset, capsys):
    export = csdl_file(tmp_path / "hs.xlsx", [0, 2, 5])  # class, name, status only
    assert main(["import", "--dataset", str(dataset), "--source", "csdl", str(export), "--school", "THCS01",
                 "--write"]) == 0
    df = load_dataset(dataset).tables["enrollment_by_grade"]
    row = df[(df.school_id == "THCS01") & (df.scenario == "actual") & (df.school_year == 2026)].iloc[0]
    assert row["students"] == 3 and row["female"] is None and row["ethnic_minority"] is None


def test_unknown_header_is_reported_not_guessed_and_preview_writes_nothing(tmp_path, dataset, capsys):
    before = (dataset / "enrollment_by_grade.csv").read_bytes()
    export = csdl_file(tmp_path / "hs.xlsx", list(range(8)), extra="Sở thích")
    assert main(["import", "--dataset", str(dataset), "--source", "csdl", str(export),
                 "--school", "THCS01"]) == 0
    out = capsys.readouterr().out
    assert "hs.xlsx, trang tính Sheet1, dòng 4, cột I: cột \"Sở thích\" không có trong tệp mô tả" in out
    assert "Chưa ghi gì" in out
    assert (dataset / "enrollment_by_grade.csv").read_bytes() == before
    for secret in SECRETS:
        assert secret not in out


def test_unknown_status_value_is_reported_with_row_and_column(tmp_path, dataset, capsys):
    export = csdl_file(tmp_path / "hs.xlsx", list(range(8)))
    from openpyxl import load_workbook

    wb = load_workbook(export)
    wb["Sheet1"]["F6"] = "Đi du học"
    wb.save(export)
    main(["import", "--dataset", str(dataset), "--source", "csdl", str(export), "--school", "THCS01"])
    out = capsys.readouterr().out
    assert "dòng 6, cột F \"Trạng thái HS\": giá trị \"Đi du học\" không có trong mappings/csdl.yaml" in out


def test_vnedu_year_end_summary_to_tt22_results(tmp_path, dataset, capsys):
    grade6 = vnedu_file(tmp_path / "so_diem_tong_ket_khoi_6.xlsx", {
        "6a": [("Tốt", "Tốt"), ("Khá", "Tốt"), ("Đạt", "Khá")],
        "6b": [("Tốt", "Tốt"), ("Chưa đạt", "Đạt"), ("Khá", "Tốt")]})
    grade7 = vnedu_file(tmp_path / "so_diem_tong_ket_khoi_7.xlsx", {"7a": [("Khá", "Khá"), ("Tốt", "Tốt")]})
    assert main(["import", "--dataset", str(dataset), "--source", "vnedu", str(grade6), str(grade7),
                 "--school", "THCS01", "--write"]) == 0
    out = capsys.readouterr().out
    ds = load_dataset(dataset)
    assert not ds.problems, [str(p) for p in ds.problems]
    df = ds.tables["assessment_result"]
    mine = df[(df.school_id == "THCS01") & (df.school_year == 2023) & (df.regime == "tt22_2021")]
    got = {(r["grade"], r["dimension"], r["category"]): r["count"] for r in mine.to_dict("records")}
    assert got[(6, "hoc_tap", "tot")] == 2 and got[(6, "hoc_tap", "kha")] == 2
    assert got[(6, "hoc_tap", "dat")] == 1 and got[(6, "hoc_tap", "chua_dat")] == 1
    assert got[(6, "ren_luyen", "tot")] == 4 and got[(7, "ren_luyen", "kha")] == 1
    assert got[(7, "hoc_tap", "chua_dat")] == 0  # the column exists: a real zero
    written = (dataset / "assessment_result.csv").read_text(encoding="utf-8")
    assert "VN6a001" not in written + out and "Học Sinh Giả" not in written + out


def test_vnedu_grade_not_under_tt22_and_broken_xls_are_refused(tmp_path, dataset, capsys):
    old = vnedu_file(tmp_path / "so_diem_tong_ket_khoi_9.xlsx", {"9a": [("Tốt", "Tốt")]}, year=2022)
    xls = tmp_path / "so_diem_tong_ket_khoi_8.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["import", "--dataset", str(dataset), "--source", "vnedu", str(old), str(xls),
                 "--school", "THCS01"]) == 1
    out = capsys.readouterr().out
    assert "khối 9 năm học 2022-2023 chưa đánh giá theo Thông tư 22/2021" in out
    assert f"{xls}: không mở được tệp Excel" in out and "Traceback" not in out


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice makes the .xls file")
def test_vnedu_xls_export_reads_as_its_xlsx(tmp_path, capsys):
    """vnEdu exports .xls (Excel 97-2003): read it as it is, with the same result as .xlsx."""
    results = {"6a": [("Tốt", "Tốt"), ("Khá", "Tốt"), ("Đạt", "Khá")], "6b": [("Chưa đạt", "Đạt")]}
    xlsx = vnedu_file(tmp_path / "so_diem_tong_ket_khoi_6.xlsx", results)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "xls", "--outdir", str(tmp_path / "converted"), str(xlsx)], check=True, capture_output=True,
                   timeout=120)
    xls = tmp_path / "converted" / "so_diem_tong_ket_khoi_6.xls"
    written = {}
    for name, export in (("xlsx", xlsx), ("xls", xls)):
        data = shutil.copytree(DEMO, tmp_path / name)
        assert main(["import", "--dataset", str(data), "--source", "vnedu", str(export),
                     "--school", "THCS01", "--write"]) == 0, capsys.readouterr().out
        written[name] = (data / "assessment_result.csv").read_text(encoding="utf-8")
    assert written["xls"] == written["xlsx"] != (DEMO / "assessment_result.csv").read_text(encoding="utf-8")
