"""What an executed notebook records so that plain `papermill` re-runs it from the project root.

The orchestrator knows the project root (its working folder) and fills the Task's
project-relative paths (`locate`); the worker lays out its private folder so that the same
relative dataset path resolves there (`kernel_layout`) and writes the record (`record`,
`rewrite_papermill`). No absolute, machine-specific path ends up in a notebook.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

COMMENTARY_PREFIX = "nhan_xet/"


def project_relative(path: str | Path, root: str | Path | None = None) -> str:
    """`path` relative to the project root (default: the working folder), POSIX style."""
    rel = os.path.relpath(Path(path).resolve(), Path(root or os.getcwd()).resolve())
    return PurePosixPath(*Path(rel).parts).as_posix()


def locate(task, dataset_root: str | Path, root: str | Path | None = None) -> None:
    """Fill the Task's project-relative paths (called by the orchestrator, never a worker)."""
    from ..run.worker import template_path

    task.dataset_path = project_relative(dataset_root, root)
    task.notebook_path = project_relative(template_path(task), root)
    task.output_path = project_relative(Path(task.out_dir) / f"{task.doc_kind}.ipynb", root)


def kernel_layout(tmp: Path, dataset: str) -> tuple[Path, Path]:
    """(kernel working folder, snapshot folder) inside `tmp` such that `dataset`, taken relative
    to the working folder, is the snapshot folder, even when it starts with "..".
    """
    parts = PurePosixPath(dataset).parts
    ups = 0
    while ups < len(parts) and parts[ups] == "..":
        ups += 1
    if PurePosixPath(dataset).is_absolute() or ".." in parts[ups:] or ups == len(parts):
        raise ValueError(f"đường dẫn bộ dữ liệu không hợp lệ: {dataset}")
    cwd = tmp.joinpath("goc", *(["d"] * ups))
    data = tmp.joinpath("goc", *parts[ups:]) if ups else cwd.joinpath(*parts)
    cwd.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    return cwd, data


def input_hashes(inputs: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
    """SHA-256 of each input table file and of each commentary entry of a snapshot."""
    from ..archive import sha256

    tables = {n: sha256(b) for n, b in sorted(inputs.items()) if not n.startswith(COMMENTARY_PREFIX)}
    notes = {n[len(COMMENTARY_PREFIX):]: sha256(b) for n, b in sorted(inputs.items())
             if n.startswith(COMMENTARY_PREFIX)}
    return tables, notes


def record(task, params) -> dict:
    """The notebook's `kehoach` metadata: parameters that re-run it, input and commentary
    hashes, the run key and the environment."""
    from ..archive import environment

    tables, notes = input_hashes(task.inputs)
    return {"parameters": params.model_dump(), "dataset_name": task.dataset,
            "input_hash": task.input_hash, "run_key": task.run_key,
            "input_tables": tables, "commentary_entries": notes, **environment()}


def rewrite_papermill(nb, task) -> None:
    """papermill's own metadata with project-relative paths instead of the worker's."""
    from ..run.worker import template_path

    pm = nb.metadata.setdefault("papermill", {})
    pm["input_path"] = task.notebook_path or f"notebooks/{template_path(task).name}"
    pm["output_path"] = task.output_path or f"{task.doc_kind}.ipynb"
    pm["parameters"] = dict(pm.get("parameters") or {})
    pm["parameters"]["dataset"] = task.dataset_path or task.dataset
