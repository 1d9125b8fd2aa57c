"""V7 (citations of legal documents) and V12 (number and symbol of the document, NĐ 30)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache

import yaml

from .base import CANH_BAO, LOI, LUU_Y, Finding, Rows, SchoolContext, finding
from ..catalogues import HERE, replaced_on
from ..formatting import fmt_date

SYMBOL = re.compile(r"^[A-ZĐ]+-[A-ZĐ0-9]+$")
YEAR_IN_NUMBER = re.compile(r"/((?:19|20)\d\d)/")
CATEGORY_TEXT = {"luat": "luật", "nghi_dinh": "nghị định", "nghi_quyet": "nghị quyết",
                 "chi_thi": "chỉ thị", "quyet_dinh": "quyết định", "thong_tu": "thông tư",
                 "huong_dan": "hướng dẫn", "cong_van": "công văn", "ke_hoach": "kế hoạch",
                 "de_an": "đề án", "van_ban_hop_nhat": "văn bản hợp nhất"}
BASIS_V7 = "Nghị định 30/2020/NĐ-CP (trích dẫn văn bản); danh mục văn bản quy phạm pháp luật đã biết"


@cache
def legal_catalogue() -> dict:
    """catalogues/legal_documents.yaml: known documents and NĐ 30 type abbreviations."""
    return yaml.safe_load((HERE / "legal_documents.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=4096)  # the same laws are cited by every school
def normalise_number(number: str) -> str:
    """"59/2012/TT - BGD&ĐT" -> "59/2012/TT-BGDĐT"."""
    text = unicodedata.normalize("NFC", number)
    return re.sub(r"\s+", "", text).replace("&", "").upper()


@lru_cache(maxsize=4096)
def number_type_category(number: str) -> tuple[str, str] | None:
    """(type code, doc_category) of the first type code in a number: "12/CT-UBND" -> chi_thi."""
    types = {k.upper(): v.get("category") for k, v in legal_catalogue()["document_types"].items()}
    types.update(legal_catalogue()["legal_types"])
    for token in re.split(r"[/-]", normalise_number(number)):
        code = re.sub(r"\d+$", "", token)
        if code and not code.isdigit():
            return (code, types[code]) if types.get(code) else None
    return None


Check = tuple[str, str, str, str]  # severity, stated, expected, explanation


def _dates(row: Mapping, doc_date: dt.date | None) -> list[Check]:
    """Year in the number = issue year; the cited document precedes the plan."""
    out = []
    number, issued = row["number"], row["issue_date"]
    year = YEAR_IN_NUMBER.search(normalise_number(number))
    if year and issued and int(year.group(1)) != issued.year:
        out.append((LOI, fmt_date(issued), f"năm {year.group(1)}",
                    f"Số hiệu {number} ghi năm {year.group(1)} nhưng ngày ban hành là "
                    f"{fmt_date(issued)}."))
    late = issued > doc_date if issued and doc_date else bool(
        year and doc_date and int(year.group(1)) > doc_date.year)
    if late:
        out.append((LOI, fmt_date(issued) if issued else number, f"trước {fmt_date(doc_date)}",
                    f"Văn bản {number} ban hành sau ngày ban hành kế hoạch ({fmt_date(doc_date)})."))
    return out


def _catalogue(row: Mapping) -> list[Check]:
    """An incomplete stated date; a known document cited with another date."""
    out = []
    number, issued, claimed = row["number"], row["issue_date"], row["claimed_date_text"]
    known = legal_catalogue()["documents"].get(normalise_number(number))
    right = fmt_date(known["date"]) if known else "—"
    if claimed:
        out.append((LOI, claimed, right, f"Ngày ban hành của văn bản {number} ghi \"{claimed}\" không "
                    "đầy đủ hoặc không có thật" + (f"; đúng là {right}." if known else ".")))
    if known and issued and issued != known["date"]:
        out.append((LUU_Y if known["tag"] == "U" else LOI, fmt_date(issued), right,
                    f"Văn bản {number} ban hành ngày {right}, không phải ngày {fmt_date(issued)}."))
    return out


def _category(row: Mapping) -> list[Check]:
    """The type code in the number agrees with doc_category."""
    typed, stated = number_type_category(row["number"]), row["doc_category"]
    if not typed or not stated or typed[1] == stated:
        return []
    code, category = typed
    right, shown = CATEGORY_TEXT.get(category, category), CATEGORY_TEXT.get(stated, stated)
    return [(CANH_BAO, shown, right, f"Số hiệu {row['number']} có ký hiệu {code} ({right}) nhưng "
             f"loại văn bản ghi là {shown}.")]


def _replaced(row: Mapping, ctx: SchoolContext, in_force_from: Mapping | None) -> list[Check]:
    """A regulation cited after the one replacing it applies (regulations.yaml, by date)."""
    if not ctx.doc_date or not ctx.level:
        return []
    number = normalise_number(row["number"])
    now = replaced_on(number, ctx.level, ctx.doc_date, dict(in_force_from or {}))
    if not now:
        return []
    note = "" if now["verified"] else " (văn bản thay thế chưa được đối chiếu với bản chính thức)"
    return [(CANH_BAO if now["verified"] else LUU_Y, row["number"], now["number"],
             f"Văn bản {row['number']} đã được thay thế bởi {now['label']}, áp dụng từ ngày "
             f"{fmt_date(now['from'])}, trước ngày ban hành kế hoạch ({fmt_date(ctx.doc_date)}){note}.")]


def legal_citations(legal: Rows, ctx: SchoolContext, in_force_from: Mapping | None = None) -> list[Finding]:
    """Year in the number = issue year; issued before the plan; dates of known documents;
    no regulation that another replaced before the plan's date."""
    return [finding("V7", sev, ctx, "legal_basis", [row], stated, expected, text, BASIS_V7)
            for row in legal
            for sev, stated, expected, text in
            _dates(row, ctx.doc_date) + _catalogue(row) + _category(row)
            + _replaced(row, ctx, in_force_from)]


