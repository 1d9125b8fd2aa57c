"""The Typst PDF renderer, checked on the files themselves (pypdf, pdftotext, pdffonts)."""

from __future__ import annotations

import copy
import re
import subprocess
import unicodedata
from dataclasses import fields
from pathlib import Path

import pypdf
import pytest

from kehoach_nb.model import (Closing, Commentary, Heading, Item, ItemList, Paragraph, Run,
                              Table, walk)
from kehoach_nb.plans import build_report
from kehoach_nb.render.typst import render_pdf

ROOT = Path(__file__).parent.parent
A4 = (595.28, 841.89)  # points

HOSTILE = ['#panic("x")', "$x^2$", "<script>alert(1)</script>", r"C:\thu_muc\tep \n \\",
           "*đậm* _nghiêng_ @nhan `mã` = tiêu đề", "// không phải chú thích", "#set page(width: 1cm)",
           '"] #{ } [ #let a = 1', "~ -- --- ..."]


@pytest.fixture(scope="module")
def th01():
    return build_report(str(ROOT / "tests/data/mini"), "TH01").document


@pytest.fixture(scope="module")
def th01_pdf(th01, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "th01.pdf"
    path.write_bytes(render_pdf(th01))
    return path


def pdftext(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def body_text(path: Path) -> str:
    """The whole text, page numbers (first line of pages 2…) taken out, whitespace normalised."""
    pages = pdftext(path).split("\f")
    out = []
    for n, page in enumerate(pages, start=1):
        lines = page.split("\n")
        if n > 1 and lines and lines[0].strip() == str(n):
            lines = lines[1:]
        out.append("\n".join(lines))
    return flat("\n".join(out))


def expected_lines(doc) -> list[str]:
    """Headings, table and chart captions and paragraphs, in reading order."""
    out = []
    for b in walk(doc.blocks):
        if isinstance(b, Heading):
            out.append(f"{b.number} {b.title}".strip())
        elif isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, ItemList):
            out += [f"{b.marker if b.marker != '1.' else f'{i}.'} {it.text}"
                    for i, it in enumerate(b.items, start=1)]
        elif isinstance(b, Table):
            out.append(b.title)
        elif isinstance(b, Closing):
            out.append(b.sentence)
    return [flat(x) for x in out if flat(x)]


def assert_in_order(doc, path: Path):
    # Typst may break a line after "/" or "-" (81/2021/NĐ-CP, TT-BGDĐT) and pdftotext drops a
    # hyphen at a line end: compare without whitespace and hyphens
    def squeeze(s):
        return re.sub(r"[\s\-]", "", s)
    text = squeeze(body_text(path))
    pos = 0
    for line in map(squeeze, expected_lines(doc)):
        found = text.find(line, pos)
        assert found >= 0, f"not found after position {pos}: {line!r}\n… {text[pos:pos + 300]!r}"
        pos = found + len(line)


def with_commentary(doc, text: str):
    """A copy of the document with a draft, stale commentary section before the closing."""
    doc = copy.deepcopy(doc)
    c = Commentary(key="kiem_thu", markdown=text, draft=True, stale=["so_hoc_sinh"],
                   blocks=[Paragraph([Run(text)]), Paragraph([Run(text, bold=True)], "subheading"),
                           ItemList([Item([Run(text, italic=True)])], "-")])
    at = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Closing))
    doc.blocks.insert(at, c)
    return doc


# --- page geometry, numbers, fonts ------------------------------------------------------

def test_a4_pages(th01_pdf):
    reader = pypdf.PdfReader(th01_pdf)
    assert len(reader.pages) >= 5
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)


def test_page_numbers_from_page_two(th01_pdf):
    first = pdftext(th01_pdf, 1, 1).strip().splitlines()[0].strip()
    assert not first.isdigit(), first
    assert pdftext(th01_pdf, 2, 2).strip().splitlines()[0].strip() == "2"
    assert pdftext(th01_pdf, 3, 3).strip().splitlines()[0].strip() == "3"


