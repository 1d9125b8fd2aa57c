"""Commentary that survives: store entries, placeholders, staleness, pull and conflicts."""

import json
import shutil
import socket
import subprocess
import sys
import time
import unicodedata
import urllib.request
from decimal import Decimal

import nbformat
import pytest

from kehoach_nb import commentary as cm
from kehoach_nb.errors import DataError
from kehoach_nb.plans import build_report

from .conftest import DATA
from .test_end_to_end import _kehoach

NB = "out/mini/2024/{school}/ke_hoach_phat_trien_giao_duc.{ext}"
SENTENCE = "Đề nghị xây thêm 02 phòng học bộ môn Tin học ở điểm trường chính."


def test_entry_round_trip_keeps_text_and_front_matter():
    data = cm.render_entry("- một ý\n- hai ý", {"nguoi_sua": "Lê Thị Mai", "chi_so": {"so_hoc_sinh": "605"}})
    entry = cm.parse_entry(data)
    assert entry.text == "- một ý\n- hai ý"
    assert entry.meta == {"chi_so": {"so_hoc_sinh": "605"}, "nguoi_sua": "Lê Thị Mai"}
    assert entry.digest == cm.digest(data)


def test_placeholders_render_vietnamese_numbers_and_unknown_names_fail(mini):
    store = mini / "nhan_xet" / "TH01" / "ke_hoach_phat_trien_giao_duc"
    store.mkdir(parents=True)
    (store / "kien_nghi.md").write_text("Năm học {{ nam_hoc }} có {{ so_hoc_sinh }} học sinh, "
                                        "hoàn thành {{ ty_le_hoan_thanh_chuong_trinh_lop_hoc }}.")
    html = build_report(str(mini), "TH01").render_html()
    assert "Năm học 2024-2025 có 605 học sinh, hoàn thành 99,6%." in html
    (store / "kien_nghi.md").write_text("Có {{ so_hoc_sinh_sai }} em.")
    with pytest.raises(DataError, match="mục \"kien_nghi\": không có chỉ số so_hoc_sinh_sai"):
        build_report(str(mini), "TH01")


def test_store_entry_overrides_csv_and_is_flagged_when_figures_moved(mini):
    store = mini / "nhan_xet" / "TH01" / "ke_hoach_phat_trien_giao_duc"
    store.mkdir(parents=True)
    (store / "kien_nghi.md").write_bytes(cm.render_entry("Văn bản trong kho.", {"chi_so": {"so_hoc_sinh": "500"}}))
    report = build_report(str(mini), "TH01")
    html = report.render_html()
    assert "Văn bản trong kho." in html and "bổ sung <strong>02 giáo viên</strong>" not in html
    assert "Cần xem lại: số liệu đã thay đổi từ khi viết (so_hoc_sinh: 500 → 605)" in html
    assert [c.stale for c in report.document.commentary() if c.key == "kien_nghi"] == [["so_hoc_sinh: 500 → 605"]]


