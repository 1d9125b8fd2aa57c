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


@dataclass
class PullResult:
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # files to resolve


def notebooks(paths: list[str]) -> list[Path]:
    out = []
    for p in map(Path, paths):
        out += sorted(x for x in p.rglob("*.ipynb") if "_loi" not in x.parts) if p.is_dir() else [p]
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


def pull_notebook(path: Path, dataset_root: Path, by: str, result: PullResult) -> None:
    nb = nbformat.read(path, as_version=4)
    params = nb.metadata["kehoach"]["parameters"]
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "commentary" not in cell.metadata.get("tags", []):
            continue
        text = edited_text(cell)
        if text is None:
            result.unchanged += 1
            continue
        info = cell.metadata["kehoach"]
        target = cm.entry_path(dataset_root, params["school_id"], params["doc_kind"], info["section"])
        stored = target.read_bytes() if target.exists() else b""
        if stored and cm.parse_entry(stored).text.strip() == text:
            result.unchanged += 1
            continue
        if (cm.digest(stored) if stored else "") != info["store_digest"]:
            result.conflicts.append(str(_write_conflict(target, text)))
            continue
        meta = {"cap_nhat": dt.datetime.now().isoformat(timespec="seconds"), "nguoi_sua": by,
                "chi_so": dict(info.get("values", {})), "tu_notebook": path.name}
        atomic_write(target, cm.render_entry(text, meta))
        result.updated.append(f"{params['school_id']}/{params['doc_kind']}/{info['section']}")


def _write_conflict(target: Path, text: str) -> Path:
    mine = target.with_name(target.stem + ".xung_dot.md")
    theirs = target.read_text(encoding="utf-8") if target.exists() else "(đã bị xóa)"
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
