"""The committed notebooks are thin templates: parameters, one build call, display cells."""

import ast
from pathlib import Path

import nbformat
import pytest

from kehoach_nb.params import ReportParams, RollupParams

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
ROLLUP = "bao_cao_tong_hop"  # the office's roll-up: its own parameters and build call


def _rollup(nb) -> bool:
    return "load_rollup(" in "".join(c.source for c in nb.cells)


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def nb(request):
    return nbformat.read(request.param, as_version=4)


def test_there_is_a_notebook_per_document():
    from kehoach_nb.schema import DOC_KINDS

    assert sorted(p.stem for p in NOTEBOOKS) == sorted([*DOC_KINDS, ROLLUP])


def test_no_outputs_committed(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_parameters_cell_matches_the_typed_model(nb):
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and code[0] is params[0]
    tree = ast.parse(params[0].source)
    names = [n.targets[0].id for n in tree.body]
    assert all(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) for n in tree.body)
    assert set(names) == set((RollupParams if _rollup(nb) else ReportParams).model_fields)


def test_one_build_call_then_one_expression_cells(nb):
    code = [c for c in nb.cells if c.cell_type == "code"][1:]
    assert ("load_rollup(" if _rollup(nb) else "build_report(") in code[0].source
    for cell in code[1:]:
        (stmt,) = ast.parse(cell.source).body
        assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Attribute)


def test_kernel_is_named(nb):
    assert nb.metadata.kernelspec.name == "kehoach"
