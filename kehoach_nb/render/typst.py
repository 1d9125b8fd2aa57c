"""The document model as an A4 PDF through Typst (in-process, fonts embedded).

The model travels to a fixed template (templates/typst/plan.typ) as JSON data, so no text
written by a school is ever read as Typst markup."""

from __future__ import annotations

import ctypes
import json
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

from ..model import Document, Header, Table, block_to_json

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "typst" / "plan.typ"
RASTER = TEMPLATE.with_name("raster.typ")  # one chart, as a picture
FONT = "Liberation Serif"


@cache
def _compiler():
    import typst

    font = subprocess.run(["fc-match", "-f", "%{file}", FONT], capture_output=True, text=True,
                          check=True).stdout
    return typst.Compiler(str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=[str(Path(font).parent)],
                          ignore_system_fonts=True)


def document_json(doc: Document) -> str:
    """The model as the template reads it (NFC text, the school as author)."""
    header = next((b for b in doc.blocks if isinstance(b, Header)), None)
    data = {"title": doc.title, "author": header.school_name if header else "",
            "blocks": [block_to_json(b) for b in doc.blocks]}
    return unicodedata.normalize("NFC", json.dumps(data, ensure_ascii=False))


# A run of landscape pages whose last page holds less than this share of its text height (a
# wide table spilling a row or two) is laid out again with slightly denser wide tables.
SPILL = 0.2
WIDE_TOP, WIDE_TEXT = 20 * 72 / 25.4, (210 - 20 - 15) * 72 / 25.4  # landscape margins (pt)


def _spills(compiler) -> bool:
    marks = json.loads(compiler.query("<wide>", field="value"))
    for start, end in zip(marks[::2], marks[1::2]):
        if end["page"] > start["page"] and (end["y"] - WIDE_TOP) < SPILL * WIDE_TEXT:
            return True
    return False


@cache
def _rasteriser():
    import typst

    return typst.Compiler(str(RASTER), root=str(RASTER.parent), font_paths=[], ignore_system_fonts=True)


def render_png(svg: str, ppi: int = 200) -> bytes:
    """A chart's SVG as a PNG picture, 16 cm wide (for Word, which takes no SVG)."""
    return _rasteriser().compile(format="png", ppi=ppi, sys_inputs={"svg": svg})


def render_pdf(doc: Document) -> bytes:
    """A4 PDF of the document; raises typst.TypstError with Typst's diagnostic on failure."""
    try:
        compiler, data = _compiler(), document_json(doc)
        pdf = compiler.compile(format="pdf", sys_inputs={"doc": data})
        if any(isinstance(b, Table) and b.landscape for b in doc.blocks) and _spills(compiler):
            pdf = compiler.compile(format="pdf", sys_inputs={"doc": data, "tight": "1"})
        return pdf
    finally:
        release_memory()


# Typst memoises in a process-wide cache; typst-py ages it once per compile (comemo::evict(10),
# src/compiler.rs) and offers no way to clear it. A pool worker rendering school after school
# kept ~170 MB of results of documents long done; EVICT_ROUNDS compiles of a one-letter
# document age them all out (bench/README.md, run 12). Raise it if typst-py's age changes.
EVICT_ROUNDS = 11


@cache
def _flusher():
    import typst

    return typst.Compiler(b"x", font_paths=[], ignore_system_fonts=True)


@cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # glibc
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Drop Typst's memoised results and give the freed pages back to the system (~10 ms)."""
    flusher = _flusher()
    for _ in range(EVICT_ROUNDS):
        flusher.compile(input=b"x", format="svg")  # typst-py forgets a bytes input: pass it again
    if (trim := _malloc_trim()) is not None:
        trim(0)
