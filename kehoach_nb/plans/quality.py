"""Kế hoạch cải tiến chất lượng, driven by the self-assessment: seed 001's structure (a row per
criterion, the summary by standard, rules A1–A6), or Mẫu số 2 when the framework is TT57/2026."""

from __future__ import annotations

from .. import accreditation as acc
from .. import formatting as fm
from .. import indicators as ind
from .. import narrative, tables
from ..model import Table
from ..tables import make_table
from . import needs
from . import quality_tt57 as bieu2
from .frame import Context, Sec, legal_lines, sections, visual

LEVEL_TEXT = {0: "Chưa đạt Mức 1", 1: "Mức 1", 2: "Mức 2", 3: "Mức 3", 4: "Mức 4"}


def _framework(ctx: Context) -> acc.Framework:
    return acc.framework(ctx.framework())


def _scales(f) -> tuple:
    """The year the situation describes (the plan year when entered) and the year before."""
    now = f.plan or f.previous
    return now, (f.scales.get(now.year - 1) if now else None)


def pupils_table(ctx: Context) -> Table | None:
    """Pupils by grade with disadvantaged and inclusive pupils and, per grade, the change in
    classes and pupils on the same grade of the year before ("—" when that year is not entered)."""
    f = ctx.facts
    now, before = _scales(f)
    if now is None or not now.from_parts:
        return None
    cols = [c for c in ("female", "ethnic_minority", "disadvantaged", "disabled_inclusive") if c in now.by_grade]
    labels = {"female": "Nữ", "ethnic_minority": "Dân tộc", "disadvantaged": "Hoàn cảnh khó khăn",
              "disabled_inclusive": "Hòa nhập"}
    prev = ({r["grade"]: r for r in before.by_grade.to_dict("records")}
            if before and before.from_parts else {})
    rows = []
    for g in now.by_grade.to_dict("records"):
        p = prev.get(g["grade"])
        rows.append([f"Khối {g['grade']}", fm.fmt_int(g["classes"]), fm.fmt_int(g["students"])]
                    + [fm.fmt_int(g[c]) for c in cols]
                    + ([fm.fmt_delta(ind.delta(g["classes"], p["classes"])),
                        fm.fmt_delta(ind.delta(g["students"], p["students"]))]
                       if p else [fm.DASH, fm.DASH]))
    total = ["Tổng", fm.fmt_int(now.classes), fm.fmt_int(now.students)] + [
        fm.fmt_int(None if now.missing_grades else ind.total(now.by_grade[c])) for c in cols] + (
        [fm.fmt_delta(ind.delta(now.classes, before.classes)), fm.fmt_delta(ind.delta(now.students, before.students))]
        if before else [fm.DASH, fm.DASH])
    head = [[("Khối lớp", 1, 2), ("Số lớp", 1, 2), ("Số học sinh", 1, 2)]
            + [(labels[c], 1, 2) for c in cols] + [("Tăng (+), giảm (−) so với năm học trước", 2, 1)],
            [("Số lớp", 1, 1), ("Số học sinh", 1, 1)]]
    return make_table(f"Học sinh năm học {fm.fmt_school_year(now.year)}", head, rows + [total], total_rows=1)


def pupils_change(ctx: Context) -> list:
    """"So với năm học trước: …" from the two years' totals; nothing without the year before."""
    now, before = _scales(ctx.facts)
    if not (now and before):
        return []
    return ctx.builder.passage("dac_diem.hoc_sinh",
                               narrative.render_passage("so_sanh_hoc_sinh", now=now, before=before))


def _levels(ctx: Context, fw: acc.Framework) -> tuple[dict[str, int], list[dict]]:
    rows = ctx.tables["criterion_assessment"]
    rows = rows[rows["framework"] == fw.code].to_dict("records")
    return acc.levels_from_rows(rows, fw), rows


