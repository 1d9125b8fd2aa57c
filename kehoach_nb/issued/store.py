"""The write-once archive of issued plans (lưu trữ).

luu_tru/<dataset>/<school>/<doc>/<yyyy-mm-dd>_<hash12>/ holds one issued version: the executed
notebook, its HTML/PDF/DOCX, its figures record, the school's input snapshot (dau_vao/) and
manifest.json (SHA-256 of every file, parameters, run key, environment, date, issuer, number).
The folder name ends with the content hash, so the same content is never stored twice. A
version is built in a hidden temporary folder beside, every file fsynced, then renamed into
place: after a crash (even kill -9) a version is complete with its manifest or absent.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..archive import file_hash, sha256
from ..errors import KehoachError

MANIFEST = "manifest.json"
SNAPSHOT = "dau_vao"
FORMATS = ("html", "pdf", "docx")
DOC_SUFFIXES = ("ipynb", "chi_so.json", *FORMATS)
VERSION_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-f]{12})$")
TMP_PREFIX = ".tmp-"


class ArchiveError(KehoachError):
    """Something the user asked of the archive cannot be done (message in Vietnamese)."""


@dataclass
class Version:
    """One issued version on disk and its manifest."""

    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.path.name

    def file(self, suffix: str) -> Path | None:
        path = self.path / f"{self.manifest['doc_kind']}.{suffix}"
        return path if path.is_file() else None

    def snapshot(self) -> dict[str, bytes]:
        base = self.path / SNAPSHOT
        return {p.relative_to(base).as_posix(): p.read_bytes()
                for p in sorted(base.rglob("*")) if p.is_file()}


def doc_dir(root: Path, dataset: str, school: str, doc: str) -> Path:
    return Path(root) / dataset / school / doc


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def versions(root: Path, dataset: str, school: str, doc: str) -> list[Version]:
    """Issued versions of one plan, oldest first."""
    base = doc_dir(root, dataset, school, doc)
    found = [Version(p, read_manifest(p)) for p in sorted(base.iterdir()) if p.is_dir()
             and VERSION_NAME.match(p.name) and (p / MANIFEST).is_file()] if base.is_dir() else []
    return sorted(found, key=lambda v: (v.manifest.get("issued_at", ""), v.name))


def content_hash(hashes: dict[str, str]) -> str:
    """The hash that names a version: over every archived file's name and SHA-256."""
    return sha256(json.dumps(sorted(hashes.items())).encode())


def seal(manifest: dict) -> str:
    """SHA-256 of the manifest's own content (all but the seal): a changed byte shows."""
    rest = {k: v for k, v in manifest.items() if k != "seal"}
    return sha256(json.dumps(rest, ensure_ascii=False, sort_keys=True).encode("utf-8"))


# --- issuing ---------------------------------------------------------------------------


