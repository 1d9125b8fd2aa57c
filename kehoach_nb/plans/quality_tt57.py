"""Kế hoạch cải tiến chất lượng under TT57/2026 (Mẫu số 2 / Biểu 2, Phụ lục V, REFERENCE §b.1 [U]):
the priority issues (Mục IV), the improvement plan as one landscape table with the ten numbered
columns (Mục V), and the follow-up at the end of each semester (Mục VI).

The layout is that of the circular as seen in public code; it is chosen by the framework of the
document (criteria.yaml), never by a date written here."""

from __future__ import annotations

from .. import accreditation as acc
from .. import formatting as fm
from ..model import Table
from ..tables import make_table
from .frame import Context

# Mục V: (column heading, improvement_action field); the numbers (1)…(10) are the circular's.
PLAN_COLUMNS = (("TT", None), ("Nội dung cải tiến", "content"), ("Mục tiêu", "objective"),
                ("Hoạt động, giải pháp", "activities"), ("Chỉ số đánh giá kết quả", "result_indicator"),
                ("Thời gian", "timeframe_text"), ("Đơn vị, cá nhân phụ trách", "responsible"),
                ("Nguồn lực", "resources"), ("Minh chứng dự kiến", "expected_evidence"),
                ("Mức độ thực hiện", "completion_level"))
PLAN_WIDTHS = (3, 18, 11, 18, 12, 8, 9, 8, 9, 4)
ISSUE_COLUMNS = ("TT", "Tiêu chuẩn", "Tiêu chí", "Đánh giá hiện trạng", "Điểm hạn chế", "Nguyên nhân")
FOLLOW_UP = ("Cuối học kỳ I năm học {year}", "Cuối năm học {year}")


def _rows(ctx: Context, table: str, fw: acc.Framework) -> list[dict]:
    df = ctx.tables.get(table)
    if df is None or df.empty:
        return []
    rows = df[df["school_year"] == ctx.year].to_dict("records")
    return sorted([r for r in rows if _text(r.get("framework")) in ("", fw.code)], key=lambda r: r["seq"])


def _text(value) -> str:
    return "" if value is None or value != value else str(value)


def _timeframe(row: dict) -> str:
    if _text(row.get("timeframe_text")):
        return row["timeframe_text"]
    start, end = row.get("start"), row.get("end")
    known = [fm.fmt_date(d) for d in (start, end) if d is not None and d == d]
    return " – ".join(known)


def issues_table(ctx: Context, fw: acc.Framework) -> Table | None:
    """Mục IV: the issues the council chose, each under its standard and criterion."""
    rows = _rows(ctx, "priority_issue", fw)
    if not rows:
        return None
    body = []
    for i, r in enumerate(rows, start=1):
        c = fw.criterion(_text(r.get("criterion_code"))) if _text(r.get("criterion_code")) else None
        std = next((s for s in fw.standards if s.code == (c.standard if c else _text(r.get("standard_code")))),
                   None)
        body.append([fm.fmt_int(i), f"{std.code}. {std.name}" if std else "",
                     f"{c.code}. {c.name}" if c else "", _text(r.get("current_state")),
                     _text(r.get("limitation")), _text(r.get("cause"))])
    head = [[(t, 1, 1) for t in ISSUE_COLUMNS]]
    return make_table("Tóm tắt vấn đề trọng tâm cần cải tiến", head, body, landscape=True,
                      widths=(4, 16, 18, 18, 22, 22))


def plan_table(ctx: Context, fw: acc.Framework, levels: dict) -> Table | None:
    """Mục V: one row per improvement action, grouped under its criterion (Biểu 2)."""
    actions = _rows(ctx, "improvement_action", fw)
    if not actions:
        return None
    body, n = [], 0
    for c in fw.criteria:
        acts = [a for a in actions if acc.normalize_code(_text(a.get("criterion_code"))) == c.code]
        if not acts:
            continue
        level = levels.get(c.code)
        now = f", tự đánh giá Mức {level}" if level else (", tự đánh giá chưa đạt Mức 1"
                                                          if level == 0 else "")
        for i, a in enumerate(acts):
            n += 1
            cells = [_timeframe(a) if key == "timeframe_text" else _text(a.get(key))
                     for _, key in PLAN_COLUMNS[1:]]
            if i == 0:  # the criterion heads its first content (the model has no spanning body row)
                cells[0] = f"Tiêu chí {c.code}. {c.name}{now}:\n{cells[0]}"
            body.append([fm.fmt_int(n)] + cells)
    head = [[(t, 1, 1) for t, _ in PLAN_COLUMNS],
            [(f"({i})", 1, 1) for i in range(1, len(PLAN_COLUMNS) + 1)]]
    notes = []
    lacking = acc.actions_missing(acc.criteria_not_met(levels, fw, max(fw.criterion_levels)), actions)
    if lacking:
        notes.append(f"Tiêu chí chưa đạt Mức {max(fw.criterion_levels)} nhưng chưa có nội dung cải tiến: "
                     + ", ".join(lacking) + ".")
    return make_table(f"Kế hoạch cải tiến chất lượng ({fw.label})", head, body, landscape=True,
                      notes=notes, widths=PLAN_WIDTHS)


def follow_up_table(ctx: Context) -> Table:
    """Mục VI: the two reviews of the year, to be filled in when they take place."""
    head = [[("Thời điểm", 1, 1), ("Nội dung theo dõi, đánh giá", 1, 1), ("Kết quả", 1, 1),
             ("Điều chỉnh (nếu có)", 1, 1), ("Người đánh giá", 1, 1)]]
    content = "Rà soát mức độ thực hiện từng nội dung cải tiến theo chỉ số đánh giá kết quả"
    rows = [[t.format(year=fm.fmt_school_year(ctx.year)), content, "", "", "Hội đồng tự đánh giá"]
            for t in FOLLOW_UP]
    return make_table("Theo dõi, đánh giá việc thực hiện kế hoạch", head, rows, landscape=True,
                      widths=(14, 30, 20, 18, 14))
