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
TOTAL, MEAN = "sum", "mean"


@dataclass(frozen=True)
class Col:
    """A figure column: record name, header, how it prints (places; pct), how it totals."""

    name: str
    label: str
    places: int = 0
    pct: bool = False
    total: str = TOTAL


GROUPS: list[tuple[str, list[Col]]] = [
    ("Quy mô", [Col("so_lop", "Số lớp"), Col("so_hoc_sinh", "Số học sinh"),
                Col(rec.CLASS_SIZE, "HS/lớp", 1, total=MEAN)]),
    ("Giáo viên", [Col(rec.TEACHING, "Số GV dạy lớp"), Col(rec.TEACHERS_PER_CLASS, "GV/lớp", 2, total=MEAN),
                   Col(rec.TEACHER_NORM_RATIO, "Định mức GV/lớp", 2, total=MEAN),
                   Col(rec.TEACHER_NORM, "Định mức GV")]),
    ("Tỉ lệ (%)", [Col("ty_le_hoan_thanh_chuong_trinh_lop_hoc", "Hoàn thành CT lớp học", 1, True, MEAN),
                   Col("ty_le_len_lop", "Lên lớp", 1, True, MEAN),
                   Col("ty_le_hoan_thanh_chuong_trinh_cap_hoc", "HTCT tiểu học", 1, True, MEAN),
                   Col(rec.GRADUATION, "Tốt nghiệp THCS", 1, True, MEAN),
                   Col("ty_le_khen_thuong", "Khen thưởng", 1, True, MEAN)]),
]
COLUMNS = [c for _, cols in GROUPS for c in cols]
LEVELS = [Col(rec.ACCREDITATION, "Mức KĐCLGD"), Col(rec.NATIONAL_STANDARD, "Mức chuẩn quốc gia")]


def show(col: Col, value: Decimal | None) -> str:
    if value is None:
        return MISSING
    if col.pct:
        return fm.fmt_percent(value, col.places)
    return fm.fmt_dec(value, col.places, drop_zero=False) if col.places else fm.fmt_int(int(value))


