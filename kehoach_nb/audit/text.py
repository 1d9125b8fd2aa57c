"""Rules on the analyst's text (narrative_section) and the issuers of citations.

R5: numbers written the English way ("56.8%", "1.53 giáo viên/lớp"); Vietnamese writes a
decimal comma. V7: citations inside the text (number and date against the catalogue, a
date that cannot exist), and the issuing body of a legal basis against its number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from .base import CANH_BAO, LOI, Finding, Rows, SchoolContext, finding, missing
from .documents import BASIS_V7, legal_catalogue, normalise_number
from ..formatting import fmt_date

BASIS_R5 = "Số thập phân viết bằng dấu phẩy, dấu chấm chỉ dùng để nhóm hàng nghìn (\"56,8%\", \"1.095\")"
# a dot decimal before "%", or before a "…/…" unit within two words ("1.53 giáo viên/lớp")
DOT_DECIMAL = re.compile(r"(?<![\d.,/])(\d+)\.(\d{1,2})(?![\d.])(?=\s*%|\s*(?:[^\W\d]+\s*){0,2}/)")
SPACE_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?=\s*(?:đ|đồng|VNĐ)(?!\w))")
CITATION = re.compile(
    r"(\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z&\-]*(?:/[A-ZĐ][A-ZĐa-z&\-]*)?)"
    r"[^;.\n]{0,30}?\bngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{3,4})")
YEAR_IN_NUMBER = re.compile(r"/((?:19|20)\d\d)/")


def _where(row: Mapping) -> str:
    return f"phần lời văn, mục {row['section_key']}"


def _excerpt(text: str, start: int, end: int) -> str:
    """About 40 characters before and 20 after, cut at whole words."""
    a, b = max(0, start - 40), min(len(text), end + 20)
    words = text[a:b].split()
    if a > 0 and not text[a - 1].isspace() and len(words) > 1:
        words = words[1:]
    if b < len(text) and not text[b].isspace() and len(words) > 1:
        words = words[:-1]
    return " ".join(words)


def number_formats(narrative: Rows, ctx: SchoolContext) -> list[Finding]:
    """R5: decimals written with a dot in the text."""
    out = []
    for row in narrative:
        text = unicodedata.normalize("NFC", str(row["text"] or ""))
        for m in DOT_DECIMAL.finditer(text):
            right = f"{m.group(1)},{m.group(2)}"
            out.append(finding(
                "R5", CANH_BAO, ctx, "narrative_section", [row], m.group(0), right,
                f"Số \"{m.group(0)}\" viết dấu chấm thập phân theo kiểu tiếng Anh; tiếng Việt viết "
                f"\"{right}\" (…{_excerpt(text, m.start(), m.end())}…).", BASIS_R5, where=_where(row)))
        for m in SPACE_GROUPS.finditer(text):
            right = m.group(0).replace(" ", ".")
            out.append(finding(
                "R5", CANH_BAO, ctx, "narrative_section", [row], m.group(0), right,
                f"Số \"{m.group(0)}\" nhóm hàng nghìn bằng dấu cách; tiếng Việt viết \"{right}\" "
                f"(…{_excerpt(text, m.start(), m.end())}…).", BASIS_R5, where=_where(row)))
    return out


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _citation_checks(number: str, day: str, month: str, year: str,
                     doc_date: dt.date | None) -> list[tuple[str, str, str]]:
    stated = f"{day}/{month}/{year}"
    known = legal_catalogue()["documents"].get(normalise_number(number))
    right = fmt_date(known["date"]) if known else "—"
    when = _date(day, month, year)
    if when is None or not 1945 <= when.year <= 2100:
        return [(stated, right, f"Văn bản {number} ghi ngày {stated}, một ngày không thể có"
                 + (f"; đúng là {right}." if known else "."))]
    if known and when != known["date"]:
        return [(stated, right, f"Văn bản {number} ban hành ngày {right}, không phải ngày {stated}.")]
    in_number = YEAR_IN_NUMBER.search(normalise_number(number))
    if in_number and int(in_number.group(1)) != when.year:
        return [(stated, f"năm {in_number.group(1)}",
                 f"Số hiệu {number} ghi năm {in_number.group(1)} nhưng ngày ban hành là {stated}.")]
    if doc_date and when > doc_date:
        return [(stated, f"trước {fmt_date(doc_date)}",
                 f"Văn bản {number} ghi ngày {stated}, sau ngày ban hành kế hoạch.")]
    return []


def text_citations(narrative: Rows, ctx: SchoolContext) -> list[Finding]:
    """V7 on "số 1737/CT-BGDĐT ngày 07/5/2018" written in the text."""
    out = []
    for row in narrative:
        text = unicodedata.normalize("NFC", str(row["text"] or ""))
        for m in CITATION.finditer(text):
            for stated, right, why in _citation_checks(*m.groups(), ctx.doc_date):
                out.append(finding("V7", LOI, ctx, "narrative_section", [row], stated, right, why,
                                   BASIS_V7, where=_where(row)))
    return out


SHORT_CITATION = re.compile(r"\bThông tư\s+(?:số\s*:?\s*)?(\d+)\s*/\s*(\d{4})(?!\s*/\s*[A-ZĐ\d])")


def _replaced(number: str, year: str) -> tuple[str, dict] | None:
    """The catalogue entry "<number>/<year>/…" when it names a document replacing it."""
    for key, doc in legal_catalogue()["documents"].items():
        if key.startswith(f"{int(number)}/{year}/") and doc.get("replaced_by"):
            return key, doc
    return None


def superseded_citations(narrative: Rows, ctx: SchoolContext) -> list[Finding]:
    """V7: "Thông tư số 36/2009" cited in a document issued after it was replaced."""
    out = []
    for row in narrative:
        text = unicodedata.normalize("NFC", str(row["text"] or ""))
        for m in SHORT_CITATION.finditer(text):
            found = _replaced(*m.groups())
            if found is None or ctx.doc_date is None or ctx.doc_date < found[1]["replaced_on"]:
                continue
            key, doc = found
            new = doc["replaced_by"]
            why = (f"Thông tư {key} đã được thay thế bằng Thông tư {new} từ ngày "
                   f"{fmt_date(doc['replaced_on'])}, trước ngày ban hành kế hoạch.")
            out.append(finding("V7", LOI, ctx, "narrative_section", [row], m.group(0), new, why,
                               BASIS_V7, where=_where(row)))
    return out


def _fold(text: str) -> str:
    return re.sub(r"[\s&]+", "", unicodedata.normalize("NFC", text)).casefold()


def issuer_code(number: str) -> str | None:
    """The issuing body's code: "84/2020/NĐ-CP" -> "CP", "43/2019/QH14" -> "QH", "43-KH/TW" -> "TW"."""
    norm = normalise_number(number)
    last = re.split(r"[/-]", norm)[-1]
    code = re.sub(r"\d+$", "", last)
    return code if code in {k.upper() for k in legal_catalogue().get("issuers", {})} else None


def issuers(legal: Rows, ctx: SchoolContext) -> list[Finding]:
    """V7: the issuer named beside a legal basis is the body its number says."""
    out = []
    names = {k.upper(): v for k, v in legal_catalogue().get("issuers", {}).items()}
    for row in legal:
        code = issuer_code(row["number"] or "")
        if code is None or missing(row["issuer"]) or not row["issuer"]:
            continue
        if any(_fold(n) in _fold(row["issuer"]) for n in names[code]):
            continue
        text = (f"Số hiệu {row['number']} là văn bản của {names[code][0]} nhưng cơ quan ban hành "
                f"ghi \"{row['issuer']}\".")
        out.append(finding("V7", LOI, ctx, "legal_basis", [row], row["issuer"], names[code][0],
                           text, BASIS_V7))
    return out
