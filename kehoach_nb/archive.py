"""Artefacts on disk: atomic writes, content hashes, provenance and the run ledger."""

from __future__ import annotations

import copy
import errno
import functools
import hashlib
import json
import os
import platform
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

OS_ERRORS_VI = {errno.ENOSPC: "ổ đĩa đầy", errno.EDQUOT: "vượt hạn mức dung lượng",
                errno.EROFS: "ổ đĩa chỉ cho phép đọc", errno.EACCES: "không có quyền ghi",
                errno.EPERM: "không có quyền ghi", errno.EIO: "lỗi đọc/ghi của ổ đĩa",
                errno.ENOTDIR: "một phần của đường dẫn không phải thư mục"}
KEY_PACKAGES = ("papermill", "nbclient", "nbconvert", "ipykernel", "pandas", "matplotlib",
                "weasyprint", "pydantic")


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename into place."""
    tmp = stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def stage(path: Path, data: bytes) -> Path:
    """The writing half of atomic_write: a complete, fsynced `.<name>.….tmp` beside `path`
    (nothing left behind on failure); `os.replace(tmp, path)` puts it in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def os_error_vi(exc: OSError) -> str:
    """"ổ đĩa đầy (No space left on device)": the reason a user can act on, then the system's words."""
    reason = OS_ERRORS_VI.get(exc.errno, "lỗi hệ thống")
    return f"{reason} ({exc.strerror})" if exc.strerror else reason


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    return sha256(path.read_bytes())


def git_commit(cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def environment() -> dict:
    """Toolkit, Python and key package versions (no machine paths); a copy, read once per
    process (a worker records it for every report it renders)."""
    return copy.deepcopy(_environment())


@functools.cache
def _environment() -> dict:
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"kehoach_nb": metadata.version("kehoach_nb"), "python": platform.python_version(),
            "packages": versions, "git_commit": git_commit(Path(__file__).parent)}


def append_ledger(path: Path, records: list[dict]) -> None:
    """Append one JSON line per record (a report's outcome in a run).

    Each line goes out in a single write(2) on an O_APPEND descriptor, so a line is
    either whole or, on a full disk, cut at its end; a line cut by an earlier failure
    is closed first, so the new record always starts on a line of its own."""
    if not records:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if not _ends_with_newline(path):
            _write_all(fd, b"\n")
        for rec in records:
            _write_all(fd, (json.dumps(rec, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        if fh.seek(0, os.SEEK_END) == 0:
            return True
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def _write_all(fd: int, data: bytes) -> None:
    """One write(2) of the whole line; a short write (disk full) is an error, not a retry."""
    if os.write(fd, data) != len(data):
        raise OSError(28, "ghi thiếu dòng sổ cái (ổ đĩa đầy?)")


def read_ledger(path: Path) -> tuple[list[dict], list[int]]:
    """The ledger's records and the numbers of its damaged lines (cut short, edited by
    hand, not an outcome record): those are skipped, never fatal."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    records, damaged = [], []
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            rec = None
        if isinstance(rec, dict) and all(isinstance(rec.get(k), str)
                                         for k in ("school_id", "doc_kind", "status")):
            records.append(rec)
        else:
            damaged.append(number)
    return records, damaged
