"""An executed notebook records parameters that re-run it with plain papermill."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from kehoach_nb.run.batch import RunOptions, execute, plan_tasks
from kehoach_nb.issued.provenance import kernel_layout
from kehoach_nb.loading import load_dataset
from kehoach_nb.model import plain_text
from kehoach_nb.notebook import document

from .conftest import DATA, ROOT

DOC = "ke_hoach_phat_trien_giao_duc"


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


@pytest.mark.integration
def test_recorded_parameters_rerun_the_notebook_with_papermill(tmp_path, monkeypatch):
    project = tmp_path / "du_an"
    shutil.copytree(DATA / "mini", project / "params" / "mini")
    (project / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / f"{DOC}.ipynb", project / "notebooks")
    monkeypatch.chdir(project)  # the project root
    opts = RunOptions(formats=("html",), jobs=1, schools=("TH01",))
    tasks, _ = plan_tasks(load_dataset("params/mini"), Path("outputs"), opts)
    for t in tasks:  # the project's own copy of the template, as in a checkout
        t.notebook = str(project / "notebooks" / f"{DOC}.ipynb")
        t.notebook_path = f"notebooks/{DOC}.ipynb"
    assert [o.status for o in execute(tasks, opts)] == ["ok"]
    path = project / "outputs/mini/2024/TH01" / f"{DOC}.ipynb"
    nb = nbformat.read(path, as_version=4)
    meta, pm = nb.metadata["kehoach"], nb.metadata["papermill"]
    assert meta["parameters"]["dataset"] == "params/mini" == pm["parameters"]["dataset"]
    assert pm["input_path"] == f"notebooks/{DOC}.ipynb"
    assert pm["output_path"] == f"outputs/mini/2024/TH01/{DOC}.ipynb"
    assert "enrollment_by_grade.csv" in meta["input_tables"] and meta["run_key"] == tasks[0].run_key
    assert meta["commentary_entries"] == {} and meta["packages"]["papermill"]
    leaked = [s for s in _strings(dict(nb.metadata)) if s.startswith("/") or str(tmp_path) in s]
    assert leaked == []
    assert f'dataset = "params/mini"' in nb.cells[1].source + nb.cells[2].source

    rerun = tmp_path / "chay_lai.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    subprocess.run([str(papermill), pm["input_path"], str(rerun), "-y", yaml.safe_dump(dict(pm["parameters"])),
                    "--no-progress-bar"], cwd=project, check=True, capture_output=True)
    assert plain_text(document(nbformat.read(rerun, as_version=4))) == plain_text(document(nb))


def test_kernel_layout_resolves_the_recorded_path_inside_the_private_folder(tmp_path):
    cwd, data = kernel_layout(tmp_path, "params/demo")
    assert (cwd / "params/demo").resolve() == data.resolve() and data.is_relative_to(tmp_path)
    cwd, data = kernel_layout(tmp_path / "b", "../../ngoai/mini")
    assert (cwd / "../../ngoai/mini").resolve() == data.resolve() and data.is_relative_to(tmp_path / "b")
    for bad in ("/etc", "..", "a/../../b"):
        with pytest.raises(ValueError):
            kernel_layout(tmp_path / "c", bad)
