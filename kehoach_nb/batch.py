"""Run a dataset: plan tasks, skip what is up to date, execute in parallel, place artefacts.

Workers (local processes or Dask) return bytes; only this module writes outputs,
each file atomically, and the key file last, so a killed run leaves only complete
reports and the next run redoes exactly what is missing.
"""

from __future__ import annotations

import functools
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

from . import archive
from .errors import DataError
from .issued.provenance import locate
from .loading import Dataset, document_year, load_dataset, school_digest, school_documents, school_snapshot
from .worker import INFRA, NOTEBOOKS, Outcome, Task, failure_note, render_school


@dataclass
class RunOptions:
    """How to run a batch (CLI flags)."""

    formats: tuple[str, ...] = ("html", "pdf", "docx")
    jobs: int = os.cpu_count() or 1
    schools: tuple[str, ...] | None = None
    docs: tuple[str, ...] | None = None
    force: bool = False
    fail_fast: bool = False
    cell_timeout: int = 300
    executor: str = "local"
    scheduler: str | None = None
    retries: int = 1
    block_stale: bool = False
    state: str | None = None  # du_thao / ban_hanh for every document; None = document_meta


def output_dir(root: Path, ds: Dataset, year: int, school_id: str) -> Path:
    """outputs/<dataset>/<year>/<school_id>, refusing anything that escapes the root."""
    path = (root / ds.root.resolve().name / str(year) / school_id).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"đường dẫn đầu ra không hợp lệ: {school_id}")
    return path


