"""The annual development plan (Kế hoạch phát triển giáo dục).

The outline (sections, area order and titles) comes from templates/report/outline.yaml, one per
school level; a section with neither data nor analyst text is left out and the numbering closes
up (frame.sections)."""

from __future__ import annotations

from .. import catalogues as cat
from .. import charts, narrative, tables
from .. import formatting as fm
from ..facts import Facts
from . import history, needs
from .frame import Builder, Context, Sec, baseline, legal_lines, outline, part, sections, visual

KIND = "ke_hoach_phat_trien_giao_duc"


def level_outline(f: Facts) -> dict:
    """The outline of this plan for the school's level (tiểu học, THCS)."""
    out = outline()[KIND]
    return {**out, **out.get("levels", {}).get(f.level, {})}


def _area_label(f: Facts, area: str, plan: bool = False) -> str:
    """The area's title; a level's outline may name its plan sections after its tasks."""
    titles = (level_outline(f).get("plan_titles") or {}) if plan else {}
    level = "tiểu học" if f.level == "tieu_hoc" else "trung học cơ sở"
    return titles.get(area) or cat.label("area", area).format(level=level)


def _drafts_allowed(f: Facts, area: str) -> bool:
    """May this area carry placeholder blocks (with `placeholders: true`)?"""
    out = level_outline(f)
    return area in out.get("draft_areas", out["areas"])


def _context(ctx: Context) -> list[Sec]:
    """Phần thứ nhất, A: scale, staff, facilities (computed) and policies (analyst)."""
    b = ctx.builder
    f, out = b.f, level_outline(b.f)
    prev = f.previous or f.plan
    describe = {"quy_mo": lambda: "\n".join(t for t in (history.standing(f), narrative.describe_scale(
                    f, prev, b.pad) if prev else "") if t),
                "doi_ngu": lambda: narrative.describe_staff(f, b.pad),
                "co_so_vat_chat": lambda: narrative.describe_rooms(f, b.pad)}
    visuals = {"quy_mo": lambda: visual(tables.enrollment_table(f, b.pad), charts.enrollment_chart(f)),
               "doi_ngu": lambda: history.earlier_staff_tables(ctx) + visual(tables.staff_table(f, b.pad)),
               "co_so_vat_chat": lambda: visual(tables.rooms_table(f, b.pad))}
    secs = []
    for item in out["context"]:
        key, kind = item["key"], item.get("passage")
        if kind:
            body = (b.passage(key, describe[kind]()) + visuals[kind]()
                    + b.analyst(key, item["title"], item["title"], optional=True))
        else:
            body = b.analyst(key, item["title"], item["title"], optional=bool(item.get("optional")))
        secs.append(Sec(item["title"], body))
    return secs


def _grouped(out: dict, secs: list[Sec]) -> list[Sec]:
    """A level's outline may put the context sections under one heading (A.1, then 1.1–1.4)."""
    group = out.get("context_group")
    return [Sec(group, children=secs)] if group else secs


def _area_results(ctx: Context, area: str) -> Sec:
    b = ctx.builder
    f, labels = b.f, level_outline(b.f)["results"]
    label = _area_label(f, area)
    computed = []
    if area == "quy_mo":
        computed = (b.passage("ket_qua.quy_mo.ke_hoach_giao", history.assigned_vs_done(ctx))
                    + b.passage("ket_qua.quy_mo", narrative.describe_results_scale(f, b.pad))
                    + b.passage("ket_qua.quy_mo.tuyen_moi", history.new_intake(ctx)))
    elif area == "giao_duc":
        computed = (b.passage("ket_qua.giao_duc", narrative.describe_completion(f))
                    + visual(history.year_end_quality(ctx))
                    + tables.results_tables(f) + visual(charts.results_chart(f)))
    no_draft = not _drafts_allowed(f, area)
    return Sec(label, children=[
        Sec(labels["dat_duoc"], computed + b.analyst(f"ket_qua.{area}.dat_duoc", labels["dat_duoc"], label,
                                                     optional=bool(computed) or no_draft)),
        Sec(labels["han_che"], b.analyst(f"ket_qua.{area}.han_che", labels["han_che"], label,
                                         optional=no_draft))])


