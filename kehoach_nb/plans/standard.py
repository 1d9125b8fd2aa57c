"""Kế hoạch xây dựng trường đạt chuẩn quốc gia (seed 003's structure): per standard, the
targets and the inventory of rooms and equipment: existing, required, to add."""

from __future__ import annotations

import math

from .. import catalogues as cat
from .. import formatting as fm
from .. import narrative
from ..model import Table
from ..tables import make_table
from .frame import Context, legal_lines, section, visual

STANDARDS = {
    "tt59_2012": ["Tổ chức và quản lý nhà trường", "Cán bộ quản lý, giáo viên, nhân viên",
                  "Cơ sở vật chất và thiết bị dạy học", "Quan hệ giữa nhà trường, gia đình và xã hội",
                  "Hoạt động giáo dục và kết quả giáo dục"],
}
ROOMS_PER_CLASS = {"phong_hoc": 1}


def _standard_names(ctx: Context) -> list[str]:
    from ..accreditation import framework, framework_in_force

    code = ctx.facts.meta.get("framework") or framework_in_force(ctx.facts.level, ctx.facts.on)
    if code in STANDARDS or code is None:
        return STANDARDS["tt59_2012"]
    return [s.name for s in framework(code).standards]


def required_rooms(ctx: Context) -> dict[str, int]:
    """Rooms the standard asks for: one classroom per class, one of each listed room."""
    f = ctx.facts
    classes = (f.plan or f.previous).classes if (f.plan or f.previous) else 0
    level = "muc_2" if (f.school.get("cqg_level") or 0) >= 1 else "muc_1"
    listed = cat.required_rooms(f.level, level)
    return {"phong_hoc": classes, **{r: 1 for r in listed}}


def rooms_inventory(ctx: Context) -> Table | None:
    f = ctx.facts
    if f.rooms is None:
        return None
    have = f.rooms.groupby("room_type")["count"].sum().to_dict()
    need = required_rooms(ctx)
    rows, totals = [], [0, 0, 0]
    for room in sorted(set(need) | set(have), key=lambda r: (r not in need, cat.label("room_type", r))):
        h, n = int(have.get(room, 0)), need.get(room, 0)
        add = max(0, n - h)
        totals = [totals[0] + h, totals[1] + n, totals[2] + add]
        rows.append([cat.label("room_type", room), fm.fmt_int(h), fm.fmt_int(n) if n else "—",
                     fm.fmt_int(add) if add else "—"])
    rows.append(["Tổng số"] + [fm.fmt_int(x) for x in totals])
    return make_table(f"Phòng học, phòng chức năng: hiện có, theo chuẩn, cần bổ sung (năm học "
                    f"{fm.fmt_school_year(f.rooms_year)})",
                    [[("Loại phòng", 1, 1), ("Hiện có", 1, 1), ("Theo chuẩn", 1, 1), ("Cần bổ sung", 1, 1)]],
                    rows, total_rows=1)


def equipment_inventory(ctx: Context) -> Table | None:
    """Items the school has and needs; per-class items default to one per class."""
    f = ctx.facts
    eq = f.equipment
    if eq is None or eq.empty:
        return None
    classes = (f.plan or f.previous).classes if (f.plan or f.previous) else 0
    per_class = cat.per_class_equipment()
    rows, totals = [], [0, 0]
    for r in eq.to_dict("records"):
        have = int(r["count"])
        need = r.get("needed")
        if need is None or need != need:
            need = max(0, math.ceil(per_class.get(r["item"], 0) * classes) - have) if r["item"] in per_class else 0
        totals = [totals[0] + have, totals[1] + int(need)]
        rows.append([cat.label("equipment", r["item"]), fm.fmt_int(have), fm.fmt_int(int(need)) if need else "—"])
    rows.append(["Tổng số", fm.fmt_int(totals[0]), fm.fmt_int(totals[1])])
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
    rows = [[cat.label("room_type", t)] + [fm.fmt_int(int(later[(later["school_year"] == y)
                                                             & (later["room_type"] == t)]["count"].sum()))
                                           for y in years] for t in types]
    return make_table("Lộ trình phòng học, phòng chức năng theo năm học",
                    [[("Loại phòng", 1, 1)] + [(fm.fmt_school_year(y), 1, 1) for y in years]], rows)


def standard_plan(ctx: Context) -> list:
    b, f = ctx.builder, ctx.facts
    base = f.previous or f.plan
    situation = (b.passage("thuc_trang.quy_mo", narrative.describe_scale(f, base) if base else "")
                 + b.passage("thuc_trang.doi_ngu", narrative.describe_staff(f))
                 + b.passage("thuc_trang.co_so_vat_chat", narrative.describe_rooms(f)))
    subs = []
    for i, name in enumerate(_standard_names(ctx), start=1):
        body = b.analyst(f"tieu_chuan.{i}", f"Tiêu chuẩn {i}", name)
        if i == 3:
            body += visual(rooms_inventory(ctx), equipment_inventory(ctx), planned_rooms(ctx))
        subs += section(3, f"{i}.", f"Tiêu chuẩn {i}: {name}", body)
    return (legal_lines(ctx.tables["legal_basis"].to_dict("records"))
            + section(2, "I.", "MỤC ĐÍCH, YÊU CẦU", b.analyst("muc_dich", "Mục đích, yêu cầu", "mục đích"))
            + section(2, "II.", "THỰC TRẠNG NHÀ TRƯỜNG", situation)
            + section(2, "III.", "NỘI DUNG VÀ GIẢI PHÁP", subs)
            + section(2, "IV.", "LỘ TRÌNH THỰC HIỆN", b.analyst("lo_trinh", "Lộ trình", "lộ trình"))
            + section(2, "V.", "KIẾN NGHỊ, ĐỀ XUẤT", b.analyst("kien_nghi", "Kiến nghị", "kiến nghị")))
