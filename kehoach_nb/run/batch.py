"""Run a dataset: plan tasks, skip what is up to date, execute in parallel, record each report.

Workers (local processes or Dask) return bytes; only the orchestrator writes outputs
(placing.py: each file atomically, the key with the artefacts' hashes last), and each
finished report is appended to the ledger at once, so a killed run leaves only complete
reports, a readable ledger of what it finished, and the next run redoes exactly what is
missing. The output folder is locked for the run (run_guard).
"""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import archive
from ..errors import DataError
from ..issued.provenance import locate
from ..loading import Dataset, document_year, load_dataset, school_digest, school_documents, school_snapshot
from .placing import existing_files, is_up_to_date, place  # noqa: F401 - place: re-exported
from .run_guard import StopSignals, output_lock, temp_root
from .scheduler import execute
from ..status import Status
from .worker import NOTEBOOKS, Outcome, Task

LEDGER = "so_cai_chay.jsonl"


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
    rollup: bool = False  # the office's roll-up (rollup/) after the schools


def output_dir(root: Path, ds: Dataset, year: int, school_id: str) -> Path:
    """outputs/<dataset>/<year>/<school_id>, refusing anything that escapes the root."""
    path = (root / ds.root.resolve().name / str(year) / school_id).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"đường dẫn đầu ra không hợp lệ: {school_id}")
    return path


@functools.cache
def toolkit_hash() -> str:
    """Hash of the package (code, templates, catalogues), the notebooks and key versions."""
    pkg = Path(__file__).parent.parent  # the whole kehoach_nb package
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


def make_task(ds: Dataset, root: Path, opts: RunOptions, sid: str, doc: str) -> Task:
    """The task of one valid school and document, with its run key (no input rows yet)."""
    year = document_year(ds, sid, doc)
    task = Task(ds.root.resolve().name, sid, doc, year, str(output_dir(root, ds, year, sid)),
                tuple(opts.formats), {}, opts.cell_timeout, input_hash=school_digest(ds, sid, doc),
                block_stale=opts.block_stale, state=opts.state)
    task.run_key = run_key(task)
    locate(task, ds.root)  # project-relative provenance paths (issue 17)
    return task


def plan_tasks(ds: Dataset, root: Path, opts: RunOptions) -> tuple[list[Task], list[Outcome]]:
    """Tasks to run; invalid and up-to-date schools become outcomes at once (no kernel)."""
    tasks, settled = [], []
    known = set(ds.school_ids())
    for sid in dict.fromkeys(opts.schools or ds.school_ids()):  # a repeated id runs once
        own = school_documents(ds, sid) if sid in known else {}
        for doc in opts.docs or [d for d in ds.config.documents if d in own or not own]:
            problems = ds.problems_for(sid)
            if problems or sid not in known:
                msg = "\n".join(str(p) for p in problems) or f"không có trường mã \"{sid}\""
                settled.append(Outcome(sid, doc, Status.INVALID_INPUT, msg))
                continue
            task = make_task(ds, root, opts, sid, doc)
            if not opts.force and is_up_to_date(task):
                settled.append(Outcome(sid, doc, Status.SKIPPED, "không có gì thay đổi", 0.0,
                                       existing_files(task)))
            else:
                tasks.append(task)
    snapshots = {sid: school_snapshot(ds, sid) for sid in {t.school_id for t in tasks}}
    for task in tasks:  # only what will run gets its rows copied
        task.inputs = snapshots[task.school_id]
    return tasks, settled


@dataclass
class RunResult:
    """What `run_dataset` did: every recorded outcome, how many reports were left unrun
    (stopped by a signal, --fail-fast or a full disk), warnings for the user, the signal."""

    ds: Dataset
    outcomes: list[Outcome]
    unfinished: int = 0
    notices: list[str] = field(default_factory=list)
    signum: int | None = None


class Ledger:
    """Appends one line per finished report to so_cai_chay.jsonl as it finishes; a write that
    fails (full disk) becomes one notice, never the end of the run."""

    def __init__(self, path: Path, dataset: str, started: float, tasks: list[Task]):
        self.path, self.dataset = path, dataset
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started))
        self.tasks = {(t.school_id, t.doc_kind): t for t in tasks}
        self.env = archive.environment()
        self.notices: list[str] = []

    def record(self, o: Outcome) -> dict:
        t = self.tasks.get((o.school_id, o.doc_kind))
        return {**asdict(o), "run_started": self.started,
                "input_hash": t.input_hash if t else None, "run_key": t.run_key if t else None,
                "dataset": self.dataset, "school_year": t.school_year if t else None, **self.env}

    def add(self, outcomes: list[Outcome]) -> None:
        try:
            archive.append_ledger(self.path, [self.record(o) for o in outcomes])
        except OSError as exc:
            if not self.notices:
                self.notices.append(f"không ghi được sổ {self.path}: {archive.os_error_vi(exc)}; "
                                    "các báo cáo vẫn được lưu")


def run_dataset(dataset: str, out_root: Path, opts: RunOptions, on_done=None,
                stop: StopSignals | None = None) -> RunResult:
    """Validate, lock the output folder, plan, run, and record a whole dataset; never stops
    at one school. Ctrl-C/SIGTERM (through `stop`) end the run cleanly: what finished is kept."""
    stop = stop or StopSignals()
    started = time.time()
    ds = load_dataset(dataset)
    if ds.config is None:
        raise DataError(ds.problems)
    base = out_root / ds.root.resolve().name
    with output_lock(base), temp_root() as tmp:
        tasks, settled = plan_tasks(ds, out_root, opts)
        ledger = Ledger(base / LEDGER, dataset, started, tasks)

        def finished(o: Outcome) -> None:
            ledger.add([o])
            if on_done:
                on_done(o)

        with stop.deferred():
            if hasattr(on_done, "planned"):
                on_done.planned(len(tasks) + len(settled))
            ledger.add(settled)
            for o in settled:
                if on_done:
                    on_done(o)
            executed = execute(tasks, opts, finished, temp_root=tmp, stop=stop)
            if not stop.signum:
                from ..audit.files import write_audit_reports

                valid = [s for s in dict.fromkeys(opts.schools or ds.school_ids())
                         if s in set(ds.school_ids()) and not ds.problems_for(s)]
                write_audit_reports(ds, out_root, valid, tuple(opts.formats))
            notices = list(ledger.notices)
            if opts.rollup and not stop.signum:
                from ..rollup.run import write_rollups

                notices += write_rollups(ds, out_root, opts)
            from ..index_page import write_index

            notices += write_index(ds, out_root)
    return RunResult(ds, settled + executed, len(tasks) - len(executed), notices, stop.signum)