# --- V12 -----------------------------------------------------------------------
def _symbol_checks(row: Mapping, abbrev: str | None) -> list[Check]:
    out = []
    number, symbol = str(row["register_number"]).strip(), str(row["symbol"]).strip()
    if not number.isdigit():
        out.append((LOI, number, "số Ả Rập",
                    f"Số văn bản \"{number}\" phải là số thứ tự đăng ký viết bằng chữ số Ả Rập."))
    if not SYMBOL.fullmatch(symbol):
        out.append((LOI, symbol, "KH-<tên viết tắt của trường>",
                    f"Ký hiệu \"{symbol}\" phải có dạng <loại văn bản>-<tên viết tắt cơ quan>, "
                    "viết hoa, nối bằng dấu gạch ngang."))
        return out
    kind, issuer = symbol.split("-")
    types = legal_catalogue()["document_types"]
    wanted = legal_catalogue()["doc_kind_types"].get(row["doc_kind"])
    if kind not in types:
        out.append((LOI, kind, wanted or "—",
                    f"\"{kind}\" không phải chữ viết tắt tên loại văn bản theo Phụ lục III Nghị định "
                    "30/2020/NĐ-CP" + (f"; {types[wanted]['name'].lower()} viết tắt là {wanted}."
                                       if wanted else ".")))
    elif wanted and kind != wanted:
        out.append((LOI, kind, wanted,
                    f"Văn bản là {types[wanted]['name'].lower()} nên ký hiệu phải bắt đầu bằng "
                    f"{wanted}, không phải {kind} ({types[kind]['name'].lower()})."))
    if abbrev and issuer != abbrev:
        out.append((CANH_BAO, issuer, abbrev,
                    f"Phần sau của ký hiệu ({issuer}) khác tên viết tắt của trường ({abbrev})."))
    return out


def document_form(meta: Rows, ctx: SchoolContext) -> list[Finding]:
    """Register number numeric; symbol "<type>-<issuer>" with a Phụ lục III type."""
    return [finding("V12", sev, ctx, "document_meta", [row], stated, expected, text)
            for row in meta
            for sev, stated, expected, text in _symbol_checks(row, ctx.abbrev)]
