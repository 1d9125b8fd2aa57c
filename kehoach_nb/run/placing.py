"""A report's files in its folder: the key file, the up-to-date test, and placing new artefacts.

`<doc_kind>.key` (JSON) records the run key and the SHA-256 and size of every artefact
of the last complete render:

    {"run_key": "…", "files": {"<doc_kind>.ipynb": {"sha256": "…", "bytes": 1234}, …}}

A report is up to date only if the key matches and every artefact is still there with
exactly those bytes; a truncated PDF, an emptied HTML or an edited notebook is rendered
again. The rule that keeps the report folder consistent:

1. the new artefacts are written completely beside their places (a full disk stops here,
   with the previous report and its key untouched);
2. the key is removed, then the new artefacts are renamed into place (no key = render again);
3. artefacts of this report that the new render did not produce (a PDF that could not be
   exported, a format no longer asked for) are removed, so an old PDF never sits beside
   a new HTML;
4. the key is written last, and only when the render fully succeeded.

Failed renders never touch the report folder: they go to `<year>/_loi/<school_id>/`.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from .. import archive
from ..status import Status, is_placed
from .worker import Outcome, Task, failure_note

KEY_SUFFIX = "key"
DISK_WIDE = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)  # every later school would fail too


def key_path(task: Task) -> Path:
    return Path(task.out_dir) / f"{task.doc_kind}.{KEY_SUFFIX}"


def read_key(task: Task) -> dict | None:
    """The key file's content, or None when it is missing, unreadable or of an older format."""
    try:
        key = json.loads(key_path(task).read_bytes())
    except (OSError, ValueError):
        return None
    if not (isinstance(key, dict) and isinstance(key.get("run_key"), str)
            and isinstance(key.get("files"), dict)):
        return None
    return key


def key_content(run_key: str, files: dict[str, bytes]) -> bytes:
    hashes = {name: {"sha256": archive.sha256(data), "bytes": len(data)}
              for name, data in sorted(files.items())}
    return json.dumps({"run_key": run_key, "files": hashes}, indent=1).encode("utf-8")


def is_up_to_date(task: Task) -> bool:
    """Same run key, and every wanted artefact on disk with the recorded size and hash."""
    key = read_key(task)
    if key is None or key["run_key"] != task.run_key:
        return False
    wanted = {f"{task.doc_kind}.{ext}" for ext in ("ipynb", *task.formats)}
    return wanted <= set(key["files"]) and all(
        _matches(Path(task.out_dir) / name, key["files"][name]) for name in key["files"])


def _matches(path: Path, recorded: object) -> bool:
    if not isinstance(recorded, dict):
        return False
    try:
        if path.stat().st_size != recorded.get("bytes"):
            return False
        return archive.file_hash(path) == recorded.get("sha256")
    except OSError:
        return False


def existing_files(task: Task) -> dict[str, str]:
    """format -> file name of an up-to-date report, from its key."""
    key = read_key(task) or {"files": {}}
    return {name.rsplit(".", 1)[1]: name for name in key["files"]}


def artefacts_on_disk(task: Task) -> list[Path]:
    """This report's artefacts in its folder: `<doc_kind>.<ext>`, the key excepted."""
    out = Path(task.out_dir)
    if not out.is_dir():
        return []
    return [p for p in out.glob(f"{task.doc_kind}.*")
            if p.suffix[1:].isalnum() and p.stem == task.doc_kind and p.suffix != f".{KEY_SUFFIX}"]


def place(task: Task, outcome: Outcome, files: dict[str, bytes]) -> None:
    """Write a worker's artefacts: good ones into place (module rule), failed ones into _loi/."""
    if not is_placed(outcome.status):
        failed = Path(task.out_dir).parent / "_loi" / task.school_id
        for name, data in files.items():
            archive.atomic_write(failed / name, data)
        archive.atomic_write(failed / f"{task.doc_kind}.loi.json", failure_note(outcome))
        return
    out = Path(task.out_dir)
    report = {n: d for n, d in files.items() if not n.endswith(".log")}
    staged = _stage_all(out, report)  # a full disk fails here, with the old report untouched
    key_path(task).unlink(missing_ok=True)
    for name, tmp in staged.items():
        os.replace(tmp, out / name)
    for path in artefacts_on_disk(task):
        if path.name not in report:
            path.unlink()
    outcome.files = {n.rsplit(".", 1)[1]: n for n in report}
    if outcome.status == Status.OK:
        archive.atomic_write(key_path(task), key_content(task.run_key, report))
    else:  # the new set is in place but incomplete; the reason is kept beside the failures
        archive.atomic_write(out.parent / "_loi" / task.school_id / f"{task.doc_kind}.loi.json",
                             failure_note(outcome))


def _stage_all(out: Path, report: dict[str, bytes]) -> dict[str, Path]:
    """Every new artefact written completely beside its place, or none (nothing is replaced)."""
    staged: dict[str, Path] = {}
    try:
        for name, data in report.items():
            staged[name] = archive.stage(out / name, data)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    return staged


def write_error_message(exc: OSError, where: Path) -> str:
    """"không ghi được kết quả vào …: ổ đĩa đầy (No space left on device); …"."""
    return (f"không ghi được kết quả vào {where}: {archive.os_error_vi(exc)}; báo cáo trước "
            "(nếu có) được giữ nguyên, báo cáo này sẽ được chạy lại ở lần chạy sau")
