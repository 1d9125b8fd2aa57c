"""The rows a school's template starts from: its current rows, or with --next-year the plan
rows of the dataset's year copied forward as the starting point of the next one."""

from __future__ import annotations

from pathlib import Path

from ..archive import atomic_write
from ..loading import Dataset
from ..schema import TABLES
from .template import build_workbook

PLAN, ESTIMATE = "plan", "estimate"


def own_rows(ds: Dataset, school_id: str) -> dict[str, list[dict]]:
    """The school's own rows of every table (shared "*" rows stay in the shared tables)."""
    out = {}
    for name, df in ds.tables.items():
        if len(df):
            mine = df[df["school_id"] == school_id]
            out[name] = [dict(r) for r in mine.to_dict("records")]
    return out


def roll_forward(rows: dict[str, list[dict]], year: int) -> dict[str, list[dict]]:
    """Add next year's starting rows: for tables by scenario, the plan rows of `year` become the
    plan of year + 1 and, when the year has no actual or estimated rows yet, its estimate;
    other yearly tables copy the rows of `year`. Dates are cleared (they belong to last year);
    a table that already has rows for year + 1 is left alone."""
    out = {}
    for name, table_rows in rows.items():
        table = TABLES[name]
        years = {r.get("school_year") for r in table_rows}
        if table.column("school_year") is None or year + 1 in years:
            out[name] = table_rows
            continue
        has_scenario = table.column("scenario") is not None
        base = [r for r in table_rows if r.get("school_year") == year
                and (not has_scenario or r.get("scenario") == PLAN)]
        added = [_copy(table, r, year + 1, PLAN if has_scenario else None) for r in base]
        if has_scenario and not any(r.get("scenario") != PLAN and r.get("school_year") == year
                                    for r in table_rows):
            added = [_copy(table, r, year, ESTIMATE) for r in base] + added
        out[name] = table_rows + added
    return out


def _copy(table, row: dict, year: int, scenario: str | None) -> dict:
    new = {k: (None if table.column(k) is not None and table.column(k).kind == "date" else v)
           for k, v in row.items()}
    new["school_year"] = year
    if scenario:
        new["scenario"] = scenario
    return new


def school_level(ds: Dataset, school_id: str) -> str | None:
    df = ds.tables["school"]
    levels = df.loc[df["school_id"] == school_id, "school_level"].tolist()
    return levels[0] if levels else None


def write_templates(ds: Dataset, schools: list[str], next_year: bool, out: Path) -> list[Path]:
    """One workbook per school; `out` is the file when there is one school, else a folder."""
    year = ds.config.school_year if ds.config else None
    written = []
    for sid in schools:
        rows = own_rows(ds, sid)
        years = ()
        if year is not None:
            rows = roll_forward(rows, year) if next_year else rows
            years = (year, year + 1) if next_year else (year - 1, year)
        wb = build_workbook(sid, rows, school_level(ds, sid), years)
        path = out if len(schools) == 1 and out.suffix == ".xlsx" else out / f"{sid}.xlsx"
        written.append(save(wb, path))
    return written


def save(wb, path: Path) -> Path:
    import io

    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, buf.getvalue())
    return path
