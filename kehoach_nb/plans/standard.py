"""Kế hoạch xây dựng trường đạt chuẩn quốc gia (seed 003's structure): per standard, the
targets and the inventory of rooms and equipment: existing, required, to add."""

from __future__ import annotations

import math

from .. import catalogues as cat
from .. import formatting as fm
from .. import indicators as ind
from .. import narrative
from ..model import Table
from ..tables import make_table
from .frame import Context, Sec, legal_lines, sections, visual

STANDARDS = {
    "tt59_2012": ["Tổ chức và quản lý nhà trường", "Cán bộ quản lý, giáo viên, nhân viên",
                  "Cơ sở vật chất và thiết bị dạy học", "Quan hệ giữa nhà trường, gia đình và xã hội",
                  "Hoạt động giáo dục và kết quả giáo dục"],
}
ROOMS_PER_CLASS = {"phong_hoc": 1}


def _facilities_standard(ctx: Context) -> int:
    """The standard on facilities (criteria.yaml `facilities_standard`): 3 before TT57, 4 after."""
    from ..accreditation import catalogue

    raw = catalogue()["frameworks"].get(ctx.framework() or "tt59_2012", {})
    return int(raw.get("facilities_standard", 3))


def _standard_names(ctx: Context) -> list[str]:
    from ..accreditation import framework

    code = ctx.framework()
    if code in STANDARDS or code is None:
        return STANDARDS["tt59_2012"]
    return [s.name for s in framework(code).standards]


def required_rooms(ctx: Context) -> dict[str, int]:
    """Rooms the standard asks for: one classroom per class, one of each listed room."""
    f = ctx.facts
    classes = (f.plan or f.previous).classes if (f.plan or f.previous) else None
    level = "muc_2" if (f.school.get("cqg_level") or 0) >= 1 else "muc_1"
    listed = cat.required_rooms(f.level, level)
    return {**({"phong_hoc": classes} if classes is not None else {}), **{r: 1 for r in listed}}


NOT_COUNTED = "chưa kiểm kê"


def _room_have(rooms, room: str, counted: bool) -> int | None:
    return ind.room_count(rooms, room) if counted else None


def _add_cell(need: int | None, add: int | None) -> str:
    """Blank when nothing is required or nothing is missing; "—" when the need is known but
    what the school has is not."""
    if need is None or add == 0:
        return ""
    return fm.fmt_int(add) if add is not None else fm.DASH


def rooms_inventory(ctx: Context) -> Table | None:
    """Rooms: existing, required, to add. A required room with no row was not inventoried:
    it is listed as "chưa kiểm kê" (never as 0 with a need), and named in the warnings."""
    f = ctx.facts
    if f.rooms is None:
        return None
    entered = set(f.rooms["room_type"])
    need = required_rooms(ctx)
    rows, have_all, need_all, add_all = [], [], [], []
    missing = []
    for room in sorted(set(need) | entered, key=lambda r: (r not in need, cat.label("room_type", r))):
        h, n = _room_have(f.rooms, room, room in entered), need.get(room)
        add = max(0, n - h) if n is not None and h is not None else None
        if room not in entered:
            missing.append(cat.label("room_type", room))
        have_all.append(h)
        need_all.append(n or 0)
        add_all.append(add if n is not None else 0)
        rows.append([cat.label("room_type", room),
                     fm.fmt_int(h) if room in entered else NOT_COUNTED,
                     fm.fmt_int(n) if n else "", _add_cell(n, add)])
    rows.append(["Tổng số", fm.fmt_int(ind.known_sum(have_all)), fm.fmt_int(sum(need_all)),
                 fm.fmt_int(ind.known_sum(add_all))])
    notes = []
    if missing:
        notes.append("Chưa kiểm kê (chưa có số liệu): " + ", ".join(m[:1].lower() + m[1:] if not m[1:2].isupper()
                                                               else m for m in missing) + ".")
        ctx.builder.warn("Phòng chưa kiểm kê: " + ", ".join(missing))
    return make_table(f"Phòng học, phòng chức năng: hiện có, theo chuẩn, cần bổ sung (năm học "
                      f"{fm.fmt_school_year(f.rooms_year)})",
                      [[("Loại phòng", 1, 1), ("Hiện có", 1, 1), ("Theo chuẩn", 1, 1), ("Cần bổ sung", 1, 1)]],
                      rows, total_rows=1, notes=notes)