def test_fonts_embedded(th01_pdf):
    out = subprocess.run(["pdffonts", str(th01_pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    fonts = out[2:]
    assert fonts, out
    assert all("LiberationSerif" in f for f in fonts), out
    for f in fonts:
        # columns: name type encoding emb sub uni object ID
        assert re.search(r"\byes\s+yes\s+yes\b", f), f  # embedded, subset, ToUnicode


def test_header_on_first_page(th01, th01_pdf):
    page1 = flat(pdftext(th01_pdf, 1, 1))
    header = th01.blocks[0]
    for s in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
              header.school_name, header.governing_body, header.date_line, header.title):
        assert flat(s) in page1, s


# --- text -----------------------------------------------------------------------------

def test_text_in_reading_order(th01, th01_pdf):
    assert_in_order(th01, th01_pdf)


def test_text_in_reading_order_lower_secondary(tmp_path):
    doc = build_report(str(ROOT / "params/demo"), "THCS02", "ke_hoach_phat_trien_giao_duc").document
    path = tmp_path / "thcs02.pdf"
    path.write_bytes(render_pdf(doc))
    assert_in_order(doc, path)


def test_closing_with_signature_on_last_page(th01, th01_pdf):
    closing = next(b for b in th01.blocks if isinstance(b, Closing))
    n = len(pypdf.PdfReader(th01_pdf).pages)
    last = flat(pdftext(th01_pdf, n, n))
    assert flat(closing.sentence) in last  # never the signature alone
    assert flat(closing.signer_name) in last
    assert "Nơi nhận:" in last


def test_hostile_commentary_renders_literally(th01, tmp_path):
    text = " ".join(HOSTILE)
    path = tmp_path / "hostile.pdf"
    path.write_bytes(render_pdf(with_commentary(th01, text)))
    body = body_text(path)
    assert flat(text) in body
    assert "Cần xem lại: số liệu đã thay đổi từ khi viết (so_hoc_sinh)." in body
    assert all(float(p.mediabox.width) > 500 for p in pypdf.PdfReader(path).pages)


def test_decomposed_input_renders_as_composed(th01, tmp_path):
    nfd = copy.deepcopy(th01)

    def decompose(b):
        for name in ("title", "caption", "sentence", "signer_name", "school_name", "governing_body",
                     "date_line", "doc_type"):
            if name in {f.name for f in fields(b)} and isinstance(getattr(b, name), str):
                setattr(b, name, unicodedata.normalize("NFD", getattr(b, name)))
        for r in getattr(b, "runs", []):
            r.text = unicodedata.normalize("NFD", r.text)
        if isinstance(b, Table):
            b.rows = [[unicodedata.normalize("NFD", c) for c in row] for row in b.rows]
        if isinstance(b, Closing):
            b.title_lines = [unicodedata.normalize("NFD", t) for t in b.title_lines]
            b.recipients = [unicodedata.normalize("NFD", t) for t in b.recipients]

    for b in walk(nfd.blocks):
        decompose(b)
    assert any(unicodedata.normalize("NFC", b.title) != b.title
               for b in nfd.blocks if isinstance(b, Heading))
    a, b = tmp_path / "nfc.pdf", tmp_path / "nfd.pdf"
    a.write_bytes(render_pdf(th01))
    b.write_bytes(render_pdf(nfd))
    assert pdftext(b) == pdftext(a)


# --- landscape ---------------------------------------------------------------------------

@pytest.mark.parametrize("dataset,school", [("params/seeds", "seed001"), ("params/demo", "THCS03")])
def test_quality_plan_has_landscape_pages(tmp_path, dataset, school):
    # THCS03: a first layout spills two lines of the last criterion onto a fifth landscape page
    doc = build_report(str(ROOT / dataset), school, "ke_hoach_cai_tien_chat_luong").document
    assert any(isinstance(b, Table) and b.landscape for b in doc.blocks)
    path = tmp_path / "ctcl.pdf"
    path.write_bytes(render_pdf(doc))
    pages = pypdf.PdfReader(path).pages
    wide = [n for n, p in enumerate(pages, start=1) if p.mediabox.width > p.mediabox.height]
    assert wide and wide[0] > 1
    assert wide == list(range(wide[0], wide[-1] + 1))  # one run of landscape pages
    for n in wide:  # page numbers go on across the landscape pages
        assert pdftext(path, n, n).strip().splitlines()[0].strip() == str(n)
    # the criteria table (TT17/18) or the Biểu 2 plan (TT57) flows: far fewer pages than rows,
    # no near-empty last page
    table = max((b for b in doc.blocks if isinstance(b, Table) and b.landscape), key=lambda b: len(b.rows))
    assert len(wide) < len(table.rows) / 2
    assert len(pdftext(path, wide[-1], wide[-1]).split()) > 60
    assert_in_order(doc, path)


@pytest.mark.parametrize("portrait_rows", (39, 40, 41, 82))
def test_total_rows_never_open_a_page(tmp_path, portrait_rows):
    """Whatever the length of the table, the totals share a page with the last row they sum."""
    from kehoach_nb.model import Document
    from kehoach_nb.tables import make_table

    rows = [[f"Dòng {i}", str(i)] for i in range(1, portrait_rows + 1)] + [["Tổng cộng", "x"]]
    table = make_table("Bảng thử", [[("Mục", 1, 1), ("Số", 1, 1)]], rows, total_rows=1)
    doc = Document("ke_hoach_phat_trien_giao_duc", {}, "Thử", [Paragraph([Run("Mở đầu.")]), table])
    path = tmp_path / "t.pdf"
    path.write_bytes(render_pdf(doc))
    pages = [p.extract_text() for p in pypdf.PdfReader(path).pages]
    last = next(p for p in pages if "Tổng cộng" in p)
    assert f"Dòng {portrait_rows}" in last
