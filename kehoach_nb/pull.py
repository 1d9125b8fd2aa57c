"""`kehoach commentary pull`: copy edited commentary cells back into the store, safely.

Only cells tagged "commentary" are read; nothing else in a notebook is touched.
An entry that changed in the store after the notebook was rendered is a
conflict: both texts are written side by side and the entry is left alone.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import commentary as cm
from .archive import atomic_write
from .paths import UnsafePath, check_name


@dataclass
class PullResult:
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # files to resolve
    problems: list[str] = field(default_factory=list)  # notebooks or cells not pulled, and why


class NotOurs(ValueError):
    """A notebook (or cell) kehoach cannot pull from; the message is Vietnamese."""


def notebooks(paths: list[str]) -> list[Path]:
    out = []
    for p in map(Path, paths):
        skip = {"_loi", "_tong_hop"}  # failed renders, the office's roll-up (no commentary)
        out += sorted(x for x in p.rglob("*.ipynb") if not skip & set(x.parts)) if p.is_dir() else [p]
    return out


def edited_text(cell) -> str | None:
    """The analyst's text if the cell was edited, else None (draft mark removed)."""
    info = cell.metadata["kehoach"]
    text = cell.source.strip()
    if text == info["rendered"].strip():
        return None
    if info.get("draft") and text.startswith(cm.DRAFT_MARK):
        text = text[len(cm.DRAFT_MARK):].strip()
    return text


def _read(path: Path) -> tuple[nbformat.NotebookNode, str, str]:
    """The notebook and its checked school id and document kind."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 — invalid JSON, not a notebook, unreadable file
        raise NotOurs(f"không đọc được notebook ({type(exc).__name__}); tệp bị hỏng hoặc không "
                      "phải notebook Jupyter") from None
    params = nb.metadata.get("kehoach", {}).get("parameters")
    if not isinstance(params, dict):
        raise NotOurs("notebook không có metadata của kehoach (không phải notebook do kehoach run "
                      "tạo, hoặc metadata đã bị xóa); không có gì để đưa về kho")
    try:
        return nb, check_name("school_id", params.get("school_id")), check_name("doc_kind", params.get("doc_kind"))
    except UnsafePath as exc:
        raise NotOurs(f"metadata của notebook không hợp lệ: {exc}") from None


def pull_notebook(path: Path, dataset_root: Path, by: str, result: PullResult) -> None:
    try:
        nb, school_id, doc_kind = _read(path)
    except NotOurs as exc:
        result.problems.append(f"{path}: {exc}")
        return
    for n, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "markdown" or "commentary" not in cell.metadata.get("tags", []):
            continue
        try:
            _pull_cell(cell, path, dataset_root, (school_id, doc_kind), by, result)
        except (NotOurs, UnsafePath) as exc:
            result.problems.append(f"{path}, ô {n}: {exc}")


def _pull_cell(cell, path: Path, root: Path, owner: tuple[str, str], by: str, result: PullResult) -> None:
    info = cell.metadata.get("kehoach")
    if not isinstance(info, dict) or not {"section", "rendered", "store_digest"} <= set(info):
        raise NotOurs("ô nhận xét thiếu metadata kehoach (section, rendered, store_digest)")
    text = edited_text(cell)
    if text is None:
        result.unchanged += 1
        return
    target = cm.entry_path(root, *owner, info["section"])
    stored = target.read_bytes() if target.exists() else b""
    try:
        same = bool(stored) and cm.parse_entry(stored).text.strip() == text
    except UnicodeDecodeError:
        raise NotOurs(f"tệp {target} trong kho không phải UTF-8; hãy sửa hoặc xóa tệp đó trước") from None
    if same:
        result.unchanged += 1
        return
    if (cm.digest(stored) if stored else "") != info["store_digest"]:
        result.conflicts.append(str(_write_conflict(target, text)))
        return
    meta = {"cap_nhat": dt.datetime.now().isoformat(timespec="seconds"), "nguoi_sua": by,
            "chi_so": dict(info.get("values", {})), "tu_notebook": path.name}
    atomic_write(target, cm.render_entry(text, meta))
    result.updated.append(f"{owner[0]}/{owner[1]}/{info['section']}")


def _write_conflict(target: Path, text: str) -> Path:
    mine = target.with_name(target.stem + ".xung_dot.md")
    theirs = target.read_bytes().decode("utf-8", "replace") if target.exists() else "(đã bị xóa)"
    body = ("<!-- XUNG ĐỘT: mục này đã được sửa trong kho sau khi notebook được tạo. "
            f"Hãy gộp hai phiên bản vào {target.name} rồi xóa tệp này. -->\n\n"
            f"## Bản trong kho ({target.name})\n\n{theirs}\n\n## Bản sửa trong notebook\n\n{text}\n")
    atomic_write(mine, body.encode("utf-8"))
    return mine


def pull(paths: list[str], dataset_root: Path, by: str | None = None) -> PullResult:
    result = PullResult()
    for nb_path in notebooks(paths):
        pull_notebook(nb_path, dataset_root, by or getpass.getuser(), result)
    return result
