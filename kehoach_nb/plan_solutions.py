"""Kế hoạch thực hiện giải pháp nâng cao chất lượng giáo dục (seed 002's structure)."""

from __future__ import annotations

from markupsafe import Markup

from . import narrative, tables
from .document import Block, Context, baseline, blocks, legal_lines
from .sanitize import text_to_html

SECTIONS = [("I.", "MỤC ĐÍCH, YÊU CẦU", "muc_dich"),
            ("III.", "NHIỆM VỤ VÀ GIẢI PHÁP", "nhiem_vu_giai_phap"),
            ("IV.", "TỔ CHỨC THỰC HIỆN", "to_chuc_thuc_hien")]


def targets_html(ctx: Context) -> Markup:
    """Every target of the plan year with its computed baseline and "a/b"."""
    f, b = ctx.facts, ctx.builder
    rows = f.targets.to_dict("records")
    lines = [narrative.describe_target(r, baseline(f, r)) for r in rows]
    b.texts["chi_tieu"] = "\n".join(lines)
    if not lines:
        return b.analyst("chi_tieu", "Chỉ tiêu", "chỉ tiêu")
    return Markup(text_to_html("\n".join("- " + t for t in lines)))


def solutions_plan(ctx: Context) -> list[Block]:
    b = ctx.builder
    legal = legal_lines(ctx.tables["legal_basis"].to_dict("records"))
    first = Markup(f'<section class="can-cu">{legal}</section>')
    first += blocks().section(2, SECTIONS[0][0], SECTIONS[0][1], b.analyst("muc_dich", "Mục đích, yêu cầu",
                                                                          "mục đích"))
    goals = targets_html(ctx)
    goals += Markup("").join(b.visual(t) for t in tables.results_tables(ctx.facts)[-2:])
    first += blocks().section(2, "II.", "CHỈ TIÊU", goals)
    part1 = Block(str(first), b.take_sections())
    rest = Markup("").join(blocks().section(2, no, title, b.analyst(key, title.capitalize(), title.lower()))
                           for no, title, key in SECTIONS[1:])
    return [part1, Block(str(rest), b.take_sections())]