def gather(ds, out_root: Path, school: str, doc: str) -> tuple[dict[str, bytes], dict]:
    """The files to archive for a school's final plan, from the current outputs; refuses
    anything that is not a complete, final report made from today's data."""
    import nbformat

    from ..run.batch import output_dir
    from ..issuance import final_blockers
    from ..loading import document_year, school_snapshot
    from ..notebook import document
    from .provenance import input_hashes

    out = output_dir(Path(out_root), ds, document_year(ds, school, doc), school)
    nb_path, key = out / f"{doc}.ipynb", out / f"{doc}.key"
    if not nb_path.is_file() or not key.is_file():
        raise ArchiveError(f"chưa có kết quả hoàn chỉnh của trường {school} ({doc}) trong {out}; "
                           "hãy chạy kehoach run trước")
    nb = nbformat.reads(nb_path.read_text(encoding="utf-8"), as_version=4)
    meta = nb.metadata.get("kehoach", {})
    recorded = read_key(key)
    if meta.get("run_key") != recorded["run_key"]:
        raise ArchiveError(f"các tệp kết quả của trường {school} không cùng một lần chạy; "
                           "hãy chạy lại kehoach run")
    document_ = document(nb)
    if document_.state != "ban_hanh":
        raise ArchiveError(f"văn bản của trường {school} đang là dự thảo; chỉ lưu trữ văn bản ban "
                           "hành (cột state của document_meta hoặc kehoach run --state ban_hanh)")
    blockers = final_blockers(document_)
    if blockers:
        raise ArchiveError(f"văn bản của trường {school} chưa đủ điều kiện ban hành:\n"
                           + "\n".join(f"- {b}" for b in blockers))
    snapshot = school_snapshot(ds, school)
    tables, notes = input_hashes(snapshot)
    if (tables, notes) != (meta.get("input_tables"), meta.get("commentary_entries")):
        raise ArchiveError(f"dữ liệu hoặc nhận xét của trường {school} đã thay đổi sau lần chạy "
                           "cuối; hãy chạy lại kehoach run rồi ban hành")
    files = {f"{doc}.{s}": (out / f"{doc}.{s}").read_bytes() for s in DOC_SUFFIXES
             if (out / f"{doc}.{s}").is_file()}
    for name, data in files.items():
        want = recorded["files"].get(name)
        if isinstance(want, dict) and want.get("sha256") not in (None, sha256(data)):
            raise ArchiveError(f"tệp {out / name} đã bị sửa sau lần chạy; hãy chạy lại kehoach run")
    files.update({f"{SNAPSHOT}/{name}": data for name, data in snapshot.items()})
    header = next((b for b in document_.blocks if type(b).__name__ == "Header"), None)
    info = {"dataset": meta.get("dataset_name") or ds.root.resolve().name, "school_id": school,
            "doc_kind": doc, "school_year": document_.params.get("school_year"),
            "title": document_.title, "number": header.number if header else "",
            "parameters": meta.get("parameters"), "run_key": meta.get("run_key"),
            "input_hash": meta.get("input_hash"), "figures": document_.figures,
            "environment": {k: meta.get(k) for k in ("kehoach_nb", "python", "packages", "git_commit")}}
    return files, info


def read_key(key: Path) -> dict:
    """A report's key file as {"run_key", "files"}: plain text (the run key alone), or JSON
    {"run_key": …, "files": {name: {"sha256": …}}} (the artefacts' hashes, when recorded)."""
    text = key.read_text(encoding="utf-8").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return {"run_key": text, "files": {}}
    return {"run_key": data.get("run_key"), "files": data.get("files") or {}}


def issue(ds, out_root: Path, archive_root: Path, school: str, doc: str, by: str | None = None,
          today: dt.date | None = None) -> tuple[Version, bool]:
    """Archive a school's final plan; (version, True) if created, (existing, False) if the
    same content was already issued."""
    files, info = gather(ds, out_root, school, doc)
    hashes = {name: sha256(data) for name, data in sorted(files.items())}
    digest = content_hash(hashes)
    parent = doc_dir(archive_root, info["dataset"], school, doc)
    for v in versions(archive_root, info["dataset"], school, doc):
        if v.manifest.get("content_hash") == digest:
            return v, False
    now = dt.datetime.now().astimezone()
    day = today or now.date()
    manifest = {"format": 1, **info, "issued_on": day.isoformat(),
                "issued_at": now.isoformat(timespec="seconds"),
                "issued_by": by or getpass.getuser(), "content_hash": digest, "files": hashes}
    manifest["seal"] = seal(manifest)
    name = f"{day.isoformat()}_{digest[:12]}"
    path = write_version(parent, name, files, manifest)
    return Version(path, manifest), True


def _step(name: str) -> None:
    """A point between two writes of a version (tests inject crashes here)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a (possibly read-only) unfinished folder."""
    for p in [path, *path.rglob("*")]:
        if p.is_dir():
            os.chmod(p, 0o755)
    shutil.rmtree(path, ignore_errors=True)


