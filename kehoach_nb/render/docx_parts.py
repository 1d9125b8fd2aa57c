"""Word details python-docx has no API for: styles with East Asian fonts, the PAGE field,
borderless and repeated-header tables, merged-cell placement, cell widths."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..model import HeadCell

# Child order that the WordprocessingML schema requires (Word asks to "repair" a file otherwise).
TBL_PR = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
          "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
          "tblLayout", "tblCellMar", "tblLook")
P_PR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
        "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc")
R_PR = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
        "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
        "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd")
TR_PR = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
         "tblHeader", "tblCellSpacing", "jc", "hidden")


def put(parent, tag: str, order: tuple[str, ...]):
    """The child `w:<tag>` of a properties element, created in its schema position if absent."""
    found = parent.find(qn(f"w:{tag}"))
    if found is not None:
        return found
    el = OxmlElement(f"w:{tag}")
    later = {qn(f"w:{t}") for t in order[order.index(tag) + 1:]}
    for i, child in enumerate(parent):
        if child.tag in later:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


FONT = "Times New Roman"  # LibreOffice shows it in Liberation Serif, its metric twin

# name: (base, size, bold, italic, align, first-line indent cm, space before, space after, keep with next)
STYLES = {
    "Normal": (None, 14, None, None, WD_ALIGN_PARAGRAPH.JUSTIFY, 1.27, 0, 6, False),
    "Heading 1": ("Normal", 14, True, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 8, 6, True),
    "Heading 2": ("Normal", 14, True, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 4, 6, True),
    "Heading 3": ("Normal", 14, True, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 2, 6, True),
    "Heading 4": ("Normal", 14, True, True, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 6, True),
    "Căn cứ": ("Normal", 14, None, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 1.27, 0, 6, False),
    "Tiêu đề nhỏ": ("Normal", 14, True, True, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 6, True),
    "Ghi chú": ("Normal", 12, None, True, WD_ALIGN_PARAGRAPH.LEFT, 0, 2, 2, False),
    "Tên bảng": ("Normal", 13, True, None, WD_ALIGN_PARAGRAPH.CENTER, 0, 6, 4, True),
    "Chữ trong bảng": ("Normal", 12, None, None, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 0, False),
    "Cách bảng": ("Normal", 6, None, None, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 0, False),
    "Hình": ("Normal", 14, None, None, WD_ALIGN_PARAGRAPH.CENTER, 0, 6, 2, True),
    "Tên hình": ("Normal", 13, None, True, WD_ALIGN_PARAGRAPH.CENTER, 0, 0, 8, False),
    "Tên loại văn bản": ("Normal", 14, True, None, WD_ALIGN_PARAGRAPH.CENTER, 0, 12, 0, True),
    "Trích yếu": ("Normal", 14, True, None, WD_ALIGN_PARAGRAPH.CENTER, 0, 0, 12, True),
    "Dấu dự thảo": ("Normal", 13, True, None, WD_ALIGN_PARAGRAPH.RIGHT, 0, 0, 4, True),
    "Nơi nhận": ("Normal", 11, None, None, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 0, False),
    "Chữ ký": ("Normal", 14, None, None, WD_ALIGN_PARAGRAPH.CENTER, 0, 0, 0, False),
}


def _fonts(style) -> None:
    style.font.name = FONT
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def setup_styles(d) -> dict[str, str]:
    """Named paragraph styles in the document's look; headings are Word's own, restyled.
    Returns style name -> style id."""
    styles = d.styles
    ids = {}
    for name, (base, size, bold, italic, align, indent, before, after, keep) in STYLES.items():
        style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if base:
            style.base_style = styles[base]
        _fonts(style)
        style.font.size, style.font.bold, style.font.italic = Pt(size), bold, italic
        style.font.color.rgb = RGBColor(0, 0, 0)
        pf = style.paragraph_format
        pf.alignment, pf.first_line_indent = align, Cm(indent)
        pf.space_before, pf.space_after, pf.keep_with_next = Pt(before), Pt(after), keep
        pf.line_spacing = 1.0
        ids[name] = style.style_id
    return ids


def add_page_number(section) -> None:
    """A centred PAGE field in the header; the first page's header stays empty."""
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            if text == " PAGE ":
                el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    run.font.size = Pt(13)
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].text = ""


def borderless(table) -> None:
    """No borders at all (the NĐ 30 header, the signature block)."""
    borders = put(table._tbl.tblPr, "tblBorders", TBL_PR)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)


def cell_text(cell, text: str, size: float, ids: dict, bold: bool = False, italic: bool = False,
              align=None, style: str = "Chữ trong bảng") -> None:
    """Replace a cell's text; "\n" starts a new line."""
    p = cell.paragraphs[0]
    p._p.style = ids[style]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    if align is not None:
        p.alignment = align
    for i, line in enumerate(text.split("\n")):
        if i:
            p.add_run().add_break()
        if line:
            run = p.add_run(line)
            run.bold, run.italic, run.font.size = bold or None, italic or None, Pt(size)


def set_widths(table, widths: list[int]) -> None:
    """Fixed column widths (grid and every cell), so Word and LibreOffice lay out alike."""
    table.autofit = False  # w:tblLayout fixed
    tbl_w = put(table._tbl.tblPr, "tblW", TBL_PR)
    tbl_w.set(qn("w:w"), str(int(sum(widths) / 635)))  # EMU -> twentieths of a point
    tbl_w.set(qn("w:type"), "dxa")
    for col, w in zip(table.columns, widths):
        col.width = w
    for tc in table._tbl.iter_tcs():
        span = tc.grid_span
        start = _grid_index(tc)
        tc.width = sum(widths[start:start + span])


def _grid_index(tc) -> int:
    """The grid column where a cell starts (earlier cells of its row and their spans)."""
    i = 0
    for prev in tc.itersiblings(preceding=True, tag=qn("w:tc")):
        i += prev.grid_span
    return i


def keep_table_rows(table, header_rows: int, split: bool) -> None:
    """Header rows repeat on every page; short rows are not split across pages."""
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        if not split:
            put(tr_pr, "cantSplit", TR_PR)
        if i < header_rows:
            put(tr_pr, "tblHeader", TR_PR)


def place_cells(header: list[list[HeadCell]]) -> list[tuple[tuple[int, int, int, int], str]]:
    """Grid positions (row, column, rowspan, colspan) of spanned header cells, HTML rules."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(header):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append(((r, c, cell.rowspan, cell.colspan), cell.text))
            taken |= {(r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan)}
            c += cell.colspan
    return out
