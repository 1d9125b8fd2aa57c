"""The roll-up as a document (pure): NĐ 30 frame for the office, one row per school, totals.

Every school figure is the one its plan stated (rollup.record); the roll-up only adds them
up. A figure a school did not state is "—" and left out of sums and averages, and a totals
row covering fewer schools than the scope says how many it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import catalogues as cat
from .. import formatting as fm
from ..kinds import KINDS
from ..model import Closing, Document, Header, Heading, Item, ItemList, Paragraph, Run, Table
from ..plans import Report
from ..plans import record as rec
from ..plans.frame import numbered
from ..tables import MISSING, MISSING_NOTE, make_table
from .record import ISSUED, DRAFT, MISSING as NO_PLAN, RollupInput, SchoolEntry
from .record import is_failed, is_refused, state_label

KIND = "bao_cao_tong_hop"
TOTAL, MEAN, LEVEL = "sum", "mean", "level"  # how a column totals: sum, mean, schools at a level
ERRORS, WARNINGS = "loi", "canh_bao"  # the audit counts the school's report carried


@dataclass(frozen=True)
class Col:
    """A figure column: record name, header, how it prints (places; pct), how it totals."""

    name: str
    label: str
    places: int = 0
    pct: bool = False
    total: str = TOTAL


SCALE_GROUPS: list[tuple[str, list[Col]]] = [
    ("Quy mô", [Col("so_lop", "Số lớp"), Col("so_hoc_sinh", "Số học sinh"),
                Col(rec.CLASS_SIZE, "Học sinh/lớp", 1, total=MEAN)]),
    ("Giáo viên", [Col(rec.TEACHING, "Số GV dạy lớp"), Col(rec.TEACHERS_PER_CLASS, "GV/lớp", 2, total=MEAN),
                   Col(rec.TEACHER_NORM_RATIO, "Định mức GV/lớp", 2, total=MEAN),
                   Col(rec.TEACHER_NORM, "Định mức GV (tối đa)")]),
]
QUALITY_GROUPS: list[tuple[str, list[Col]]] = [
    ("Tỉ lệ (%)", [Col("ty_le_hoan_thanh_chuong_trinh_lop_hoc", "Hoàn thành CT lớp học", 1, True, MEAN),
                   Col("ty_le_len_lop", "Lên lớp", 1, True, MEAN),
                   Col("ty_le_hoan_thanh_chuong_trinh_cap_hoc", "HTCT tiểu học", 1, True, MEAN),
                   Col(rec.GRADUATION, "Tốt nghiệp THCS", 1, True, MEAN),
                   Col("ty_le_khen_thuong", "Khen thưởng", 1, True, MEAN)]),
    ("Kiểm định, chuẩn", [Col(rec.ACCREDITATION, "Mức kiểm định", total=LEVEL),
                          Col(rec.NATIONAL_STANDARD, "Mức chuẩn quốc gia", total=LEVEL)]),
    ("Kiểm tra số liệu", [Col(ERRORS, "Lỗi"), Col(WARNINGS, "Cảnh báo")]),
]
COLUMNS = [c for _, cols in SCALE_GROUPS + QUALITY_GROUPS for c in cols]


def value(col: Col, s: SchoolEntry) -> Decimal | None:
    """A school's figure for a column, as its report stated it; None = not stated."""
    if col.name in (ERRORS, WARNINGS):
        n = s.errors if col.name == ERRORS else s.warnings
        return None if n is None else Decimal(n)
    return s.number(col.name)


def show(col: Col, v: Decimal | None) -> str:
    if v is None:
        return MISSING
    if col.total == LEVEL:
        return "Chưa đạt" if v == 0 else f"Mức {int(v)}"
    if col.pct:
        return fm.fmt_percent(v, col.places)
    return fm.fmt_dec(v, col.places, drop_zero=False) if col.places else fm.fmt_int(int(v))


