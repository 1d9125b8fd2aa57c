"""Run the roll-up of a dataset (the orchestrator's side: reads outputs, writes the roll-up).

For each school year: gather every school's current record (`<doc>.chi_so.json` of a report
that is up to date for the run key the current options give, checked against its `.key`
hashes) and each plan's state (that record, else the run ledger's last outcome); the roll-up
is rendered again only when this input or the toolkit changed. The notebook
notebooks/bao_cao_tong_hop.ipynb is executed with papermill (a parameter: the input file),
the document read back from it and exported like a plan, plus an Excel table. When the
schools lie in several communes, each commune's schools get their own roll-up (scope.py),
keyed and rendered on their own: a change in one school renders its commune's again.

outputs/<dataset>/<year>/_tong_hop/bao_cao_tong_hop.{ipynb,html,pdf,docx,xlsx,key}
outputs/<dataset>/<year>/_tong_hop/<commune slug>/bao_cao_tong_hop.{…}
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .. import archive
from ..index_page import latest_outcomes
from ..loading import Dataset, document_year, school_documents
from ..run.placing import is_up_to_date, place, read_key
from ..status import Status
from ..run.worker import Outcome, Task
from . import scope as sc
from .build import KIND
from .record import PlanEntry, RollupInput, SchoolEntry, plan_state

FOLDER = "_tong_hop"  # school ids never start with "_" (schema.SCHOOL_ID_PATTERN)
FORMATS = ("html", "pdf", "docx", "xlsx")
NOTEBOOK = Path(__file__).resolve().parent.parent.parent / "notebooks" / f"{KIND}.ipynb"


def folder(out_root: Path, ds: Dataset, year: int, slug: str = "") -> Path:
    base = out_root / ds.root.resolve().name / str(year) / FOLDER
    return base / slug if slug else base


def _record(task: Task) -> tuple[dict, str] | None:
    """The figures record of a report that is current for this task's run key, with its hash."""
    name = f"{task.doc_kind}.chi_so.json"
    if not is_up_to_date(task):
        return None
    key = read_key(task) or {"files": {}}
    if name not in key["files"]:
        return None
    try:
        return json.loads((Path(task.out_dir) / name).read_bytes()), key["files"][name]["sha256"]
    except (OSError, ValueError):
        return None


def _documents(ds: Dataset, sid: str) -> list[str]:
    """Every document the dataset asks of this school (a run limited by --docs still rolls up all)."""
    own = school_documents(ds, sid)
    return [d for d in ds.config.documents if d in own or not own]


def gather(ds: Dataset, out_root: Path, opts) -> dict[int, RollupInput]:
    """The roll-up input of every school year of the dataset."""
    from ..run.batch import LEDGER, make_task

    records, _ = archive.read_ledger(out_root / ds.root.resolve().name / LEDGER)
    last = {(o.school_id, o.doc_kind): o for o in latest_outcomes(records)}
    cfg = ds.config
    school = ds.tables["school"].set_index("school_id")
    by_year: dict[int, list[SchoolEntry]] = {}
    for sid in ds.school_ids():
        valid = not ds.problems_for(sid)
        row = school.loc[sid]
        entry = SchoolEntry(sid, str(row.get("name") or sid), str(row.get("school_level") or ""))
        year = cfg.school_year
        for doc in _documents(ds, sid):
            found, outcome = None, last.get((sid, doc))
            if valid:
                task = make_task(ds, out_root, opts, sid, doc)
                year = task.school_year
                found = _record(task)
            state = plan_state(outcome.status if outcome else None, found[0].get("state") if found else None)
            entry.plans.append(PlanEntry(doc, state, outcome.message if outcome and state == outcome.status else ""))
            if found and not entry.source:
                entry.figures = {k: str(v) for k, v in (found[0].get("figures") or {}).items()}
                entry.audit, entry.source, entry.record_hash = found[0].get("audit"), doc, found[1]
        by_year.setdefault(year, []).append(entry)
    return {year: RollupInput(ds.root.resolve().name, cfg.name, cfg.authority, cfg.authority_parent,
                              cfg.authority_place, year, list(cfg.documents), schools)
            for year, schools in by_year.items()}


def rollup_key(inp: RollupInput) -> str:
    from ..run.batch import toolkit_hash

    return archive.sha256(json.dumps([inp.to_json(), FORMATS, toolkit_hash()]).encode())


