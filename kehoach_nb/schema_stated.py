"""The stated-figure table: every figure a document states that no other table records.

A row is one figure as the document prints it, where it prints it, and what it is a
figure of (`metric`, `scope`), so that the audit can compare it with the value the data
gives and with the same figure stated elsewhere in the document.

metric   "<table>.<column>" summed over the rows of the year, scenario and scope
         ("enrollment.students", "staff.count", "rooms.count", "staff.hop_dong", ...),
         "<metric>/<metric>" for a ratio or a percentage ("staff.count/enrollment.classes"),
         or a free code (no computed value: only compared with the same code elsewhere).
scope    filters "column=value;column=value" applied to the tables that have the column
         ("grade=5", "role=giao_vien", "room_type=phong_hoc"); "role=hieu_truong|pho_hieu_truong"
         for several values.
"""

from __future__ import annotations

from .schema import SCEN, SID, Column, Table
from .kinds import CODES as DOC_KINDS

UNITS = ("count", "percent", "ratio", "level", "text", "year")

STATED_FIGURE = Table("stated_figure", (
    SID,
    Column("seq", "int", True, min_value=1, label="số thứ tự"),
    Column("doc_kind", "enum", choices=DOC_KINDS, label="loại văn bản"),
    Column("location", required=True, label="nơi ghi trong văn bản"),
    Column("school_year", "int", min_value=1990, max_value=2100, label="năm học (năm bắt đầu)"),
    Column(SCEN.name, "enum", choices=SCEN.choices, label=SCEN.label),
    Column("metric", required=True, label="chỉ số"),
    Column("scope", label="phạm vi"),
    Column("unit", "enum", choices=UNITS, label="đơn vị"),
    Column("value", "dec", label="giá trị ghi trong văn bản"),
    Column("numerator", "int", min_value=0, label="tử số ghi trong văn bản"),
    Column("denominator", "int", min_value=0, label="mẫu số ghi trong văn bản"),
    Column("stated_text", label="nguyên văn"),
    Column("note", label="ghi chú"),
), "Số liệu ghi trong văn bản", required=False, fact=False, keys=("school_id", "seq"))

STATED_TABLES: dict[str, Table] = {STATED_FIGURE.name: STATED_FIGURE}
