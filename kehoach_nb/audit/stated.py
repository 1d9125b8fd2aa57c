"""Stated figures (table stated_figure) against the data and against each other.

A stated figure names a metric ("enrollment.students", "staff.count/enrollment.classes")
and a scope ("grade=5", "role=giao_vien"); `data_value` computes it from the other
tables. A value the data does not report is unknown (None), never 0.

V3: the figure differs from the value the data gives; the same figure (metric, scope,
year, scenario, unit) is stated with two values in two places of the document.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .. import catalogues as cat
from .base import (
    LOI, TOTAL, Finding, Rows, SchoolContext, best_scenario, finding, groups, missing, num,
)
from .rates import places_of
from ..formatting import fmt_dec, fmt_percent, fmt_school_year

TABLE = "stated_figure"
ALIASES = {"enrollment": "enrollment_by_grade", "staff": "staff_aggregate",
           "rooms": "facility_room", "equipment": "equipment", "results": "assessment_result",
           "outcomes": "completion_outcome", "school": "school"}
TOTAL_COLUMN = {"enrollment_by_grade": "grade", "staff_aggregate": "role",
                "assessment_result": "category"}
BASIS_V3 = "Cùng một số liệu phải có cùng giá trị ở mọi nơi ghi trong văn bản và khớp dữ liệu"


def parse_scope(scope: str | None) -> dict[str, list[str]]:
    """"grade=5;role=hieu_truong|pho_hieu_truong" -> {"grade": ["5"], "role": [...]}."""
    out: dict[str, list[str]] = {}
    for part in (scope or "").split(";"):
        key, sep, values = part.partition("=")
        if sep and key.strip():
            out[key.strip()] = [v.strip() for v in values.split("|") if v.strip()]
    return out


def _matches(value: object, wanted: list[str]) -> bool:
    text = "" if missing(value) else str(value)
    return any(fnmatch.fnmatchcase(text, w) for w in wanted)


def _rows(tables: Mapping[str, Rows], table: str, year: int, scenario: str | None,
          scope: dict[str, list[str]]) -> Rows:
    rows = list(tables.get(table) or [])
    if rows and "school_year" in rows[0]:
        rows = [r for r in rows if r["school_year"] == year]
    if rows and "scenario" in rows[0]:
        rows = [r for r in rows if r["scenario"] == (scenario or best_scenario(rows, year))]
    for key, wanted in scope.items():
        if rows and key in rows[0]:
            rows = [r for r in rows if _matches(r[key], wanted)]
    return rows


def _sum(rows: Rows, column: str) -> Decimal | None:
    values = [num(r[column]) for r in rows]
    return None if not values or None in values else Decimal(sum(values))


def _column_value(rows: Rows, table: str, column: str, scope, ctx) -> Decimal | None:
    """Sum over the part rows (grades covering the level, roles), else the stated total row."""
    total_column = TOTAL_COLUMN.get(table)
    if not rows or column not in rows[0]:
        return None
    if not total_column or total_column in scope:
        return _sum(rows, column)
    parts = [r for r in rows if r[total_column] != TOTAL]
    totals = [r for r in rows if r[total_column] == TOTAL]
    if table == "enrollment_by_grade":
        covered = ctx.grades() is None or set(ctx.grades()) <= {r["grade"] for r in parts}
        parts = parts if covered else []
    elif table == "assessment_result":
        parts = []
    found = _sum(parts, column) if parts else None
    return found if found is not None else _sum(totals[:1], column)


def term_value(tables, term: str, year, scenario, scope, ctx) -> Decimal | None:
    term = term.strip()
    if "+" in term:  # a sum of terms: "equipment.count+equipment.needed"
        values = [term_value(tables, t, year, scenario, scope, ctx) for t in term.split("+")]
        return None if None in values else sum(values, Decimal(0))
    if term.startswith("delta."):
        now = term_value(tables, term[6:], year, scenario, scope, ctx)
        before = term_value(tables, term[6:], year - 1, scenario, scope, ctx)
        return None if now is None or before is None else now - before
    alias, _, column = term.partition(".")
    table = ALIASES.get(alias)
    if table is None or not column:
        return None
    if column == "missing":
        return _missing_rooms(tables, year, scope, ctx)
    return _column_value(_rows(tables, table, year, scenario, scope), table, column, scope, ctx)


def _required_room_types(rooms: Rows, scope, ctx) -> list[str]:
    """The room list in force on the document's date (TT 13/2020, of the standard level in the
    scope), else every non-classroom type of the inventory."""
    on = ctx.doc_date or dt.date(int(rooms[0]["school_year"]), 9, 5)
    listed = cat.required_rooms(ctx.level, scope.get("muc", ["muc_1"])[0], on) if ctx.level else None
    types = listed[0] if listed else list(dict.fromkeys(r["room_type"] for r in rooms
                                                         if r["room_type"] != "phong_hoc"))
    wanted = scope.get("room_type", ["*"])
    return [t for t in types if _matches(t, wanted)]


def _room_counts(rooms: Rows) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rooms:
        counts[r["room_type"]] = counts.get(r["room_type"], 0) + (num(r["count"]) or 0)
    return counts


def _missing_rooms(tables, year, scope, ctx) -> Decimal | None:
    """Required room types the inventory states as 0 (a type not listed is unknown)."""
    rooms = [r for r in tables.get("facility_room") or [] if r.get("school_year") == year]
    if not rooms:
        return None
    required, counts = _required_room_types(rooms, scope, ctx), _room_counts(rooms)
    absent = [t for t in required if counts.get(t) == 0]
    unknown = [t for t in required if t not in counts]
    return Decimal(len(absent)) if absent or not unknown else None


def missing_room_names(tables, year, scope, ctx) -> list[str]:
    rooms = [r for r in tables.get("facility_room") or [] if r.get("school_year") == year]
    if not rooms:
        return []
    counts = _room_counts(rooms)
    return [cat.label("room_type", t) for t in _required_room_types(rooms, scope, ctx)
            if counts.get(t) == 0]


def scenario_year(tables: Mapping[str, Rows], scenario: str) -> Decimal | None:
    """The one school year the enrolment gives for a scenario ("ước thực hiện năm học …")."""
    years = {r["school_year"] for r in tables.get("enrollment_by_grade") or [] if r["scenario"] == scenario}
    return Decimal(years.pop()) if len(years) == 1 else None


def data_value(tables: Mapping[str, Rows], row: Mapping, ctx: SchoolContext) -> Decimal | None:
    """The value the data gives for a stated figure, at the precision it is stated with."""
    if row["metric"] == "scenario_year":
        return scenario_year(tables, parse_scope(row["scope"]).get("scenario", [""])[0])
    year = row["school_year"]
    if missing(year) or missing(row["metric"]):
        return None
    scope = parse_scope(row["scope"])
    terms = str(row["metric"]).split("/")
    values = [term_value(tables, t, year, row["scenario"], scope, ctx) for t in terms]
    if None in values or len(values) > 2:
        return None
    if len(values) == 1:
        value = values[0]
        return value if row["unit"] not in ("percent", "ratio") else None
    n, d = values
    if not d:
        return None
    exact = n / d * (100 if row["unit"] == "percent" else 1)
    stated = row["value"]
    places = places_of(Decimal(stated)) if not missing(stated) else 2
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def show(value: Decimal, unit: str | None) -> str:
    if unit == "year":
        return f"năm học {fmt_school_year(int(value))}"
    places = places_of(value)
    return fmt_percent(value, places, False) if unit == "percent" else fmt_dec(value, places)


def where_of(row: Mapping) -> str:
    year = row["school_year"]
    return str(row["location"]) + ("" if missing(year) else f" (năm học {fmt_school_year(year)})")


KEY = ["school_year", "scenario", "metric", "scope", "unit"]


def _same_figure(figures: Rows, row: Mapping) -> Rows:
    return [r for r in figures if r is not row and all(r[k] == row[k] for k in KEY)
            and not missing(r["value"])]


def _other_base(tables, row: Mapping, ctx: SchoolContext) -> bool:
    """The figure is stated over another denominator than the data's (V4 reports it)."""
    d, terms = num(row["denominator"]), str(row["metric"]).split("/")
    if d is None or len(terms) != 2:
        return False
    base = term_value(tables, terms[1], row["school_year"], row["scenario"], parse_scope(row["scope"]), ctx)
    return base is not None and base != d


