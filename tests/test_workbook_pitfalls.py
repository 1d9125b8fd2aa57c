"""What Excel does to data: each pitfall gives a Vietnamese message naming the file, sheet, row
and column, blocks only that school, and the other schools still load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kehoach_nb.loading import load_dataset, school_digest
from tests.test_workbook_roundtrip import make_workbook_dataset

OTHERS = ("TH02", "TH05", "THCS01", "THCS03")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_workbook_dataset(tmp_path_factory.mktemp("pit") / "demo")


@pytest.fixture(scope="module")
def clean(base) -> dict[str, str]:
    ds = load_dataset(base)
    return {sid: school_digest(ds, sid) for sid in ds.school_ids()}


def _col(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


def _serial_date(wb):
    ws = wb["Văn bản"]
    cell = ws.cell(3, _col(ws, "issue_date"))
    cell.value, cell.number_format = 45555, "General"
    return "Văn bản", 3, cell.column_letter, "số sê-ri ngày của Excel, tức 20/09/2024"


def _number_as_text(wb):
    ws = wb["Quy mô HS"]
    cell = ws.cell(4, _col(ws, "students"))
    cell.value = "208"
    return "Quy mô HS", 4, cell.column_letter, "được lưu dưới dạng văn bản"


def _formula(wb):
    ws = wb["Đội ngũ"]
    cell = ws.cell(5, _col(ws, "count"))
    cell.value = "=40+4"
    return "Đội ngũ", 5, cell.column_letter, "chưa có giá trị đã tính"


def _merged(wb):
    ws = wb["Phòng"]
    ws.merge_cells(start_row=6, start_column=6, end_row=7, end_column=7)
    return "Phòng", 6, "F", "ô gộp F6:G7"


def _extra_sheet(wb):
    wb.create_sheet("Ghi chú riêng")["A1"] = "ghi chú"
    return "Ghi chú riêng", None, None, "trang tính không thuộc mẫu"


def _extra_column(wb):
    ws = wb["Thiết bị"]
    j = ws.max_column + 1
    ws.cell(2, j, "Nhà cung cấp")
    ws.cell(3, j, "Công ty Hư Cấu")
    return "Thiết bị", 2, ws.cell(2, j).column_letter, "cột \"Nhà cung cấp\" không có trong mẫu"


def _other_school(wb):
    ws = wb["Chỉ tiêu"]
    ws.cell(4, _col(ws, "school_id")).value = "TH02"
    return "Chỉ tiêu", 4, "A", "dòng của trường khác (mã \"TH02\")"


@pytest.mark.parametrize("damage", [_serial_date, _number_as_text, _formula, _merged, _extra_sheet,
                                    _extra_column, _other_school])
def test_pitfall_message_names_file_sheet_row_column(base, clean, tmp_path, damage):
    ds_dir = tmp_path / "ds"
    shutil.copytree(base, ds_dir)
    path = ds_dir / "truong" / "TH01.xlsx"
    wb = load_workbook(path)
    sheet, row, column, words = damage(wb)
    wb.save(path)
    ds = load_dataset(ds_dir)
    mine = [p for p in ds.problems if words in p.message]
    assert len(mine) == 1, [str(p) for p in ds.problems]
    p = mine[0]
    assert p.file.endswith(f"truong/TH01.xlsx, trang tính {sheet}") and p.school_id == "TH01"
    assert p.row == row
    assert (p.column or "").split(" ")[0] == (column or "")
    assert str(p).startswith(f"{ds_dir / 'truong' / 'TH01.xlsx'}, trang tính {sheet}")
    for sid in OTHERS:
        assert ds.problems_for(sid) == []
        assert school_digest(ds, sid) == clean[sid]


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_xls_or_ods_workbook_asks_for_xlsx(base, tmp_path, suffix):
    ds_dir = tmp_path / "ds"
    shutil.copytree(base, ds_dir)
    (ds_dir / "truong" / "TH04.xlsx").rename(ds_dir / "truong" / f"TH04{suffix}")
    ds = load_dataset(ds_dir)
    [p] = [p for p in ds.problems if p.file.endswith(f"TH04{suffix}")]
    assert "Sổ làm việc Excel (.xlsx)" in p.message and p.school_id == "TH04"
    assert "TH04" not in ds.school_ids()
    for sid in OTHERS:
        assert ds.problems_for(sid) == []


def test_labels_or_codes_both_accepted(base, clean, tmp_path):
    ds_dir = tmp_path / "ds"
    shutil.copytree(base, ds_dir)
    path = ds_dir / "truong" / "THCS02.xlsx"
    wb = load_workbook(path)
    ws = wb["Đội ngũ"]
    roles = [ws.cell(r, _col(ws, "role")).value for r in range(3, 6)]
    assert roles[0] == "Hiệu trưởng"
    ws.cell(3, _col(ws, "role")).value = "hieu_truong"
    ws.cell(4, _col(ws, "scenario")).value = "actual"
    wb.save(path)
    ds = load_dataset(ds_dir)
    assert not ds.problems
    assert school_digest(ds, "THCS02") == clean["THCS02"]


def test_unreadable_workbook_blocks_only_its_school(base, tmp_path):
    ds_dir = tmp_path / "ds"
    shutil.copytree(base, ds_dir)
    (ds_dir / "truong" / "TH03.xlsx").write_bytes(b"not a zip file")
    ds = load_dataset(ds_dir)
    [p] = ds.problems
    assert "không mở được sổ Excel" in p.message and p.school_id == "TH03"
    assert ds.problems_for("TH02") == []
