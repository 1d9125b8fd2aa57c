"""The document model as an A4 PDF through Typst (in-process, fonts embedded).

The model travels to a fixed template (templates/typst/plan.typ) as JSON data, so no text
written by a school is ever read as Typst markup."""

from __future__ import annotations

import json
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

from ..model import Document, Header, block_to_json

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "typst" / "plan.typ"
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


def render_pdf(doc: Document) -> bytes:
    """A4 PDF of the document; raises typst.TypstError with Typst's diagnostic on failure."""
    return _compiler().compile(format="pdf", sys_inputs={"doc": document_json(doc)})
