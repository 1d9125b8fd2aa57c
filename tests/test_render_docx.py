"""The Word rendering, checked on the files themselves (python-docx, the raw XML, LibreOffice)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from kehoach_nb.model import (Closing, Commentary, Document, Header, Heading, HeadCell, Item,
                              ItemList, Paragraph, Run, Table, plain_text, walk)
from kehoach_nb.plans import build_report
from kehoach_nb.render.docx import render_docx

FONT = "Times New Roman"


@pytest.fixture(scope="module")
def mini():
    doc = build_report("tests/data/mini", "TH01").document
    return doc, render_docx(doc)


@pytest.fixture(scope="module")
def quality():
    doc = build_report("params/seeds", "seed001", "ke_hoach_cai_tien_chat_luong").document
    return doc, render_docx(doc)


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _body_lines(data: bytes) -> list[str]:
    """Paragraph texts and table-cell texts of the body, in reading order (merged cells once)."""
    d = open_docx(io.BytesIO(data))
    out = []

    def cell_lines(tc):
        vm = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
        if vm is not None and vm.get(qn("w:val")) in (None, "continue"):
            return  # continuation of a vertical merge: its text is in the first cell
        text = "\n".join(_p_text(p) for p in tc.iterchildren(qn("w:p")))
        out.append(_norm(text))
        for p in tc.iterchildren(qn("w:p")):
            out.append(_norm(_p_text(p)))

    for el in d.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(_norm(_p_text(el)))
        elif el.tag == qn("w:tbl"):
            for tr in el.iterchildren(qn("w:tr")):
                for tc in tr.iterchildren(qn("w:tc")):
                    cell_lines(tc)
    return [x for x in out if x]


def _p_text(p) -> str:
    parts = []
    for el in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        parts.append(el.text or "" if el.tag == qn("w:t") else ("\n" if el.tag == qn("w:br") else "\t"))
    return "".join(parts)


def _expected(doc: Document) -> list[str]:
    """plain_text's lines for headings, paragraphs, lists, table captions and cells, in order."""
    out = []
    for b in walk(doc.blocks):
        if isinstance(b, Heading):
            out.append(f"{b.number} {b.title}")
        elif isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, ItemList):
            out += [f"{b.marker} {i.text}" if b.marker in "+-" else i.text for i in b.items]
        elif isinstance(b, Table):
            out.append(b.title)
            out += [c.text for row in b.header for c in row]
            out += [v for row in b.rows for v in row]
            out += list(b.notes)
        elif isinstance(b, Closing):
            out += [b.sentence, "Nơi nhận:", *b.recipients, *b.title_lines, b.signer_name]
    return [_norm(x) for x in out if _norm(x)]


def _in_order(expected: list[str], got: list[str]) -> None:
    i = 0
    for want in expected:
        j = i
        while j < len(got) and want not in got[j]:
            j += 1
        assert j < len(got), f"missing or out of order: {want!r} (searched from {got[i:i + 3]!r})"
        i = j  # several expected strings may sit in one paragraph or cell


def test_text_same_as_model_in_order(mini, quality):
    for doc, data in (mini, quality):
        expected = _expected(doc)
        # the model's own plain text has these lines too (the golden files compare it)
        plain = _norm(plain_text(doc))
        assert all(x in plain for x in expected[:50])
        _in_order(expected, _body_lines(data))


