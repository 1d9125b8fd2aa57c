"""What a plan year needs, computed from the data and the norms in force on the document's date:
teachers and vice-principals by the staffing norm, rooms by the room list in force (TT 59/2012
before TT 13/2020), and the staff's qualifications. A figure not reported is shown as not
reported ("—", "chưa kiểm kê"), never as 0."""

from __future__ import annotations

from .. import catalogues as cat
from .. import formatting as fm
from .. import indicators as ind
from .. import narrative
from ..facts import Facts, StaffFacts, _staff
from ..model import Table
from ..tables import make_table

NOT_COUNTED = "chưa kiểm kê"


def _alternatives(entry: str) -> list[str]:
    return entry.split("|")


def _have(rooms, entry: str) -> int | None:
    """Rooms of any of the entry's alternatives; None when none of them was inventoried."""
    found = [r for r in _alternatives(entry) if (rooms["room_type"] == r).any()]
    return sum(ind.room_count(rooms, r) or 0 for r in found) if found else None


def _label(rooms, entry: str) -> str:
    alts = _alternatives(entry)
    entered = [r for r in alts if (rooms["room_type"] == r).any()]
    return cat.label("room_type", (entered or alts)[0])


def room_needs(f: Facts, standard_level: str, classes: int | None) -> tuple[list, str | None]:
    """(entry, need) in the order of the room list in force, then the other rooms entered."""
    listed = cat.required_rooms(f.level, standard_level, f.on)
    need = [("phong_hoc", classes)] + [(r, 1) for r in (listed[0] if listed else [])]
    covered = {a for e, _ in need for a in _alternatives(e)}
    others = [r for r in dict.fromkeys(f.rooms["room_type"]) if r not in covered]
    return need + [(r, None) for r in others], (listed[1] if listed else None)


def _add_cell(need: int | None, add: int | None) -> str:
    if need is None or add == 0:
        return ""
    return fm.fmt_int(add) if add is not None else fm.DASH


def rooms_inventory(f: Facts, standard_level: str, classes: int | None, caption: str,
                    warn=None) -> Table | None:
    """Rooms: existing, required, to add. A required room with no row was not inventoried: it is
    listed as "chưa kiểm kê" (never as 0 with a need)."""
    if f.rooms is None or f.rooms.empty:
        return None
    entries, basis = room_needs(f, standard_level, classes)
    rows, haves, needs, adds, missing = [], [], [], [], []
    for entry, n in entries:
        h = _have(f.rooms, entry)
        add = max(0, n - h) if n is not None and h is not None else None
        label = _label(f.rooms, entry)
        if h is None:
            missing.append(label)
        haves.append(h)
        unknown = entry == "phong_hoc" and n is None  # classrooms: one per class, classes unknown
        needs.append(None if unknown else n or 0)  # a room off the list is needed 0 times
        adds.append(None if unknown else add if n is not None else 0)
        rows.append([label, fm.fmt_int(h) if h is not None else NOT_COUNTED,
                     fm.fmt_int(n) if n else (fm.DASH if entry == "phong_hoc" else ""),
                     _add_cell(n, add)])
    rows.append(["Tổng số", fm.fmt_int(ind.known_sum(haves)), fm.fmt_int(ind.known_sum(needs)),
                 fm.fmt_int(ind.known_sum(adds))])
    notes = [f"Danh mục phòng theo {basis}; phòng học: mỗi lớp 01 phòng." if basis
             else "Chưa có danh mục phòng theo quy định áp dụng cho ngày của văn bản; chỉ tính phòng học."]
    if missing:
        notes.append("Chưa kiểm kê (chưa có số liệu): " + ", ".join(_lower(m) for m in missing) + ".")
        if warn:
            warn("Phòng chưa kiểm kê: " + ", ".join(missing))
    return make_table(caption, [[("Loại phòng", 1, 1), ("Hiện có", 1, 1), ("Theo chuẩn", 1, 1),
                                 ("Cần bổ sung", 1, 1)]], rows, total_rows=1, notes=notes)


def _lower(s: str) -> str:
    return s[:1].lower() + s[1:] if not s[1:2].isupper() else s


def plan_staff(f: Facts, tables: dict) -> StaffFacts | None:
    """The staff of the plan year when entered, else the latest staff the facts use."""
    classes = f.plan.classes if f.plan else None
    return _staff(tables["staff_aggregate"], f.year, classes, f) or f.staff


def _delta(have: int | None, norm: int | None) -> str:
    return fm.fmt_delta(have - norm) if have is not None and norm is not None else fm.DASH


