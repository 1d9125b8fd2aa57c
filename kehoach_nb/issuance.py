"""Draft and final: what stops a document from being issued (ban hành), in the user's terms."""

from __future__ import annotations

from .model import Commentary, Document, Heading


def final_blockers(doc: Document) -> list[str]:
    """Reasons, each saying where to fix it; empty when the document may be issued."""
    school, kind = doc.params.get("school_id", ""), doc.kind
    out, heading = [], ""
    for b in doc.blocks:
        if isinstance(b, Heading):
            heading = f"{b.number} {b.title}".strip()
        if not isinstance(b, Commentary):
            continue
        where = f"mục \"{heading}\" (tệp nhan_xet/{school}/{kind}/{b.key}.md)"
        if b.draft:
            out.append(f"{where} vẫn là dự thảo tự động: hãy viết nội dung của trường")
        if b.stale:
            out.append(f"{where} cần xem lại vì số liệu đã thay đổi: " + "; ".join(b.stale))
    if doc.audit and doc.audit[0]:
        out.append(f"số liệu của trường có {doc.audit[0]} lỗi theo kiểm tra số liệu: "
                   "xem kiem_tra_so_lieu.html trong thư mục kết quả của trường")
    return out
