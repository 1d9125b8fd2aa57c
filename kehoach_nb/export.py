"""nbconvert exporters for executed plan notebooks: `kehoach_html`, `kehoach_pdf`, `kehoach_docx`.

Registered through nbconvert's entry points (pyproject.toml), so
`jupyter nbconvert --to kehoach_docx report.ipynb` and JupyterLab's "Save and Export
Notebook As" use them; the batch runner calls the same classes in-process. Each reads
the document model from the notebook (commentary cells as edited) and renders it.
"""

from __future__ import annotations

from nbconvert.exporters import Exporter

from . import notebook
from .model import Document

FORMATS = ("html", "pdf", "docx")


def render(doc: Document, fmt: str) -> bytes:
    """One format of a document, as bytes."""
    if fmt == "html":
        from .render.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from .render.typst import render_pdf

        return render_pdf(doc)
    if fmt == "docx":
        from .render.docx import render_docx

        return render_docx(doc)
    raise ValueError(f"định dạng \"{fmt}\" không được hỗ trợ; dùng: {', '.join(FORMATS)}")


class _PlanExporter(Exporter):
    fmt = "html"

    def from_document(self, doc: Document) -> bytes:
        return render(doc, self.fmt)

    def from_notebook_node(self, nb, resources=None, **kw):
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        data = self.from_document(notebook.document(nb_copy))
        return (data.decode("utf-8") if self.fmt == "html" else data), resources


class HTMLExporter(_PlanExporter):
    """Kế hoạch (HTML): one self-contained page."""

    export_from_notebook = "Kế hoạch (HTML)"
    output_mimetype = "text/html"
    fmt = "html"

    def _file_extension_default(self):
        return ".html"


class PDFExporter(_PlanExporter):
    """Kế hoạch (PDF, Typst): A4, NĐ 30 layout, fonts embedded."""

    export_from_notebook = "Kế hoạch (PDF)"
    output_mimetype = "application/pdf"
    fmt = "pdf"

    def _file_extension_default(self):
        return ".pdf"


class DOCXExporter(_PlanExporter):
    """Kế hoạch (Word): tables, styles, page numbers from page 2."""

    export_from_notebook = "Kế hoạch (Word)"
    output_mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    fmt = "docx"

    def _file_extension_default(self):
        return ".docx"


EXPORTERS = {"html": HTMLExporter, "pdf": PDFExporter, "docx": DOCXExporter}
