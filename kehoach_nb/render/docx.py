"""The document model as a Word file (python-docx): what an office accepts as its own.

Real tables with merged cells, the NĐ 30 header as a borderless table, Times New Roman,
named styles a văn thư can restyle, page numbers (a PAGE field) from page 2, landscape
sections for wide tables, charts as pictures."""

from __future__ import annotations

import functools
import io
import re

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from ..model import (Chart, Closing, Commentary, Document, Header, Heading, ItemList, Paragraph,
                     Run, Table)
from .typst import render_png
from .docx_parts import (FONT, P_PR, R_PR, add_page_number, put, borderless, cell_text, keep_table_rows, place_cells,
                         set_widths, setup_styles)

PORTRAIT = {"width": Mm(210), "height": Mm(297), "margins": (Mm(20), Mm(20), Mm(30), Mm(15))}
LANDSCAPE = {"width": Mm(297), "height": Mm(210), "margins": (Mm(20), Mm(15), Mm(20), Mm(20))}
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text Word can store: no XML-invalid control characters."""
    return _INVALID.sub("", text)


class _Writer:
    def __init__(self, doc: Document):
        self.model = doc
        template, ids = _template()
        self.d = new_docx(io.BytesIO(template))  # styles prepared once per process
        self.ids = dict(ids)
        self.grid_style = self.d.styles["Table Grid"]  # looked up once: a name lookup costs ~3 ms
        self.landscape = False
        self._page(self.d.sections[0], PORTRAIT)
        self.d.sections[0].different_first_page_header_footer = True
        add_page_number(self.d.sections[0])
        header = next((b for b in doc.blocks if isinstance(b, Header)), None)
        props = self.d.core_properties
        props.title, props.author = clean(doc.title), clean(header.school_name) if header else ""
        props.language = "vi-VN"
        props.comments = ""

    def para(self, style: str, text: str = "", container=None):
        """A paragraph in a named style (style ids looked up once: python-docx's lookup is slow)."""
        p = (container or self.d).add_paragraph(text)
        if style != "Normal":
            p._p.style = self.ids[style]
        return p

    @staticmethod
    def _page(section, spec) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if spec is LANDSCAPE else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = spec["width"], spec["height"]
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = spec["margins"]
        section.header_distance = Mm(10)

    def orient(self, landscape: bool) -> None:
        if landscape == self.landscape:
            return
        section = self.d.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False  # numbered like every page after 1
        self._page(section, LANDSCAPE if landscape else PORTRAIT)
        self.landscape = landscape

    @property
    def text_width(self):
        spec = LANDSCAPE if self.landscape else PORTRAIT
        return spec["width"] - spec["margins"][2] - spec["margins"][3]

    # --- blocks -------------------------------------------------------------------------
    def runs(self, p, runs: list[Run], size: float | None = None) -> None:
        for r in runs:
            for i, piece in enumerate(clean(r.text).split("\n")):
                if i:
                    p.add_run().add_break(WD_BREAK.LINE)
                if piece:
                    run = p.add_run(piece)
                    run.bold, run.italic = r.bold or None, r.italic or None
                    if size:
                        run.font.size = Pt(size)

    def paragraph(self, b: Paragraph, draft: bool = False) -> None:
        style = {"can_cu": "Căn cứ", "subheading": "Tiêu đề nhỏ", "note": "Ghi chú"}.get(b.style, "Normal")
        p = self.para(style)
        self.runs(p, b.runs)
        if draft:
            _left_rule(p)

    def heading(self, b: Heading) -> None:
        p = self.para(f"Heading {min(b.level, 4)}")
        if b.new_page:
            p.paragraph_format.page_break_before = True
        if b.level == 1 and b.number:
            p.add_run(clean(b.number)).add_break(WD_BREAK.LINE)
            p.add_run(clean(b.title))
        else:
            p.add_run(clean(f"{b.number} {b.title}".strip()))

    def item_list(self, b: ItemList, draft: bool = False) -> None:
        for n, item in enumerate(b.items, start=1):
            p = self.para("Normal")
            p.paragraph_format.first_line_indent = Cm(1.27 * (item.level + 1))
            p.add_run(f"{n}. " if b.marker == "1." else f"{b.marker} ")
            self.runs(p, item.runs)
            if draft:
                _left_rule(p)

    def table(self, b: Table) -> None:
        self.orient(b.landscape)
        if b.title:
            self.para("Tên bảng", clean(b.title))
        cols = b.columns
        t = self.d.add_table(rows=len(b.header) + len(b.rows), cols=cols)
        t.style = self.grid_style
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = _widths(b, cols, self.text_width)
        grid = t._cells
        size = 11 if b.landscape else 12
        for (r, c, rs, cs), text in place_cells(b.header):
            cell = grid[r * cols + c]  # cells placed before any merge (python-docx's t.cell recomputes all)
            if rs > 1 or cs > 1:
                cell = cell.merge(grid[(r + rs - 1) * cols + c + cs - 1])
            cell_text(cell, clean(text), size, self.ids, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        start = len(b.header)
        for i, row in enumerate(b.rows):
            cells = t.rows[start + i].cells
            total = i >= len(b.rows) - b.total_rows
            nums = b.numeric[i] if i < len(b.numeric) else []
            for j, v in enumerate(row[:cols]):
                right = j < len(nums) and nums[j]
                cell_text(cells[j], clean(v), size, self.ids, bold=total,
                          align=WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT)
            if b.total_rows and len(b.rows) - b.total_rows - 1 <= i < len(b.rows) - 1:
                for cell in cells:  # Word keeps the last body row and the totals on one page
                    for p in cell.paragraphs:
                        p.paragraph_format.keep_with_next = True
        set_widths(t, widths)
        keep_table_rows(t, len(b.header), split=b.landscape)
        for note in b.notes:
            self.para("Ghi chú", clean(note))
        self.para("Cách bảng")

    def chart(self, b: Chart) -> None:
        self.orient(False)
        p = self.para("Hình")
        p.add_run().add_picture(io.BytesIO(render_png(b.svg)), width=Cm(16))
        self.para("Tên hình", clean(b.title))

    def commentary(self, b: Commentary) -> None:
        if b.stale:
            p = self.para("Ghi chú")
            run = p.add_run(clean("Cần xem lại: số liệu đã thay đổi từ khi viết (" + "; ".join(b.stale) + ")."))
            run.font.color.rgb = RGBColor(0x8A, 0, 0)
        for x in b.blocks:
            if isinstance(x, Paragraph):
                self.paragraph(x, b.draft)
            elif isinstance(x, ItemList):
                self.item_list(x, b.draft)
            elif isinstance(x, Table):
                self.table(x)
                self.orient(False)

    def header(self, b: Header) -> None:
        if b.mark:
            p = self.para("Dấu dự thảo")
            run = p.add_run(clean(b.mark))
            run.bold = True
            border = put(run._r.get_or_add_rPr(), "bdr", R_PR)  # boxed, as on the PDF
            for key, value in (("val", "single"), ("sz", "8"), ("space", "2"), ("color", "000000")):
                border.set(qn(f"w:{key}"), value)
        t = self.d.add_table(rows=2, cols=2)
        borderless(t)
        w = self.text_width
        left = [(b.governing_body, 12, False), (b.school_name, 12, True)]
        right = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True), ("Độc lập - Tự do - Hạnh phúc", 13, True)]
        for cell, lines, rule in ((t.cell(0, 0), left, "40%"), (t.cell(0, 1), right, "52%")):
            cell_text(cell, "", 12, self.ids, align=WD_ALIGN_PARAGRAPH.CENTER)
            first = True
            for text, size, bold in lines:
                p = cell.paragraphs[0] if first else self.para("Chữ trong bảng", "", cell)
                p.alignment, first = WD_ALIGN_PARAGRAPH.CENTER, False
                p.paragraph_format.space_after = Pt(0)
                run = p.add_run(clean(text))
                run.bold, run.font.size = bold, Pt(size)
            rule = self.para("Chữ trong bảng", "", cell)
            rule.paragraph_format.line_spacing = Pt(4)
            _rule_below(rule, 2.2 if rule is not None and lines is left else 2.0)
        cell_text(t.cell(1, 0), clean(f"Số: {b.number}"), 13, self.ids, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell_text(t.cell(1, 1), clean(b.date_line), 14, self.ids, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        set_widths(t, [int(w * 0.44), w - int(w * 0.44)])
        self.para("Tên loại văn bản", clean(b.doc_type))
        self.para("Trích yếu", clean(b.title)).paragraph_format.space_after = Pt(0)
        rule = self.para("Trích yếu")  # a short rule of its own: the title keeps the full width
        rule.paragraph_format.line_spacing = Pt(4)
        _rule_below(rule, (self.text_width - Cm(5)) / Cm(1) / 2)

    def closing(self, b: Closing) -> None:
        self.orient(False)
        p = self.para("Normal", clean(b.sentence))
        p.paragraph_format.keep_with_next = True
        t = self.d.add_table(rows=1, cols=2)
        borderless(t)
        left, right = t.cell(0, 0), t.cell(0, 1)
        cell_text(left, "Nơi nhận:", 12, self.ids, bold=True, italic=True, style="Nơi nhận")
        for r in b.recipients:
            self.para("Nơi nhận", clean(f"- {r}"), left).runs[0].font.size = Pt(11)
        cell_text(right, clean(b.title_lines[0]) if b.title_lines else "", 14, self.ids, bold=True, style="Chữ ký")
        for line in b.title_lines[1:]:
            self.para("Chữ ký", "", right).add_run(clean(line)).bold = True
        self.para("Chữ ký", "", right).paragraph_format.space_before = Mm(24)
        self.para("Chữ ký", "", right).add_run(clean(b.signer_name)).bold = True
        w = self.text_width
        set_widths(t, [int(w * 0.45), w - int(w * 0.45)])
        keep_table_rows(t, 0, split=False)

    def block(self, b, wide: bool) -> None:
        if not isinstance(b, Table):
            self.orient(wide)
        {Heading: self.heading, Paragraph: self.paragraph, ItemList: self.item_list, Chart: self.chart,
         Commentary: self.commentary, Header: self.header, Closing: self.closing,
         Table: self.table}[type(b)](b)

    def render(self) -> bytes:
        for b, wide in zip(self.model.blocks, landscape_flags(self.model.blocks)):
            self.block(b, wide)
        buf = io.BytesIO()
        self.d.save(buf)
        return buf.getvalue()


@functools.cache
def _template() -> tuple[bytes, dict[str, str]]:
    """python-docx's default document with the plan's styles, saved once (restyling costs ~30 ms)."""
    d = new_docx()
    ids = setup_styles(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue(), ids


def landscape_flags(blocks: list) -> list[bool]:
    """Which blocks go in a landscape section: wide tables and the headings just before them."""
    flags = [isinstance(b, Table) and b.landscape for b in blocks]
    for i in range(len(blocks) - 2, -1, -1):
        if isinstance(blocks[i], Heading) and flags[i + 1]:
            flags[i] = True
    return flags


def _widths(b: Table, cols: int, total) -> list[int]:
    """Given widths, else the first column as wide as its longest word run needs (at most a
    third), the others equal: as the PDF lays them out."""
    if len(b.widths) == cols:
        return [int(total * w / sum(b.widths)) for w in b.widths]
    longest = max((len(r[0]) for r in b.rows if r), default=8)
    first = min(int(total / 3), max(int(total * 0.12), Pt(longest * 6 + 12)))
    rest = (total - first) // max(cols - 1, 1)
    return [first] + [rest] * (cols - 1)


def _rule_below(p, indent_cm: float = 1.5) -> None:
    """A short rule under a header line, as NĐ 30 draws it (a bottom border on the paragraph)."""
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    put(p._p.get_or_add_pPr(), "pBdr", P_PR).append(bottom)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(indent_cm)


def _left_rule(p) -> None:
    """A grey rule at the left of a generated draft paragraph."""
    left = OxmlElement("w:left")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "888888")):
        left.set(qn(k), v)
    put(p._p.get_or_add_pPr(), "pBdr", P_PR).append(left)


def render_docx(doc: Document) -> bytes:
    """The Word file of a document, as bytes."""
    return _Writer(doc).render()


__all__ = ["render_docx", "FONT"]
