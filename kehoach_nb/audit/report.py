"""The school's audit report (kiem_tra_so_lieu): its own document, beside the plans.

Plain Vietnamese for the person who typed the figures: the table by its name, the file
and row where the value was entered, what was stated, what the data gives, and the
rule with its legal basis. Rule codes stay in the CSV/JSON for tools; never here.
"""

from __future__ import annotations

from pathlib import PurePath

from .. import formatting as fm
from .base import Finding
from .output import _ranges
from ..model import Document, HeadCell, Heading, Paragraph, Run, Table
from ..schema import TABLES

KIND = "kiem_tra_so_lieu"
SEVERITIES = ("lỗi", "cảnh báo", "lưu ý")
HEAD = ("STT", "Mức", "Nơi nhập số liệu", "Nội dung", "Ghi trong dữ liệu", "Số liệu cho", "Căn cứ")
WIDTHS = (5, 8, 20, 30, 10, 10, 17)


def place(f: Finding, sources: dict[str, str]) -> str:
    """"Thông tin văn bản (document_meta.csv), dòng 3 (đối chiếu dòng 5–7): căn cứ thứ 2"."""
    table = TABLES.get(f.table)
    label = table.label if table else f.table
    source = sources.get(f.table)
    text = label + (f" ({PurePath(source.split(',')[0]).name}"
                    + (f", {source.split(',', 1)[1].strip()}" if "," in source else "") + ")"
                    if source else "")
    if f.rows:
        text += f", dòng {_ranges(f.rows)}"
    if f.compared_rows:
        text += f" (đối chiếu dòng {_ranges(f.compared_rows)})"
    return text + (f": {f.where}" if f.where else "")


def audit_document(school: dict, findings: list[Finding], sources: dict[str, str], year: int,
                   dataset: str) -> Document:
    """One school's findings as a document (rendered to HTML and PDF like the plans)."""
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    title = f"Kết quả kiểm tra số liệu — {school['name']}"
    intro = (f"Bộ dữ liệu {dataset}, năm học {fm.fmt_school_year(year)}. "
             + (f"Có {fm.fmt_int(len(findings))} điểm cần xem: {fm.fmt_int(counts['lỗi'])} lỗi, "
                f"{fm.fmt_int(counts['cảnh báo'])} cảnh báo, {fm.fmt_int(counts['lưu ý'])} lưu ý."
                if findings else "Không phát hiện sai lệch trong số liệu."))
    blocks: list = [Heading(1, "", title.upper()), Paragraph([Run(intro)])]
    if findings:
        blocks.append(Paragraph([Run("Lỗi phải được sửa trước khi ban hành kế hoạch; cảnh báo nên "
                                     "được xem lại; lưu ý để nhà trường biết. Kiểm tra không bao giờ "
                                     "thay đổi số liệu trong kế hoạch.", italic=True)], "note"))
        ordered = sorted(findings, key=lambda f: SEVERITIES.index(f.severity))
        rows = [[fm.fmt_int(i), f.severity, place(f, sources), f.explanation, f.stated, f.expected,
                 f.basis] for i, f in enumerate(ordered, start=1)]
        blocks.append(Table("Các điểm cần xem trong số liệu", [[HeadCell(h) for h in HEAD]], rows,
                            landscape=True, widths=list(WIDTHS)))
    params = {"school_id": school["school_id"], "doc_kind": KIND, "school_year": year}
    return Document(KIND, params, title, blocks, [counts["lỗi"], len(findings)])