def test_xml_well_formed_and_table_grids_consistent(mini, quality):
    for _, data in (mini, quality):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    etree.fromstring(z.read(name))
        d = open_docx(io.BytesIO(data))
        for tbl in d.element.body.iter(qn("w:tbl")):
            cols = len(tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol")))
            for tr in tbl.iterchildren(qn("w:tr")):
                spans = [int(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")))
                         if tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}") is not None else 1
                         for tc in tr.iterchildren(qn("w:tc"))]
                assert sum(spans) == cols


def test_header_table_borderless(mini):
    doc, data = mini
    d = open_docx(io.BytesIO(data))
    first = d.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first._tbl.xml
    header = next(b for b in doc.blocks if isinstance(b, Header))
    assert header.school_name in first._tbl.xml
    borders = first._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = borders.find(qn(f"w:{edge}"))
        assert el is not None and el.get(qn("w:val")) in ("nil", "none"), edge
    assert not first._tbl.findall(f".//{qn('w:tcBorders')}")
    style = first._tbl.tblPr.find(qn("w:tblStyle"))
    assert style is None or style.get(qn("w:val")) not in ("TableGrid",)


def test_page_number_field_not_on_first_page(mini, quality):
    for _, data in (mini, quality):
        d = open_docx(io.BytesIO(data))
        s0 = d.sections[0]
        assert s0.different_first_page_header_footer  # w:titlePg
        assert s0._sectPr.find(qn("w:titlePg")) is not None
        assert "PAGE" in "".join(t.text or "" for t in s0.header._element.iter(qn("w:instrText")))
        first = s0.first_page_header
        assert not first.is_linked_to_previous
        assert not "".join(p.text for p in first.paragraphs).strip()
        assert not first._element.findall(f".//{qn('w:instrText')}")
        for s in d.sections[1:]:  # later sections number every page (linked or repeated)
            assert not s.different_first_page_header_footer
            hdr = s.header
            xml = hdr._element.xml if not hdr.is_linked_to_previous else s0.header._element.xml
            assert "PAGE" in xml


def test_margins_page_size_fonts(mini):
    _, data = mini
    d = open_docx(io.BytesIO(data))
    s = d.sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(0.5) and abs(s.page_height - Mm(297)) < Mm(0.5)
    assert abs(s.top_margin - Mm(20)) < Mm(0.5) and abs(s.bottom_margin - Mm(20)) < Mm(0.5)
    assert abs(s.left_margin - Mm(30)) < Mm(0.5) and abs(s.right_margin - Mm(15)) < Mm(0.5)
    normal = d.styles["Normal"]
    assert normal.font.name == FONT
    assert Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(qn(attr)) == FONT, attr
    # no run names another font, and every paragraph style in use resolves to Times New Roman
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    for f in root.iter(qn("w:rFonts")):
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            assert f.get(qn(attr)) in (None, FONT), (attr, f.get(qn(attr)))
    used = {v.get(qn("w:val")) for v in root.iter(qn("w:pStyle"))}
    for style in [d.styles.get_by_id(i, 1) for i in used] + [normal]:
        s = style
        while s is not None and s.font.name is None:
            s = s.base_style
        assert s is not None and s.font.name == FONT, style.name


def test_named_styles_and_properties(mini):
    doc, data = mini
    d = open_docx(io.BytesIO(data))
    names = {s.name for s in d.styles}
    for name in ("Heading 1", "Heading 2", "Heading 3", "Nơi nhận", "Chữ ký", "Căn cứ"):
        assert name in names, name
    used = {p.style.name for p in d.paragraphs}
    assert {"Heading 1", "Heading 2"} <= used
    props = d.core_properties
    header = next(b for b in doc.blocks if isinstance(b, Header))
    assert props.title == doc.title and props.author == header.school_name
    assert props.language == "vi-VN"
    for p in d.paragraphs:
        if p.style.name.startswith("Heading"):
            pf, spf = p.paragraph_format, p.style.paragraph_format
            assert pf.keep_with_next or spf.keep_with_next, p.text


def test_merged_header_cells_and_repeated_rows(mini):
    doc, data = mini
    assert any(c.colspan > 1 for b in walk(doc.blocks) if isinstance(b, Table) for r in b.header for c in r)
    assert any(c.rowspan > 1 for b in walk(doc.blocks) if isinstance(b, Table) for r in b.header for c in r)
    d = open_docx(io.BytesIO(data))
    body = d.element.body
    assert body.findall(f".//{qn('w:gridSpan')}")
    assert any(v.get(qn("w:val")) == "restart" for v in body.iter(qn("w:vMerge")))
    assert body.findall(f".//{qn('w:tblHeader')}")
    assert body.findall(f".//{qn('w:cantSplit')}")


def test_signature_kept_with_closing_sentence(mini):
    doc, data = mini
    closing = next(b for b in doc.blocks if isinstance(b, Closing))
    d = open_docx(io.BytesIO(data))
    sentence = next(p for p in d.paragraphs if _norm(p.text) == _norm(closing.sentence))
    assert sentence.paragraph_format.keep_with_next
    sig = d.tables[-1]
    assert closing.signer_name in sig._tbl.xml and "Nơi nhận" in sig._tbl.xml
    assert sig._tbl.tblPr.find(qn("w:tblBorders")) is not None
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tr in sig._tbl.tr_lst)


def test_landscape_section_for_quality_plan(quality):
    doc, data = quality
    assert any(isinstance(b, Table) and b.landscape for b in walk(doc.blocks))
    d = open_docx(io.BytesIO(data))
    wide = [s for s in d.sections if s.orientation == 1]  # WD_ORIENT.LANDSCAPE
    assert wide and all(s.page_width > s.page_height for s in wide)
    assert d.sections[-1].page_width < d.sections[-1].page_height  # back to portrait to sign


NASTY = 'a <b>&amp; "q" \x0b tab\x00 null \x1f end & <'


def _hostile(frame: str = "") -> Document:
    """A hostile commentary; with frame=NASTY the title, header and closing are hostile too."""
    nasty = NASTY
    return Document(
        kind="ke_hoach_phat_trien_giao_duc", params={"school_id": "X"}, title=f"T {frame}",
        blocks=[
            Header("PHÒNG GD&ĐT <X>", f"TRƯỜNG {frame}", "1/KH-X", "X, ngày 1 tháng 1 năm 2025",
                   "KẾ HOẠCH", f"Tiêu đề {frame}"),
            Heading(1, "Phần thứ nhất", f"PHẦN {nasty}"),
            Commentary("k", nasty, blocks=[
                Paragraph([Run(nasty), Run(" đậm\x0b", bold=True)]),
                ItemList([Item([Run(nasty)]), Item([Run("x\x00y")], level=1)]),
                Table(f"bảng {nasty}", [[HeadCell(nasty, rowspan=2), HeadCell("h", colspan=2)],
                                        [HeadCell("a"), HeadCell("b\x0c")]],
                      [[nasty, "1", "2"]], number=1, notes=[nasty]),
            ], stale=[nasty], draft=True),
            Closing(f"Câu kết {frame}", [f"nơi {frame}"], ["HIỆU TRƯỞNG"], f"Tên {frame}"),
        ])


