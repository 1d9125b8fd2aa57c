"""Display tables of the plan, built from indicators; cells are formatted text.

Counts in tables are never zero-padded (padding, "03 lớp", is a prose convention that follows
the dataset's zero_pad_counts in all four plans); a value not entered shows "—" and the table
gets the note "— : chưa có số liệu"."""

from __future__ import annotations

import re

from . import catalogues as cat
from . import formatting as fm
from . import indicators as ind
from .facts import Facts
from .model import HeadCell, Table

Header = list[tuple[str, int, int]]  # (text, colspan, rowspan)
NUMERIC = re.compile(r"^[-+]?[\d.,]+%?( \([\d.,]+%\))?$|^—$")
MISSING = fm.DASH  # a cell whose value was not entered
MISSING_NOTE = f"{fm.DASH} : chưa có số liệu."


def make_table(caption: str, header: list[Header], rows: list[list[str]], total_rows: int = 0,
               landscape: bool = False, notes: list[str] | None = None,
               widths: tuple[int, ...] = ()) -> Table:
    """A model table; figures (every column but the first) are marked for right alignment."""
    head = [[HeadCell(t, c, r) for t, c, r in row] for row in header]
    notes = list(notes or [])
    if any(v == MISSING for row in rows for v in row) and MISSING_NOTE not in notes:
        notes.append(MISSING_NOTE)
    numeric = [[j > 0 and bool(NUMERIC.match(v)) for j, v in enumerate(row)] for row in rows]
    return Table(caption, head, rows, total_rows, landscape, notes, list(widths),
                 numeric=numeric)


def comparison_table(f: Facts, pad: bool = True) -> Table | None:
    """Seed-000 table: schools, classes, pupils for t−1 and t, and the change."""
    prev, plan = f.previous, f.plan
    if prev is None or plan is None:
        return None
    level = cat.label("school_level", f.level)
    p_label = f"{cat.label('scenario', prev.scenario)} {fm.fmt_school_year(prev.year)}"
    t_label = f"{cat.label('scenario', plan.scenario)} {fm.fmt_school_year(plan.year)}"
    values = [fm.fmt_int(1), fm.fmt_int(prev.classes), fm.fmt_int(prev.students),
              fm.fmt_int(1), fm.fmt_int(plan.classes), fm.fmt_int(plan.students),
              fm.fmt_delta(0), fm.fmt_delta(ind.delta(plan.classes, prev.classes)),
              fm.fmt_delta(ind.delta(plan.students, prev.students))]
    sub = [("Số trường", 1, 1), ("Số lớp", 1, 1), ("Học sinh", 1, 1)]
    return make_table(
        f"Quy mô trường, lớp, học sinh năm học {fm.fmt_school_year(plan.year)} so với năm học trước",
        [[("Cấp học", 1, 2), (p_label, 3, 1), (t_label, 3, 1), ("Tăng (giảm)", 3, 1)],
         sub + sub + [("Trường", 1, 1), ("Lớp", 1, 1), ("Học sinh", 1, 1)]],
        [[level] + values, ["Cộng"] + values], total_rows=1)


def enrollment_table(f: Facts, pad: bool = True) -> Table | None:
    """Classes and pupils by grade for every year with per-grade data."""
    years = [sc for sc in f.scales.values() if sc.from_parts]
    if not years:
        return None
    grades = sorted({int(g) for sc in years for g in sc.by_grade["grade"]})
    head = [[("Khối lớp", 1, 2)] + [
        (f"{cat.label('scenario', sc.scenario)} {fm.fmt_school_year(sc.year)}", 3, 1) for sc in years],
        [x for _ in years for x in (("Số lớp", 1, 1), ("Số học sinh", 1, 1), ("HS/lớp", 1, 1))]]
    rows = []
    for g in grades:
        row = [f"Khối {g}"]
        for sc in years:
            hit = sc.by_grade[sc.by_grade["grade"] == g]
            c, s = (int(hit["classes"].iloc[0]), int(hit["students"].iloc[0])) if len(hit) else (None, None)
            row += [fm.fmt_int(c), fm.fmt_int(s), fm.fmt_dec(ind.students_per_class(s, c), 1, False)]
        rows.append(row)
    total = ["Tổng"]
    for sc in years:
        total += [fm.fmt_int(sc.classes), fm.fmt_int(sc.students),
                  fm.fmt_dec(ind.students_per_class(sc.students, sc.classes), 1, False)]
    return make_table("Số lớp, số học sinh theo khối lớp", head, rows + [total], total_rows=1)


