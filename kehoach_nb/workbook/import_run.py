"""`kehoach import`: exports -> counts, previewed per table and school; written only on request.

Only the aggregated rows are shown and written (into the dataset's shared <table>.csv, replacing
the rows with the same key); no pupil name or identifier is printed, logged or stored.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..archive import atomic_write
from ..formatting import fmt_int
from ..schema import TABLES, Table
from . import vocab
from .aggregate import Counts, csdl_enrollment, vnedu_assessment
from .importers import read_export

BLANK = "—"


def collect(source: str, files: list[Path], school: str, year: int | None, scenario: str) -> Counts:
    sheets, problems = [], []
    for path in files:
        found, issues = read_export(source, path)
        sheets += found
        problems += issues
    if source == "csdl":
        counts = csdl_enrollment(sheets, school, year, scenario)
    else:
        counts = vnedu_assessment(sheets, school, year, scenario)
    counts.problems = problems + counts.problems
    return counts


def preview(counts: Counts) -> list[str]:
    """Lines showing what would be written, per table and school."""
    lines = []
    for name, rows in counts.rows.items():
        table = TABLES[name]
        by_school: dict[str, list[dict]] = {}
        for row in rows:
            by_school.setdefault(row["school_id"], []).append(row)
        for school, mine in by_school.items():
            shown = [c for c in table.columns if c.name != "school_id" and any(c.name in r for r in mine)]
            lines.append(f"\nBảng {table.label} ({name}), trường {school}: {fmt_int(len(mine))} dòng")
            lines.append("  " + " | ".join(vocab.column_label(table, c) for c in shown))
            for row in mine:
                lines.append("  " + " | ".join(_shown(table, c, row.get(c.name)) for c in shown))
    return lines


def _shown(table: Table, col, value) -> str:
    if value is None:
        return BLANK
    if isinstance(value, int) and col.kind != "grade" and col.name != "school_year":
        return fmt_int(value)
    return str(vocab.to_label(table, col, value))


def write(dataset: Path, counts: Counts) -> list[Path]:
    """Merge the rows into <dataset>/<table>.csv (same key = replaced) and return the files."""
    written = []
    for name, rows in counts.rows.items():
        if rows:
            path = dataset / f"{name}.csv"
            atomic_write(path, _merged_csv(path, TABLES[name], rows))
            written.append(path)
    return written


def _merged_csv(path: Path, table: Table, rows: list[dict]) -> bytes:
    old = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))) if path.exists() else []
    header = old[0] if old else [c.name for c in table.columns]
    header += [c.name for c in table.columns if c.name not in header and any(c.name in r for r in rows)]
    body = [r + [""] * (len(header) - len(r)) for r in old[1:] if any(x.strip() for x in r)]
    new = [[_text(r.get(h)) for h in header] for r in rows]
    keys = [header.index(k) for k in table.keys if k in header]
    replaced = {tuple(r[i] for i in keys) for r in new}
    kept = [r for r in body if tuple(r[i].strip() for i in keys) not in replaced]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header] + kept + new)
    return buf.getvalue().encode("utf-8")


def _text(value) -> str:
    return "" if value is None else str(value)