def _mean(values: list[Decimal], places: int) -> Decimal:
    return (sum(values) / len(values)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def summary(col: Col, schools: list[SchoolEntry]) -> tuple[Decimal | None, int]:
    """The scope's value of a column (sum, or mean of the schools' stated values) and how many
    schools stated it."""
    values = [v for s in schools if (v := s.number(col.name)) is not None]
    if not values:
        return None, 0
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


def _level(v: Decimal | None) -> str:
    return MISSING if v is None else ("Chưa đạt" if v == 0 else f"Mức {int(v)}")


def figures_table(inp: RollupInput) -> Table:
    schools = inp.schools
    head = [[("TT", 1, 2), ("Trường", 1, 2)] + [(g, len(cols), 1) for g, cols in GROUPS]
            + [("Kiểm định, chuẩn", 2, 1), ("Kiểm tra số liệu", 2, 1)],
            [(c.label, 1, 1) for c in COLUMNS] + [(c.label, 1, 1) for c in LEVELS]
            + [("Lỗi", 1, 1), ("Cảnh báo", 1, 1)]]
    rows = []
    for i, s in enumerate(schools, start=1):
        rows.append([fm.fmt_int(i), _short_name(s.name)] + [show(c, s.number(c.name)) for c in COLUMNS]
                    + [_level(s.number(c.name)) for c in LEVELS]
                    + [fm.fmt_int(s.errors), fm.fmt_int(s.warnings)])
    n = len(schools)
    stated = [s for s in schools if s.source]
    cover = "" if len(stated) == n else f" ({fm.fmt_int(len(stated))}/{fm.fmt_int(n)} trường)"
    sums = [summary(c, schools) for c in COLUMNS]
    total = ["", f"Tổng cộng{cover}"] + [show(c, v) if c.total == TOTAL else "" for c, (v, _) in zip(COLUMNS, sums)]
    total += [f"{fm.fmt_int(sum(1 for s in schools if (s.number(c.name) or 0) >= 1))} đạt" for c in LEVELS]
    audits = [s for s in schools if s.audit]
    total += [fm.fmt_int(sum(s.errors for s in audits)) if audits else MISSING,
              fm.fmt_int(sum(s.warnings for s in audits)) if audits else MISSING]
    mean = ["", "Bình quân các trường"] + [show(c, v) if c.total == MEAN else "" for c, (v, _) in zip(COLUMNS, sums)]
    mean += ["", "", "", ""]
    notes = [f"Số liệu do kế hoạch của từng trường nêu (cùng lần chạy); tổng cộng là tổng số liệu của "
             f"các trường, bình quân là bình quân cộng của các trường có số liệu."]
    partial = [f"{c.label}: {fm.fmt_int(k)}/{fm.fmt_int(n)} trường" for c, (_, k) in zip(COLUMNS, sums)
               if 0 < k < len(stated)]
    if partial:
        notes.append("Các tỉ lệ, số liệu chỉ có ở một số trường (theo cấp học): " + "; ".join(partial) + ".")
    notes.append("Mức KĐCLGD: mức tự đánh giá kiểm định chất lượng giáo dục; lỗi, cảnh báo: kết quả "
                 "kiểm tra số liệu đầu vào của trường.")
    table = make_table("Số liệu chủ yếu của các trường", head, rows + [total, mean], total_rows=2,
                       landscape=True, notes=notes, widths=(3, 15) + (5,) * len(COLUMNS) + (6, 6, 5, 5))
    table.numeric = [[j == 0 or (2 <= j < 2 + len(COLUMNS)) or j >= 4 + len(COLUMNS)
                      for j in range(len(row))] for row in table.rows]
    if MISSING_NOTE not in table.notes and any(MISSING in r for r in rows):
        table.notes.append(MISSING_NOTE)
    return table


def plans_table(inp: RollupInput) -> Table:
    head = [[("TT", 1, 2), ("Trường", 1, 2), ("Tình trạng kế hoạch", len(inp.kinds), 1)],
            [(KINDS[k].short if k in KINDS else k, 1, 1) for k in inp.kinds]]
    rows = []
    for i, s in enumerate(inp.schools, start=1):
        states = {p.kind: p.state for p in s.plans}
        rows.append([fm.fmt_int(i), _short_name(s.name)]
                    + [state_label(states.get(k, NO_PLAN)) for k in inp.kinds])
    rest = (100 - 4 - 26) // max(len(inp.kinds), 1)
    table = make_table("Tình trạng kế hoạch của các trường", head, rows, landscape=True,
                       widths=(4, 26) + (rest,) * len(inp.kinds))
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
    scope = ", ".join(f"{fm.fmt_int(n)} trường {lab.lower()}" for n, lab in zip(by_level, levels) if n)
    stated = sum(1 for s in inp.schools if s.source)
    header = Header(inp.authority_parent.upper(), inp.authority.upper(), "       /BC",
                    f"{inp.place or '…'}, ngày …… tháng …… năm ……", "BÁO CÁO", title)
    body = [Heading(2, "I.", "Phạm vi tổng hợp"),
            _para(f"Báo cáo tổng hợp {fm.fmt_int(len(inp.schools))} trường ({scope}) thuộc "
                  f"{inp.authority or inp.name}, năm học {year}. Số liệu lấy từ kế hoạch của từng trường: "
                  f"{fm.fmt_int(stated)}/{fm.fmt_int(len(inp.schools))} trường có kế hoạch được lập trong lần chạy này."),
            Heading(2, "II.", "Số liệu chủ yếu"), figures_table(inp),
            Heading(2, "III.", "Tình trạng kế hoạch"), plans_table(inp),
            ItemList([Item([Run(f"{KINDS[k].label if k in KINDS else k}: {_counts(inp, k)}.")])
                      for k in inp.kinds], "-")]
    notes = attention(inp)
    body += [Heading(2, "IV.", "Những trường cần lưu ý")]
    body += [ItemList([Item([Run(t)]) for t in notes], "-")] if notes else [
        _para("Không có trường vượt định mức, có lỗi số liệu hoặc có kế hoạch bị từ chối, lỗi.")]
    closing = Closing(f"Trên đây là báo cáo tổng hợp kế hoạch năm học {year} của các trường thuộc "
                      f"{inp.authority or inp.name}.", ["Lưu: VT."], ["THỦ TRƯỞNG CƠ QUAN"], "")
    params = {"dataset": inp.dataset, "school_year": inp.year, "doc_kind": KIND}
    doc = Document(KIND, params, f"Báo cáo tổng hợp kế hoạch năm học {year}",
                   [header] + numbered(body) + [closing], state="ban_hanh",
                   figures=scope_figures(inp))
    return Report(doc, {})


def scope_figures(inp: RollupInput) -> dict[str, str]:
    """The roll-up's own figures (totals and means), as plain numbers: the document states them."""
    out = {"so_truong": str(len(inp.schools)), "so_truong_co_so_lieu": str(sum(1 for s in inp.schools if s.source))}
    for c in COLUMNS:
        value, _ = summary(c, inp.schools)
        if value is not None:
            out[c.name] = str(value)
    return out