def test_small_changes_stay_below_the_threshold():
    assert cm.changed_values({"a": "100"}, {"a": "104"}, Decimal("0.05")) == []
    assert cm.changed_values({"a": "100"}, {"a": "106"}, Decimal("0.05")) == ["a: 100 → 106"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """A real Jupyter server on loopback; save() does what JupyterLab does on Ctrl+S."""

    def __init__(self, root):
        self.port, self.token = _free_port(), "kehoach-test"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", f"--ServerApp.port={self.port}",
             f"--IdentityProvider.token={self.token}", "--ServerApp.open_browser=False",
             "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self._call("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("Jupyter server did not start")

    def _call(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def load(self, path):
        return self._call("GET", f"/api/contents/{path}?type=notebook&content=1")["content"]

    def save(self, path, content):
        return self._call("PUT", f"/api/contents/{path}",
                          {"type": "notebook", "format": "json", "content": content})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _edit_cell(nb: dict, section: str, text: str) -> None:
    (cell,) = [c for c in nb["cells"] if c["cell_type"] == "markdown"
               and c["metadata"].get("kehoach", {}).get("section") == section]
    cell["source"] = text


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", " ".join(out.stdout.split()))


@pytest.mark.integration
def test_edit_in_jupyter_pull_and_rerun_only_that_school(tmp_path):
    shutil.copytree(DATA / "mini", tmp_path / "mini")
    with (tmp_path / "mini" / "dataset.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\nplaceholders: true\n")  # the empty sections get a draft cell to write in
    run = ("run", "--dataset", "mini", "--out", "out")
    assert _kehoach(*run, cwd=tmp_path).returncode == 0
    server = JupyterServer(tmp_path)
    try:
        path = NB.format(school="TH01", ext="ipynb")
        nb = server.load(path)
        _edit_cell(nb, "kien_nghi", "- Đề nghị Phòng GD&ĐT bổ sung **02 giáo viên** Tiếng Anh.\n- " + SENTENCE)
        _edit_cell(nb, "ket_qua.van_phong.han_che", "*[Dự thảo tự động — nhà trường cần bổ sung, chỉnh sửa]*\n\n"
                   "Hồ sơ lưu trữ chưa được số hóa đầy đủ.")
        server.save(path, nb)
    finally:
        server.stop()
    pulled = _kehoach("commentary", "pull", "out/mini", "--dataset", "mini", "--by", "Lê Thị Mai",
                      cwd=tmp_path)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "Đã cập nhật 2 mục nhận xét" in pulled.stdout
    entry = cm.parse_entry((tmp_path / "mini/nhan_xet/TH01/ke_hoach_phat_trien_giao_duc/kien_nghi.md").read_bytes())
    assert SENTENCE in entry.text and entry.meta["nguoi_sua"] == "Lê Thị Mai"
    draft = (tmp_path / "mini/nhan_xet/TH01/ke_hoach_phat_trien_giao_duc/ket_qua.van_phong.han_che.md")
    assert cm.parse_entry(draft.read_bytes()).text == "Hồ sơ lưu trữ chưa được số hóa đầy đủ."

    rerun = _kehoach(*run, cwd=tmp_path)
    assert "TH01 — thành công" in rerun.stdout and "THCS01 — bỏ qua (không thay đổi)" in rerun.stdout
    assert SENTENCE in (tmp_path / NB.format(school="TH01", ext="html")).read_text()
    assert SENTENCE in _pdf_text(tmp_path / NB.format(school="TH01", ext="pdf"))
    html = (tmp_path / NB.format(school="TH01", ext="html")).read_text()
    assert "Hồ sơ lưu trữ chưa được số hóa đầy đủ." in html


def test_conflicting_edit_is_detected_and_nothing_is_overwritten(tmp_path):
    from kehoach_nb.pull import pull

    store = tmp_path / "ds"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kehoach"] = {"parameters": {"school_id": "TH01", "doc_kind": "ke_hoach_phat_trien_giao_duc"}}
    info = {"section": "kien_nghi", "store_digest": "", "draft": False, "stale": [], "html": "",
            "values": {"so_hoc_sinh": "605"}, "rendered": "Bản cũ."}
    nb.cells = [nbformat.v4.new_markdown_cell("Bản cũ, đã sửa lần một.",
                                              metadata={"tags": ["commentary"], "kehoach": info})]
    path = tmp_path / "a.ipynb"
    nbformat.write(nb, path)
    assert pull([str(path)], store, "A").updated == ["TH01/ke_hoach_phat_trien_giao_duc/kien_nghi"]
    target = store / "nhan_xet/TH01/ke_hoach_phat_trien_giao_duc/kien_nghi.md"
    before = target.read_bytes()
    nb.cells[0].source = "Một bản sửa khác từ notebook cũ."  # rendered before the store changed
    nbformat.write(nb, path)
    result = pull([str(path)], store, "B")
    assert result.updated == [] and len(result.conflicts) == 1
    assert target.read_bytes() == before
    conflict = (store / "nhan_xet/TH01/ke_hoach_phat_trien_giao_duc/kien_nghi.xung_dot.md").read_text()
    assert "Bản cũ, đã sửa lần một." in conflict and "Một bản sửa khác từ notebook cũ." in conflict


def test_a_quoted_number_that_no_longer_matches_is_flagged_even_below_the_threshold():
    text = "Trường có 1.095 học sinh, tỉ lệ hoàn thành 79,2%; 21 lớp."
    written = {"so_hoc_sinh": "1095", "ty_le_hoan_thanh_chuong_trinh_lop_hoc": "79.2", "so_lop": "21"}
    current = {"so_hoc_sinh": "1100", "ty_le_hoan_thanh_chuong_trinh_lop_hoc": "79.3", "so_lop": "21"}
    assert cm.changed_values(written, current, Decimal("0.05"), text) == [
        "văn bản ghi 1.095 (so_hoc_sinh) nhưng số liệu hiện là 1.100",
        "văn bản ghi 79,2% (ty_le_hoan_thanh_chuong_trinh_lop_hoc) nhưng số liệu hiện là 79,3%"]
    assert cm.changed_values(written, current, Decimal("0.05"), "Trường có {{ so_hoc_sinh }} học sinh.") == []
    assert not cm.quotes("có 11.095 học sinh", "1.095") and not cm.quotes("79,25%", "79,2", True)
    assert cm.quotes("(1.095)", "1.095") and cm.quotes("đạt 79,2 %", "79,2", True)
    assert cm.changed_values(written, current, Decimal("0.05"), "Có 1095 học sinh.") == [
        "văn bản ghi 1.095 (so_hoc_sinh) nhưng số liệu hiện là 1.100"]  # written without the dot


def test_numbers_that_only_look_like_an_old_value_are_not_flagged():
    t = Decimal("0.05")
    # a date and a document number, not the count
    assert cm.changed_values({"so_lop": "21"}, {"so_lop": "22"}, t, "Ngày 21/11/2023, Luật 43/2019/QH14.") == []
    # a count, not the rate
    assert cm.changed_values({"ty_le_len_lop": "50"}, {"ty_le_len_lop": "50.1"}, t, "Có 50 học sinh giỏi.") == []
    # the same number is another indicator's current value: "21 lớp" is right
    assert cm.changed_values({"so_giao_vien": "21"}, {"so_giao_vien": "22", "so_lop": "21"}, t,
                             "Trường có 21 lớp.") == []
