import csv
from pathlib import Path

import pytest

from kehoach_nb.errors import DataError
from kehoach_nb.loading import load_dataset, require_school, school_digest


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; `row` counts like a spreadsheet (header = 1)."""
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _messages(ds):
    return [str(p) for p in ds.problems]


def test_clean_dataset_has_no_problems(mini):
    ds = load_dataset(mini)
    assert ds.problems == [] and ds.school_ids() == ["TH01", "THCS01"]


def test_negative_count_names_file_row_and_column(mini):
    _edit(mini / "enrollment_by_grade.csv", 7, "students", "-5")
    ds = load_dataset(mini)
    assert _messages(ds) == [f"{mini}/enrollment_by_grade.csv, dòng 7, cột students: \"-5\" không hợp lệ"
                             " — số học sinh phải là số nguyên không âm"]
    assert ds.problems[0].school_id == "TH01"
    assert ds.problems_for("THCS01") == []


def test_text_in_number_column(mini):
    _edit(mini / "staff_aggregate.csv", 3, "count", "hai")
    (msg,) = _messages(load_dataset(mini))
    assert msg.endswith("dòng 3, cột count: \"hai\" không hợp lệ — số lượng phải là số nguyên không âm")


def test_missing_required_column_blocks_every_school(mini):
    path = mini / "enrollment_by_grade.csv"
    rows = [r[:5] + r[6:] for r in csv.reader(path.open(encoding="utf-8"))]  # drop "students"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ds = load_dataset(mini)
    assert f"{mini}/enrollment_by_grade.csv, dòng 1, cột students: thiếu cột bắt buộc" in _messages(ds)
    with pytest.raises(DataError):
        require_school(ds, "TH01")


def test_unknown_school_id_in_fact_table(mini):
    _edit(mini / "facility_room.csv", 2, "school_id", "TH99")
    ds = load_dataset(mini)
    assert _messages(ds) == [f"{mini}/facility_room.csv, dòng 2, cột school_id: mã trường \"TH99\""
                             " không có trong bảng school"]
    assert ds.problems_for("TH01") == [] and ds.problems_for("THCS01") == []


def test_path_like_school_id_is_rejected_before_any_use(mini):
    _edit(mini / "school.csv", 3, "school_id", "../x")
    ds = load_dataset(mini)
    assert ds.school_ids() == ["TH01"]
    assert any("school.csv, dòng 3, cột school_id: mã trường \"../x\" không hợp lệ" in m
               for m in _messages(ds))
    assert ds.problems_for("TH01") == []


def test_misspelled_column_and_dataset_key_are_errors(mini):
    _edit(mini / "target.csv", 1, "verb", "verbb")
    (mini / "dataset.yaml").write_text((mini / "dataset.yaml").read_text() + "shcool_year: 2024\n")
    msgs = _messages(load_dataset(mini))
    assert any("cột \"verbb\" không có trong mẫu bảng target" in m for m in msgs)
    assert any("dataset.yaml: khóa \"shcool_year\" không có trong mẫu" in m for m in msgs)


def test_yaml_aliases_are_refused(mini):
    (mini / "dataset.yaml").write_text("name: &a x\nauthority: *a\nschool_year: 2024\n")
    assert "không được dùng neo/bí danh YAML" in _messages(load_dataset(mini))[0]


def test_bom_leading_zeros_and_na_text(mini):
    path = mini / "school.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _edit(path, 2, "principal_name", "NA")
    ds = load_dataset(mini)
    assert ds.problems == []
    school = ds.tables["school"].set_index("school_id")
    assert school.loc["TH01", "principal_name"] == "NA"


def test_same_tables_from_an_xlsx_workbook(mini, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for path in sorted(mini.glob("*.csv")):
        ws = wb.create_sheet(path.stem)
        for r, row in enumerate(csv.reader(path.open(encoding="utf-8"))):
            ws.append([int(v) if r and v.isdigit() and not v.startswith("0") else v for v in row])
        path.unlink()
    wb.save(mini / "du_lieu.xlsx")
    ds = load_dataset(mini)
    assert ds.problems == []
    assert int(ds.tables["enrollment_by_grade"]["students"].sum()) == 660 + 605 + 256 + 257


def test_xlsx_error_names_the_sheet(mini):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "recipient"
    ws.append(["school_id", "order", "name"])
    ws.append(["*", -1, "Phòng GD&ĐT"])
    wb.save(mini / "noi_nhan.xlsx")
    (mini / "recipient.csv").unlink()
    (msg,) = _messages(load_dataset(mini))
    assert msg == (f"{mini}/noi_nhan.xlsx, trang tính recipient, dòng 2, cột order: \"-1\" không hợp lệ"
                   " — số thứ tự phải là số nguyên không âm")


def _append(path: Path, *rows: list[str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_shared_rows_apply_unless_the_school_overrides(mini):
    _append(mini / "recipient.csv", ["TH01", "1", "Ủy ban nhân dân thị trấn", "báo cáo"])
    ds = load_dataset(mini)
    assert ds.problems == []
    assert ds.school_rows("recipient", "TH01") == [2, 1]  # its own row, then "*" order 2
    own = ds.school_tables("TH01")["recipient"]
    assert list(own["order"]) == [1, 2] and own["name"][0] == "Ủy ban nhân dân thị trấn"
    assert list(own.index) == [0, 1]
    assert list(ds.school_tables("THCS01")["recipient"]["school_id"]) == ["*", "*"]
    assert ds.school_tables("NONE")["recipient"]["school_id"].tolist() == ["*", "*"]
    assert ds.school_tables("THCS01")["target"].equals(
        ds.tables["target"][ds.tables["target"]["school_id"] == "THCS01"].reset_index(drop=True))


def test_problems_of_a_row_in_order_and_the_row_dropped(mini):
    _append(mini / "enrollment_by_grade.csv", ["bad id", "2023", "actual", "1", "x", "-5"],
            ["", "", ""], ["TH01", "2023", "actual", "13", "3", "90"])
    ds = load_dataset(mini)
    path = f"{mini}/enrollment_by_grade.csv"
    assert [(p.row, p.column, p.school_id) for p in ds.problems if p.file == path] == [
        (20, "school_id", None), (20, "classes", None), (20, "students", None), (22, "grade", "TH01")]
    assert "bad id" not in set(ds.tables["enrollment_by_grade"]["school_id"])


def test_row_index_has_every_row_with_a_valid_key(mini):
    from kehoach_nb.audit import spreadsheet_rows

    _edit(mini / "enrollment_by_grade.csv", 3, "students", "-5")  # dropped, but its key is valid
    _edit(mini / "enrollment_by_grade.csv", 4, "grade", "x")  # no valid key
    ds = load_dataset(mini)
    assert ds.row_index == spreadsheet_rows(mini)
    assert ds.row_index[("enrollment_by_grade", ("TH01", "2023", "actual", "2", ""))] == [3]
    assert all(4 not in rows for (table, _), rows in ds.row_index.items() if table == "enrollment_by_grade")


def _digests(root: Path) -> dict[str, str]:
    ds = load_dataset(root)
    return {sid: school_digest(ds, sid) for sid in ds.school_ids()}


def test_school_digest_follows_exactly_the_inputs_of_that_school(mini):
    first = _digests(mini)
    assert first == _digests(mini) and first["TH01"] != first["THCS01"]
    _edit(mini / "enrollment_by_grade.csv", 2, "students", "103")  # a TH01 row
    edited = _digests(mini)
    assert edited["TH01"] != first["TH01"] and edited["THCS01"] == first["THCS01"]
    _edit(mini / "legal_basis.csv", 2, "subject", "Giáo dục (sửa đổi)")  # a shared "*" row
    shared = _digests(mini)
    assert all(shared[s] != edited[s] for s in shared)
    store = mini / "nhan_xet" / "THCS01" / "ke_hoach_phat_trien_giao_duc"
    store.mkdir(parents=True)
    (store / "ket_qua.md").write_text("Nhận xét mới.", encoding="utf-8")
    commented = _digests(mini)
    assert commented["THCS01"] != shared["THCS01"] and commented["TH01"] == shared["TH01"]


def test_blanking_an_optional_number_of_one_school_leaves_the_others_keys_alone(mini):
    first = _digests(mini)
    rows = list(csv.reader((mini / "enrollment_by_grade.csv").open(encoding="utf-8")))
    row = next(i for i, r in enumerate(rows, 1) if r[0] == "TH01")
    _edit(mini / "enrollment_by_grade.csv", row, "female", "")  # the column becomes float
    edited = _digests(mini)
    assert edited["TH01"] != first["TH01"] and edited["THCS01"] == first["THCS01"]