@pytest.mark.parametrize("frame", ["", NASTY], ids=["commentary", "title_header_closing_too"])
def test_hostile_commentary_does_not_break_the_file(frame):
    data = render_docx(_hostile(frame))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                etree.fromstring(z.read(name))
    d = open_docx(io.BytesIO(data))
    text = "\n".join(_body_lines(data))
    assert 'a <b>&amp; "q" tab null end & <' in text  # (whitespace normalised)
    assert "\x00" not in text and "\x0b" not in text
    assert "xy" in text
    assert "Cần xem lại: số liệu đã thay đổi" in text  # the stale line comes first


def test_charts_are_pictures(mini):
    doc, data = mini
    d = open_docx(io.BytesIO(data))
    pics = d.inline_shapes
    assert len(pics) == len(doc.charts()) > 0
    assert all(abs(p.width - Mm(160)) < Mm(5) for p in pics)
    captions = [p for p in d.paragraphs if any(p.text == c.title for c in doc.charts())]
    assert len(captions) == len(doc.charts())
    assert all(all(r.italic or p.style.font.italic for r in p.runs) for p in captions)


def _soffice_pdf(data: bytes, tmp_path, tag: str):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: the Debian package libreoffice-writer-nogui provides it")
    src = tmp_path / f"{tag}.docx"
    src.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo_profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / f"{tag}.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    return pdf


def test_libreoffice_converts(mini, quality, tmp_path):
    for tag, (_, data) in (("mini", mini), ("quality", quality), ("hostile", (None, render_docx(_hostile())))):
        pdf = _soffice_pdf(data, tmp_path, tag)
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            print(f"{tag}: {pages} pages")
            assert pages >= 1


# Word (unlike LibreOffice) asks to repair a file whose property elements are out of schema order.
SCHEMA_ORDER = {
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
             "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
           "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
           "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
           "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
           "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
           "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "sectPr": "footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType cols formProt "
              "vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings sectPrChange",
}


def test_property_elements_in_schema_order(mini, quality):
    for _, data in (mini, quality, (None, render_docx(_hostile(NASTY[:8])))):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = [n for n in z.namelist() if re.match(r"word/(document|styles|header\d+|footer\d+)\.xml", n)]
            for name in parts:
                root = etree.fromstring(z.read(name))
                for tag, seq in SCHEMA_ORDER.items():
                    order = seq.split()
                    for el in root.iter(qn(f"w:{tag}")):
                        idx = [order.index(etree.QName(c).localname) for c in el
                               if etree.QName(c).localname in order]
                        names = [etree.QName(c).localname for c in el]
                        assert idx == sorted(idx), (name, tag, names)
                        assert len(idx) == len(set(idx)), (name, tag, "repeated", names)


def test_draft_mark_is_boxed():
    head = Header("UBND XÃ HÒA LÂM", "TRƯỜNG TIỂU HỌC HÒA LÂM", "Số: 1/KH-THHL", "Hòa Lâm, ngày 1 tháng 9 năm 2026",
                  "KẾ HOẠCH", "Phát triển giáo dục", mark="DỰ THẢO")
    d = open_docx(io.BytesIO(render_docx(Document("ke_hoach_phat_trien_giao_duc", {}, "t", [head]))))
    mark = next(p for p in d.paragraphs if p.text == "DỰ THẢO")
    border = mark.runs[0]._r.rPr.find(qn("w:bdr"))
    assert border is not None and border.get(qn("w:val")) == "single"
    assert (mark.alignment or mark.style.paragraph_format.alignment) == 2  # right, as on the PDF


def test_total_rows_are_kept_with_the_last_row_they_sum():
    from kehoach_nb.tables import make_table

    rows = [[f"Dòng {i}", str(i)] for i in range(1, 6)] + [["Tổng cộng", "15"], ["Bình quân", "3"]]
    table = make_table("Bảng thử", [[("Mục", 1, 1), ("Số", 1, 1)]], rows, total_rows=2)
    doc = Document("ke_hoach_phat_trien_giao_duc", {}, "Thử", [table])
    word = open_docx(io.BytesIO(render_docx(doc))).tables[-1]
    keep = [all(p.paragraph_format.keep_with_next for c in r.cells for p in c.paragraphs) for r in word.rows]
    assert keep[1:] == [False] * 4 + [True, True, False]  # row 5 and the first total go with the next
