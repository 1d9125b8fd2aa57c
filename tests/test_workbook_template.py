"""The template: labels, hidden codes, dropdowns, validations, formats, guide; opens in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kehoach_nb.cli import main
from kehoach_nb.loading import load_dataset
from kehoach_nb.schema import TABLES
from kehoach_nb.workbook import vocab
from kehoach_nb.workbook.prefill import roll_forward, own_rows

DEMO = Path(__file__).parent.parent / "params" / "demo"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tpl") / "THCS01.xlsx"
    assert main(["template", "--dataset", str(DEMO), "--school", "THCS01", "--out", str(out)]) == 0
    return out


def _validations(ws) -> dict[str, object]:
    """Column letter -> its data validation (each covers one column from row 3)."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.min_row == 3 and rng.min_col == rng.max_col
            found[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    return found


def test_one_sheet_per_table_with_labels_hidden_codes_frozen_header(book):
    wb = load_workbook(book)
    assert wb.sheetnames[0] == "Hướng dẫn"
    assert wb[vocab.LIST_SHEET].sheet_state == "hidden"
    for table in TABLES.values():
        ws = wb[vocab.sheet_name(table)]
        assert [c.value for c in ws[1]] == [c.name for c in table.columns]
        assert ws.row_dimensions[1].hidden
        assert ws.cell(2, 1).value == "Mã trường *"
        assert ws.freeze_panes == "A3"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert all(ws.column_dimensions[c.column_letter].width >= 10 for c in ws[2])
    ws = wb["Quy mô HS"]
    assert [c.value for c in ws[2]][5:7] == ["Số lớp *", "Số học sinh *"]


def test_dropdowns_show_vietnamese_labels_and_counts_are_whole_numbers(book):
    wb = load_workbook(book)
    lists = wb[vocab.LIST_SHEET]
    ws = wb["Đội ngũ"]
    dvs = _validations(ws)
    codes = [c.value for c in ws[1]]
    letter = lambda name: ws.cell(1, codes.index(name) + 1).column_letter  # noqa: E731
    role = dvs[letter("role")]
    assert role.type == "list" and role.errorStyle == "stop"
    ref = role.formula1.split("!")[1].replace("$", "")
    shown = [c.value for row in lists[ref] for c in row]
    assert "Hiệu trưởng" in shown and "Tổ phụ trách Đội" not in shown and "Tổng phụ trách Đội" in shown
    count = dvs[letter("count")]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert dvs[letter("scenario")].type == "list"
    # assessment categories: those of the regime in force for a THCS school (TT22/2021, TT58/2011)
    ws = wb["Đánh giá HS"]
    codes = [c.value for c in ws[1]]
    dv = _validations(ws)[ws.cell(1, codes.index("category") + 1).column_letter]
    shown = [c.value for row in lists[dv.formula1.split("!")[1].replace("$", "")] for c in row]
    assert {"Tốt", "Khá", "Đạt", "Chưa đạt"} <= set(shown) and "Hoàn thành xuất sắc" not in shown
    # yes/no and grades of the school's level
    ws = wb["Trường"]
    codes = [c.value for c in ws[1]]
    dv = _validations(ws)[ws.cell(1, codes.index("hardship_area") + 1).column_letter]
    assert [c.value for row in lists[dv.formula1.split("!")[1].replace("$", "")] for c in row] == ["Có", "Không"]


def test_formats_text_for_codes_dates_prefilled_labels(book):
    wb = load_workbook(book)
    ws = wb["Trường"]
    codes = [c.value for c in ws[1]]
    for name in ("school_id", "school_code"):
        letter = ws.cell(1, codes.index(name) + 1).column_letter
        assert ws.column_dimensions[letter].number_format == "@"
        assert ws[f"{letter}3"].number_format == "@" and isinstance(ws[f"{letter}3"].value, str)
    assert ws.cell(3, codes.index("school_level") + 1).value == "Trung học cơ sở"
    ws = wb["Văn bản"]
    codes = [c.value for c in ws[1]]
    cell = ws.cell(3, codes.index("issue_date") + 1)
    assert cell.number_format == "DD/MM/YYYY" and cell.is_date
    ws = wb["Tự đánh giá"]
    codes = [c.value for c in ws[1]]
    letter = ws.cell(1, codes.index("criterion_code") + 1).column_letter
    assert ws.column_dimensions[letter].number_format == "@"  # "1.10" (TT17/18) must stay text
    assert any(ws.cell(r, codes.index("criterion_code") + 1).value == "4.3" for r in range(3, 40))


def test_guide_sheet_explains_sheets_rows_required_and_blank(book):
    ws = load_workbook(book)["Hướng dẫn"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "TRỐNG nghĩa là CHƯA CÓ SỐ LIỆU" in text and "Không ghi 0" in text
    for table in TABLES.values():
        assert vocab.sheet_name(table) in text and vocab.row_meaning(table) in text
    assert "Số học sinh" in text  # a required column of Quy mô HS


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_opens_in_libreoffice_headless(book, tmp_path):
    out = tmp_path / "csv"
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                           "--outdir", str(out), str(book)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    sheet = (out / "THCS01-Quy mô HS.csv").read_text(encoding="utf-8").splitlines()
    assert sheet[0].startswith("school_id,school_year,scenario,grade")
    assert sheet[1].startswith("Mã trường *,Năm học (năm bắt đầu) *")
    assert any(line.startswith("THCS01,2025,Thực hiện,6,") for line in sheet)


def test_blank_template_for_a_new_school(tmp_path):
    assert main(["template", "--dataset", str(DEMO), "--school", "MOI01", "--out", str(tmp_path)]) == 0
    wb = load_workbook(tmp_path / "MOI01.xlsx")
    assert wb["Trường"]["A3"].value == "MOI01" and wb["Quy mô HS"].max_row == 2


def test_next_year_copies_plan_rows_forward():
    ds = load_dataset(DEMO)
    rows = roll_forward(own_rows(ds, "TH01"), ds.config.school_year)
    enrol = rows["enrollment_by_grade"]
    plan = [r for r in enrol if r["school_year"] == 2026 and r["scenario"] == "plan"]
    new = [r for r in enrol if r["school_year"] == 2027]
    assert plan and [r["students"] for r in new] == [r["students"] for r in plan]
    assert {r["scenario"] for r in new} == {"plan"}
    estimate = [r for r in enrol if r["school_year"] == 2026 and r["scenario"] == "estimate"]
    assert [r["grade"] for r in estimate] == [r["grade"] for r in plan]
    meta = [r for r in rows["document_meta"] if r["school_year"] == 2027]
    assert meta and all(r["issue_date"] is None for r in meta)  # last year's dates are cleared
