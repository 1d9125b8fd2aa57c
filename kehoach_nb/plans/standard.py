"""Kế hoạch xây dựng trường đạt chuẩn quốc gia (seed 003's structure): aims, what to do, the
solutions, the results aimed at per standard with the inventory of rooms and equipment
(existing, required by the list in force on the document's date, to add), organisation."""

from __future__ import annotations

import math

from .. import catalogues as cat
from .. import formatting as fm
from .. import indicators as ind
from .. import narrative
from ..model import Table
from ..tables import make_table
from . import needs
from .frame import Context, Sec, legal_lines, sections, visual

STANDARDS = {
    "tt59_2012": ["Tổ chức và quản lý nhà trường", "Cán bộ quản lý, giáo viên, nhân viên",
                  "Cơ sở vật chất và thiết bị dạy học", "Quan hệ giữa nhà trường, gia đình và xã hội",
                  "Hoạt động giáo dục và kết quả giáo dục"],
}


def _standard_roles(ctx: Context) -> dict[str, int]:
    """Which standard holds staff, facilities and results (criteria.yaml `*_standard` keys):
    2, 3 and 5 before TT57; TT57 [U] puts facilities under 4 and results under 3."""
    from ..accreditation import catalogue

    raw = catalogue()["frameworks"].get(ctx.framework() or "tt59_2012", {})
    return {role: int(raw.get(f"{role}_standard", default))
            for role, default in (("staff", 2), ("facilities", 3), ("results", 5))}


def _standard_names(ctx: Context) -> list[str]:
    from ..accreditation import framework

    code = ctx.framework()
    if code in STANDARDS or code is None:
        return STANDARDS["tt59_2012"]
    return [s.name for s in framework(code).standards]


def standard_level(ctx: Context) -> str:
    """The level the plan builds towards: the next one above what the school holds (at most 2)."""
    return "muc_2" if (ctx.facts.school.get("cqg_level") or 0) >= 1 else "muc_1"


def rooms_inventory(ctx: Context) -> Table | None:
    """Rooms: existing, required by the room list in force on the document's date, to add."""
    f = ctx.facts
    base = f.plan or f.previous
    return needs.rooms_inventory(
        f, standard_level(ctx), base.classes if base else None,
        f"Phòng học, phòng chức năng: hiện có, theo chuẩn, cần bổ sung (năm học {fm.fmt_school_year(f.rooms_year)})",
        ctx.builder.warn)


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
    rows, haves, wanted = [], [], []
    for r in eq.to_dict("records"):
        have, need = int(r["count"]), _equipment_need(r, per_class, classes)
        haves.append(have)
        wanted.append(need)
        rows.append([cat.label("equipment", r["item"]), fm.fmt_int(have), fm.fmt_int(need)])
    rows.append(["Tổng số", fm.fmt_int(sum(haves)), fm.fmt_int(ind.known_sum(wanted))])
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


def _results(ctx: Context, i: int, name: str) -> Sec:
    """IV: what the school aims to reach for one standard, with the computed figures it rests on."""
    b, f = ctx.builder, ctx.facts
    base = f.previous or f.plan
    role = {n: r for r, n in _standard_roles(ctx).items()}.get(i)
    computed = {"staff": lambda: b.passage("thuc_trang.doi_ngu", narrative.describe_staff(f, b.pad)),
                "facilities": lambda: b.passage("thuc_trang.co_so_vat_chat", narrative.describe_rooms(f, b.pad))
                + visual(rooms_inventory(ctx), equipment_inventory(ctx), planned_rooms(ctx)),
                "results": lambda: b.passage("thuc_trang.quy_mo",
                                             narrative.describe_scale(f, base, b.pad) if base else "")}
    body = b.analyst(f"tieu_chuan.{i}", f"Tiêu chuẩn {i}", name)
    return Sec(f"Tiêu chuẩn {i}: {name}", body + (computed[role]() if role else []))


def standard_plan(ctx: Context) -> list:
    """I–VI as the standard plans are written (seed 003): aims, what to do, solutions, the
    results aimed at per standard (with the inventories), organisation, requests."""
    b = ctx.builder
    names = _standard_names(ctx)
    extra = [Sec("LỘ TRÌNH THỰC HIỆN", b.analyst("lo_trinh", "Lộ trình", "lộ trình", optional=True))]
    return (legal_lines(ctx.tables["legal_basis"].to_dict("records")) + ctx.lead_in() + sections(2, [
        Sec("MỤC ĐÍCH, YÊU CẦU", b.analyst("muc_dich", "Mục đích, yêu cầu", "mục đích")),
        Sec("NỘI DUNG THỰC HIỆN", b.analyst("noi_dung", "Nội dung thực hiện", "nội dung")),
        Sec("CÁC GIẢI PHÁP THỰC HIỆN", b.analyst("giai_phap", "Các giải pháp thực hiện", "giải pháp")),
        Sec(f"PHẤN ĐẤU KẾT QUẢ ĐẠT ĐƯỢC THEO {len(names)} TIÊU CHUẨN",
            children=[_results(ctx, i, n) for i, n in enumerate(names, start=1)]),
        Sec("TỔ CHỨC THỰC HIỆN", b.analyst("to_chuc_thuc_hien", "Tổ chức thực hiện", "tổ chức thực hiện")),
        *extra,
        Sec("ĐỀ XUẤT, KIẾN NGHỊ", b.analyst("kien_nghi", "Kiến nghị", "kiến nghị"))], style="roman"))