def _norm_note(f: Facts, rule: dict | None) -> str:
    ratio = (f"định mức {fm.fmt_dec(cat.norm_value(rule), 2, False)} giáo viên/lớp ({rule['basis']})"
             if rule else "chưa xác định được định mức giáo viên/lớp (chưa có số học sinh học 2 buổi/ngày)")
    if f.plan.classes is None:
        return f"{narrative.render_passage('chua_du_quy_mo', sc=f.plan)}; {ratio}."
    return f"Năm học {fm.fmt_school_year(f.year)}: {fm.fmt_int(f.plan.classes)} lớp; {ratio}."


def staff_need_table(f: Facts, tables: dict) -> Table | None:
    """Teachers and vice-principals the plan year's classes allow, against those the school has
    (or plans, when the plan year's staff is entered)."""
    if f.plan is None:
        return None
    st = plan_staff(f, tables)
    classes = f.plan.classes
    teachers = ind.teacher_norm(classes, f.level, f.sessions, f.on)
    vp = ind.vice_principal_norm(classes, f.school.get("terrain_zone"), f.level,
                                 f.school.get("num_sites"), f.on)
    have_t = st.teaching if st else None
    have_vp = st.vice_principals if st else None
    rows = [["Giáo viên", fm.fmt_int(have_t), fm.fmt_int(teachers), _delta(have_t, teachers)],
            ["Phó hiệu trưởng", fm.fmt_int(have_vp), fm.fmt_int(vp), _delta(have_vp, vp)]]
    year = fm.fmt_school_year(st.year if st else f.year)
    have = "Bố trí theo kế hoạch" if st and st.scenario == "plan" else "Hiện có"
    head = [[("Chức danh", 1, 1), (f"{have} ({year})", 1, 1), ("Theo định mức", 1, 1),
             ("Thừa (+), thiếu (−)", 1, 1)]]
    return make_table(f"Nhu cầu giáo viên, cán bộ quản lý năm học {fm.fmt_school_year(f.year)} theo định mức",
                      head, rows, notes=[_norm_note(f, ind.teacher_norm_rule(f.level, f.sessions, f.on))])


QUALIFICATIONS = [
    ("Trình độ đào tạo", [("qual_tren", "Trên chuẩn"), ("qual_dat", "Đạt chuẩn"),
                          ("qual_chua_dat", "Chưa đạt chuẩn")]),
    ("Lý luận chính trị", [("pol_cao_cap", "Cao cấp"), ("pol_trung_cap", "Trung cấp"),
                           ("pol_so_cap", "Sơ cấp")]),
    ("Tin học", [("it_qualified", "Đạt yêu cầu trình độ tin học")]),
    ("Ngoại ngữ", [("lang_qualified", "Đạt yêu cầu trình độ ngoại ngữ")]),
    ("Đảng viên", [("party_members", "Đảng viên")]),
]


def _count(st: StaffFacts, col: str) -> int | None:
    """The column summed over the roles, else the stated total row; None when not reported."""
    if col in st.by_role:
        n = ind.group_sum(st.by_role, list(st.by_role.index), col)
        if n is not None:
            return n
    v = (st.stated or {}).get(col)
    return int(v) if v is not None and v == v else None


def qualification_table(f: Facts) -> Table | None:
    """Training level, political theory, IT, foreign language and party members, with shares of
    the staff whose training level is recorded (party members: of the whole staff)."""
    st = f.staff
    if st is None:
        return None
    quals = [_count(st, c) for c, _ in QUALIFICATIONS[0][1]]
    base = sum(quals) if all(q is not None for q in quals) else None
    rows, extra = [], False
    for i, (group, cols) in enumerate(QUALIFICATIONS):
        for col, label in cols:
            n = _count(st, col)
            if n is None:
                continue
            extra = extra or i > 0
            d = st.total if col == "party_members" else base
            rows.append([f"{group}: {label[:1].lower() + label[1:]}" if len(cols) > 1 else label,
                         fm.fmt_int(n), fm.fmt_percent(fm.pct(n, d)) if d else fm.DASH])
    if not extra:  # the training level alone is already in the staff table
        return None
    notes = [f"Tỉ lệ tính trên {fm.fmt_int(base)} người có số liệu trình độ đào tạo"
             + (f"; đảng viên: trên tổng số {fm.fmt_int(st.total)} người." if st.total else ".")
             if base else "Tỉ lệ đảng viên tính trên tổng số cán bộ, giáo viên, nhân viên."]
    return make_table(f"Trình độ đội ngũ năm học {fm.fmt_school_year(st.year)}",
                      [[("Nội dung", 1, 1), ("Số người", 1, 1), ("Tỉ lệ", 1, 1)]], rows, notes=notes)
