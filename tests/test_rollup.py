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