def figures_vs_data(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """Each stated figure against the value the data gives (and the places that agree)."""
    out = []
    figures = tables.get(TABLE) or []
    for row in figures:
        if missing(row["value"]):
            continue
        stated, computed = Decimal(row["value"]), data_value(tables, row, ctx)
        if computed is None or computed == stated or _other_base(tables, row, ctx):
            continue
        unit = row["unit"]
        agree = [r for r in _same_figure(figures, row) if Decimal(r["value"]) == computed]
        said = row["stated_text"] or ""
        shown = show(stated, unit) if any(c.isdigit() for c in said) or not said else f"\"{said}\""
        text = f"Văn bản ghi {shown} nhưng theo số liệu là {show(computed, unit)}"
        if str(row["metric"]).endswith(".missing"):
            names = ", ".join(missing_room_names(tables, row["school_year"],
                                                 parse_scope(row["scope"]), ctx))
            text = (f"Văn bản ghi \"{row['stated_text'] or show(stated, None)}\" nhưng danh mục "
                    f"phòng còn thiếu {show(computed, None)} phòng: {names}")
        if agree:
            text += "; " + "; ".join(f"{r['location']} ghi {show(computed, unit)}" for r in agree[:2])
        code = "V6" if unit == "year" else "V3"
        out.append(finding(code, LOI, ctx, TABLE, [row], show(stated, unit), show(computed, unit),
                           text + ".", None if code == "V6" else BASIS_V3, compared=agree,
                           where=where_of(row)))
    return out


def figures_stated_twice(tables: Mapping[str, Rows], ctx: SchoolContext) -> list[Finding]:
    """The same figure (metric, scope, year, scenario, unit) stated with different values,
    when the data does not give it (otherwise figures_vs_data reports the wrong one)."""
    out = []
    figures = [r for r in tables.get(TABLE) or [] if not missing(r["value"])]
    for _, g in groups(figures, KEY):
        if data_value(tables, g[0], ctx) is not None:
            continue
        first = g[0]
        for other in g[1:]:
            a, b = Decimal(first["value"]), Decimal(other["value"])
            if a == b or other["location"] == first["location"]:
                continue
            text = (f"Cùng một số liệu nhưng {first['location']} ghi {show(a, first['unit'])}, "
                    f"{other['location']} ghi {show(b, other['unit'])}.")
            out.append(finding("V3", LOI, ctx, TABLE, [other], show(b, other["unit"]),
                               show(a, first["unit"]), text, BASIS_V3, compared=[first],
                               where=f"{where_of(other)}; đối chiếu: {first['location']}"))
    return out