def _suggestions(ctx: Context, fw: acc.Framework) -> dict[str, str]:
    """A6: what the school's own figures suggest, shown beside the council's verdict."""
    f = ctx.facts
    base = f.previous or f.plan
    measures = {"classes": base.classes if base else None,
                "classrooms": ind.room_count(f.rooms, "phong_hoc") if f.rooms is not None else None}
    qual = f.staff.qualification if f.staff else None
    if qual and all(v is not None for v in qual.values()):
        measures["teachers_tren_pct"] = qual.get("qual_tren")
    if "E1" in f.completion:
        measures["completion_grade_pct"] = fm.pct(*f.completion["E1"])
    try:
        found = acc.suggest_evidence(fw, hardship=bool(f.school.get("hardship_area")),
                                     **{k: v for k, v in measures.items() if v is not None})
    except ValueError:
        return {}
    return {s.criterion: s.reason for s in found}


def criteria_table(ctx: Context, fw: acc.Framework, levels: dict, rows: list[dict]) -> Table:
    """IV. Nội dung thực hiện: one row per criterion of the framework, in order (landscape)."""
    actions = ctx.tables["improvement_action"].to_dict("records")
    by_code: dict[str, list[dict]] = {}
    for a in actions:
        by_code.setdefault(acc.normalize_code(a.get("criterion_code") or ""), []).append(a)
    hints = _suggestions(ctx, fw)
    body = []
    for c in fw.criteria:
        acts = by_code.get(c.code, [])
        level = levels.get(c.code)
        verdict = LEVEL_TEXT.get(level, "Chưa có dữ liệu tự đánh giá") if level is not None else \
            "Chưa có dữ liệu tự đánh giá"
        join = lambda key: "\n".join(a[key] for a in acts if a.get(key))  # noqa: E731
        body.append([f"{c.code}. {c.name}", verdict, hints.get(c.code, ""),
                     join("content"), join("timeframe_text"), join("responsible"), join("resources")])
    head = [[("Tiêu chí", 1, 1), ("Tự đánh giá", 1, 1), ("Gợi ý từ số liệu", 1, 1),
             ("Biện pháp cải tiến", 1, 1), ("Thời gian", 1, 1), ("Người phụ trách", 1, 1),
             ("Điều kiện, nguồn lực", 1, 1)]]
    notes = []
    missing = acc.missing_criteria([r["criterion_code"] for r in rows], fw)
    if missing:
        notes.append("Chưa có kết quả tự đánh giá của các tiêu chí: " + ", ".join(missing) + ".")
    lacking = acc.actions_missing(acc.criteria_not_met(levels, fw, max(fw.criterion_levels)), actions)
    if lacking:
        notes.append(f"Tiêu chí chưa đạt Mức {max(fw.criterion_levels)} nhưng chưa có biện pháp cải tiến: " + ", ".join(lacking) + ".")
    return make_table(f"Nội dung cải tiến theo tiêu chí ({fw.label})", head, body, landscape=True, notes=notes,
                    widths=(18, 8, 17, 25, 10, 10, 12))


def summary_table(fw: acc.Framework, levels: dict) -> Table | None:
    """A5: per standard, criteria reaching each level, and the school level (A2); nothing
    when no criterion was assessed under this framework (never a row of zeros)."""
    if not levels:
        return None
    sums = acc.standard_summary(levels, fw) + [acc.total_summary(levels, fw)]
    top = max(fw.criterion_levels)
    head = [[("Tiêu chuẩn", 1, 1), ("Số tiêu chí", 1, 1)]
            + [(f"Đạt Mức {k} trở lên", 1, 1) for k in range(1, top + 1)]]
    rows = [[s.name, fm.fmt_int(s.n_criteria)] + [
        f"{fm.fmt_int(s.at_least[k])} ({fm.fmt_percent(s.pct[k])})" for k in range(1, top + 1)]
        for s in sums]
    school = acc.school_level(levels, fw)
    note = (f"Mức đạt của nhà trường theo tự đánh giá: {LEVEL_TEXT.get(school, '—')}."
            if school is not None else "Chưa đủ kết quả tự đánh giá để xác định mức đạt của nhà trường.")
    return make_table("Tổng hợp kết quả tự đánh giá theo tiêu chuẩn", head, rows, total_rows=1, notes=[note])