def _equipment_need(r: dict, per_class: dict, classes: int | None) -> int | None:
    """Stated need, else one per class for per-class items; None when neither is known."""
    need = r.get("needed")
    if need is not None and need == need:
        return int(need)
    if r["item"] in per_class and classes is not None:
        return max(0, math.ceil(per_class[r["item"]] * classes) - int(r["count"]))
    return None


def equipment_inventory(ctx: Context) -> Table | None:
    """Items the school has and needs; per-class items default to one per class."""
    f = ctx.facts
    eq = f.equipment
    if eq is None or eq.empty:
        return None
    base = f.plan or f.previous
    classes = base.classes if base else None
    per_class = cat.per_class_equipment()
    rows, haves, needs = [], [], []
    for r in eq.to_dict("records"):
        have, need = int(r["count"]), _equipment_need(r, per_class, classes)
        haves.append(have)
        needs.append(need)
        rows.append([cat.label("equipment", r["item"]), fm.fmt_int(have), fm.fmt_int(need)])
    rows.append(["Tổng số", fm.fmt_int(sum(haves)), fm.fmt_int(ind.known_sum(needs))])
    return make_table("Thiết bị: hiện có và cần bổ sung",
                      [[("Thiết bị", 1, 1), ("Hiện có", 1, 1), ("Cần bổ sung", 1, 1)]], rows, total_rows=1)


def planned_rooms(ctx: Context) -> Table | None:
    """Rooms planned for the later years of the period (facility_room rows after the plan year)."""
    rooms = ctx.tables["facility_room"]
    later = rooms[rooms["school_year"] > (ctx.facts.rooms_year or ctx.year)]
    if later.empty:
        return None
    years = sorted(set(later["school_year"]))
    types = sorted(set(later["room_type"]), key=lambda r: cat.label("room_type", r))
    rows = [[cat.label("room_type", t)] + [_planned_cell(later, y, t) for y in years] for t in types]
    return make_table("Lộ trình phòng học, phòng chức năng theo năm học",
                    [[("Loại phòng", 1, 1)] + [(fm.fmt_school_year(y), 1, 1) for y in years]], rows)


def _planned_cell(later, year: int, room_type: str) -> str:
    hit = later[(later["school_year"] == year) & (later["room_type"] == room_type)]["count"]
    return fm.fmt_int(ind.total(hit)) if len(hit) else ""


def standard_plan(ctx: Context) -> list:
    b, f = ctx.builder, ctx.facts
    base = f.previous or f.plan
    situation = (b.passage("thuc_trang.quy_mo", narrative.describe_scale(f, base, b.pad) if base else "")
                 + b.passage("thuc_trang.doi_ngu", narrative.describe_staff(f, b.pad))
                 + b.passage("thuc_trang.co_so_vat_chat", narrative.describe_rooms(f, b.pad)))
    subs, facilities = [], _facilities_standard(ctx)
    for i, name in enumerate(_standard_names(ctx), start=1):
        body = b.analyst(f"tieu_chuan.{i}", f"Tiêu chuẩn {i}", name)
        if i == facilities:
            body += visual(rooms_inventory(ctx), equipment_inventory(ctx), planned_rooms(ctx))
        subs.append(Sec(f"Tiêu chuẩn {i}: {name}", body))
    return (legal_lines(ctx.tables["legal_basis"].to_dict("records")) + sections(2, [
        Sec("MỤC ĐÍCH, YÊU CẦU", b.analyst("muc_dich", "Mục đích, yêu cầu", "mục đích")),
        Sec("THỰC TRẠNG NHÀ TRƯỜNG", situation),
        Sec("NỘI DUNG VÀ GIẢI PHÁP", children=subs),
        Sec("LỘ TRÌNH THỰC HIỆN", b.analyst("lo_trinh", "Lộ trình", "lộ trình")),
        Sec("KIẾN NGHỊ, ĐỀ XUẤT", b.analyst("kien_nghi", "Kiến nghị", "kiến nghị"))], style="roman"))
