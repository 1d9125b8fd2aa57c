"""The figures a plan states for the roll-up, added to `Document.figures` (pure).

`Document.figures` travels with each report as `<doc>.chi_so.json` (worker.figures_record);
the office's roll-up (rollup/) reads only those records, so every number it shows is one
the school's own plan computed. Values are plain numbers as text ("27.5"); a figure the
school did not report is absent, never 0.
"""

from __future__ import annotations

from .. import catalogues as cat
from .. import indicators as ind

# names the roll-up reads (besides so_lop, so_hoc_sinh, so_giao_vien, ty_le_* of placeholder_values)
CLASS_SIZE = "hoc_sinh_binh_quan_lop"
CLASS_CAP = "si_so_toi_da"
TEACHING = "so_giao_vien_day_lop"
TEACHERS_PER_CLASS = "giao_vien_tren_lop"
TEACHER_NORM_RATIO = "dinh_muc_giao_vien_lop"
TEACHER_NORM = "dinh_muc_giao_vien"
GRADUATION = "ty_le_tot_nghiep_thcs"
ACCREDITATION = "muc_kiem_dinh"
NATIONAL_STANDARD = "muc_chuan_quoc_gia"


def record_figures(ctx) -> dict[str, str]:
    """The roll-up's figures of one plan (`plans.frame.Context`), as plain text numbers."""
    f = ctx.facts
    out: dict[str, object] = {}
    if f.plan:
        out[CLASS_SIZE] = ind.students_per_class(f.plan.students, f.plan.classes)
    out[CLASS_CAP] = f.class_cap
    if f.staff:
        out[TEACHING] = f.staff.teaching
        out[TEACHERS_PER_CLASS] = f.staff.teachers_per_class
        out[TEACHER_NORM] = f.staff.teacher_norm
        rule = ind.teacher_norm_rule(f.level, f.sessions, f.on)
        out[TEACHER_NORM_RATIO] = cat.norm_value(rule) if rule else None
    e18 = f.completion.get("E18")
    if e18:
        from ..formatting import pct

        out[GRADUATION] = pct(*e18)
    out[ACCREDITATION] = _accreditation(ctx)
    cqg = f.school.get("cqg_level")
    out[NATIONAL_STANDARD] = int(cqg) if cqg is not None and cqg == cqg else None  # NaN-safe
    return {k: str(v) for k, v in out.items() if v is not None}


def _accreditation(ctx) -> int | None:
    """The school level of its latest self-assessment under the framework in force, if complete."""
    from .. import accreditation as acc

    rows = ctx.tables.get("criterion_assessment")
    if rows is None or rows.empty:
        return None
    try:
        fw = acc.framework(ctx.framework())
    except (KeyError, ValueError, TypeError):
        return None
    mine = rows[rows["framework"] == fw.code]
    if mine.empty:
        return None
    latest = mine[mine["school_year"] == mine["school_year"].max()].to_dict("records")
    return acc.school_level(acc.levels_from_rows(latest, fw), fw)
