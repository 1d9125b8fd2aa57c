"""V14: the administrative frame of the document's date (catalogues/admin_eras.yaml).

A document dated on or after the start of two-level local government (01/7/2025) must not name
a district-level body (Phòng GD&ĐT huyện, quận, thị xã; UBND huyện) as its governing body or as a
recipient, nor a province merged in 2025. Each finding states what was written and, where it can
be known, the current name (the school's commune-level UBND; the province that took over)."""

from __future__ import annotations

from collections.abc import Mapping

from .. import admin_eras as eras
from .base import CANH_BAO, LOI, Finding, Rows, SchoolContext, finding
from ..formatting import fmt_date


def _since(ctx: SchoolContext) -> str:
    return f"văn bản ban hành ngày {fmt_date(ctx.doc_date)}"


def _no_districts() -> str:
    return f"từ ngày {fmt_date(eras.catalogue()['two_level_from'])} không còn cấp huyện"


def _body_text(school: Mapping) -> tuple[str, str]:
    """(expected, advice) for a district-level body: the commune's UBND when it is known."""
    body = eras.commune_body(school.get("commune"))
    if body:
        return body, f"; trường thuộc {body}"
    return "UBND xã, phường hoặc đặc khu", ("; ghi UBND xã, phường hoặc đặc khu quản lý trường "
                                            "(cột xã/phường của bảng thông tin trường còn trống)")


def _where(table: str, row: Mapping) -> str:
    return f"nơi nhận thứ {row.get('order')}" if table == "recipient" else "thông tin chung của trường"


def _provinces(text: str, ctx: SchoolContext, table: str, row: Mapping, what: str) -> list[Finding]:
    return [finding("V14", CANH_BAO, ctx, table, [row], old, new,
                    f"{what} ghi \"{old}\", đơn vị hành chính cấp tỉnh không còn từ ngày "
                    f"{fmt_date(eras.catalogue()['provinces_merged_from'])} ({_since(ctx)}); "
                    f"tên hiện nay: {new}.", where=_where(table, row))
            for old, new in eras.merged_provinces_in(text)]


def _school(school: Mapping, ctx: SchoolContext) -> list[Finding]:
    out = []
    body = school.get("governing_body")
    kind = eras.district_body(body)
    if kind:
        expected, advice = _body_text(school)
        out.append(finding("V14", LOI, ctx, "school", [school], body, expected,
                           f"Cơ quan chủ quản ở đầu văn bản ghi \"{body}\" ({kind}) nhưng {_since(ctx)}, "
                           f"{_no_districts()}{advice}.", where=_where("school", school)))
    out += _provinces(body or "", ctx, "school", school, "Cơ quan chủ quản")
    province = school.get("province")
    new = eras.province_successor(province)
    if new:
        out.append(finding("V14", CANH_BAO, ctx, "school", [school], province, new,
                           f"Tỉnh/thành phố của trường ghi \"{province}\", đơn vị không còn từ ngày "
                           f"{fmt_date(eras.catalogue()['provinces_merged_from'])}; tên hiện nay: {new}.",
                           where=_where("school", school)))
    return out


def _recipient(row: Mapping, school: Mapping, ctx: SchoolContext) -> list[Finding]:
    name = row.get("name") or ""
    kind = eras.district_body(name)
    out = []
    if kind:
        expected, advice = _body_text(school)
        if kind.startswith("Phòng"):
            expected, advice = "Sở Giáo dục và Đào tạo; " + expected, (
                "; gửi Sở Giáo dục và Đào tạo (chuyên môn) và UBND cấp xã quản lý trường" + advice)
        out.append(finding("V14", LOI, ctx, "recipient", [row], name, expected,
                           f"Nơi nhận ghi \"{name}\" ({kind}) nhưng {_since(ctx)}, {_no_districts()}"
                           f"{advice}.", where=_where("recipient", row)))
    return out + _provinces(name, ctx, "recipient", row, "Nơi nhận")


def admin_frame(school_rows: Rows, recipients: Rows, ctx: SchoolContext) -> list[Finding]:
    """V14 on the school's governing body, province and recipients; nothing before 01/7/2025."""
    if not eras.two_level(ctx.doc_date):
        return []
    school = school_rows[0] if school_rows else {}
    out = _school(school, ctx) if school else []
    for row in recipients:
        out += _recipient(row, school, ctx)
    return out
