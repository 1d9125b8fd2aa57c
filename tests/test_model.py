"""The document model: JSON round trip, the notebook contract (display outputs, commentary
cells, rebuilding the document), and the nbconvert exporters on an executed notebook."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from kehoach_nb import notebook
from kehoach_nb.markup import markdown_blocks
from kehoach_nb.model import (Chart, Commentary, ItemList, Paragraph, Table, block_from_json,
                              block_to_json, plain_text)
from kehoach_nb.plans import build_report

from .conftest import DATA, ROOT

KIND = "ke_hoach_phat_trien_giao_duc"


@pytest.fixture(scope="module")
def report():
    return build_report(str(DATA / "mini"), "TH01")


def _as_notebook(report) -> nbformat.NotebookNode:
    """What papermill leaves: one display output per part, each with HTML and the model."""
    nb = nbformat.v4.new_notebook()
    for i, name in enumerate(("header", "body", "closing"), start=1):
        cell = nbformat.v4.new_code_cell(f"report.{name}", execution_count=i)
        data = getattr(report, name)._repr_mimebundle_()
        cell.outputs = [nbformat.v4.new_output("display_data", data=json.loads(json.dumps(data)))]
        nb.cells.append(cell)
    return nb


def test_every_block_survives_json(report):
    for block in report.document.blocks:
        again = block_from_json(json.loads(json.dumps(block_to_json(block))))
        assert again == block


def test_the_document_has_every_kind_of_block(report):
    kinds = {type(b) for b in report.document.blocks}
    assert {Paragraph, ItemList, Table, Chart, Commentary} <= kinds
    chart = report.document.charts()[0]
    assert chart.svg.lstrip().startswith("<?xml") and chart.series


def test_commentary_cells_rebuild_the_same_document(report):
    nb = notebook.split_commentary(_as_notebook(report))
    cells = notebook.commentary_cells(nb)
    assert len(cells) == len(report.document.commentary()) >= 5
    assert notebook.check_output(nb) is None
    assert plain_text(notebook.document(nb)) == plain_text(report.document)


def test_an_edited_cell_is_what_the_document_says(report):
    nb = notebook.split_commentary(_as_notebook(report))
    cell = next(c for c in notebook.commentary_cells(nb) if c.metadata["kehoach"]["section"] == "kien_nghi")
    cell.source = "Đề nghị bổ sung {{ so_hoc_sinh }} bộ bàn ghế."
    text = plain_text(notebook.document(nb))
    assert "Đề nghị bổ sung 605 bộ bàn ghế." in text


def test_a_lost_chart_is_reported():
    nb = _as_notebook(build_report(str(DATA / "mini"), "TH01"))
    frag = nb.cells[1].outputs[0]["data"][notebook.MIME]
    for b in frag["blocks"]:
        if b["type"] == "Chart":
            b["svg"] = ""
            break
    assert notebook.check_output(nb) == ("invalid_output", "thiếu biểu đồ: có 1/2")


def test_markdown_keeps_structure_and_drops_html():
    blocks = markdown_blocks("### Mục nhỏ\nĐoạn **đậm** và *nghiêng*.\n\n- một\n  - con\n- hai\n\n"
                             "<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Paragraph", "ItemList", "Table"]
    assert blocks[0].style == "subheading" and blocks[1].runs[1].bold and blocks[1].runs[3].italic
    assert [(i.text, i.level) for i in blocks[2].items] == [("một", 0), ("con", 1), ("hai", 0)]
    assert "alert" not in plain_text_of(blocks)


def plain_text_of(blocks) -> str:
    from kehoach_nb.model import block_lines

    return "\n".join(line for b in blocks for line in block_lines(b))


def test_decomposed_text_is_normalised():
    import unicodedata

    (p,) = markdown_blocks(unicodedata.normalize("NFD", "Kế hoạch năm học"))
    assert p.text == "Kế hoạch năm học"


@pytest.mark.integration
@pytest.mark.parametrize("fmt,magic", [("kehoach_html", b"<!DOCTYPE html>"), ("kehoach_pdf", b"%PDF"),
                                       ("kehoach_docx", b"PK")])
def test_nbconvert_exports_an_executed_notebook(tmp_path, report, fmt, magic):
    nb = notebook.split_commentary(_as_notebook(report))
    path = tmp_path / f"{KIND}.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", fmt, str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    ext = {"kehoach_html": "html", "kehoach_pdf": "pdf", "kehoach_docx": "docx"}[fmt]
    assert (tmp_path / f"{KIND}.{ext}").read_bytes().startswith(magic)