def clean_unfinished(parent: Path) -> None:
    """Remove temporary folders left by an issue that died (its process no longer exists)."""
    for p in parent.glob(f"{TMP_PREFIX}*") if parent.is_dir() else []:
        try:
            pid = int(p.name[len(TMP_PREFIX):].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            _remove(p)
        except (ValueError, PermissionError):
            continue


def write_version(parent: Path, name: str, files: dict[str, bytes], manifest: dict) -> Path:
    """Write a version folder all at once: temp folder beside, fsync, read-only, rename."""
    parent.mkdir(parents=True, exist_ok=True)
    clean_unfinished(parent)
    final = parent / name
    if final.exists():
        raise ArchiveError(f"phiên bản {final} đã tồn tại; không ghi đè")
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=parent))
    try:
        for rel, data in [*files.items(),
                          (MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1,
                                                sort_keys=True).encode("utf-8"))]:
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, 0o444)
            _step(rel)
        folders = sorted({p for p in tmp.rglob("*") if p.is_dir()}, key=lambda p: -len(p.parts))
        for d in [*folders, tmp]:
            _fsync_dir(d)
            os.chmod(d, 0o555)
        _step("rename")
        os.rename(tmp, final)  # fails if a non-empty folder of that name appeared meanwhile
        _fsync_dir(parent)
    except BaseException:
        _remove(tmp)
        raise
    return final


# --- verifying -------------------------------------------------------------------------


def find_versions(path: Path) -> list[Path]:
    """Version folders at or below `path` (hidden unfinished folders are not versions)."""
    path = Path(path)
    if VERSION_NAME.match(path.name) or (path / MANIFEST).is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_dir() and VERSION_NAME.match(p.name)
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def check_version(folder: Path) -> list[str]:
    """Every difference between a version folder and its manifest, in Vietnamese."""
    try:
        manifest = read_manifest(folder)
        listed = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return ["thiếu manifest.json hoặc không đọc được"]
    problems = [] if manifest.get("seal") == seal(manifest) else [
        f"{MANIFEST}: nội dung đã bị thay đổi (mã niêm phong không khớp)"]
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    for rel in sorted(listed):
        if rel not in on_disk:
            problems.append(f"{rel}: thiếu tệp")
        elif file_hash(folder / rel) != listed[rel]:
            problems.append(f"{rel}: nội dung đã bị thay đổi (mã SHA-256 khác với manifest)")
    problems += [f"{rel}: tệp thừa, không có trong manifest" for rel in sorted(on_disk - set(listed))]
    m = VERSION_NAME.match(folder.name)
    if content_hash(listed) != manifest.get("content_hash") or (m and not manifest.get(
            "content_hash", "").startswith(m.group(2))):
        problems.append("manifest.json: danh sách mã băm không khớp với tên phiên bản")
    return problems


def verify(path: Path) -> dict[Path, list[str]]:
    """Each version folder under `path` with its problems (empty list: intact)."""
    return {folder: check_version(folder) for folder in find_versions(path)}


def is_read_only(folder: Path) -> bool:
    return all(not (p.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
               for p in [folder, *folder.rglob("*")])


# --- what the index shows --------------------------------------------------------------


def latest_versions(archive_root: Path, dataset: str, out_root: Path | None = None) -> dict:
    """{(school, doc): {version, path, date, number, issued_by, differs_from_outputs, diff_href}}
    for the last issued version of each plan of a dataset. `differs_from_outputs` compares the
    current outputs (out_root/<dataset>/<year>/<school>/<doc>.ipynb) with it: None when there is
    no output; `diff_href` is relative to the year's index.html (kehoach archive diff writes it).
    Reads only; writes nothing."""
    from .diff import DIFF_PAGE, outputs_differ

    base = Path(archive_root) / dataset
    result = {}
    for school_dir in sorted(base.iterdir()) if base.is_dir() else []:
        for doc_path in sorted(school_dir.iterdir()) if school_dir.is_dir() else []:
            found = versions(archive_root, dataset, school_dir.name, doc_path.name)
            if not found:
                continue
            v = found[-1]
            m = v.manifest
            current = (Path(out_root) / dataset / str(m.get("school_year")) / school_dir.name
                       / f"{doc_path.name}.ipynb") if out_root else None
            differs = outputs_differ(v, current) if current and current.is_file() else None
            result[(school_dir.name, doc_path.name)] = {
                "version": v.name, "path": str(v.path), "date": m.get("issued_on"),
                "number": m.get("number"), "issued_by": m.get("issued_by"),
                "differs_from_outputs": differs,
                "diff_href": f"{school_dir.name}/{DIFF_PAGE.format(doc=doc_path.name)}" if differs else None}
    return result
