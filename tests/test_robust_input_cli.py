"""Issue 13, command side: option validation, path safety (--docs, commentary pull, symlinks
in the store), commentary file checks, formula injection in the CSV, printed-error limit,
`kehoach lab` as root."""

import csv
import io
import os

import nbformat
import pytest

from kehoach_nb import commentary as cm
from kehoach_nb.audit.base import Finding
from kehoach_nb.audit.output import write_findings
from kehoach_nb.cli import main
from kehoach_nb.loading import load_dataset, read_commentary
from kehoach_nb.paths import UnsafePath

DOC = "ke_hoach_phat_trien_giao_duc"


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# --- 11. options ------------------------------------------------------------------------
@pytest.mark.parametrize("extra, message", [
    (["--timeout", "0"], "--timeout phải là số giây lớn hơn 0 (đang là 0)"),
    (["--timeout", "-5"], "--timeout phải là số giây lớn hơn 0 (đang là -5)"),
    (["--jobs", "0"], "--jobs phải từ 1 trở lên (đang là 0)"),
    (["--scheduler", "tls://may-chu:8786"], "--scheduler chỉ dùng cùng --executor dask"),
    (["--docs", "../../x"], "--docs: loại kế hoạch \"../../x\" không hợp lệ"),
    (["--schools", "../../x"], "--schools: mã trường \"../../x\" không hợp lệ"),
])
def test_bad_run_options_exit_2_before_anything_is_written(mini, tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    assert main(["run", "--dataset", str(mini), "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


# --- 12. lab as root --------------------------------------------------------------------
@pytest.mark.parametrize("uid, added", [(0, True), (1000, False)])
def test_lab_adds_allow_root_only_as_root(mini, tmp_path, monkeypatch, capsys, uid, added):
    import subprocess

    calls = []
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    monkeypatch.setattr(subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    assert main(["lab", "--dataset", str(mini), "--out", str(tmp_path / "out")]) == 0
    (cmd,) = calls
    assert ("--allow-root" in cmd) == added
    assert ("quyền root" in capsys.readouterr().out) == added


# --- 7. path safety ---------------------------------------------------------------------
def _notebook(path, params, edited="Nội dung mới của trường."):
    nb = nbformat.v4.new_notebook()
    if params is not None:
        nb.metadata["kehoach"] = {"parameters": params}
    cell = nbformat.v4.new_markdown_cell(edited)
    cell.metadata = {"tags": ["commentary"],
                     "kehoach": {"section": "kien_nghi", "rendered": "cũ", "store_digest": ""}}
    nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("params, reason", [
    ({"school_id": "../../../x", "doc_kind": DOC}, "mã trường \"../../../x\" không hợp lệ"),
    ({"school_id": "TH01", "doc_kind": "../x"}, "loại kế hoạch \"../x\" không hợp lệ"),
    (None, "notebook không có metadata của kehoach"),
])
def test_pull_refuses_unsafe_or_missing_metadata_and_writes_nothing(mini, tmp_path, capsys, params, reason):
    nb = _notebook(tmp_path / "a.ipynb", params)
    before = _files(tmp_path)
    assert main(["commentary", "pull", str(nb), "--dataset", str(mini), "--by", "An"]) == 1
    out = capsys.readouterr().out
    assert f"✗ {nb}: " in out and reason in out
    assert _files(tmp_path) == before


def test_pull_of_a_file_that_is_not_a_notebook(mini, tmp_path, capsys):
    bad = tmp_path / "b.ipynb"
    bad.write_text("{ không phải json")
    assert main(["commentary", "pull", str(bad), "--dataset", str(mini)]) == 1
    assert f"✗ {bad}: không đọc được notebook" in capsys.readouterr().out


def test_pull_writes_a_safe_entry(mini, tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", {"school_id": "TH01", "doc_kind": DOC})
    assert main(["commentary", "pull", str(nb), "--dataset", str(mini), "--by", "An"]) == 0
    entry = cm.parse_entry((mini / "nhan_xet/TH01" / DOC / "kien_nghi.md").read_bytes())
    assert entry.text == "Nội dung mới của trường."


def test_entry_path_stays_inside_the_store(tmp_path):
    with pytest.raises(UnsafePath):
        cm.entry_path(tmp_path, "TH01", DOC, "../../x")
    (tmp_path / "nhan_xet").symlink_to(tmp_path.parent)
    with pytest.raises(UnsafePath, match="nằm ngoài thư mục"):
        cm.entry_path(tmp_path, "TH01", DOC, "kien_nghi")
    (tmp_path / "nhan_xet").unlink()
    (tmp_path / "other").mkdir()
    (tmp_path / "nhan_xet").symlink_to(tmp_path / "other")  # inside, but still a symlink
    with pytest.raises(UnsafePath, match="symlink"):
        cm.entry_path(tmp_path, "TH01", DOC, "kien_nghi")


@pytest.mark.parametrize("link", ["file", "folder"])
def test_symlink_in_the_store_is_refused_never_followed(mini, tmp_path, link):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "kien_nghi.md").write_text("BÍ MẬT")
    folder = mini / "nhan_xet/TH01"
    folder.mkdir(parents=True)
    if link == "file":
        (folder / DOC).mkdir()
        (folder / DOC / "kien_nghi.md").symlink_to(secret / "kien_nghi.md")
    else:
        (folder / DOC).symlink_to(secret)
    ds = load_dataset(mini)
    (problem,) = ds.problems_for("TH01")
    assert "symlink" in problem.message and problem.file.startswith(f"{mini}/nhan_xet/TH01/")
    assert all("BÍ MẬT" not in d.decode() for d in read_commentary(mini, "TH01").values())
    assert ds.problems_for("THCS01") == []


# --- 10 / 2. commentary files -----------------------------------------------------------
def test_invalid_utf8_commentary_names_the_file(mini):
    path = mini / "nhan_xet/TH01" / DOC / "kien_nghi.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("Đề nghị".encode("cp1258", "replace") + b"\xff\xfe")
    (problem,) = load_dataset(mini).problems_for("TH01")
    assert str(problem).startswith(f"{path}: tệp không phải UTF-8")


def test_commentary_entry_size_limit(mini):
    (mini / "dataset.yaml").write_text((mini / "dataset.yaml").read_text() + "limits:\n  max_commentary_kb: 1\n")
    path = mini / "nhan_xet/TH01" / DOC / "kien_nghi.md"
    path.parent.mkdir(parents=True)
    path.write_text("x" * 1001)
    (problem,) = load_dataset(mini).problems_for("TH01")
    assert str(problem).startswith(f"{path}: mục nhận xét quá lớn (1001 byte; tối đa 1000 byte")


# --- 2. printed errors ------------------------------------------------------------------
def test_printed_errors_are_capped_and_the_rest_written_to_a_file(mini, tmp_path, capsys):
    (mini / "dataset.yaml").write_text((mini / "dataset.yaml").read_text() + "limits:\n  max_printed_errors: 2\n")
    rows = list(csv.reader((mini / "enrollment_by_grade.csv").open(encoding="utf-8")))
    for row in rows[1:6]:
        row[5] = "-1"
    with (mini / "enrollment_by_grade.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    assert main(["check", "--dataset", str(mini), "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    listing = tmp_path / "o/mini/loi_du_lieu.txt"
    assert out.count("cột students") == 2
    assert f"… và 3 lỗi khác (chỉ in 2 lỗi đầu" in out and str(listing) in out
    assert listing.read_text(encoding="utf-8").count("cột students") == 5


# --- 8. formula injection ---------------------------------------------------------------
def test_csv_for_excel_neutralises_formulas(tmp_path):
    hostile = ['=HYPERLINK("http://x","Bấm")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    f = Finding("V1", "lỗi", "TH01", "document_meta", hostile[0], hostile[1], hostile[2],
                hostile[3], hostile[4] + hostile[5])
    write_findings([f], tmp_path / "a.csv", tmp_path / "a.json")
    (row,) = csv.DictReader(io.StringIO((tmp_path / "a.csv").read_bytes().decode("utf-8-sig"), newline=""))
    assert row["where"] == "'" + hostile[0] and row["stated"] == "'" + hostile[1]
    assert row["expected"] == "'-2+3" and row["explanation"] == "'@SUM(A1)"
    assert row["basis"] == "'\tx\rx" and row["code"] == "V1" and row["school_id"] == "TH01"
    assert '"where": "=HYPERLINK' in (tmp_path / "a.json").read_text(encoding="utf-8")  # JSON keeps data