def scoped(ds: Dataset, inp: RollupInput) -> list[tuple[str, RollupInput]]:
    """(folder slug, input): the dataset's roll-up ("") and, when its schools lie in several
    communes, each commune's, over that commune's schools, from its UBND."""
    of, out = sc.commune_of(ds), [("", inp)]
    for commune, slug in sc.folders(ds).items():
        schools = [s for s in inp.schools if of.get(s.school_id) == commune]
        if schools:
            parent, authority, place = sc.header(commune)
            out.append((slug, replace(inp, authority_parent=parent, authority=authority, place=place,
                                      schools=schools, scope=commune)))
    return out


def task_for(out_root: Path, ds: Dataset, inp: RollupInput, slug: str = "") -> Task:
    """The roll-up as a placing task: its folder, formats and key (placing.py keeps it consistent);
    a commune's failures go to _tong_hop/_loi/<slug>/."""
    task = Task(inp.dataset, slug or FOLDER, KIND, inp.year, str(folder(out_root, ds, inp.year, slug)),
                FORMATS, {})
    task.run_key = rollup_key(inp)
    return task


def render(inp: RollupInput, tmp: Path, timeout: int = 300) -> dict[str, bytes]:
    """Execute the notebook on this input; the notebook and every format, as bytes."""
    import nbformat
    import papermill as pm

    from .. import notebook
    from ..export import EXPORTERS
    from ..params import RollupParams
    from ..preflight import check_glyphs
    from ..render.xlsx import render_xlsx

    from ..run.worker import stderr_to

    source = tmp / "tong_hop.json"
    source.write_text(inp.to_json(), encoding="utf-8")
    params = RollupParams(records=str(source)).to_papermill()
    with stderr_to(tmp / "kernel.log"):  # the kernel's start-up chatter stays out of the terminal
        nb = pm.execute_notebook(str(NOTEBOOK), str(tmp / "executed.ipynb"), parameters=params,
                                 kernel_name="kehoach", progress_bar=False, report_mode=True,
                                 execution_timeout=timeout, cwd=str(tmp))
    verdict = notebook.check_output(nb)
    if verdict:
        raise RuntimeError(verdict[1])
    doc = notebook.document(nb)
    check_glyphs(doc, FOLDER)  # school names come from the data: every character must print
    files = {f"{KIND}.ipynb": nbformat.writes(nb).encode("utf-8")}
    for fmt in FORMATS:
        files[f"{KIND}.{fmt}"] = render_xlsx(doc) if fmt == "xlsx" else EXPORTERS[fmt]().from_document(doc)
    return files


def write_rollups(ds: Dataset, out_root: Path, opts, force: bool = False) -> list[str]:
    """Render each year's roll-ups (the dataset's, each commune's) whose input changed; notices
    for the user (never raises)."""
    notices = []
    for _, whole in sorted(gather(ds, out_root, opts).items()):
        for slug, inp in scoped(ds, whole):
            notices += _write(out_root, ds, inp, slug, opts, force)
    return notices


def _write(out_root: Path, ds: Dataset, inp: RollupInput, slug: str, opts, force: bool) -> list[str]:
    """One roll-up, rendered and placed unless it is up to date."""
    task = task_for(out_root, ds, inp, slug)
    if not (force or opts.force) and is_up_to_date(task):
        return []
    notices, start = [], time.monotonic()
    outcome = Outcome(task.school_id, KIND, Status.OK)
    try:
        with tempfile.TemporaryDirectory(prefix="kehoach-tonghop-") as tmp:
            files = render(inp, Path(tmp), opts.cell_timeout)
    except Exception as exc:  # noqa: BLE001 - the schools' reports stand; say why
        outcome.status, outcome.message = Status.CELL_ERROR, f"{type(exc).__name__}: {exc}"
        where = f" {inp.scope}" if inp.scope else ""
        notices.append(f"báo cáo tổng hợp{where} năm học {inp.year}: {outcome.message}")
        files = {}
    outcome.seconds = round(time.monotonic() - start, 2)
    try:
        place(task, outcome, files)
    except OSError as exc:
        notices.append(f"không ghi được báo cáo tổng hợp: {archive.os_error_vi(exc)}")
    return notices
