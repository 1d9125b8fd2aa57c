"""Kế hoạch thực hiện giải pháp nâng cao chất lượng giáo dục (seed 002's structure)."""

from __future__ import annotations

from .. import narrative, tables
from .frame import Context, baseline, legal_lines, section

SECTIONS = [("I.", "MỤC ĐÍCH, YÊU CẦU", "muc_dich"),
            ("III.", "NHIỆM VỤ VÀ GIẢI PHÁP", "nhiem_vu_giai_phap"),
            ("IV.", "TỔ CHỨC THỰC HIỆN", "to_chuc_thuc_hien")]


def targets(ctx: Context) -> list:
    """Every target of the plan year with its computed baseline and "a/b"."""
    f, b = ctx.facts, ctx.builder
    lines = [narrative.describe_target(r, baseline(f, r)) for r in f.targets.to_dict("records")]
    if not lines:
        b.texts["chi_tieu"] = ""
        return b.analyst("chi_tieu", "Chỉ tiêu", "chỉ tiêu")
    return b.items("chi_tieu", lines)


def solutions_plan(ctx: Context) -> list:
    b = ctx.builder
    no, title, key = SECTIONS[0]
    goals = targets(ctx) + tables.results_tables(ctx.facts)[-2:]
    rest = [x for no2, t, k in SECTIONS[1:] for x in section(2, no2, t, b.analyst(k, t.capitalize(), t.lower()))]
    return (legal_lines(ctx.tables["legal_basis"].to_dict("records"))
            + section(2, no, title, b.analyst(key, "Mục đích, yêu cầu", "mục đích"))
            + section(2, "II.", "CHỈ TIÊU", goals) + rest)