def _mean(values: list[Decimal], places: int) -> Decimal:
    return (sum(values) / len(values)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def summary(col: Col, schools: list[SchoolEntry]) -> tuple[Decimal | None, int]:
    """The scope's value of a column (sum, mean of the schools' stated values, or the number
    of schools at level 1 or above) and how many schools stated it."""
    values = [v for s in schools if (v := value(col, s)) is not None]
    if not values:
        return None, 0
    if col.total == LEVEL:
        return Decimal(sum(1 for v in values if v >= 1)), len(values)
    return (sum(values) if col.total == TOTAL else _mean(values, col.places)), len(values)


def over_norms(s: SchoolEntry) -> list[str]:
    """The norms a school's stated figures exceed."""
    out = []
    teaching, norm = s.number(rec.TEACHING), s.number(rec.TEACHER_NORM)
    if teaching is not None and norm is not None and teaching > norm:
        out.append(f"giáo viên vượt định mức {fm.fmt_int(int(teaching - norm))}")
    size, cap = s.number(rec.CLASS_SIZE), s.number(rec.CLASS_CAP)
    if size is not None and cap is not None and size > cap:
        out.append(f"sĩ số bình quân {fm.fmt_dec(size, 1, False)} vượt {fm.fmt_int(int(cap))} học sinh/lớp")
    return out


def _short_name(name: str) -> str:
    return name.removeprefix("Trường ").strip()


def _total_cell(col: Col, v: Decimal | None) -> str:
    if col.total == LEVEL:
        return MISSING if v is None else f"{fm.fmt_int(int(v))} đạt"
    return show(col, v) if col.total == TOTAL else ""


def figures_table(inp: RollupInput, caption: str, groups: list[tuple[str, list[Col]]],
                  notes: list[str]) -> Table:
    """One row per school, then "Tổng cộng" (sums, schools at a level) and "Bình quân"."""
    schools, cols = inp.schools, [c for _, cs in groups for c in cs]
    head = [[("TT", 1, 2), ("Trường", 1, 2)] + [(g, len(cs), 1) for g, cs in groups],
            [(c.label, 1, 1) for c in cols]]
    rows = [[fm.fmt_int(i), _short_name(s.name)] + [show(c, value(c, s)) for c in cols]
            for i, s in enumerate(schools, start=1)]
    n, stated = len(schools), sum(1 for s in schools if s.source)
    cover = "" if stated == n else f" ({fm.fmt_int(stated)}/{fm.fmt_int(n)} trường)"
    sums = [summary(c, schools) for c in cols]
    total = ["", f"Tổng cộng{cover}"] + [_total_cell(c, v) for c, (v, _) in zip(cols, sums)]
    mean = ["", "Bình quân các trường"] + [show(c, v) if c.total == MEAN else "" for c, (v, _) in zip(cols, sums)]
    partial = [f"{c.label}: {fm.fmt_int(k)}/{fm.fmt_int(n)} trường" for c, (_, k) in zip(cols, sums)
               if 0 < k < stated]
    notes = list(notes) + ([f"Chỉ có ở một số trường (theo cấp học hoặc số liệu đã nhập): "
                            f"{'; '.join(partial)}."] if partial else [])
    body = rows + [total] + ([mean] if any(c.total == MEAN for c in cols) else [])
    table = make_table(caption, head, body, total_rows=len(body) - len(rows), landscape=True, notes=notes,
                       widths=(4, 20) + tuple(76 // len(cols) for _ in cols))
    table.numeric = [[j != 1 for j in range(len(row))] for row in body]
    if MISSING_NOTE not in table.notes and any(MISSING in r for r in rows):
        table.notes.append(MISSING_NOTE)
    return table


SOURCE_NOTE = ("Số liệu do kế hoạch của từng trường nêu (cùng lần chạy); tổng cộng là tổng số liệu "
               "của các trường, bình quân là bình quân cộng của các trường có số liệu.")


def scale_table(inp: RollupInput) -> Table:
    return figures_table(inp, "Quy mô và giáo viên của các trường", SCALE_GROUPS, [
        SOURCE_NOTE, "GV dạy lớp: giáo viên không kể cán bộ quản lý và Tổng phụ trách Đội; định mức GV: "
        "số giáo viên tối đa theo định mức giáo viên/lớp."])


def quality_table(inp: RollupInput) -> Table:
    return figures_table(inp, "Chất lượng giáo dục, kiểm định và kiểm tra số liệu", QUALITY_GROUPS, [
        SOURCE_NOTE, "Mức kiểm định: mức tự đánh giá kiểm định chất lượng giáo dục; lỗi, cảnh báo: "
        "kết quả kiểm tra số liệu đầu vào của trường."])


def plans_table(inp: RollupInput) -> Table:
    head = [[("TT", 1, 2), ("Trường", 1, 2), ("Tình trạng kế hoạch", len(inp.kinds), 1)],
            [(KINDS[k].short if k in KINDS else k, 1, 1) for k in inp.kinds]]
    rows = []
    for i, s in enumerate(inp.schools, start=1):
        states = {p.kind: p.state for p in s.plans}
        rows.append([fm.fmt_int(i), _short_name(s.name)]
                    + [state_label(states.get(k, NO_PLAN)) for k in inp.kinds])
    rest = (100 - 6 - 30) // max(len(inp.kinds), 1)
    table = make_table("Tình trạng kế hoạch của các trường", head, rows,
                       widths=(6, 30) + (rest,) * len(inp.kinds))
    table.numeric = [[j == 0 for j in range(len(r))] for r in rows]
    return table


def _counts(inp: RollupInput, kind: str) -> str:
    order = [ISSUED, DRAFT]
    states = [p.state for s in inp.schools for p in s.plans if p.kind == kind]
    states += [NO_PLAN] * (len(inp.schools) - len(states))
    seen = sorted(set(states), key=lambda x: (order.index(x) if x in order else 2 if is_refused(x)
                                              else 3 if is_failed(x) else 4, x))
    return "; ".join(f"{state_label(st).lower()}: {fm.fmt_int(states.count(st))}" for st in seen)


def attention(inp: RollupInput) -> list[str]:
    """Schools the office should look at: over a norm, audit errors, plans refused or failed."""
    out = []
    for s in inp.schools:
        why = over_norms(s)
        if s.errors:
            why.append(f"{fm.fmt_int(s.errors)} lỗi số liệu")
        for p in s.plans:
            if is_refused(p.state) or is_failed(p.state):
                why.append(f"{KINDS[p.kind].label if p.kind in KINDS else p.kind}: {state_label(p.state).lower()}")
        if not s.source:
            why.append("chưa có kế hoạch nào được lập cho lần chạy này")
        if why:
            out.append(f"{s.name}: {'; '.join(why)}.")
    return out


def _para(text: str) -> Paragraph:
    return Paragraph([Run(text)])


def build_rollup(inp: RollupInput) -> Report:
    """The whole roll-up document of a scope and year."""
    year = fm.fmt_school_year(inp.year)
    title = f"Tổng hợp kế hoạch của các trường năm học {year}"
    levels = [cat.label("school_level", lv) for lv in ("tieu_hoc", "thcs")]
    by_level = [sum(1 for s in inp.schools if s.level == lv) for lv in ("tieu_hoc", "thcs")]
    parts = [f"{fm.fmt_int(n)} trường {lab.lower()}" for n, lab in zip(by_level, levels) if n]
    whole = f"{fm.fmt_int(len(inp.schools))} trường"
    scope = f"{whole} ({', '.join(parts)})" if len(parts) > 1 or sum(by_level) < len(inp.schools) else (
        parts[0] if parts else whole)
    stated = sum(1 for s in inp.schools if s.source)
    header = Header(inp.authority_parent.upper(), inp.authority.upper(), "       /BC",
                    f"{inp.place or '…'}, ngày …… tháng …… năm ……", "BÁO CÁO", title)
    body = [Heading(2, "I.", "Phạm vi tổng hợp"),
            _para(f"Báo cáo tổng hợp kế hoạch năm học {year} của {scope}. Số liệu lấy từ kế hoạch của từng trường: "
                  f"{fm.fmt_int(stated)}/{fm.fmt_int(len(inp.schools))} trường có kế hoạch được lập trong lần chạy này."),
            Heading(2, "II.", "Số liệu chủ yếu"), scale_table(inp), quality_table(inp),
            Heading(2, "III.", "Tình trạng kế hoạch"), plans_table(inp),
            ItemList([Item([Run(f"{KINDS[k].label if k in KINDS else k}: {_counts(inp, k)}.")])
                      for k in inp.kinds], "-")]
    notes = attention(inp)
    body += [Heading(2, "IV.", "Những trường cần lưu ý")]
    body += [ItemList([Item([Run(t)]) for t in notes], "-")] if notes else [
        _para("Không có trường vượt định mức, có lỗi số liệu hoặc có kế hoạch bị từ chối, lỗi.")]
    closing = Closing(f"Trên đây là báo cáo tổng hợp kế hoạch năm học {year} của các trường.", ["Lưu: VT."], ["THỦ TRƯỞNG CƠ QUAN"], "")
    params = {"dataset": inp.dataset, "school_year": inp.year, "doc_kind": KIND}
    doc = Document(KIND, params, f"Báo cáo tổng hợp kế hoạch năm học {year}",
                   [header] + numbered(body) + [closing], state="ban_hanh",
                   figures=scope_figures(inp))
    return Report(doc, {})


def scope_figures(inp: RollupInput) -> dict[str, str]:
    """The roll-up's own figures (totals and means), as plain numbers: the document states them."""
    out = {"so_truong": str(len(inp.schools)), "so_truong_co_so_lieu": str(sum(1 for s in inp.schools if s.source))}
    for c in COLUMNS:
        v, _ = summary(c, inp.schools)
        if v is not None:
            out[f"so_truong_dat_{c.name}" if c.total == LEVEL else c.name] = str(v)
    return out