def _situation(ctx: Context) -> list[Sec]:
    """I: pupils, staff (with qualifications), then the advantages and difficulties, each labelled."""
    b, f = ctx.builder, ctx.facts
    return [Sec("Học sinh", visual(pupils_table(ctx)) + pupils_change(ctx)),
            Sec("Đội ngũ cán bộ, giáo viên, nhân viên",
                b.passage("dac_diem.doi_ngu", narrative.describe_staff(f, b.pad))
                + visual(tables.staff_table(f, b.pad), needs.qualification_table(f))),
            Sec("Những thuận lợi, khó khăn", children=[
                Sec("Thuận lợi", b.analyst("dac_diem.thuan_loi", "Thuận lợi", "đặc điểm tình hình")),
                Sec("Khó khăn", b.analyst("dac_diem.kho_khan", "Khó khăn", "đặc điểm tình hình"))])]


def _bieu_2(ctx: Context, fw: acc.Framework, levels: dict, goals: list, review: list[Sec]) -> list:
    """Mẫu số 2 (TT57/2026): the self-assessment in short (III), the priority issues (IV), the
    ten-column plan (V) and its follow-up each semester (VI), the last three on landscape pages."""
    b = ctx.builder
    return sections(2, [
        Sec("THÔNG TIN CHUNG", children=_situation(ctx)), Sec("MỤC ĐÍCH, YÊU CẦU", goals),
        Sec("KẾT QUẢ TỰ ĐÁNH GIÁ", visual(summary_table(fw, levels)), children=review),
        Sec("TÓM TẮT VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN", visual(bieu2.issues_table(ctx, fw))),
        Sec("KẾ HOẠCH CẢI TIẾN", visual(bieu2.plan_table(ctx, fw, levels))),
        Sec("THEO DÕI, ĐÁNH GIÁ", [bieu2.follow_up_table(ctx)]),
        Sec("TỔ CHỨC THỰC HIỆN", b.analyst("to_chuc_thuc_hien", "Tổ chức thực hiện", "tổ chức thực hiện"))],
        style="roman")


def quality_plan(ctx: Context) -> list:
    b, f = ctx.builder, ctx.facts
    fw = _framework(ctx)
    levels, rows = _levels(ctx, fw)
    targets = [narrative.describe_target(r, None, b.spelling, b.pad) for r in f.targets.to_dict("records")]
    goals = b.analyst("muc_dich", "Mục đích", "mục đích") + (b.items("chi_tieu", targets) if targets else [])
    review = [Sec(t, b.analyst(k, t, "điểm mạnh, điểm yếu"))
              for k, t in (("diem_manh", "Điểm mạnh"), ("diem_yeu", "Điểm yếu"), ("nguyen_nhan", "Nguyên nhân"))]
    if acc.catalogue()["frameworks"][fw.code].get("plan_layout") == "bieu_2":
        return legal_lines(ctx.tables["legal_basis"].to_dict("records")) + ctx.lead_in() + _bieu_2(
            ctx, fw, levels, goals, review)
    return (legal_lines(ctx.tables["legal_basis"].to_dict("records")) + ctx.lead_in() + sections(2, [
        Sec("ĐẶC ĐIỂM TÌNH HÌNH NHÀ TRƯỜNG", children=_situation(ctx)), Sec("MỤC ĐÍCH VÀ CHỈ TIÊU", goals),
        Sec("ĐIỂM MẠNH, ĐIỂM YẾU VÀ NGUYÊN NHÂN", children=review),
        Sec("NỘI DUNG THỰC HIỆN", [criteria_table(ctx, fw, levels, rows)]),
        Sec("TỔ CHỨC THỰC HIỆN", b.analyst("to_chuc_thuc_hien", "Tổ chức thực hiện", "tổ chức thực hiện")),
        Sec("TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ", visual(summary_table(fw, levels)))], style="roman"))
