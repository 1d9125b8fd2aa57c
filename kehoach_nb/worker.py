"""Render one school's report in a fresh kernel and return the artefacts as bytes.

The same function runs in a local process pool or on a Dask worker; it writes
nothing outside a private temporary folder, so workers need no shared disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .status import LABELS

if TYPE_CHECKING:  # imported where used: nbformat costs ~1,5 s, and `run` may start nothing
    import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = "kehoach"
INFRA = ("kernel_died",)  # outcomes worth one retry
STATUS_VI = LABELS  # code -> Vietnamese label, declared once in status.py


@dataclass
class Task:
    """One school × document to render; every field is plain data (picklable)."""

    dataset: str  # the dataset's folder name, as the notebook records it
    school_id: str
    doc_kind: str
    school_year: int
    out_dir: str
    formats: tuple[str, ...]
    inputs: dict[str, bytes]  # this school's rows only (loading.school_snapshot)
    cell_timeout: int = 300
    input_hash: str = ""
    run_key: str = ""  # hash of everything that shapes the output; equal key = skip
    notebook: str = ""  # template path; default notebooks/<doc_kind>.ipynb
    block_stale: bool = False  # no PDF while a commentary section needs review


@dataclass
class Outcome:
    school_id: str
    doc_kind: str
    status: str
    message: str = ""
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)
    attempts: int = 1
    stale: list[str] = field(default_factory=list)  # commentary sections to review
    audit: list[int] | None = None  # [errors, findings] of the report's data-audit appendix


def template_path(task: Task) -> Path:
    return Path(task.notebook) if task.notebook else NOTEBOOKS / f"{task.doc_kind}.ipynb"


def classify(exc: BaseException) -> tuple[str, str]:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return "cell_error", f"ô số {exc.exec_count}: {exc.ename}: {exc.evalue}"
    if isinstance(exc, CellTimeoutError):
        return "timeout", "một ô chạy quá thời gian cho phép; kernel đã được dừng"
    if isinstance(exc, DeadKernelError):
        return "kernel_died", "kernel đã dừng giữa chừng"
    return "kernel_died", f"{type(exc).__name__}: {exc}"


def check_output(nb: nbformat.NotebookNode) -> tuple[str, str] | None:
    """Our own verdict on an executed notebook: complete, with every block and chart."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(c.get("execution_count") is None for c in code):
        return "incomplete", "notebook dừng trước ô cuối"
    display = [c for c in code if c.source.startswith("report.")]
    html = ["".join(o["data"]["text/html"]) for c in display for o in c.outputs
            if "text/html" in o.get("data", {})]
    if len(html) < len(display):
        return "incomplete", "thiếu nội dung báo cáo ở ô hiển thị"
    joined = "".join(html)
    expected = re.search(r'data-charts="(\d+)"', joined)
    found = len(re.findall(r'<figure class="chart"><img [^>]*src="data:image/png;base64,', joined))
    if expected and found < int(expected.group(1)):
        return "invalid_output", f"thiếu biểu đồ: có {found}/{expected.group(1)}"
    return None


@contextlib.contextmanager
def stderr_to(path: Path):
    """Send this process's stderr to a log file for the duration (main thread only: the
    redirection is process-wide, so Dask threads leave it alone; kernels get the path)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


TEMP_ROOT_ENV = "KEHOACH_TEMP_ROOT"  # the run's own temp folder (batch), removed when it ends


def temp_root() -> str | None:
    """The run's temp folder when the orchestrator gave one that exists here, else the default."""
    root = os.environ.get(TEMP_ROOT_ENV)
    return root if root and os.path.isdir(root) else None


