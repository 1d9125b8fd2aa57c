"""Executed notebook → self-contained HTML (nbconvert, our template) → PDF (WeasyPrint)."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import nbformat

from .archive import atomic_write

NBCONVERT = Path(__file__).parent / "templates" / "nbconvert"
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


@cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="kehoach", extra_template_basedirs=[str(NBCONVERT)],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


@cache
def print_css() -> str:
    return (NBCONVERT / "print.css").read_text(encoding="utf-8")


def render_html(nb: nbformat.NotebookNode, title: str) -> str:
    """The report as one HTML file: CSS and images inline, no script, a strict CSP."""
    resources = {"kehoach": {"title": title, "css": print_css()}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


def render_pdf(html: str) -> bytes:
    """A4 PDF with embedded fonts, laid out by the print CSS."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def write_html(nb: nbformat.NotebookNode, title: str, path: Path) -> str:
    html = render_html(nb, title)
    atomic_write(path, html.encode("utf-8"))
    return html


def write_pdf(html: str, path: Path) -> None:
    atomic_write(path, render_pdf(html))