@functools.cache
def toolkit_hash() -> str:
    """Hash of the package (code, templates, catalogues), the notebooks and key versions."""
    pkg = Path(__file__).parent
    files = sorted(p for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files += sorted(NOTEBOOKS.glob("*.ipynb"))
    env = archive.environment()
    digest = [archive.file_hash(p) for p in files]
    return archive.sha256(json.dumps([digest, env["python"], env["packages"], installed()]).encode())


def installed() -> list[str]:
    """Every installed distribution with its version (the dist-info folder names): the
    environment's lock, so upgrading any library re-renders."""
    import sysconfig

    folders = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    return sorted(n for f in folders if os.path.isdir(f) for n in os.listdir(f)
                  if n.endswith(".dist-info"))


def run_key(task: Task) -> str:
    fields = [task.dataset, task.school_id, task.doc_kind, task.school_year, sorted(task.formats),
              task.block_stale, task.state, task.notebook, task.input_hash, toolkit_hash()]
    return archive.sha256(json.dumps(fields, default=str).encode())


def is_up_to_date(task: Task) -> bool:
    out = Path(task.out_dir)
    key = out / f"{task.doc_kind}.key"
    wanted = ["ipynb", *task.formats]
    return (key.is_file() and key.read_text() == task.run_key
            and all((out / f"{task.doc_kind}.{ext}").is_file() for ext in wanted))


def plan_tasks(ds: Dataset, root: Path, opts: RunOptions) -> tuple[list[Task], list[Outcome]]:
    """Tasks to run; invalid and up-to-date schools become outcomes at once (no kernel)."""
    tasks, settled = [], []
    known = set(ds.school_ids())
    for sid in dict.fromkeys(opts.schools or ds.school_ids()):  # a repeated id runs once
        own = school_documents(ds, sid) if sid in known else {}
        digest = None
        for doc in opts.docs or [d for d in ds.config.documents if d in own or not own]:
            problems = ds.problems_for(sid)
            if problems or sid not in known:
                msg = "\n".join(str(p) for p in problems) or f"không có trường mã \"{sid}\""
                settled.append(Outcome(sid, doc, "invalid_input", msg))
                continue
            digest = digest or school_digest(ds, sid)
            year = document_year(ds, sid, doc)
            task = Task(ds.root.resolve().name, sid, doc, year, str(output_dir(root, ds, year, sid)),
                        tuple(opts.formats), {}, opts.cell_timeout, input_hash=digest,
                        block_stale=opts.block_stale, state=opts.state)
            task.run_key = run_key(task)
            locate(task, ds.root)  # project-relative provenance paths (issue 17)
            if not opts.force and is_up_to_date(task):
                settled.append(Outcome(sid, doc, "skipped", "không có gì thay đổi", 0.0,
                                       _existing_files(task)))
            else:
                tasks.append(task)
    snapshots = {sid: school_snapshot(ds, sid) for sid in {t.school_id for t in tasks}}
    for task in tasks:  # only what will run gets its rows copied
        task.inputs = snapshots[task.school_id]
    return tasks, settled


def _existing_files(task: Task) -> dict[str, str]:
    return {ext: f"{task.doc_kind}.{ext}" for ext in ("ipynb", *task.formats)}


def place(task: Task, outcome: Outcome, files: dict[str, bytes]) -> None:
    """Write a worker's artefacts: good ones into place, failed ones into _loi/."""
    out = Path(task.out_dir)
    good = outcome.status in ("ok", "export_error")
    target = out if good else out.parent / "_loi" / task.school_id
    for name, data in files.items():
        if good and name.endswith(".kernel.log"):
            continue
        archive.atomic_write(target / name, data)
    if good:
        outcome.files = {n.rsplit(".", 1)[1]: n for n in files if not n.endswith(".log")}
    if outcome.status == "ok":  # written last: its presence means the report is complete
        archive.atomic_write(out / f"{task.doc_kind}.key", task.run_key.encode())
    else:
        archive.atomic_write(out.parent / "_loi" / task.school_id / f"{task.doc_kind}.loi.json",
                             failure_note(outcome))


def _die_with_parent() -> None:
    """Pool initializer: a worker (and so its kernels) ends when the orchestrator is killed."""
    from .kernel_fork import die_with_parent  # imported here: the CLI need not load jupyter_client

    die_with_parent()


def _local_executor(jobs: int):
    return ProcessPoolExecutor(max_workers=jobs, initializer=_die_with_parent)


def execute(tasks: list[Task], opts: RunOptions, on_done=None) -> list[Outcome]:
    """Run tasks on the chosen executor; retry infrastructure failures; place results."""
    if not tasks:
        return []
    if opts.executor == "dask":
        from .scale_out import dask_executor

        ctx = dask_executor(opts.scheduler, opts.jobs)
    else:
        ctx = _local_executor(max(1, min(opts.jobs, len(tasks))))
    outcomes: list[Outcome] = []
    with ctx as pool:
        pending = {pool.submit(render_school, t): (t, 1) for t in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task, attempt = pending.pop(fut)
                outcome, files = _result(fut, task)
                if outcome.status in INFRA and attempt <= opts.retries:
                    pending[pool.submit(render_school, task)] = (task, attempt + 1)
                    continue
                outcome.attempts = attempt
                place(task, outcome, files)
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome)
                if opts.fail_fast and outcome.status not in ("ok", "skipped"):
                    for f in pending:
                        f.cancel()
                    pending = {}
    return outcomes


def _result(fut, task: Task) -> tuple[Outcome, dict[str, bytes]]:
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - the worker process itself died
        return Outcome(task.school_id, task.doc_kind, "kernel_died",
                       f"tiến trình chạy notebook dừng: {type(exc).__name__}: {exc}"), {}


def run_dataset(dataset: str, out_root: Path, opts: RunOptions,
                on_done=None) -> tuple[Dataset, list[Outcome]]:
    """Validate, plan, run, and record a whole dataset; never stops at one school."""
    started = time.time()
    ds = load_dataset(dataset)
    if ds.config is None:
        raise DataError(ds.problems)
    tasks, settled = plan_tasks(ds, out_root, opts)
    if hasattr(on_done, "planned"):
        on_done.planned(len(tasks) + len(settled))
    for o in settled:
        if on_done:
            on_done(o)
    outcomes = settled + execute(tasks, opts, on_done)
    env = archive.environment()
    keys = {(t.school_id, t.doc_kind): t for t in tasks}
    records = []
    for o in outcomes:
        t = keys.get((o.school_id, o.doc_kind))
        records.append({**asdict(o), "run_started": time.strftime("%Y-%m-%dT%H:%M:%S",
                                                                   time.localtime(started)),
                        "input_hash": t.input_hash if t else None,
                        "run_key": t.run_key if t else None,
                        "dataset": dataset, "school_year": t.school_year if t else None,
                        **env})
    archive.append_ledger(out_root / ds.root.resolve().name / "so_cai_chay.jsonl", records)
    from .index_page import write_index

    write_index(ds, out_root)
    return ds, outcomes