def render_school(task: Task) -> tuple[Outcome, dict[str, bytes]]:
    """Execute, check and export one report; never raises. Artefacts: name -> bytes."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kehoach-", dir=temp_root()) as tmp:
        log = Path(tmp) / "kernel.log"
        with stderr_to(log):
            outcome, files = _render(task, Path(tmp), log)
        if outcome.status not in ("ok", "skipped") and log.stat().st_size:
            files[f"{task.doc_kind}.kernel.log"] = log.read_bytes()
    outcome.seconds = round(time.monotonic() - start, 2)
    return outcome, files


def _render(task: Task, tmp: Path, log: Path) -> tuple[Outcome, dict[str, bytes]]:
    import nbformat
    import papermill as pm

    from .kernel_fork import ForkedKernelManager

    out_nb = tmp / "executed.ipynb"
    data = tmp / task.dataset
    data.mkdir()
    for name, blob in task.inputs.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(blob)
    params = {"dataset": task.dataset, "school_id": task.school_id, "doc_kind": task.doc_kind,
              "school_year": task.school_year}
    outcome = Outcome(task.school_id, task.doc_kind, "ok")
    nb = None
    try:
        nb = pm.execute_notebook(str(template_path(task)), str(out_nb), parameters=params,
                                 kernel_name=KERNEL, progress_bar=False,
                                 resources={"metadata": {"path": str(tmp)}},  # kernel cwd; no chdir
                                 execution_timeout=task.cell_timeout, report_mode=True,
                                 shutdown_kernel="immediate",  # the notebook is complete by then
                                 kernel_manager_class=ForkedKernelManager.logging_to(log))
        verdict = check_output(nb)
        if verdict:
            outcome.status, outcome.message = verdict
    except Exception as exc:  # noqa: BLE001 - classified, the batch goes on
        outcome.status, outcome.message = classify(exc)
    if outcome.status != "ok":
        failed = out_nb.read_bytes() if out_nb.exists() else b""
        return outcome, ({f"{task.doc_kind}.ipynb": failed} if failed else {})
    try:
        nb = split_commentary(nb)
        outcome.stale = [c.metadata["kehoach"]["section"] for c in nb.cells
                         if c.cell_type == "markdown" and c.metadata.get("kehoach", {}).get("stale")]
        return outcome, _export(nb, task, outcome)
    except Exception as exc:  # noqa: BLE001 - a bug here must not pass as a kernel failure
        outcome.status, outcome.message = "invalid_output", f"{type(exc).__name__}: {exc}"
        return outcome, {f"{task.doc_kind}.ipynb": nbformat.writes(nb).encode("utf-8")}


COMMENTARY = re.compile(r"<!--kc:([a-z0-9_.]+)-->.*?<!--/kc-->", re.S)


def split_commentary(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Turn each commentary section of a display output into a tagged Markdown cell."""
    cells = []
    for cell in nb.cells:
        out = next((o for o in cell.get("outputs", []) if "text/html" in o.get("data", {})), None)
        if cell.cell_type != "code" or out is None:
            cells.append(cell)
            continue
        html = "".join(out["data"]["text/html"])
        md = out.get("metadata", {})
        md = md.get("text/html", md)  # IPython files (data, metadata) reprs under the mimetype
        meta = {s["section"]: s for s in md.get("kehoach", {}).get("commentary", [])}
        pieces = COMMENTARY.split(html)  # chunk, key, chunk, key, …, chunk
        out["data"]["text/html"] = pieces[0]
        out["metadata"] = {}
        cells.append(cell)
        for key, chunk in zip(pieces[1::2], pieces[2::2]):
            cells.append(_commentary_cell(meta[key]))
            if chunk.strip():
                cells.append(_continuation(cell, chunk))
    nb.cells = cells
    return nb


def _commentary_cell(section: dict) -> nbformat.NotebookNode:
    import nbformat

    info = {k: section[k] for k in ("section", "store_digest", "draft", "stale", "html", "values")}
    info["rendered"] = section["markdown"]
    return nbformat.v4.new_markdown_cell(section["markdown"], metadata={"tags": ["commentary"],
                                                                        "kehoach": info})


def _continuation(cell, html: str) -> nbformat.NotebookNode:
    import nbformat

    new = nbformat.v4.new_code_cell(f"# (tiếp theo) {cell.source}", execution_count=cell.execution_count,
                                    metadata={"tags": ["continuation"]})
    new.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    return new


def _export(nb, task: Task, outcome: Outcome) -> dict[str, bytes]:
    import nbformat

    from . import archive, export
    from .errors import GlyphError
    from .preflight import check_glyphs

    name = task.doc_kind
    nb.metadata["kehoach"] = {"parameters": {k: getattr(task, k) for k in
                                             ("dataset", "school_id", "doc_kind", "school_year")},
                              "input_hash": task.input_hash, "run_key": task.run_key,
                              **archive.environment()}
    html = export.render_html(nb, f"Kế hoạch — {task.school_id}")
    counts = [re.search(rf'data-{k}="(\d+)"', html) for k in ("errors", "findings")]
    outcome.audit = [int(m.group(1)) for m in counts] if all(counts) else None
    notebook = nbformat.writes(nb).encode("utf-8")
    try:
        check_glyphs(html, task.school_id)
    except GlyphError as exc:
        outcome.status, outcome.message = "invalid_output", str(exc)
        return {f"{name}.ipynb": notebook}
    files = {f"{name}.ipynb": notebook, f"{name}.html": html.encode("utf-8")}
    if "pdf" in task.formats and task.block_stale and outcome.stale:
        outcome.status = "export_error"
        outcome.message = "không xuất PDF: còn mục cần xem lại: " + ", ".join(outcome.stale)
    elif "pdf" in task.formats:
        try:
            files[f"{name}.pdf"] = export.render_pdf(html)
        except Exception as exc:  # noqa: BLE001
            outcome.status, outcome.message = "export_error", f"{type(exc).__name__}: {exc}"
    return files


def failure_note(outcome: Outcome) -> bytes:
    return json.dumps(asdict(outcome), ensure_ascii=False, indent=1).encode("utf-8")
