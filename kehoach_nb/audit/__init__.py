"""Data audit (kiểm tra số liệu, REFERENCE §d.7): every figure of a school checked against
its parts, its fractions, the other tables, the year labels, the citations, the targets
and the norms. The rules live in the audit_* modules; this module runs them.

`audit_school` is pure; `audit_dataset` also asks the loader for spreadsheet row numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from . import checks
from . import documents
from . import eras as admin
from . import norms
from . import rates
from . import stated
from . import stated_rules
from . import text
from . import targets
from . import totals
from .base import (
    CANH_BAO, LOI, LUU_Y, SEVERITY_ORDER, AuditConfig, Finding, Rows, SchoolContext, missing,
    table_rows,
)
from .output import write_findings
from ..loading import paused_gc
from ..parsing import read_raw_tables, spreadsheet_index
from ..schema import TABLES

__all__ = ["AuditConfig", "Finding", "LOI", "CANH_BAO", "LUU_Y", "audit_school", "audit_rows",
           "audit_dataset", "write_findings"]


AUDITED = ("school", "document_meta", "legal_basis", "enrollment_by_grade", "staff_aggregate",
           "assessment_result", "completion_outcome", "target", "facility_room", "equipment",
           "narrative_section", "stated_figure", "recipient", "criterion_assessment")


def _meta_row(rows: Rows, plan_year: int | None) -> Mapping | None:
    chosen = [r for r in rows if r["school_year"] == plan_year] or sorted(
        rows, key=lambda r: r["school_year"] or 0)[-1:]
    return chosen[0] if chosen else None


def school_context(tables: Mapping[str, Rows], school_id: str,
                   plan_year: int | None = None) -> SchoolContext:
    """Level, terrain, land and the document (its year is the plan year) of a school,
    from the row lists of `table_rows`."""
    school = tables.get("school") or []
    s = school[0] if school else {}
    meta = _meta_row(tables.get("document_meta") or [], plan_year)
    return SchoolContext(
        school_id, s.get("school_level"), s.get("terrain_zone"), bool(s.get("hardship_area")),
        s.get("num_sites"), None if missing(s.get("land_area_m2")) else s.get("land_area_m2"),
        s.get("name_abbrev"), meta["school_year"] if meta else plan_year,
        meta["issue_date"] if meta else None)


def _run_rules(t: Mapping[str, Rows], ctx: SchoolContext, cfg: AuditConfig) -> list[Finding]:
    enr, staff, res = t["enrollment_by_grade"], t["staff_aggregate"], t["assessment_result"]
    outcomes, goals = t["completion_outcome"], t["target"]
    return [
        *totals.enrollment_totals(enr, ctx), *totals.enrollment_coverage(enr, ctx), *totals.staff_totals(staff, ctx),
        *totals.assessment_totals(res, ctx), *totals.staff_partitions(staff, ctx),
        *totals.enrollment_partitions(enr, ctx), *totals.completion_partitions(outcomes, ctx),
        *rates.claimed_percents(res, ctx), *rates.assessment_denominators(res, enr, ctx, cfg),
        *checks.completion_vs_enrollment(outcomes, enr, ctx, cfg),
        *targets.count_targets(goals, enr, ctx),
        *checks.year_labels(t, ctx), *checks.issue_date_vs_year(t["document_meta"], ctx, cfg),
        *checks.regime_categories(res, ctx),
        *checks.assessment_framework(t["document_meta"], t["criterion_assessment"], ctx, cfg), *checks.cohort_breaks(enr, ctx, cfg),
        *documents.legal_citations(t["legal_basis"], ctx, cfg.in_force_from),
        *documents.document_form(t["document_meta"], ctx),
        *admin.admin_frame(t["school"], t["recipient"], ctx),
        *targets.target_feasibility(goals, enr, ctx), *targets.stated_ratios(goals, enr, ctx),
        *norms.class_size(enr, ctx, cfg), *norms.staffing(enr, staff, ctx, cfg),
        *norms.school_size(enr, ctx, cfg), *norms.land_per_pupil(enr, ctx, cfg),
        *stated_rules_of(t, ctx),
    ]


def stated_rules_of(t: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """Stated figures, the analyst's text and the issuers of citations."""
    figures = t["stated_figure"]
    return [
        *stated.figures_vs_data(t, ctx), *stated.figures_stated_twice(t, ctx),
        *stated_rules.fractions(figures, ctx), *stated_rules.denominators(t, ctx),
        *stated_rules.ratios(t, ctx), *stated_rules.figures_with_grade(t, ctx),
        *stated_rules.regime_labels(figures, ctx), *stated_rules.level_labels(figures, ctx),
        *stated_rules.percents_of_people(t, ctx), *stated_rules.school_names(t, ctx),
        *stated_rules.cohort_targets(t["target"], t["enrollment_by_grade"], ctx),
        *text.number_formats(t["narrative_section"], ctx),
        *text.text_citations(t["narrative_section"], ctx), *text.issuers(t["legal_basis"], ctx),
        *text.superseded_citations(t["narrative_section"], ctx),
    ]


