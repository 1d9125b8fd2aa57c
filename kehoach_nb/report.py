"""The annual development plan (Kế hoạch phát triển giáo dục) and build_report dispatch."""

from __future__ import annotations

from markupsafe import Markup

from . import catalogues as cat
from . import charts, commentary, narrative, tables
from . import formatting as fm
from .document import (Block, Builder, Context, Report, baseline, blocks, finish, legal_lines,
                       outline, prepare)
from .facts import Facts
from .sanitize import text_to_html


def _area_label(f: Facts, area: str) -> str:
    level = "tiểu học" if f.level == "tieu_hoc" else "trung học cơ sở"
    return cat.label("area", area).format(level=level)


def _part1(b: Builder) -> str:
    f, out = b.f, outline()["ke_hoach_phat_trien_giao_duc"]
    sections, prev = [], f.previous or f.plan
    describe = {"quy_mo": lambda: narrative.describe_scale(f, prev, b.pad) if prev else "",
                "doi_ngu": lambda: narrative.describe_staff(f, b.pad),
                "co_so_vat_chat": lambda: narrative.describe_rooms(f, b.pad)}
    visuals = {"quy_mo": [tables.enrollment_table(f, b.pad), charts.enrollment_chart(f)],
               "doi_ngu": [tables.staff_table(f)], "co_so_vat_chat": [tables.rooms_table(f, b.pad)]}
    for i, item in enumerate(out["context"], start=1):
        body = Markup("")
        if item.get("passage"):
            body += b.passage(item["key"], describe[item["passage"]]())
            body += Markup("").join(b.visual(v) for v in visuals[item["passage"]])
            body += b.analyst(item["key"], item["title"], item["title"], optional=True)
        else:
            body += b.analyst(item["key"], item["title"], item["title"])
        sections.append(blocks().section(3, f"{i}.", item["title"], body))
    year = fm.fmt_school_year(prev.year if prev else f.year - 1)
    a = blocks().section(2, "A.", "ĐẶC ĐIỂM TÌNH HÌNH", Markup("").join(sections))
    results = [_area_results(b, i, area) for i, area in enumerate(out["areas"], start=1)]
    bsec = blocks().section(2, "B.", f"KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", Markup("").join(results))
    return str(blocks().part("Phần thứ nhất", f"BÁO CÁO KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", a + bsec))


def _area_results(b: Builder, i: int, area: str) -> str:
    f, labels = b.f, outline()["ke_hoach_phat_trien_giao_duc"]["results"]
    label = _area_label(f, area)
    computed = Markup("")
    if area == "quy_mo":
        computed = b.passage("ket_qua.quy_mo", narrative.describe_results_scale(f, b.pad))
    elif area == "giao_duc":
        computed = b.passage("ket_qua.giao_duc", narrative.describe_completion(f))
        computed += Markup("").join(b.visual(t) for t in tables.results_tables(f))
        computed += b.visual(charts.results_chart(f))
    subs = [blocks().section(4, f"{i}.1.", labels["dat_duoc"],
                              computed + b.analyst(f"ket_qua.{area}.dat_duoc", labels["dat_duoc"], label)),
            blocks().section(4, f"{i}.2.", labels["han_che"],
                              b.analyst(f"ket_qua.{area}.han_che", labels["han_che"], label))]
    return blocks().section(3, f"{i}.", label, Markup("").join(subs))


def _part2(b: Builder, legal: list[dict]) -> str:
    f, out = b.f, outline()["ke_hoach_phat_trien_giao_duc"]
    year = fm.fmt_school_year(f.year)
    a = blocks().section(2, "A.", "CƠ SỞ PHÁP LÝ", legal_lines(legal))
    areas = [_area_plan(b, i, area) for i, area in enumerate(out["areas"], start=1)]
    bsec = blocks().section(2, "B.", "NỘI DUNG KẾ HOẠCH", Markup("").join(areas))
    return str(blocks().part("Phần thứ hai", f"KẾ HOẠCH PHÁT TRIỂN GIÁO DỤC NĂM HỌC {year}", a + bsec))


def _area_plan(b: Builder, i: int, area: str) -> str:
    f, labels = b.f, outline()["ke_hoach_phat_trien_giao_duc"]["plan"]
    label = _area_label(f, area)
    goals = Markup("")
    if area == "quy_mo":
        goals = b.passage("ke_hoach.quy_mo", narrative.describe_plan_scale(f, b.pad))
        goals += b.visual(tables.comparison_table(f, b.pad))
    targets = [narrative.describe_target(r, baseline(f, r)) for r in f.targets.to_dict("records")
               if r["area"] == area]
    b.texts[f"ke_hoach.{area}.chi_tieu"] = "\n".join(targets)
    target_html = (Markup(text_to_html("\n".join("- " + t for t in targets))) if targets
                   else b.analyst(f"ke_hoach.{area}.chi_tieu", labels["chi_tieu"], label))
    subs = [blocks().section(4, f"{i}.1.", labels["muc_tieu"],
                              goals + b.analyst(f"ke_hoach.{area}.muc_tieu", labels["muc_tieu"], label)),
            blocks().section(4, f"{i}.2.", labels["chi_tieu"], target_html),
            blocks().section(4, f"{i}.3.", labels["bien_phap"],
                              b.analyst(f"ke_hoach.{area}.bien_phap", labels["bien_phap"], label))]
    return blocks().section(3, f"{i}.", label, Markup("").join(subs))


def development_plan(ctx: Context) -> list[Block]:
    """Phần thứ nhất (report on the past year), Phần thứ hai (plan), Phần thứ ba (requests)."""
    b = ctx.builder
    part1 = Block(_part1(b), b.take_sections())
    part2 = Block(_part2(b, ctx.tables["legal_basis"].to_dict("records")), b.take_sections())
    part3 = Block(str(blocks().part("Phần thứ ba", "KIẾN NGHỊ, ĐỀ XUẤT",
                                    b.analyst("kien_nghi", "Kiến nghị, đề xuất", "kiến nghị"))),
                  b.take_sections())
    return [part1, part2, part3]


def _plans() -> dict:
    from .plan_quality import quality_plan
    from .plan_solutions import solutions_plan
    from .plan_standard import standard_plan

    return {"ke_hoach_phat_trien_giao_duc": development_plan,
            "ke_hoach_cai_tien_chat_luong": quality_plan,
            "ke_hoach_xay_dung_truong_chuan": standard_plan,
            "ke_hoach_giai_phap_nang_cao_chat_luong": solutions_plan}


def build_report(dataset: str, school_id: str, doc_kind: str = "ke_hoach_phat_trien_giao_duc",
                 school_year: int | None = None) -> Report:
    """Build one school's plan from a dataset folder; DataError lists every input problem."""
    ctx = prepare(dataset, school_id, doc_kind, school_year)
    return finish(ctx, _plans()[doc_kind](ctx))
