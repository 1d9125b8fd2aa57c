"""Render one school's report in a fresh kernel and return the artefacts as bytes.

The same function runs in a local process pool or on a Dask worker; it writes
nothing outside a private temporary folder, so workers need no shared disk.
"""

from __future__ import annotations

import contextlib
import json
import os

import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..status import LABELS

if TYPE_CHECKING:  # imported where used: nbformat costs ~1,5 s, and `run` may start nothing
    import nbformat

from ..kinds import NOTEBOOKS  # noqa: E402,F401  (batch hashes the notebooks)

KERNEL = "kehoach"
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
    state: str | None = None  # du_thao / ban_hanh; None = as document_meta says
    # provenance (issue 17): paths relative to the project root, set by issued.provenance.locate
    dataset_path: str = ""  # e.g. "params/demo"; the notebook's `dataset` parameter
    notebook_path: str = ""  # the template, recorded as papermill's input_path
    output_path: str = ""  # the placed notebook, recorded as papermill's output_path


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
    audit: list[int] | None = None  # [errors, findings] of the school's data audit
    state: str = ""  # du_thao / ban_hanh, as the document says


def template_path(task: Task) -> Path:
    from ..kinds import kind

    return Path(task.notebook) if task.notebook else kind(task.doc_kind).notebook


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


def _engine() -> str:
    """papermill's nbclient engine, saving the notebook once instead of twice per cell.

    papermill writes (deep copy, validation, JSON) the whole notebook when each cell starts
    and ends: about 18 writes per report. The worker only needs the finished notebook, or
    what there is of it when a cell fails, times out or the kernel dies.
    """
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.iorw import write_ipynb

    class FinalSaveEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, failure_path=None, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except BaseException:
                if failure_path:  # what ran so far, for the failed-report folder
                    write_ipynb(nb_man.nb, failure_path)
                raise

    papermill_engines.register(ENGINE, FinalSaveEngine)
    return ENGINE


ENGINE = "kehoach"


def _render(task: Task, tmp: Path, log: Path) -> tuple[Outcome, dict[str, bytes]]:
    import nbformat
    import papermill as pm

    from .. import notebook
    from ..issued.provenance import kernel_layout
    from .kernel_fork import ForkedKernelManager

    out_nb = tmp / "executed.ipynb"
    cwd, data = kernel_layout(tmp, task.dataset_path or task.dataset)  # the recorded path resolves
    for name, blob in task.inputs.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(blob)
    params = notebook.papermill_parameters(_params(task))
    outcome = Outcome(task.school_id, task.doc_kind, "ok")
    nb = None
    try:
        nb = pm.execute_notebook(str(template_path(task)), str(out_nb), parameters=params,
                                 kernel_name=KERNEL, progress_bar=False,
                                 resources={"metadata": {"path": str(cwd)}},  # kernel cwd; no chdir
                                 execution_timeout=task.cell_timeout, report_mode=True,
                                 engine_name=_engine(), request_save_on_cell_execute=False,
                                 failure_path=str(out_nb),
                                 shutdown_kernel="immediate",  # the notebook is complete by then
                                 kernel_manager_class=ForkedKernelManager.logging_to(log))
        verdict = notebook.check_output(nb)
        if verdict:
            outcome.status, outcome.message = verdict
    except Exception as exc:  # noqa: BLE001 - classified, the batch goes on
        outcome.status, outcome.message = classify(exc)
    if outcome.status != "ok":
        failed = out_nb.read_bytes() if out_nb.exists() else b""
        return outcome, ({f"{task.doc_kind}.ipynb": failed} if failed else {})
    try:
        nb = notebook.split_commentary(nb)
        outcome.stale = [c.metadata["kehoach"]["section"] for c in notebook.commentary_cells(nb)
                         if c.metadata["kehoach"].get("stale")]
        return outcome, _export(nb, task, outcome)
    except Exception as exc:  # noqa: BLE001 - a bug here must not pass as a kernel failure
        outcome.status, outcome.message = "invalid_output", f"{type(exc).__name__}: {exc}"
        return outcome, {f"{task.doc_kind}.ipynb": nbformat.writes(nb).encode("utf-8")}


def _export(nb, task: Task, outcome: Outcome) -> dict[str, bytes]:
    """The notebook with its provenance, then each asked format rendered from its document."""
    import nbformat

    from .. import notebook
    from ..errors import GlyphError
    from ..export import EXPORTERS
    from ..issuance import final_blockers
    from ..issued import provenance
    from ..preflight import check_glyphs

    name = task.doc_kind
    nb.metadata["kehoach"] = provenance.record(task, _params(task))
    provenance.rewrite_papermill(nb, task)
    doc = notebook.document(nb)
    outcome.audit, outcome.state = doc.audit, doc.state
    files = {f"{name}.ipynb": nbformat.writes(nb).encode("utf-8")}
    blockers = final_blockers(doc) if doc.state == "ban_hanh" else []
    if blockers:  # nothing final is written; the last good files stay as they are
        outcome.status = "not_final"
        outcome.message = "\n".join(f"- {b}" for b in blockers)
        return files
    try:
        check_glyphs(doc, task.school_id)
    except GlyphError as exc:
        outcome.status, outcome.message = "invalid_output", str(exc)
        return files
    files[f"{name}.chi_so.json"] = figures_record(doc)
    for fmt in task.formats:
        if fmt != "html" and task.block_stale and outcome.stale:
            outcome.status = "export_error"
            outcome.message = "không xuất PDF, Word: còn mục cần xem lại: " + ", ".join(outcome.stale)
            continue
        try:
            files[f"{name}.{fmt}"] = EXPORTERS[fmt]().from_document(doc)
        except Exception as exc:  # noqa: BLE001
            outcome.status, outcome.message = "export_error", f"{fmt}: {type(exc).__name__}: {exc}"
    return files


def figures_record(doc) -> bytes:
    """What the plan states, as data: read by roll-ups and archive comparisons."""
    record = {"kind": doc.kind, "params": doc.params, "title": doc.title, "state": doc.state,
              "audit": doc.audit, "figures": doc.figures}
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _params(task: Task):
    from ..params import ReportParams

    return ReportParams(dataset=task.dataset_path or task.dataset, school_id=task.school_id, doc_kind=task.doc_kind,
                        school_year=task.school_year, state=task.state)


def failure_note(outcome: Outcome) -> bytes:
    return json.dumps(asdict(outcome), ensure_ascii=False, indent=1).encode("utf-8")
