"""The office's roll-up (Báo cáo tổng hợp): totals from the schools' own records, states, Excel."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from kehoach_nb.model import Closing, Header, Table, plain_text
from kehoach_nb.rollup import PlanEntry, RollupInput, SchoolEntry, build_rollup
from kehoach_nb.rollup.build import COLUMNS, LEVEL, MEAN, TOTAL, value
from kehoach_nb.rollup.record import MISSING, plan_state, state_label
from kehoach_nb.status import Status, label

KINDS = ["ke_hoach_phat_trien_giao_duc", "ke_hoach_cai_tien_chat_luong"]


def _school(sid: str, classes: int, pupils: int, teachers: int, *, level: str = "tieu_hoc",
            states=("du_thao", "du_thao"), audit=(0, 2), extra: dict | None = None) -> SchoolEntry:
    figures = {"so_lop": str(classes), "so_hoc_sinh": str(pupils), "so_giao_vien_day_lop": str(teachers),
               "hoc_sinh_binh_quan_lop": str((Decimal(pupils) / classes).quantize(Decimal("0.1"))),
               "giao_vien_tren_lop": str((Decimal(teachers) / classes).quantize(Decimal("0.01"))),
               "dinh_muc_giao_vien": str(int(classes * 1.5)), "dinh_muc_giao_vien_lop": "1.50",
               "si_so_toi_da": "35", "ty_le_khen_thuong": "30.5", "muc_kiem_dinh": "1",
               "muc_chuan_quoc_gia": "1", **(extra or {})}
    return SchoolEntry(sid, f"Trường Tiểu học {sid}", level, [PlanEntry(k, s) for k, s in zip(KINDS, states)],
                       figures, list(audit), KINDS[0], "h" + sid)


def _input(schools: list[SchoolEntry]) -> RollupInput:
    return RollupInput("xa_thu", "Xã Thử", "UBND xã Thử Nghiệm", "", "Thử Nghiệm", 2026, KINDS, schools)


def _tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def _row(table: Table, label_: str) -> list[str]:
    return next(r for r in table.rows if r[1].startswith(label_) or r[1].endswith(f" {label_}"))


SCHOOLS = [_school("A", 10, 320, 15), _school("B", 12, 410, 19, audit=(1, 3)),
           _school("C", 7, 1095, 10, extra={"ty_le_khen_thuong": "20.25"})]


def test_totals_equal_the_sum_of_the_schools_records():
    doc = build_rollup(_input(SCHOOLS)).document
    for col in COLUMNS:
        stated = [v for s in SCHOOLS if (v := value(col, s)) is not None]
        if not stated:
            assert col.name not in doc.figures  # nobody stated it: no total, not 0
        elif col.total == TOTAL:
            assert Decimal(doc.figures[col.name]) == sum(stated), col.name
        elif col.total == MEAN:
            mean = (sum(stated) / len(stated)).quantize(Decimal(1).scaleb(-col.places))
            assert Decimal(doc.figures[col.name]) == mean, col.name
        elif col.total == LEVEL:
            assert doc.figures[f"so_truong_dat_{col.name}"] == str(sum(1 for v in stated if v >= 1))
    scale = _tables(doc)[0]
    total = _row(scale, "Tổng cộng")
    assert total[1] == "Tổng cộng" and total[2:4] == ["29", "1.825"]  # Vietnamese grouping
    assert _row(scale, "Bình quân")[7] == "1,50"
    quality = _tables(doc)[1]
    assert _row(quality, "Tổng cộng")[-2:] == ["1", "6"]  # errors; warnings = findings - errors


def test_missing_figures_are_blank_not_zero_and_the_total_says_how_many_schools():
    no_record = SchoolEntry("D", "Trường Tiểu học D", "tieu_hoc", [PlanEntry(k, "cell_error") for k in KINDS])
    partial = _school("E", 5, 150, 8)
    del partial.figures["so_giao_vien_day_lop"]
    doc = build_rollup(_input(SCHOOLS + [no_record, partial])).document
    scale = _tables(doc)[0]
    assert set(_row(scale, "D")[2:]) == {"—"}
    assert _row(scale, "E")[5] == "—"
    total = _row(scale, "Tổng cộng")
    assert total[1] == "Tổng cộng (4/5 trường)"
    assert total[2] == "34" and total[5] == "44"  # E's classes counted, its teachers not (not 0 either)
    assert any("Số GV dạy lớp: 3/5 trường" in n for n in scale.notes)
    assert doc.figures["so_truong_co_so_lieu"] == "4"


def test_failed_and_refused_plans_show_as_such_with_the_status_labels():
    refused = _school("R", 9, 300, 13, states=("not_final", "ban_hanh"))
    failed = SchoolEntry("F", "Trường Tiểu học F", "tieu_hoc",
                         [PlanEntry(KINDS[0], "timeout", "một ô chạy quá thời gian"), PlanEntry(KINDS[1], MISSING)])
    doc = build_rollup(_input(SCHOOLS + [refused, failed])).document
    plans = _tables(doc)[2]
    assert _row(plans, "R")[2:] == [label(Status.NOT_FINAL).capitalize(), "Ban hành"]
    assert _row(plans, "F")[2:] == [label(Status.TIMEOUT).capitalize(), "Chưa có"]
    text = plain_text(doc)
    assert f"Trường Tiểu học R: Kế hoạch phát triển giáo dục: {label(Status.NOT_FINAL)}" in text
    assert "Trường Tiểu học F: Kế hoạch phát triển giáo dục: quá thời gian" in text


def test_plan_state_prefers_the_current_record_then_the_run_outcome():
    assert plan_state("ok", "ban_hanh") == "ban_hanh"
    assert plan_state("skipped", "du_thao") == "du_thao"
    assert plan_state("not_final", None) == "not_final"  # old files stay, but are not this run's
    assert plan_state("export_error", None) == "export_error"
    assert plan_state(None, None) == plan_state("ok", None) == MISSING
    assert state_label("invalid_input") == "Dữ liệu không hợp lệ"


def test_changing_one_school_changes_its_row_and_the_totals_and_nothing_else():
    before = build_rollup(_input(SCHOOLS)).document
    changed = [SCHOOLS[0], _school("B", 13, 450, 19, audit=(1, 3)), SCHOOLS[2]]
    after = build_rollup(_input(changed)).document
    for old, new in zip(_tables(before), _tables(after)):
        for r_old, r_new in zip(old.rows, new.rows):
            moved = r_old != r_new
            expected = r_old[1] in ("Tiểu học B", "Tổng cộng", "Bình quân các trường")
            assert moved <= expected, (old.caption, r_old, r_new)
    scale_old, scale_new = _tables(before)[0], _tables(after)[0]
    assert _row(scale_old, "Tiểu học B") != _row(scale_new, "Tiểu học B")
    assert _row(scale_old, "Tổng cộng") != _row(scale_new, "Tổng cộng")
    assert _tables(before)[2].rows == _tables(after)[2].rows


def test_over_a_norm_is_named_and_the_frame_is_the_offices():
    over = _school("O", 10, 380, 17, extra={"hoc_sinh_binh_quan_lop": "38.0"})
    doc = build_rollup(_input(SCHOOLS + [over])).document
    text = plain_text(doc)
    assert "Trường Tiểu học O: giáo viên vượt định mức 2; sĩ số bình quân 38,0 vượt 35 học sinh/lớp" in text
    header = doc.blocks[0]
    assert isinstance(header, Header) and header.school_name == "UBND XÃ THỬ NGHIỆM"
    assert header.doc_type == "BÁO CÁO" and header.title.startswith("Tổng hợp kế hoạch")
    assert doc.title.startswith("Báo cáo tổng hợp kế hoạch")
    assert isinstance(doc.blocks[-1], Closing)


def test_text_is_nfc():
    import unicodedata

    text = plain_text(build_rollup(_input(SCHOOLS)).document)
    assert unicodedata.normalize("NFC", text) == text


def test_input_round_trips_through_json():
    inp = _input(SCHOOLS)
    assert RollupInput.from_json(inp.to_json()) == inp


def test_excel_has_numbers_with_formats_spanned_headers_and_a_frozen_header():
    openpyxl = pytest.importorskip("openpyxl")
    from kehoach_nb.render.xlsx import render_xlsx

    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(build_rollup(_input(SCHOOLS)).document)))
    assert wb.sheetnames == ["Bảng 1", "Bảng 2", "Bảng 3"]
    ws = wb["Bảng 1"]
    assert ws["A1"].value == "Bảng 1. Quy mô và giáo viên của các trường"
    assert ws["C2"].value == "Quy mô" and "C2:E2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "C4"
    pupils = [ws.cell(r, 4).value for r in range(4, 8)]
    assert pupils == [320, 410, 1095, 1825] and ws.cell(7, 4).number_format == "#,##0"
    assert ws.cell(4, 5).value == 32.0 and ws.cell(4, 5).number_format == "#,##0.0"
    q = wb["Bảng 2"]
    assert q.cell(6, 7).value == pytest.approx(0.203) and q.cell(6, 7).number_format == "#,##0.0%"  # as printed


# --- a real run ---------------------------------------------------------------------------

def _run(mini, out, *extra) -> int:
    from kehoach_nb.cli import main

    return main(["run", "--dataset", str(mini), "--out", str(out), "--formats", "html", "--jobs", "1",
                 "--rollup", *extra])


def _rollup_doc(folder):
    import nbformat

    from kehoach_nb import notebook

    return notebook.document(nbformat.read(folder / "bao_cao_tong_hop.ipynb", as_version=4))


@pytest.mark.integration
def test_a_run_writes_the_rollup_from_the_records_and_renders_it_again_only_on_change(mini, tmp_path):
    import json

    from kehoach_nb import formatting as fm

    out = tmp_path / "outputs"
    assert _run(mini, out) == 0
    year = out / "mini" / "2024"
    folder = year / "_tong_hop"
    for ext in ("ipynb", "html", "pdf", "docx", "xlsx", "key"):
        assert (folder / f"bao_cao_tong_hop.{ext}").is_file(), ext
    assert 'href="_tong_hop/bao_cao_tong_hop.xlsx"' in (year / "index.html").read_text(encoding="utf-8")
    assert 'href="2024/_tong_hop/bao_cao_tong_hop.pdf"' in (out / "mini" / "index.html").read_text(encoding="utf-8")
    assert not [p for p in folder.iterdir() if p.is_dir()]  # no commune filled: no commune roll-up
    records = {s: json.loads((year / s / "ke_hoach_phat_trien_giao_duc.chi_so.json").read_text(encoding="utf-8"))
               for s in ("TH01", "THCS01")}
    doc = _rollup_doc(folder)
    scale = _tables(doc)[0]
    for sid, rec_ in records.items():
        row = scale.rows[0 if sid == "TH01" else 1]
        assert row[3] == fm.fmt_int(int(rec_["figures"]["so_hoc_sinh"]))  # as the school's plan states
    assert int(doc.figures["so_hoc_sinh"]) == sum(int(r["figures"]["so_hoc_sinh"]) for r in records.values())

    html = folder / "bao_cao_tong_hop.html"
    stamp = html.stat().st_mtime_ns
    assert _run(mini, out) == 0
    assert html.stat().st_mtime_ns == stamp  # nothing changed: not rendered again
    from kehoach_nb.cli import main

    assert main(["rollup", "--dataset", str(mini), "--out", str(out), "--formats", "html"]) == 0
    assert html.stat().st_mtime_ns == stamp  # the subcommand finds the same run's records

    path = mini / "enrollment_by_grade.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("THCS01,2024,plan,6,2,62", "THCS01,2024,plan,6,2,63"),
                    encoding="utf-8")
    assert _run(mini, out) == 0
    changed = _tables(_rollup_doc(folder))[0]
    assert changed.rows[0] == scale.rows[0]  # TH01 as before
    assert changed.rows[1] != scale.rows[1] and changed.rows[2] != scale.rows[2]  # THCS01, totals
    assert int(changed.rows[2][3].replace(".", "")) == int(scale.rows[2][3].replace(".", "")) + 1

    path.write_text(path.read_text(encoding="utf-8").replace("TH01,2023,actual,1,3,102", "TH01,2023,actual,1,3,abc"),
                    encoding="utf-8")
    yaml = mini / "dataset.yaml"  # marked drafts in empty sections: a final plan is refused
    yaml.write_text(yaml.read_text(encoding="utf-8") + "placeholders: true\n", encoding="utf-8")
    assert _run(mini, out, "--state", "ban_hanh") == 1
    doc = _rollup_doc(folder)
    scale, plans = _tables(doc)[0], _tables(doc)[2]
    assert [r[2] for r in plans.rows] == [state_label("invalid_input"), state_label("not_final")]
    assert set(scale.rows[0][2:]) == set(scale.rows[1][2:]) == {"—"}  # no current record: no figures
    assert scale.rows[2][1] == "Tổng cộng (0/2 trường)"
    text = plain_text(doc)
    assert "Trường THCS Đồng Tâm: Kế hoạch phát triển giáo dục: chưa đủ điều kiện ban hành" in text


def test_excel_uses_one_precision_per_column_and_prints_landscape():
    openpyxl = pytest.importorskip("openpyxl")
    from kehoach_nb.render.xlsx import render_xlsx

    schools = [_school("A", 10, 320, 15, extra={"ty_le_hoan_thanh_chuong_trinh_cap_hoc": "100"}),
               _school("B", 12, 410, 19, extra={"ty_le_hoan_thanh_chuong_trinh_cap_hoc": "99.5"})]
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(build_rollup(_input(schools)).document)))["Bảng 2"]
    assert [ws.cell(r, 5).value for r in (4, 5)] == [1, 0.995]
    assert {ws.cell(r, 5).number_format for r in (4, 5)} == {"#,##0.0%"}  # "100%" beside "99,5%"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$3"


# --- one roll-up per commune (xã, phường, đặc khu) ------------------------------------------

def _ds(communes: dict[str, str | None]):
    from types import SimpleNamespace

    import pandas as pd

    return SimpleNamespace(tables={"school": pd.DataFrame({"school_id": list(communes),
                                                           "commune": list(communes.values())})})


def test_commune_folders_are_ascii_slugs_and_only_for_several_communes():
    from kehoach_nb.rollup.scope import commune_of, folders, slug

    assert slug("xã Hòa Bình") == "xa_hoa_binh" and slug("Phường Đống Đa") == "phuong_dong_da"
    assert slug("đặc khu Côn Đảo") == "dac_khu_con_dao" and slug("xã Tân  Lập (mới)") == "xa_tan_lap_moi"
    assert folders(_ds({"A": "xã Hòa Bình", "B": "xã  Hòa Bình", "C": None})) == {}  # one commune
    assert folders(_ds({"A": None, "B": ""})) == {}
    # one commune however written (case, spaces, old tone placement "Hoà"), in its usual spelling
    ds = _ds({"A": "xã Hòa Bình", "B": "phường Hòa Lâm", "C": "Xã  Hoà Bình", "D": "xã Hòa Bình"})
    assert folders(ds) == {"phường Hòa Lâm": "phuong_hoa_lam", "xã Hòa Bình": "xa_hoa_binh"}
    assert commune_of(ds)["C"] == "xã Hòa Bình"
    # two communes that only share an ASCII slug keep two folders
    assert folders(_ds({"A": "xã Hòa Bình", "B": "xã Hoa Binh"})) == {
        "xã Hoa Binh": "xa_hoa_binh", "xã Hòa Bình": "xa_hoa_binh_2"}


def test_each_commune_gets_its_schools_under_its_ubnd_and_the_rest_only_the_whole():
    from kehoach_nb.rollup.run import scoped

    a, b, c = SCHOOLS
    whole = _input(SCHOOLS)
    parts = scoped(_ds({"A": "xã Hòa Bình", "B": "phường Hòa Lâm", "C": None}), whole)
    assert [slug for slug, _ in parts] == ["", "phuong_hoa_lam", "xa_hoa_binh"]
    assert parts[0][1] is whole
    ward, commune = parts[1][1], parts[2][1]
    assert ward.schools == [b] and commune.schools == [a] and ward.scope == "phường Hòa Lâm"
    doc = build_rollup(commune).document
    header = doc.blocks[0]
    assert (header.governing_body, header.school_name) == ("", "UBND XÃ HÒA BÌNH")
    assert header.date_line.startswith("Hòa Bình, ngày")
    assert doc.figures["so_hoc_sinh"] == "320"
    assert scoped(_ds({"A": "xã Hòa Bình", "B": "xã Hòa Bình", "C": None}), whole) == [("", whole)]


def test_input_without_scope_is_still_read():
    import json

    raw = json.loads(_input(SCHOOLS).to_json())
    del raw["scope"]
    assert RollupInput.from_json(json.dumps(raw)) == _input(SCHOOLS)
    assert json.loads(_input(SCHOOLS).to_json())["scope"] == ""


@pytest.mark.integration
def test_a_run_writes_one_rollup_per_commune_rendered_again_only_when_its_schools_change(tmp_path):
    import json
    import shutil
    from pathlib import Path

    demo = tmp_path / "demo"
    shutil.copytree(Path(__file__).parent.parent / "params" / "demo", demo)
    out = tmp_path / "outputs"
    only = ["--docs", "ke_hoach_phat_trien_giao_duc", "--schools", "TH02", "THCS02", "TH03", "THCS03"]
    assert _run(demo, out, *only) == 0
    year = out / "demo" / "2026"
    base = year / "_tong_hop"
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == [
        "phuong_hoa_lam", "xa_hoa_binh", "xa_phu_loc", "xa_son_thuy", "xa_tan_lap"]
    for ext in ("ipynb", "html", "pdf", "docx", "xlsx", "key"):
        assert (base / "xa_hoa_binh" / f"bao_cao_tong_hop.{ext}").is_file(), ext
    doc = _rollup_doc(base / "xa_hoa_binh")
    header = doc.blocks[0]
    assert (header.governing_body, header.school_name) == ("", "UBND XÃ HÒA BÌNH")
    assert header.date_line.startswith("Hòa Bình, ngày")
    assert [r[1] for r in _tables(doc)[0].rows][:3] == ["Tiểu học Hòa Bình", "Trung học cơ sở Hòa Bình", "Tổng cộng"]

    def records(*sids):
        return [json.loads((year / s / "ke_hoach_phat_trien_giao_duc.chi_so.json").read_text(encoding="utf-8"))
                for s in sids]

    for name in ("so_hoc_sinh", "so_lop", "so_giao_vien_day_lop"):
        assert int(doc.figures[name]) == sum(int(r["figures"][name]) for r in records("TH02", "THCS02")), name
    assert int(_rollup_doc(base).figures["so_hoc_sinh"]) == sum(
        int(r["figures"]["so_hoc_sinh"]) for r in records("TH02", "THCS02", "TH03", "THCS03"))
    index = (year / "index.html").read_text(encoding="utf-8")
    assert 'xã Hòa Bình: <a href="_tong_hop/xa_hoa_binh/bao_cao_tong_hop.html">HTML</a>' in index
    assert 'href="2026/_tong_hop/xa_tan_lap/bao_cao_tong_hop.xlsx"' in (out / "demo" / "index.html").read_text(
        encoding="utf-8")

    watched = {"": base, "xa_hoa_binh": base / "xa_hoa_binh", "xa_tan_lap": base / "xa_tan_lap"}
    before = {k: ((f / "bao_cao_tong_hop.key").read_bytes(), (f / "bao_cao_tong_hop.html").stat().st_mtime_ns)
              for k, f in watched.items()}
    path = demo / "enrollment_by_grade.csv"
    text = path.read_text(encoding="utf-8")
    assert "TH02,2026,plan,1,standard,4,132," in text
    path.write_text(text.replace("TH02,2026,plan,1,standard,4,132,", "TH02,2026,plan,1,standard,4,133,"),
                    encoding="utf-8")
    assert _run(demo, out, *only) == 0
    after = {k: ((f / "bao_cao_tong_hop.key").read_bytes(), (f / "bao_cao_tong_hop.html").stat().st_mtime_ns)
             for k, f in watched.items()}
    assert after["xa_tan_lap"] == before["xa_tan_lap"]  # another commune: not rendered again
    for k in ("", "xa_hoa_binh"):
        assert after[k][0] != before[k][0] and after[k][1] != before[k][1], k
    assert int(_rollup_doc(base / "xa_hoa_binh").figures["so_hoc_sinh"]) == int(doc.figures["so_hoc_sinh"]) + 1
