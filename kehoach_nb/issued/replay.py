"""Re-create an issued version from its archived snapshot, and bundle issued plans to send."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..archive import atomic_write, environment
from .store import FORMATS, MANIFEST, ArchiveError, Version, read_manifest, versions


@dataclass
class Reproduction:
    identical: bool
    status: str  # the worker's outcome status
    message: str = ""
    changes: object = None  # diff.Changes when the run succeeded
    environment: list[str] = field(default_factory=list)  # what differs from the issuing run


def load_version(path: Path) -> Version:
    path = Path(path)
    if not (path / MANIFEST).is_file():
        raise ArchiveError(f"{path} không phải một phiên bản đã lưu trữ (không có {MANIFEST})")
    return Version(path, read_manifest(path))


def environment_changes(recorded: dict) -> list[str]:
    """Versions that differ between the issuing run and this machine, in Vietnamese."""
    now = environment()
    out = []
    for name in ("kehoach_nb", "python"):
        if recorded.get(name) != now.get(name):
            out.append(f"{name}: {recorded.get(name)} → {now.get(name)}")
    old, new = recorded.get("packages") or {}, now.get("packages") or {}
    out += [f"{p}: {old.get(p)} → {new.get(p)}" for p in sorted(set(old) | set(new))
            if old.get(p) != new.get(p)]
    return out


def reproduce(version: Version) -> Reproduction:
    """Execute the version's notebook again, in a fresh kernel, on its archived snapshot, and
    compare the report text (and figures) with the archived notebook."""
    import nbformat

    from ..notebook import document
    from ..run.worker import STATUS_VI, Task, render_school
    from .diff import _side, compare, from_version

    m = version.manifest
    params = m.get("parameters") or {}
    with tempfile.TemporaryDirectory(prefix="kehoach-tai-tao-") as tmp:
        task = Task(m["dataset"], m["school_id"], m["doc_kind"], params.get("school_year") or m["school_year"],
                    tmp, (), version.snapshot(), input_hash=m.get("input_hash", ""),
                    run_key=m.get("run_key", ""), state=params.get("state"),
                    dataset_path=params.get("dataset") or m["dataset"])
        outcome, files = render_school(task)
    env = environment_changes(m.get("environment") or {})
    if outcome.status != "ok":
        return Reproduction(False, outcome.status,
                            f"{STATUS_VI.get(outcome.status, outcome.status)}: {outcome.message}",
                            environment=env)
    nb = nbformat.reads(files[f"{m['doc_kind']}.ipynb"].decode("utf-8"), as_version=4)
    old = from_version(version)
    new = _side("bản chạy lại", document(nb), old.inputs)
    changes = compare(old, new)
    return Reproduction(not changes.text and not changes.figures, "ok", changes=changes,
                        environment=env)


def _add(zf: zipfile.ZipFile, name: str, data: bytes, date: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=date)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o444 << 16
    zf.writestr(info, data)


def bundle(archive_root: Path, dataset: str, dest: Path, schools: list[str] | None = None,
           together: bool = False) -> list[Path]:
    """One zip per school (or one for all when `together`) with the last issued version of
    each plan: its documents (HTML, PDF, Word) and manifest. Same content, same bytes."""
    base = Path(archive_root) / dataset
    chosen = schools or (sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else [])
    groups: dict[str, list[Version]] = {}
    for school in chosen:
        docs = sorted(p.name for p in (base / school).iterdir() if p.is_dir()) if (base / school).is_dir() else []
        latest = [found[-1] for d in docs if (found := versions(archive_root, dataset, school, d))]
        if not latest:
            raise ArchiveError(f"trường {school} chưa có văn bản nào được ban hành trong {base}")
        groups["tat_ca" if together else school] = groups.get("tat_ca" if together else school, []) + latest
    written = []
    for name, group in groups.items():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for v in group:
                m = v.manifest
                date = tuple(int(x) for x in m["issued_on"].split("-")) + (0, 0, 0)
                folder = f"{m['school_id']}/{m['doc_kind']}/{v.name}"
                for suffix in FORMATS:
                    path = v.file(suffix)
                    if path:
                        _add(zf, f"{folder}/{path.name}", path.read_bytes(), date)
                _add(zf, f"{folder}/{MANIFEST}", (v.path / MANIFEST).read_bytes(), date)
        target = Path(dest) / f"{dataset}_{name}.zip"
        atomic_write(target, buf.getvalue())
        written.append(target)
    return written
