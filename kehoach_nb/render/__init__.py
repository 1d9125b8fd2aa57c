"""Renderers: the document model into HTML (screen), PDF (Typst) and DOCX (Word).

Each `render_*` is pure and returns a string or bytes; none computes a figure."""
