"""Findings of the data audit as a CSV file (for Excel) and a JSON file (for tools)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from pathlib import Path

from ..archive import atomic_write
from .base import Finding

CSV_FIELDS = ("code", "severity", "school_id", "table", "rows", "compared_rows", "where", "stated",
              "expected", "explanation", "basis")


def _ranges(rows: list[int]) -> str:
    """[2, 3, 4, 7] -> "2–4, 7"."""
    spans: list[list[int]] = []
    for n in sorted(set(rows)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in spans)


def location(f: Finding, with_school: bool = False) -> str:
    """"enrollment_by_grade, dòng 7 (đối chiếu dòng 2–6): năm học 2018-2019, thực hiện, dòng tổng"."""
    text = f.table
    if f.rows:
        text += f", dòng {_ranges(f.rows)}"
    if f.compared_rows:
        text += f" (đối chiếu dòng {_ranges(f.compared_rows)})"
    if f.where:
        text += f": {f.where}"
    return f"Trường {f.school_id} — {text}" if with_school else text


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(text: object) -> str:
    """A cell Excel shows as text, never runs as a formula: text starting with = + - @, a tab
    or a carriage return gets a leading apostrophe (OWASP "CSV injection"). Every cell of our
    CSV is text (numbers are already Vietnamese-formatted strings), so all are treated alike."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_row(f: Finding) -> dict[str, str]:
    row = {k: getattr(f, k) for k in CSV_FIELDS}
    row["rows"] = " ".join(str(n) for n in f.rows)
    row["compared_rows"] = " ".join(str(n) for n in f.compared_rows)
    return {k: excel_safe(v) for k, v in row.items()}


def _json_row(f: Finding) -> dict:
    """asdict(f) without its deep copy (the JSON text is the same)."""
    return {k.name: getattr(f, k.name) for k in fields(f)}


def write_findings(findings: list[Finding], csv_path: str | Path, json_path: str | Path) -> None:
    """The findings as CSV (one line each, UTF-8 with BOM for Excel) and JSON, atomically."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n")  # RFC 4180: \r quoted
    writer.writeheader()
    writer.writerows(_csv_row(f) for f in findings)
    atomic_write(Path(csv_path), buf.getvalue().encode("utf-8-sig"))  # BOM: Excel reads UTF-8
    data = json.dumps([_json_row(f) for f in findings], ensure_ascii=False, indent=1)
    atomic_write(Path(json_path), (data + "\n").encode("utf-8"))
