"""kehoach archive: issue into a write-once folder, verify, diff, reproduce, bundle."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from kehoach_nb.archive import file_hash
from kehoach_nb.cli import main
from kehoach_nb.issued import diff, replay, store
from kehoach_nb.loading import load_dataset

from .archive_support import DOC, issued_world, run, set_cell

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("luu_tru_the_gioi")
    return base, issued_world(base)


@pytest.fixture
def here(world, tmp_path, monkeypatch):
    """A private copy of the issued world, as the working folder."""
    base, _ = world
    dest = tmp_path / "goc"
    shutil.copytree(base, dest, symlinks=True)
    monkeypatch.chdir(dest)
    return dest


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): file_hash(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_issue_freezes_the_final_plan_with_its_inputs_and_manifest(world):
    base, versions = world
    v = versions["TH01"]
    assert store.VERSION_NAME.match(v.name) and v.path.parent == Path("luu_tru/mini/TH01") / DOC
    folder = base / v.path
    names = set(_hashes(folder))
    assert {f"{DOC}.ipynb", f"{DOC}.html", f"{DOC}.chi_so.json", "manifest.json",
            "dau_vao/enrollment_by_grade.csv", "dau_vao/dataset.yaml"} <= names
    assert any(n.startswith("dau_vao/nhan_xet/TH01/") for n in names)
    m = store.read_manifest(folder)
    assert m["issued_by"] == "Trần Thị Văn Thư" and m["number"] == "05/KH-THAB"
    assert m["parameters"]["dataset"] == "mini" and m["parameters"]["state"] == "ban_hanh"
    out = base / "outputs/mini/2024/TH01"
    assert m["run_key"] == json.loads((out / f"{DOC}.key").read_text())["run_key"]
    assert m["environment"]["packages"]["pandas"] and m["issued_on"] == v.name[:10]
    assert m["files"] == {n: h for n, h in _hashes(folder).items() if n != "manifest.json"}
    assert m["content_hash"].startswith(v.name[11:])
    assert (folder / f"{DOC}.html").read_bytes() == (out / f"{DOC}.html").read_bytes()
    # the school's rows only: nothing of the other school travels with it
    assert "THCS01" not in (folder / "dau_vao/enrollment_by_grade.csv").read_text(encoding="utf-8")
    assert store.is_read_only(folder)
    assert store.verify(base / "luu_tru") == {base / "luu_tru/mini/TH01" / DOC / v.name: [],
                                              base / "luu_tru/mini/THCS01" / DOC / versions["THCS01"].name: []}


def test_issuing_the_same_content_twice_creates_nothing_new(here, capsys):
    before = sorted(p.as_posix() for p in Path("luu_tru").rglob("*"))
    v, created = store.issue(load_dataset("mini"), Path("outputs"), Path("luu_tru"), "TH01", DOC, "Ai đó")
    assert not created and v.manifest["issued_by"] == "Trần Thị Văn Thư"
    assert main(["archive", "issue", "--dataset", "mini", "--by", "Ai đó"]) == 0
    assert "không tạo bản mới" in capsys.readouterr().out
    assert sorted(p.as_posix() for p in Path("luu_tru").rglob("*")) == before


def test_issue_refuses_outputs_that_do_not_match_today_or_one_run(here):
    ds = load_dataset("mini")
    set_cell(here / "mini/school.csv", ["TH01"], "name", "Trường Tiểu học Đổi Tên")
    with pytest.raises(store.ArchiveError, match="đã thay đổi sau lần chạy cuối"):
        store.issue(load_dataset("mini"), Path("outputs"), Path("luu_tru"), "TH01", DOC)
    key = here / "outputs/mini/2024/THCS01" / f"{DOC}.key"
    run_key = json.loads(key.read_text())["run_key"]
    key.write_text(json.dumps({"run_key": run_key, "files": {f"{DOC}.html": {"sha256": "0" * 64}}}))
    with pytest.raises(store.ArchiveError, match="đã bị sửa sau lần chạy"):  # a key with hashes
        store.issue(ds, Path("outputs"), Path("luu_tru"), "THCS01", DOC)
    key.write_text("khác")
    with pytest.raises(store.ArchiveError, match="không cùng một lần chạy"):
        store.issue(ds, Path("outputs"), Path("luu_tru"), "THCS01", DOC)


@pytest.mark.parametrize("target", [f"{DOC}.ipynb", f"{DOC}.html", f"{DOC}.chi_so.json", "manifest.json",
                                    "dau_vao/enrollment_by_grade.csv", "dau_vao/dataset.yaml",
                                    "commentary entry"])
def test_verify_detects_a_changed_byte_in_each_kind_of_file(here, target, capsys):
    folder = next(Path("luu_tru/mini/TH01").glob(f"{DOC}/*"))
    path = (next((folder / "dau_vao/nhan_xet").rglob("*.md")) if target == "commentary entry"
            else folder / target)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    problems = store.verify(Path("luu_tru"))[folder]
    if target == "manifest.json":  # a changed manifest breaks its seal (and may rename an entry)
        assert any(p.startswith("manifest.json: nội dung đã bị thay đổi") for p in problems)
    else:
        assert problems and all(p.startswith(path.relative_to(folder).as_posix()) or "manifest" in p
                                for p in problems)
    assert main(["archive", "verify"]) == 1
    assert str(folder) in capsys.readouterr().out


def test_verify_detects_a_missing_and_an_extra_file(here, capsys):
    folder = next(Path("luu_tru/mini/THCS01").glob(f"{DOC}/*"))
    folder.chmod(0o755)
    (folder / f"{DOC}.html").unlink()
    (folder / "ghi_chu.txt").write_text("thêm vào sau")
    assert store.verify(folder)[folder] == [f"{DOC}.html: thiếu tệp", "ghi_chu.txt: tệp thừa, không có trong manifest"]
    assert main(["archive", "verify", str(folder)]) == 1
    assert "thiếu tệp" in capsys.readouterr().out
    assert main(["archive", "verify", "luu_tru/mini/TH01"]) == 0


def test_diff_names_exactly_the_changed_cell_and_what_depends_on_it(here, capsys):
    archived = _hashes(Path("luu_tru"))
    assert set_cell(here / "mini/enrollment_by_grade.csv", ["TH01", "2024", "plan", "1"], "classes", "4") == "3"
    outcomes = run(Path("mini"), Path("outputs"))
    assert outcomes["TH01"].status == "ok" and outcomes["THCS01"].status == "skipped"
    ds = load_dataset("mini")
    v = store.versions(Path("luu_tru"), "mini", "TH01", DOC)[-1]
    old, new = diff.from_version(v), diff.from_outputs(ds, Path("outputs"), "TH01", DOC)
    ch = diff.compare(old, new)
    assert ch.inputs == [("Quy mô lớp, học sinh theo khối (enrollment_by_grade.csv)",
                          "năm học 2024-2025, kế hoạch, khối 1", "classes", "3", "4")]
    assert ch.figures == [("Số học sinh bình quân một lớp", "31,8", "30,3"), ("Số lớp", "19", "20")]
    assert ch.commentary == []
    changed_old = [t for _, a, _ in ch.text for t in a]
    changed_new = [t for _, _, b in ch.text for t in b]
    # the scale passage and tables, and the plan year's need tables (norm and classrooms follow classes)
    assert 0 < len(changed_new) <= 12 and len(changed_old) == len(changed_new)
    assert any("dự kiến 19 lớp" in t for t in changed_old) and any("dự kiến 20 lớp" in t for t in changed_new)
    # the text of the plan otherwise unchanged; the archive untouched
    assert len(old.lines) == len(new.lines)
    assert _hashes(Path("luu_tru")) == archived and main(["archive", "verify"]) == 0
    capsys.readouterr()
    assert main(["archive", "diff", "TH01", DOC, "--dataset", "mini"]) == 0
    text = capsys.readouterr().out
    assert "cột classes: 3 → 4" in text and "Số lớp: 19 → 20" in text
    page = (here / "outputs/mini/2024/TH01" / f"{DOC}.so_sanh.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "<td>Số lớp</td><td>19</td><td>20</td>" in page
    latest = store.latest_versions(Path("luu_tru"), "mini", Path("outputs"))
    assert latest[("TH01", DOC)]["differs_from_outputs"] is True
    assert latest[("TH01", DOC)]["diff_href"] == f"TH01/{DOC}.so_sanh.html"
    assert latest[("THCS01", DOC)]["differs_from_outputs"] is False
    assert latest[("THCS01", DOC)]["number"] == "112/KH-THCSĐT"


def test_reproduce_gives_the_same_text_in_a_fresh_kernel(world, monkeypatch, capsys):
    base, versions = world
    monkeypatch.chdir(base)
    result = replay.reproduce(replay.load_version(versions["TH01"].path))
    assert result.status == "ok" and result.identical and result.environment == []
    assert main(["archive", "reproduce", str(versions["THCS01"].path)]) == 0
    assert "giống hệt" in capsys.readouterr().out


def test_bundle_one_zip_per_school_with_documents_and_manifests(here):
    assert main(["archive", "bundle", "--dataset", "mini", "--dest", "gui"]) == 0
    first = (here / "gui/mini_TH01.zip").read_bytes()
    with zipfile.ZipFile(here / "gui/mini_TH01.zip") as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read(next(n for n in names if n.endswith("manifest.json"))))
    assert sorted(Path(n).name for n in names) == [f"{DOC}.html", "manifest.json"]
    assert all(n.startswith(f"TH01/{DOC}/") for n in names) and manifest["school_id"] == "TH01"
    assert main(["archive", "bundle", "--dataset", "mini", "--dest", "gui"]) == 0
    assert (here / "gui/mini_TH01.zip").read_bytes() == first  # same content, same bytes
    assert main(["archive", "bundle", "--dataset", "mini", "--dest", "gui", "--together"]) == 0
    with zipfile.ZipFile(here / "gui/mini_tat_ca.zip") as zf:
        assert {n.split("/")[0] for n in zf.namelist()} == {"TH01", "THCS01"}


def test_compare_shows_commentary_and_escapes_everything():
    a = diff.Side("A", ["Đoạn một", "<b>x</b>"], {"ty_le_len_lop": "99.5"}, {"kien_nghi": "cũ"}, {})
    b = diff.Side("B", ["Đoạn một", "<i>y</i>"], {"ty_le_len_lop": "100.0"}, {"kien_nghi": "mới"}, {})
    ch = diff.compare(a, b)
    assert ch.figures == [("Tỉ lệ lên lớp", "99,5%", "100%")]
    assert ch.commentary == [("kien_nghi", "cũ", "mới")] and ch.text == [(2, ["<b>x</b>"], ["<i>y</i>"])]
    page = diff.as_html(a, b, ch, "So sánh <script>")
    assert "<script>" not in page and "<b>x</b>" not in page and "&lt;i&gt;y&lt;/i&gt;" in page
    assert "mục kien_nghi: đã sửa" in diff.as_text(a, b, ch)


def test_usage_errors_are_vietnamese_and_exit_2(here, capsys):
    assert main(["archive", "reproduce", "khong_co"]) == 2
    assert main(["archive", "diff", "TH09", DOC, "--dataset", "mini"]) == 2
    err = capsys.readouterr().err
    assert "không phải một phiên bản đã lưu trữ" in err and "chưa có bản ban hành nào" in err
    assert "Traceback" not in err