def _part1(ctx: Context) -> list:
    b = ctx.builder
    f, out = b.f, level_outline(b.f)
    prev = f.previous or f.plan
    year = fm.fmt_school_year(prev.year if prev else f.year - 1)
    return part("Phần thứ nhất", f"BÁO CÁO KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", sections(2, [
        Sec("ĐẶC ĐIỂM TÌNH HÌNH", children=_grouped(out, _context(ctx))),
        Sec(f"KẾT QUẢ THỰC HIỆN NĂM HỌC {year}", children=[_area_results(ctx, a) for a in out["areas"]]),
    ], style="alpha"))


def _plan_visuals(ctx: Context, area: str) -> list:
    """The plan year's computed tables of an area: planned results, staff and rooms needed."""
    f = ctx.facts
    if area == "giao_duc":
        return history.planned_results(ctx)
    if area == "to_chuc_can_bo":
        return visual(needs.staff_need_table(f, ctx.tables))
    if area == "tai_chinh_cntt":
        level = "muc_2" if (f.school.get("cqg_level") or 0) >= 2 else "muc_1"
        return visual(needs.rooms_inventory(
            f, level, f.plan.classes if f.plan else None,
            f"Nhu cầu phòng học, phòng chức năng năm học {fm.fmt_school_year(f.year)}", ctx.builder.warn))
    return []


def _area_plan(ctx: Context, area: str) -> Sec:
    b = ctx.builder
    f, labels = b.f, level_outline(b.f)["plan"]
    label = _area_label(f, area, plan=True)
    goals = _plan_visuals(ctx, area)
    if area == "quy_mo":
        goals = (b.passage("ke_hoach.quy_mo", narrative.describe_plan_scale(f, b.pad))
                 + visual(tables.comparison_table(f, b.pad)))
    targets = [narrative.describe_target(r, baseline(f, r, b.pad), b.spelling, b.pad)
               for r in f.targets.to_dict("records") if r["area"] == area]
    key = f"ke_hoach.{area}.chi_tieu"
    no_draft = not _drafts_allowed(f, area)
    target_blocks = (b.items(key, targets) if targets
                     else b.analyst(key, labels["chi_tieu"], label, optional=no_draft))
    if not targets:
        b.texts[key] = ""
    aims = goals + b.analyst(f"ke_hoach.{area}.muc_tieu", labels["muc_tieu"], label,
                             optional=bool(goals) or no_draft)
    measures = Sec(labels["bien_phap"], b.analyst(f"ke_hoach.{area}.bien_phap", labels["bien_phap"], label,
                                                  optional=no_draft))
    if labels.get("muc_tieu_chi_tieu"):  # one section for aims and targets (seed 000: X.1, X.2)
        return Sec(label, children=[Sec(labels["muc_tieu_chi_tieu"], aims + target_blocks), measures])
    return Sec(label, children=[Sec(labels["muc_tieu"], aims), Sec(labels["chi_tieu"], target_blocks), measures])


def _part2(ctx: Context, legal: list[dict]) -> list:
    b = ctx.builder
    out = level_outline(b.f)
    year = fm.fmt_school_year(b.f.year)
    organisation = (b.passage("to_chuc_thuc_hien", history.organisation(ctx))
                    + b.analyst("to_chuc_thuc_hien", "Tổ chức thực hiện", "tổ chức thực hiện", optional=True))
    return part("Phần thứ hai", f"KẾ HOẠCH PHÁT TRIỂN GIÁO DỤC NĂM HỌC {year}", sections(2, [
        Sec("CƠ SỞ PHÁP LÝ", legal_lines(legal)),
        Sec("NỘI DUNG KẾ HOẠCH", children=[_area_plan(ctx, a) for a in out["areas"]]),
        Sec("TỔ CHỨC THỰC HIỆN", organisation),
    ], style="alpha"))


def development_plan(ctx: Context) -> list:
    """Phần thứ nhất (report on the past year), Phần thứ hai (plan), Phần thứ ba (requests)."""
    b = ctx.builder
    requests = b.analyst("kien_nghi", "Kiến nghị, đề xuất", "kiến nghị")
    return (ctx.lead_in() + _part1(ctx) + _part2(ctx, ctx.tables["legal_basis"].to_dict("records"))
            + (part("Phần thứ ba", "KIẾN NGHỊ, ĐỀ XUẤT", requests) if requests else []))