def _code_rank(code: str) -> tuple[int, int]:
    return (0 if code.startswith("V") else 1, int(code[1:]) if code[1:].isdigit() else 0)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.school_id, SEVERITY_ORDER.get(f.severity, 9),
                                           _code_rank(f.code), f.table))


def audit_school(tables: Mapping[str, pd.DataFrame], school_id: str,
                 config: AuditConfig | None = None, plan_year: int | None = None) -> list[Finding]:
    """Findings for one school, from what `Dataset.school_tables(school_id)` returns.

    The plan year is the school_year of the school's document_meta row (the one for
    `plan_year` when there are several)."""
    return audit_rows({name: table_rows(tables, name) for name in AUDITED}, school_id, config, plan_year)


def audit_rows(t: Mapping[str, Rows], school_id: str, config: AuditConfig | None = None,
               plan_year: int | None = None) -> list[Finding]:
    """`audit_school` on the row lists of `table_rows` (one list for each AUDITED table)."""
    cfg = config or AuditConfig()
    ctx = school_context(t, school_id, plan_year)
    return sort_findings(_run_rules(t, ctx, cfg))


# --- whole dataset with spreadsheet row numbers --------------------------------------
def spreadsheet_rows(root: str | Path) -> dict[tuple[str, tuple[str, ...]], list[int]]:
    """(table, key values) -> row numbers in the CSV file or XLSX sheet (header = row 1)."""
    shown = Path(root)
    try:
        raws, _ = read_raw_tables(shown.resolve(), shown)
    except (OSError, ValueError):
        return {}
    return spreadsheet_index(raws)


def _numbers(table: str, keys: list[dict[str, str]], index: Mapping) -> list[int]:
    names = TABLES[table].keys
    found = [n for k in keys for n in index.get((table, tuple(k.get(c, "") for c in names)), [])]
    return list(dict.fromkeys(found))


def with_row_numbers(f: Finding, index: Mapping) -> Finding:
    """The finding with the spreadsheet rows of its keys."""
    return replace(f, rows=_numbers(f.table, f.keys, index),
                   compared_rows=_numbers(f.table, f.compared_keys, index))


@paused_gc()  # row dicts of every table stay alive: see loading.paused_gc
def audit_dataset(ds, config: AuditConfig | None = None) -> list[Finding]:
    """Findings for every school of a loaded `Dataset`, with spreadsheet row numbers.

    Each table becomes row dicts once; a school's rows are picked by position
    (`Dataset.school_rows`), as `Dataset.school_tables` would give them."""
    index = ds.row_index if getattr(ds, "row_index", None) is not None else spreadsheet_rows(ds.root)
    if config is None and ds.config is not None and ds.config.in_force_from:
        config = AuditConfig(in_force_from=dict(ds.config.in_force_from))
    year = ds.config.school_year if ds.config else None
    rows = {name: table_rows(ds.tables, name) for name in AUDITED}
    out = []
    for school_id in ds.school_ids():
        t = {name: [rows[name][i] for i in ds.school_rows(name, school_id)] if rows[name] else []
             for name in AUDITED}
        out += [with_row_numbers(f, index) for f in audit_rows(t, school_id, config, year)]
    return out
