"""The annual development plan (Kế hoạch phát triển giáo dục)."""

from __future__ import annotations

from .. import catalogues as cat
from .. import charts, narrative, tables
from .. import formatting as fm
from ..facts import Facts
from .frame import Builder, Context, baseline, legal_lines, outline, part, section, visual

KIND = "ke_hoach_phat_trien_giao_duc"


def _area_label(f: Facts, area: str) -> str:
    level = "tiểu học" if f.level == "tieu_hoc" else "trung học cơ sở"
    return cat.label("area", area).format(level=level)


def _context(b: Builder) -> list:
    """Phần thứ nhất, A: scale, staff, facilities (computed) and policies (analyst)."""
    f, out = b.f, outline()[KIND]
    prev = f.previous or f.plan
    describe = {"quy_mo": lambda: narrative.describe_scale(f, prev, b.pad) if prev else "",
                "doi_ngu": lambda: narrative.describe_staff(f, b.pad),
                "co_so_vat_chat": lambda: narrative.describe_rooms(f, b.pad)}
    visuals = {"quy_mo": lambda: visual(tables.enrollment_table(f, b.pad), charts.enrollment_chart(f)),
               "doi_ngu": lambda: visual(tables.staff_table(f)),
               "co_so_vat_chat": lambda: visual(tables.rooms_table(f, b.pad))}
    blocks = []
    for i, item in enumerate(out["context"], start=1):
        key, kind = item["key"], item.get("passage")
        if kind:
            body = (b.passage(key, describe[kind]()) + visuals[kind]()
                    + b.analyst(key, item["title"], item["title"], optional=True))
        else:
            body = b.analyst(key, item["title"], item["title"])
        blocks += section(3, f"{i}.", item["title"], body)
    return blocks


def _part1(b: Builder) -> list:
    f, out = b.f, outline()[KIND]
    prev = f.previous or f.plan
    year = fm.fmt_school_year(prev.year if prev else f.year - 1)
    results = [x for i, area in enumerate(out["areas"], start=1) for x in _area_results(b, i, area)]
    return part("Phần thứ nhất", f"BÁO CÁO KẾT QUẢ THỰC HIỆN NĂM HỌC {year}",
                section(2, "A.", "ĐẶC ĐIỂM TÌNH HÌNH", _context(b))
                + section(2, "B.", f"KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", results))


def _area_results(b: Builder, i: int, area: str) -> list:
    f, labels = b.f, outline()[KIND]["results"]
    label = _area_label(f, area)
    computed = []
    if area == "quy_mo":
        computed = b.passage("ket_qua.quy_mo", narrative.describe_results_scale(f, b.pad))
    elif area == "giao_duc":
        computed = (b.passage("ket_qua.giao_duc", narrative.describe_completion(f))
                    + tables.results_tables(f) + visual(charts.results_chart(f)))
    subs = (section(4, f"{i}.1.", labels["dat_duoc"],
                    computed + b.analyst(f"ket_qua.{area}.dat_duoc", labels["dat_duoc"], label))
            + section(4, f"{i}.2.", labels["han_che"],
                      b.analyst(f"ket_qua.{area}.han_che", labels["han_che"], label)))
    return section(3, f"{i}.", label, subs)


def _part2(b: Builder, legal: list[dict]) -> list:
    out = outline()[KIND]
    year = fm.fmt_school_year(b.f.year)
    areas = [x for i, area in enumerate(out["areas"], start=1) for x in _area_plan(b, i, area)]
    return part("Phần thứ hai", f"KẾ HOẠCH PHÁT TRIỂN GIÁO DỤC NĂM HỌC {year}",
                section(2, "A.", "CƠ SỞ PHÁP LÝ", legal_lines(legal))
                + section(2, "B.", "NỘI DUNG KẾ HOẠCH", areas))


def _area_plan(b: Builder, i: int, area: str) -> list:
    f, labels = b.f, outline()[KIND]["plan"]
    label = _area_label(f, area)
    goals = []
    if area == "quy_mo":
        goals = (b.passage("ke_hoach.quy_mo", narrative.describe_plan_scale(f, b.pad))
                 + visual(tables.comparison_table(f, b.pad)))
    targets = [narrative.describe_target(r, baseline(f, r)) for r in f.targets.to_dict("records")
               if r["area"] == area]
    key = f"ke_hoach.{area}.chi_tieu"
    target_blocks = b.items(key, targets) if targets else b.analyst(key, labels["chi_tieu"], label)
    if not targets:
        b.texts[key] = ""
    return section(3, f"{i}.", label,
                   section(4, f"{i}.1.", labels["muc_tieu"],
                           goals + b.analyst(f"ke_hoach.{area}.muc_tieu", labels["muc_tieu"], label))
                   + section(4, f"{i}.2.", labels["chi_tieu"], target_blocks)
                   + section(4, f"{i}.3.", labels["bien_phap"],
                             b.analyst(f"ke_hoach.{area}.bien_phap", labels["bien_phap"], label)))


def development_plan(ctx: Context) -> list:
    """Phần thứ nhất (report on the past year), Phần thứ hai (plan), Phần thứ ba (requests)."""
    b = ctx.builder
    return (_part1(b) + _part2(b, ctx.tables["legal_basis"].to_dict("records"))
            + part("Phần thứ ba", "KIẾN NGHỊ, ĐỀ XUẤT",
                   b.analyst("kien_nghi", "Kiến nghị, đề xuất", "kiến nghị")))
