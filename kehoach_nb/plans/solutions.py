"""Kế hoạch thực hiện giải pháp nâng cao chất lượng giáo dục (seed 002's structure)."""

from __future__ import annotations

from .. import narrative, tables
from .frame import Context, Sec, baseline, legal_lines, sections

SECTIONS = [("MỤC ĐÍCH, YÊU CẦU", "muc_dich"),
            ("NHIỆM VỤ VÀ GIẢI PHÁP", "nhiem_vu_giai_phap"),
            ("TỔ CHỨC THỰC HIỆN", "to_chuc_thuc_hien")]


def targets(ctx: Context) -> list:
    """Every target of the plan year with its computed baseline and "a/b"."""
    f, b = ctx.facts, ctx.builder
    lines = [narrative.describe_target(r, baseline(f, r, b.pad), b.spelling, b.pad) for r in f.targets.to_dict("records")]
    if not lines:
        b.texts["chi_tieu"] = ""
        return b.analyst("chi_tieu", "Chỉ tiêu", "chỉ tiêu")
    return b.items("chi_tieu", lines)


def solutions_plan(ctx: Context) -> list:
    b = ctx.builder
    goals = targets(ctx) + tables.results_tables(ctx.facts)[-2:]
    (title, key), rest = SECTIONS[0], SECTIONS[1:]
    secs = ([Sec(title, b.analyst(key, "Mục đích, yêu cầu", "mục đích")), Sec("MỤC TIÊU, CHỈ TIÊU", goals)]
            + [Sec(t, b.analyst(k, t.capitalize(), t.lower())) for t, k in rest])
    return (legal_lines(ctx.tables["legal_basis"].to_dict("records")) + ctx.lead_in()
            + sections(2, secs, style="roman"))
