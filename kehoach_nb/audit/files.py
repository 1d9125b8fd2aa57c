"""Write each school's audit report (kiem_tra_so_lieu.html/.pdf) beside its plans.

Skipped when the school's data, the toolkit and the formats are the same as last time
(a key file beside the report), so a run where nothing changed audits nothing."""

from __future__ import annotations

import json
from pathlib import Path

from .. import archive
from .report import KIND, audit_document
from ..loading import Dataset, document_year, school_digest, school_documents

FORMATS = ("html", "pdf")


def _key(ds: Dataset, sid: str, formats: tuple[str, ...]) -> str:
    from ..run.batch import toolkit_hash

    return archive.sha256(json.dumps([school_digest(ds, sid), toolkit_hash(), sorted(formats)]).encode())


def write_audit_reports(ds: Dataset, out_root: Path, schools: list[str], formats: tuple[str, ...]) -> int:
    """Audit reports for the given valid schools, in each year folder of their documents;
    returns how many were (re)written."""
    from ..run.batch import output_dir

    formats = tuple(f for f in FORMATS if f in formats)
    todo: dict[str, tuple[str, list[Path]]] = {}
    for sid in schools:
        years = {document_year(ds, sid, d) for d in school_documents(ds, sid)} or {ds.config.school_year}
        folders = [output_dir(out_root, ds, y, sid) for y in sorted(years)]
        key = _key(ds, sid, formats)
        if any(_stale(f, key, formats) for f in folders):
            todo[sid] = (key, folders)
    if not todo:
        return 0
    from . import audit_dataset
    from ..export import render

    findings = audit_dataset(ds)
    school = ds.tables["school"].set_index("school_id", drop=False)
    for sid, (key, folders) in todo.items():
        mine = [f for f in findings if f.school_id == sid]
        for folder in folders:
            year = int(folder.parent.name)
            doc = audit_document(school.loc[sid].to_dict(), mine, ds.sources, year, ds.config.name)
            for fmt in formats:
                archive.atomic_write(folder / f"{KIND}.{fmt}", render(doc, fmt))
            archive.atomic_write(folder / f"{KIND}.key", key.encode())
    return len(todo)


def _stale(folder: Path, key: str, formats: tuple[str, ...]) -> bool:
    path = folder / f"{KIND}.key"
    return (not path.is_file() or path.read_text() != key
            or not all((folder / f"{KIND}.{f}").is_file() for f in formats))
