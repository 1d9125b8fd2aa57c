"""The document model as HTML: one self-contained page (inline CSS and images, strict CSP,
no script), and the fragments a notebook shows for each display cell."""

from __future__ import annotations

import base64
from functools import cache
from html import escape
from pathlib import Path

from ..model import (Chart, Closing, Commentary, Document, Header, Heading, ItemList, Paragraph,
                     Run, Table)

CSS = Path(__file__).resolve().parent.parent / "templates" / "html" / "page.css"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"


@cache
def page_css() -> str:
    return CSS.read_text(encoding="utf-8")


def render_html(doc: Document) -> str:
    """The whole document as one HTML file."""
    return (f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(doc.title)}</title>\n<style>{page_css()}</style>\n</head>\n<body>\n"
            f'<main class="document">{render_blocks(doc.blocks)}</main>\n</body>\n</html>\n')


def render_blocks(blocks: list) -> str:
    return "".join(_BLOCKS[type(b)](b) for b in blocks)


def runs(rs: list[Run]) -> str:
    out = []
    for r in rs:
        t = escape(r.text).replace("\n", "<br>")
        if r.italic:
            t = f"<em>{t}</em>"
        if r.bold:
            t = f"<strong>{t}</strong>"
        out.append(t)
    return "".join(out)


def heading(h: Heading) -> str:
    cls = ' class="new-page"' if h.new_page else ""
    if h.level == 1:
        no = f'<span class="part-no">{escape(h.number)}</span><br/>' if h.number else ""
        return f"<h1{cls}>{no}{escape(h.title)}</h1>"
    return f"<h{h.level}{cls}>{escape(h.number)} {escape(h.title)}</h{h.level}>"


def paragraph(p: Paragraph) -> str:
    cls = "" if p.style == "body" else f' class="{p.style.replace("_", "-")}"'
    return f"<p{cls}>{runs(p.runs)}</p>"


def item_list(lst: ItemList) -> str:
    tag = "ol" if lst.marker == "1." else "ul"
    cls = ' class="dash"' if lst.marker == "+" else ""
    items = "".join(f"<li{_cls(f'l{i.level}' if i.level else '')}>{runs(i.runs)}</li>" for i in lst.items)
    return f"<{tag}{cls}>{items}</{tag}>"


def table(t: Table) -> str:
    head = "".join("<tr>" + "".join(
        f"<th{_span(c.colspan, c.rowspan)}>{escape(c.text)}</th>" for c in row) + "</tr>" for row in t.header)
    body = []
    for i, row in enumerate(t.rows):
        cls = ' class="total"' if i >= len(t.rows) - t.total_rows else ""
        nums = t.numeric[i] if i < len(t.numeric) else []
        cells = "".join(f"<td{_cls('num' if j < len(nums) and nums[j] else '')}>"
                        f"{escape(v).replace(chr(10), '<br>')}</td>" for j, v in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    cols = "".join(f'<col style="width: {w}%">' for w in t.widths)
    caption = f'<p class="caption">{escape(t.title)}</p>' if t.title else ""
    notes = "".join(f'<p class="table-note">{escape(n)}</p>' for n in t.notes)
    return (f'<div class="doc-table{" landscape" if t.landscape else ""}">{caption}<table>'
            f"{f'<colgroup>{cols}</colgroup>' if cols else ''}"
            f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>{notes}</div>")


def _cls(name: str) -> str:
    return f' class="{name}"' if name else ""


def _span(colspan: int, rowspan: int) -> str:
    return (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")


def chart(c: Chart) -> str:
    caption = escape(c.title)
    data = base64.b64encode(c.svg.encode("utf-8")).decode("ascii")
    return (f'<figure class="chart"><img alt="{caption}" src="data:image/svg+xml;base64,{data}"/>'
            f"<figcaption>{caption}</figcaption></figure>")


def commentary(c: Commentary) -> str:
    note = ""
    if c.stale:
        note = ('<p class="stale">Cần xem lại: số liệu đã thay đổi từ khi viết ('
                + escape("; ".join(c.stale)) + ").</p>")
    css = "draft" if c.draft else "analyst"
    return f'<div class="{css}" data-section="{escape(c.key)}">{note}{render_blocks(c.blocks)}</div>'


def header(h: Header) -> str:
    mark = f'<div class="mark"><span>{escape(h.mark)}</span></div>' if h.mark else ""
    return (f'<header class="nd30">{mark}<table class="nd30-head"><tr>'
            f'<td class="left"><div class="gov">{escape(h.governing_body)}</div>'
            f'<div class="org">{escape(h.school_name)}</div><div class="rule rule-org"></div></td>'
            '<td class="right"><div class="qh">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>'
            '<div class="tn"><span>Độc lập - Tự do - Hạnh phúc</span></div></td></tr><tr>'
            f'<td class="left so">Số: {escape(h.number)}</td>'
            f'<td class="right date">{escape(h.date_line)}</td></tr></table>'
            f'<div class="doc-type">{escape(h.doc_type)}</div>'
            f'<div class="trich-yeu">{escape(h.title)}</div><div class="rule rule-title"></div></header>')


def closing(c: Closing) -> str:
    recipients = "".join(f"<p>- {escape(r)}</p>" for r in c.recipients)
    titles = "".join(f'<p class="sg-title">{escape(t)}</p>' for t in c.title_lines)
    return (f'<section class="closing"><p class="closing-sentence">{escape(c.sentence)}</p>'
            f'<table class="sign"><tr><td class="recipients"><p class="nn">Nơi nhận:</p>{recipients}</td>'
            f'<td class="signer">{titles}<div class="sign-space"></div>'
            f'<p class="sg-name">{escape(c.signer_name)}</p></td></tr></table></section>')


_BLOCKS = {Heading: heading, Paragraph: paragraph, ItemList: item_list, Table: table, Chart: chart,
           Commentary: commentary, Header: header, Closing: closing}