STAFF_COLUMNS = [("count", "Tổng số"), ("female", "Nữ"), ("ethnic_minority", "Dân tộc"),
                 ("bien_che", "Biên chế"), ("hop_dong", "Hợp đồng"), ("qual_tren", "Trên chuẩn"),
                 ("qual_dat", "Đạt chuẩn"), ("qual_chua_dat", "Chưa đạt chuẩn"),
                 ("party_members", "Đảng viên")]


def staff_table(f: Facts, pad: bool = False) -> Table | None:
    st = f.staff
    if st is None:
        return None
    cols = [(c, t) for c, t in STAFF_COLUMNS if c in st.by_role and st.by_role[c].notna().any()]
    head = [[("Chức vụ, vị trí", 1, 2), ("Tổng số", 1, 2)]
            + ([("Trong đó", len(cols) - 1, 1)] if len(cols) > 1 else []),
            [(t, 1, 1) for c, t in cols[1:]]]
    rows = []
    for role in st.by_role.index:
        rows.append([cat.label("role", role)] + [
            fm.fmt_int(ind.role_count(st.by_role, role, c)) for c, _ in cols])
    rows.append(["Tổng số"] + [fm.fmt_int(ind.group_sum(st.by_role, list(st.by_role.index), c))
                               for c, _ in cols])
    return make_table(f"Đội ngũ cán bộ quản lý, giáo viên, nhân viên năm học "
                    f"{fm.fmt_school_year(st.year)}", head, rows, total_rows=1)


def rooms_table(f: Facts, pad: bool = True) -> Table | None:
    if f.rooms is None or f.rooms.empty:
        return None
    kinds = ["kien_co", "ban_kien_co", "tam", "muon", "unknown"]
    rooms = f.rooms.assign(construction=f.rooms["construction"].fillna("unknown"))
    present = [k for k in kinds if (rooms["construction"] == k).any()]
    head = [[("Loại phòng", 1, 2), ("Tổng số", 1, 2), ("Trong đó", len(present), 1)],
            [(cat.label("construction", k), 1, 1) for k in present]]
    rows = []
    for room_type, g in rooms.groupby("room_type", sort=False):
        whole = ind.room_count(g, room_type)
        rows.append([cat.label("room_type", room_type), fm.fmt_int(whole)] + [
            _construction_cell(g, k) for k in present])
    rows.append(["Tổng số", fm.fmt_int(ind.total_rooms(rooms))] + [
        fm.fmt_int(ind.total(rooms.loc[rooms["construction"] == k, "count"])) for k in present])
    return make_table(f"Phòng học, phòng chức năng năm học {fm.fmt_school_year(f.rooms_year)}",
                    head, rows, total_rows=1)


def _construction_cell(g, kind: str) -> str:
    """Rooms of one type and construction: 0 when the type's rows are complete and none is of
    that kind, "—" when the type's rows give only part of its count."""
    hit = g.loc[g["construction"] == kind, "count"]
    if ind.partial_rows(g).any() and not len(hit):
        return MISSING
    return fm.fmt_int(ind.total(hit))


def results_tables(f: Facts) -> list[Table]:
    """Per year, one table per regime, model and category set: rows (grade, dimension), "n (x%)"."""
    sets = f.result_sets or ([(f.results_year, f.results_scenario, f.distributions)]
                             if f.distributions else [])
    return [t for year, scen, dists in sets for t in _results_year(year, scen, dists)]


def _results_year(year: int, scenario: str, dists: list[ind.Distribution]) -> list[Table]:
    groups: dict[tuple, list[ind.Distribution]] = {}
    for d in dists:
        groups.setdefault((d.regime, d.program_model, tuple(d.counts)), []).append(d)
    out = []
    for (regime, model, cats), group in groups.items():
        head = [[("Khối lớp", 1, 1), ("Nội dung đánh giá", 1, 1), ("Số HS", 1, 1)]
                + [(cat.category_label(c), 1, 1) for c in cats]]
        rows = [[f"Khối {d.grade}" if d.grade else "Toàn trường", cat.dimension_label(regime, d.dimension),
                 fm.fmt_int(d.assessed)] + [f"{fm.fmt_int(d.counts[c])} ({fm.fmt_percent(d.rates[c])})"
                                            for c in cats] for d in group]
        model_note = " (mô hình trường học mới)" if model == "vnen" and regime != "vnen" else ""
        label = cat.label("scenario", scenario).lower() if scenario != "actual" else ""
        kinds = list(dict.fromkeys(cat.dimension_label(regime, d.dimension.partition(":")[0])
                                   for d in group))
        out.append(make_table(
            f"{', '.join(kinds[:1] + [k[:1].lower() + k[1:] for k in kinds[1:]])} của học sinh năm học {fm.fmt_school_year(year)}"
            f"{' (' + label + ')' if label else ''} theo {cat.regimes()[regime]['label']}{model_note}",
            head, rows, landscape=len(cats) > 5))
    return out
