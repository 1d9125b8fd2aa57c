"""Run the plan notebook for every school: fresh kernel each, fault-isolated, atomic outputs."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import archive
from .errors import DataError
from .loading import Dataset, document_year, load_dataset

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = "kehoach"
STATUS_VI = {
    "ok": "thành công", "skipped": "bỏ qua (không thay đổi)",
    "invalid_input": "dữ liệu không hợp lệ", "cell_error": "lỗi khi chạy ô",
    "timeout": "quá thời gian", "kernel_died": "kernel dừng đột ngột",
    "incomplete": "chạy chưa hết notebook", "invalid_output": "kết quả không hợp lệ",
    "export_error": "lỗi xuất PDF",
}


@dataclass
class Task:
    """One school × document to render; every field is plain data (picklable)."""

    dataset: str
    school_id: str
    doc_kind: str
    school_year: int
    out_dir: str
    formats: tuple[str, ...]
    cwd: str
    cell_timeout: int = 300
    input_hash: str = ""
    run_key: str = ""  # hash of everything that shapes the output; equal key = skip


@dataclass
class Outcome:
    school_id: str
    doc_kind: str
    status: str
    message: str = ""
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)


def template_path(doc_kind: str) -> Path:
    return NOTEBOOKS / f"{doc_kind}.ipynb"


def output_dir(root: Path, ds: Dataset, year: int, school_id: str) -> Path:
    """outputs/<dataset>/<year>/<school_id>, refusing anything that escapes the root."""
    path = (root / ds.root.resolve().name / str(year) / school_id).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"đường dẫn đầu ra không hợp lệ: {school_id}")
    return path


def _classify(exc: BaseException) -> tuple[str, str]:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return "cell_error", f"ô số {exc.exec_count}: {exc.ename}: {exc.evalue}"
    if isinstance(exc, CellTimeoutError):
        return "timeout", "một ô chạy quá thời gian cho phép"
    if isinstance(exc, DeadKernelError):
        return "kernel_died", "kernel đã dừng giữa chừng"
    return "kernel_died", f"{type(exc).__name__}: {exc}"


def _check_complete(nb: nbformat.NotebookNode) -> str | None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(c.get("execution_count") is None for c in code):
        return "notebook dừng trước ô cuối"
    display = [c for c in code if c.source.startswith("report.")]
    if any(not any("text/html" in o.get("data", {}) for o in c.outputs) for c in display):
        return "thiếu nội dung báo cáo ở ô hiển thị"
    return None


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's (and its kernels') stderr to a log file for the duration."""
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


def run_school(task: Task) -> Outcome:
    """Execute, validate, export and place one report; never raises."""
    work = Path(task.out_dir).parent / "_dang_chay"
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"{task.school_id}.{task.doc_kind}.{os.getpid()}.log"
    with _stderr_to(log):
        outcome = _run_school(task, work)
    if outcome.status in ("ok", "skipped"):
        log.unlink(missing_ok=True)
    else:
        failed = Path(task.out_dir).parent / "_loi" / task.school_id
        failed.mkdir(parents=True, exist_ok=True)
        shutil.move(str(log), failed / f"{task.doc_kind}.kernel.log")
    return outcome


def _run_school(task: Task, work: Path) -> Outcome:
    import papermill as pm

    start = time.monotonic()
    out_dir = Path(task.out_dir)
    tmp_nb = work / f"{task.school_id}.{task.doc_kind}.{os.getpid()}.ipynb"
    params = {"dataset": task.dataset, "school_id": task.school_id, "doc_kind": task.doc_kind,
              "school_year": task.school_year}
    outcome = Outcome(task.school_id, task.doc_kind, "ok")
    try:
        nb = pm.execute_notebook(str(template_path(task.doc_kind)), str(tmp_nb), parameters=params,
                                 kernel_name=KERNEL, progress_bar=False, cwd=task.cwd,
                                 execution_timeout=task.cell_timeout, report_mode=True)
        problem = _check_complete(nb)
        if problem:
            outcome.status, outcome.message = "incomplete", problem
    except Exception as exc:  # noqa: BLE001 - classified below, batch goes on
        outcome.status, outcome.message = _classify(exc)
    if outcome.status == "ok":
        _place(nb, task, out_dir, outcome)
        if outcome.status == "invalid_output":
            nbformat.write(nb, tmp_nb)
    if outcome.status not in ("ok", "export_error"):
        _keep_failed(tmp_nb, out_dir, task, outcome)
    tmp_nb.unlink(missing_ok=True)
    outcome.seconds = round(time.monotonic() - start, 2)
    return outcome


