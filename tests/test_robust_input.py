"""Issue 13, input side: rows that cannot be attached to a school, limits, encodings,
corrupt and hostile files, dataset.yaml validation. Small fixtures built in each test."""

import csv
import time
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kehoach_nb.errors import DataError
from kehoach_nb.loading import load_dataset, require_school


def _edit(path: Path, row: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _messages(ds, school=None):
    return [str(p) for p in (ds.problems if school is None else ds.problems_for(school))]


def _to_xlsx(folder: Path, table: str, merge: str | None = None) -> Path:
    """Move <table>.csv into a workbook sheet of the same name; optionally merge cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = table
    for row in csv.reader((folder / f"{table}.csv").open(encoding="utf-8")):
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    (folder / f"{table}.csv").unlink()
    wb.save(folder / "data.xlsx")
    return folder / "data.xlsx"


def _set_yaml(folder: Path, extra: str) -> None:
    (folder / "dataset.yaml").write_text((folder / "dataset.yaml").read_text(encoding="utf-8") + extra,
                                         encoding="utf-8")


# --- 1. rows not attached to a valid school -----------------------------------------------
@pytest.mark.parametrize("typo", ["TH 01", " th01", "Th01"])
def test_school_id_with_space_or_case_invalidates_the_school_it_belongs_to(mini, typo):
    _edit(mini / "enrollment_by_grade.csv", 3, "school_id", typo)
    ds = load_dataset(mini)
    (msg,) = _messages(ds, "TH01")
    assert msg.startswith(f"{mini}/enrollment_by_grade.csv, dòng 3, cột school_id: mã trường")
    assert "có lẽ thuộc trường TH01 nên trường TH01 không được lập kế hoạch" in msg
    with pytest.raises(DataError):
        require_school(ds, "TH01")
    assert ds.problems_for("THCS01") == []


def test_unrelated_unknown_school_is_not_blamed_on_another(mini):
    _edit(mini / "enrollment_by_grade.csv", 3, "school_id", "TH 99")
    ds = load_dataset(mini)
    assert ds.problems_for("TH01") == [] and len(ds.problems) == 1


def test_merged_school_id_cells_in_xlsx_invalidate_that_school(mini):
    _to_xlsx(mini, "enrollment_by_grade", merge="A2:A5")
    ds = load_dataset(mini)
    msgs = _messages(ds, "TH01")
    assert [m.split(": ")[0] for m in msgs] == [
        f"{mini}/data.xlsx, trang tính enrollment_by_grade, dòng {n}, cột school_id" for n in (3, 4, 5)]
    assert all("thiếu mã trường" in m and "gộp" in m and "thuộc trường TH01" in m for m in msgs)
    assert ds.problems_for("THCS01") == []


def test_blank_school_id_on_the_first_row_rejects_the_table(mini):
    _edit(mini / "enrollment_by_grade.csv", 2, "school_id", "")
    ds = load_dataset(mini)
    (p,) = ds.problems
    assert p.school_id == "*" and "cả bảng enrollment_by_grade bị từ chối" in p.message
    assert ds.problems_for("THCS01") == [p]


def test_check_exits_1_for_an_unattached_row(mini, tmp_path, capsys):
    from kehoach_nb.cli import main

    _edit(mini / "enrollment_by_grade.csv", 3, "school_id", "TH 01")
    assert main(["check", "--dataset", str(mini), "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "0 trường hợp lệ" not in out and "1 trường hợp lệ" in out and "trường TH01: 1 lỗi" in out


# --- 2. limits --------------------------------------------------------------------------
def test_file_size_limit(mini):
    _set_yaml(mini, "limits:\n  max_file_mb: 1\n")
    (mini / "target.csv").write_bytes((mini / "target.csv").read_bytes() + b"\n" * 1_000_001)
    msgs = _messages(load_dataset(mini))
    assert any(m.startswith(f"{mini}/target.csv: tệp quá lớn") and "max_file_mb" in m for m in msgs)


def test_row_limit_for_csv(mini):
    _set_yaml(mini, "limits:\n  max_rows: 5\n")
    ds = load_dataset(mini)
    assert any(str(p).startswith(f"{mini}/enrollment_by_grade.csv: bảng có quá 5 dòng") for p in ds.problems)
    assert ds.school_ids() == ["TH01", "THCS01"] and ds.problems_for("TH01")


def test_huge_sheet_dimension_is_refused_before_reading_cells(mini):
    path = _to_xlsx(mini, "recipient")
    wb = openpyxl.load_workbook(path)
    wb["recipient"]["XFD1048576"] = "x"
    wb.save(path)
    start = time.monotonic()
    msgs = _messages(load_dataset(mini))
    assert time.monotonic() - start < 5
    assert any("trang tính recipient khai báo 1048576 dòng" in m and m.startswith(f"{mini}/data.xlsx:")
               for m in msgs)


def test_sheet_without_dimension_is_bounded_while_reading(mini):
    path = _to_xlsx(mini, "recipient")
    _set_yaml(mini, "limits:\n  max_rows: 3\n")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    text = parts[sheet].decode()
    start = text.index("<dimension")
    parts[sheet] = (text[:start] + text[text.index("/>", start) + 2:]).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert any("bảng có quá 3 dòng" in m for m in _messages(load_dataset(mini)))


def test_limits_are_validated(mini):
    _set_yaml(mini, "limits:\n  max_rows: 0\n")
    (msg,) = _messages(load_dataset(mini))
    assert "khóa \"limits.max_rows\" có giá trị không hợp lệ: \"0\" — nhỏ nhất là 1" in msg


# --- 10. encodings, corrupt and hostile files -------------------------------------------
TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Windows-1258: precomposed base letters, tones as combining marks."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = [c for c in parts if c in TONES]
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + "".join(tones))
    return "".join(out).encode("cp1258")


def test_utf16_csv_is_read(mini):
    path = mini / "school.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    ds = load_dataset(mini)
    assert ds.problems == [] and ds.tables["school"]["name"][0] == "Trường Tiểu học An Bình"


def test_cp1258_csv_is_explained_then_converted_on_request(mini):
    path = mini / "school.csv"
    path.write_bytes(_cp1258(path.read_text(encoding="utf-8")))
    msgs = _messages(load_dataset(mini))
    assert any(m.startswith(f"{mini}/school.csv: tệp không phải UTF-8") and "CP1258" in m
               and "Lưu dưới dạng" in m and "CSV UTF-8" in m for m in msgs)
    _set_yaml(mini, "csv_encoding: cp1258\n")
    ds = load_dataset(mini)
    assert ds.problems == [] and ds.tables["school"]["name"][0] == "Trường Tiểu học An Bình"


def test_tcvn3_csv_is_named(mini):
    path = mini / "school.csv"  # "Trường Tiểu học" in TCVN3 (ABC)
    path.write_bytes(b"school_id,name\nTH01,Tr\xad\xeang Ti\xd6u h\xe4c An B\xdanh\n")
    assert any("TCVN3" in m and "Lưu dưới dạng" in m for m in _messages(load_dataset(mini)))


def test_binary_garbage_csv(mini):
    (mini / "recipient.csv").write_bytes(bytes(range(256)) * 4)
    msgs = _messages(load_dataset(mini))
    assert any(m.startswith(f"{mini}/recipient.csv: tệp không phải văn bản CSV") for m in msgs)


def test_corrupt_xlsx(mini):
    (mini / "extra.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    msgs = _messages(load_dataset(mini))
    assert any(m.startswith(f"{mini}/extra.xlsx: tệp XLSX bị hỏng") and "BadZipFile" in m for m in msgs)


def test_entity_expansion_xlsx(mini):
    path = _to_xlsx(mini, "recipient")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + ']>')
    sheet = "xl/worksheets/sheet1.xml"
    body = parts[sheet].decode()
    body = body[body.index("?>") + 2:] if body.startswith("<?xml") else body
    parts[sheet] = (lol + body).replace("<v>", "<v>&lol9;", 1).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    msgs = _messages(load_dataset(mini))
    assert any(m.startswith(f"{mini}/data.xlsx:") and ("không đọc được" in m or "bị hỏng" in m) for m in msgs)


# --- 11. dataset.yaml -------------------------------------------------------------------
def test_deeply_nested_yaml(mini):
    (mini / "dataset.yaml").write_text("name: x\nschool_year: 2024\nx: " + "[" * 1000 + "]" * 1000 + "\n")
    (msg,) = _messages(load_dataset(mini))
    assert msg == f"{mini}/dataset.yaml: cấu trúc lồng nhau quá sâu (tối đa 20 mức)"


def test_duplicate_key_in_dataset_yaml_names_key_and_lines(mini):
    _set_yaml(mini, "school_year: 2023\n")
    (msg,) = _messages(load_dataset(mini))
    assert msg == f"{mini}/dataset.yaml: khóa \"school_year\" xuất hiện hai lần (dòng 3 và dòng 5); chỉ giữ một"


@pytest.mark.parametrize("key, value, hint", [
    ("percent_decimals", "-3", "nhỏ nhất là 0"), ("percent_decimals", "100000", "lớn nhất là 4"),
    ("percent_decimals", "hai", "phải là số nguyên"), ("school_year", "24", "nhỏ nhất là 1990"),
])
def test_settings_out_of_range(mini, key, value, hint):
    text = (mini / "dataset.yaml").read_text(encoding="utf-8").replace("school_year: 2024\n", "")
    (mini / "dataset.yaml").write_text(text + f"school_year: 2024\n{key}: {value}\n" if key != "school_year"
                                       else text + f"school_year: {value}\n", encoding="utf-8")
    (msg,) = _messages(load_dataset(mini))
    assert msg == f"{mini}/dataset.yaml: khóa \"{key}\" có giá trị không hợp lệ: \"{value}\" — {hint}"


def test_two_digit_year_in_a_date_is_refused(mini):
    _edit(mini / "document_meta.csv", 2, "issue_date", "20/09/0024")
    (msg,) = _messages(load_dataset(mini))
    assert msg.startswith(f"{mini}/document_meta.csv, dòng 2, cột issue_date: \"20/09/0024\" không hợp lệ")
    assert "năm 24 không hợp lý" in msg
