"""Parts of the development plan that look at several years (seeds 000 and 004): the school's
standing, classes and pupils assigned against done, new intake, the staff of earlier years, the
year-end quality by grade, the planned results of the plan year, and who carries the plan out.
Each returns nothing when its data is not entered."""

from __future__ import annotations

from dataclasses import replace

from .. import formatting as fm
from .. import indicators as ind
from .. import narrative, tables
from ..facts import Facts, _staff
from ..model import Table
from ..tables import make_table
from .frame import Context

ENTRY_GRADE = {"tieu_hoc": 1, "thcs": 6}
DONE = {"actual": "thực hiện", "estimate": "ước thực hiện"}


def standing(f: Facts) -> str:
    """"Trường hạng III, đạt chuẩn quốc gia tháng 6 năm 2015."; "" when neither is entered."""
    s = f.school
    known = {k: (s.get(k) if s.get(k) == s.get(k) else None) for k in ("school_rank", "cqg_year", "cqg_month")}
    known.update({k: int(known[k]) for k in ("cqg_year", "cqg_month") if known[k] is not None})
    if not (known["school_rank"] or known["cqg_year"]):
        return ""
    return narrative.render_passage("truong", rank=known["school_rank"], cqg_year=known["cqg_year"],
                                    cqg_month=known["cqg_month"])


def assigned_vs_done(ctx: Context) -> str:
    """Each year before the plan year with both a plan and what was done (or is estimated)."""
    enr, f = ctx.tables["enrollment_by_grade"], ctx.facts
    pairs = []
    for year in sorted(set(enr["school_year"])):
        if year >= f.year:
            continue
        planned = ind.scale(enr, year, "plan", f.level)
        done = next(((s, DONE[k]) for k in DONE if (s := ind.scale(enr, year, k, f.level))), None)
        if planned and done and None not in (planned.classes, planned.students, done[0].classes,
                                             done[0].students):
            pairs.append((planned, done[0], done[1]))
    return narrative.render_passage("ke_hoach_giao", pairs=pairs, pad=ctx.builder.pad) if pairs else ""


def new_intake(ctx: Context) -> str:
    """Pupils admitted to the level's first grade, per year before the plan year (entered only)."""
    f = ctx.facts
    grade = ENTRY_GRADE.get(f.level)
    intakes = []
    for year, sc in sorted(f.scales.items()):
        if year >= f.year or "new_intake" not in sc.by_grade:
            continue
        rows = sc.by_grade[sc.by_grade["grade"] == grade]
        n = ind.total(rows["new_intake"]) if len(rows) else None
        if n is not None:
            intakes.append((year, n))
    return narrative.render_passage("tuyen_moi", intakes=intakes, grade=grade) if intakes else ""


def earlier_staff_tables(ctx: Context) -> list[Table]:
    """The staff table of every year before the one the plan describes, when entered."""
    f, staff = ctx.facts, ctx.tables["staff_aggregate"]
    shown = f.staff.year if f.staff else None
    out = []
    for year in sorted(set(staff["school_year"])):
        if shown is None or year >= shown:
            continue
        sc = f.scales.get(year)
        st = _staff(staff, year, sc.classes if sc else None, f)
        if st is not None:
            out.append(tables.staff_table(replace(f, staff=st), ctx.builder.pad))
    return [t for t in out if t is not None]


COMPLETION = {"tieu_hoc": [("completed_grade", "Hoàn thành chương trình lớp học"),
                           ("completed_primary", "Hoàn thành chương trình tiểu học"),
                           ("award_excellent", "Khen thưởng: Học sinh Xuất sắc"),
                           ("award_outstanding", "Khen thưởng: Học sinh Tiêu biểu")],
              "thcs": [("promoted", "Lên lớp"), ("retained", "Ở lại lớp"),
                       ("graduated_lower_secondary", "Tốt nghiệp THCS")]}


def _completion_cell(rows, grade: int, col: str, base: int | None) -> str:
    hit = rows[rows["grade"] == grade][col] if col in rows else []
    n = ind.total(hit) if len(hit) else None
    if n is None:
        return fm.DASH
    return f"{fm.fmt_int(n)} ({fm.fmt_percent(fm.pct(n, base))})" if base else fm.fmt_int(n)


def year_end_quality(ctx: Context) -> Table | None:
    """Biểu chất lượng cuối năm: per grade of the year before the plan, pupils and the year-end
    outcomes; an outcome not reported is "—". Primary schools always have it (the seeds attach
    it); lower-secondary schools when outcomes are entered."""
    f = ctx.facts
    sc = f.previous
    out = ctx.tables["completion_outcome"]
    scen = ind.best_scenario(out, f.year - 1) if len(out) else None
    rows = ind.rows_for(out, f.year - 1, scen) if scen else out.iloc[0:0]
    if sc is None or not sc.from_parts or (f.level != "tieu_hoc" and rows.empty):
        return None
    cols = COMPLETION[f.level]
    body = []
    for g in sc.by_grade.to_dict("records"):
        hit = rows[rows["grade"] == g["grade"]]
        assessed = ind.total(hit["assessed"]) if len(hit) and "assessed" in hit else None
        base = assessed if assessed is not None else g["students"]
        body.append([f"Khối {g['grade']}", fm.fmt_int(g["students"])] + [
            "" if col == "completed_primary" and g["grade"] != 5
            else _completion_cell(rows, g["grade"], col, base) for col, _ in cols])
    head = [[("Khối lớp", 1, 1), ("Số học sinh", 1, 1)] + [(label, 1, 1) for _, label in cols]]
    note = "Tỉ lệ tính trên số học sinh được đánh giá (khi có), nếu không trên số học sinh."
    return make_table(f"Chất lượng giáo dục cuối năm học {fm.fmt_school_year(f.year - 1)}", head, body,
                      notes=[note])


def planned_results(ctx: Context) -> list[Table]:
    """The plan year's planned results (assessment rows of scenario "plan"), as the past years'."""
    f = ctx.facts
    results = ind.with_regime(ctx.tables["assessment_result"], f.level)
    planned = ind.rows_for(results, f.year, "plan")
    if planned.empty:
        return []
    return tables._results_year(f.year, "plan", ind.distributions(results, f.year, "plan"))


def organisation(ctx: Context) -> str:
    """Phần thứ hai, C: the roles that carry the plan out, with the plan year's counts."""
    from .needs import plan_staff

    f = ctx.facts
    st = plan_staff(f, ctx.tables)
    if st is None:
        return ""
    principal = ind.role_count(st.by_role, "hieu_truong") if "hieu_truong" in st.by_role.index else None
    return narrative.render_passage("to_chuc_thuc_hien", principal=principal, vp=st.vice_principals,
                                    teachers=st.teachers, nv=st.nv, year=f.year, pad=ctx.builder.pad).strip()