def _place(nb, task: Task, out_dir: Path, outcome: Outcome) -> None:
    from . import export

    nb.metadata["kehoach"] = {"parameters": {k: getattr(task, k) for k in
                                             ("dataset", "school_id", "doc_kind", "school_year")},
                              "input_hash": task.input_hash, **archive.environment()}
    from .errors import GlyphError
    from .preflight import check_glyphs

    name = task.doc_kind
    html = export.render_html(nb, f"{name} — {task.school_id}")
    try:
        check_glyphs(html, task.school_id)
    except GlyphError as exc:
        outcome.status, outcome.message = "invalid_output", str(exc)
        return
    archive.atomic_write(out_dir / f"{name}.ipynb", nbformat.writes(nb).encode("utf-8"))
    archive.atomic_write(out_dir / f"{name}.html", html.encode("utf-8"))
    outcome.files = {"ipynb": f"{name}.ipynb", "html": f"{name}.html"}
    if "pdf" in task.formats:
        try:
            export.write_pdf(html, out_dir / f"{name}.pdf")
            outcome.files["pdf"] = f"{name}.pdf"
        except Exception as exc:  # noqa: BLE001
            outcome.status, outcome.message = "export_error", f"{type(exc).__name__}: {exc}"
            return
    # written last: its presence means every artefact above is complete
    archive.atomic_write(out_dir / f"{name}.key", task.run_key.encode())


@functools.cache
def toolkit_hash() -> str:
    """Hash of the package (code, templates, catalogues), the notebooks and key versions."""
    pkg = Path(__file__).parent
    files = sorted(p for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files += sorted(NOTEBOOKS.glob("*.ipynb"))
    digest = [archive.file_hash(p) for p in files]
    env = archive.environment()
    return archive.sha256(json.dumps([digest, env["python"], env["packages"]]).encode())


def run_key(task: Task) -> str:
    fields = [task.dataset, task.school_id, task.doc_kind, task.school_year, sorted(task.formats),
              task.input_hash, toolkit_hash()]
    return archive.sha256(json.dumps(fields, default=str).encode())


def is_up_to_date(task: Task) -> bool:
    out = Path(task.out_dir)
    key = out / f"{task.doc_kind}.key"
    wanted = ["ipynb", *task.formats]
    return (key.is_file() and key.read_text() == task.run_key
            and all((out / f"{task.doc_kind}.{ext}").is_file() for ext in wanted))


def _keep_failed(tmp_nb: Path, out_dir: Path, task: Task, outcome: Outcome) -> None:
    failed = out_dir.parent / "_loi" / task.school_id
    failed.mkdir(parents=True, exist_ok=True)
    if tmp_nb.exists():
        shutil.move(str(tmp_nb), failed / f"{task.doc_kind}.ipynb")
    archive.atomic_write(failed / f"{task.doc_kind}.loi.json",
                         json.dumps(asdict(outcome), ensure_ascii=False, indent=1).encode("utf-8"))


def plan_tasks(ds: Dataset, root: Path, formats, schools=None, docs=None,
               cwd: Path | None = None, force: bool = False) -> tuple[list[Task], list[Outcome]]:
    """Tasks to run; invalid and up-to-date schools become outcomes at once (no kernel)."""
    from .loading import school_digest

    tasks, invalid = [], []
    for sid in schools or ds.school_ids():
        for doc in docs or ds.config.documents:
            year = document_year(ds, sid, doc)
            problems = ds.problems_for(sid)
            if problems or sid not in ds.school_ids():
                msg = "\n".join(str(p) for p in problems) or f"không có trường mã \"{sid}\""
                invalid.append(Outcome(sid, doc, "invalid_input", msg))
                continue
            task = Task(str(ds.root), sid, doc, year, str(output_dir(root, ds, year, sid)),
                        tuple(formats), str(cwd or Path.cwd()), input_hash=school_digest(ds, sid))
            task.run_key = run_key(task)
            if not force and is_up_to_date(task):
                invalid.append(Outcome(sid, doc, "skipped", "không có gì thay đổi"))
            else:
                tasks.append(task)
    return tasks, invalid


def run_tasks(tasks: list[Task], jobs: int, on_done=None) -> list[Outcome]:
    """Run tasks in a process pool; each worker starts a fresh kernel per school."""
    outcomes = []
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            outcomes.append(run_school(t))
            on_done and on_done(outcomes[-1])
        return outcomes
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_school, t): t for t in tasks}
        for fut in as_completed(futures):
            t = futures[fut]
            try:
                out = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker process died
                out = Outcome(t.school_id, t.doc_kind, "kernel_died", f"tiến trình con dừng: {exc}")
            outcomes.append(out)
            on_done and on_done(out)
    return outcomes


def run_dataset(dataset: str, out_root: Path, formats=("html", "pdf"), jobs: int | None = None,
                schools=None, docs=None, on_done=None, force: bool = False) -> tuple[Dataset, list[Outcome]]:
    ds = load_dataset(dataset)
    if ds.config is None:
        raise DataError(ds.problems)
    tasks, invalid = plan_tasks(ds, out_root, formats, schools, docs, force=force)
    for o in invalid:
        on_done and on_done(o)
    outcomes = invalid + run_tasks(tasks, jobs or os.cpu_count() or 1, on_done)
    ledger = out_root / ds.root.resolve().name / "so_cai_chay.jsonl"
    env = archive.environment()
    archive.append_ledger(ledger, [{**asdict(o), "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                    **env} for o in outcomes])
    return ds, outcomes
