"""Shared steps of the archive tests: a final (ban hành) copy of the mini dataset, and runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from kehoach_nb.run.batch import RunOptions, execute, plan_tasks
from kehoach_nb.issuance import final_blockers
from kehoach_nb.loading import load_dataset
from kehoach_nb.plans import build_report

from .conftest import DATA

DOC = "ke_hoach_phat_trien_giao_duc"
TEXT = "Nhà trường đã thảo luận và thống nhất nội dung mục này tại hội nghị viên chức."


def final_dataset(dest: Path) -> Path:
    """tests/data/mini copied to `dest`, with the school's own text for every drafted section
    (commentary store files), so that both schools' plans may be issued."""
    shutil.copytree(DATA / "mini", dest)
    with (dest / "dataset.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\nplaceholders: true\n")  # every section, so that the school writes each one
    for school in ("TH01", "THCS01"):
        doc = build_report(str(dest), school, DOC, state="ban_hanh").document
        for c in doc.commentary():
            if c.draft:
                path = dest / "nhan_xet" / school / DOC / f"{c.key}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"{TEXT} ({c.key})\n", encoding="utf-8")
        assert final_blockers(build_report(str(dest), school, DOC, state="ban_hanh").document) == []
    return dest


def run(dataset: Path, out: Path, formats=("html",)) -> dict:
    """`kehoach run --state ban_hanh` on the dataset, as the CLI would (from the working folder)."""
    opts = RunOptions(formats=tuple(formats), jobs=2, state="ban_hanh")
    tasks, settled = plan_tasks(load_dataset(dataset), out, opts)
    return {o.school_id: o for o in settled + execute(tasks, opts)}


def set_cell(path: Path, match: list[str], column: str, value: str) -> str:
    """Change one cell of a CSV (the row whose first cells are `match`); returns the old value."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index(column)
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[:len(match)] == match:
            old, cells[col] = cells[col], value
            lines[i] = ",".join(cells)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return old
    raise AssertionError(f"no row {match} in {path}")


def issued_world(base: Path) -> dict:
    """A final mini dataset, run and issued (both schools) inside `base`, used as the working
    folder (the project root): paths in it are relative, as `kehoach` records them."""
    import os

    from kehoach_nb.issued.store import issue

    cwd = os.getcwd()
    os.chdir(base)
    try:
        final_dataset(base / "mini")
        outcomes = run(Path("mini"), Path("outputs"))
        assert {o.status for o in outcomes.values()} == {"ok"}, outcomes
        ds = load_dataset("mini")
        versions = {s: issue(ds, Path("outputs"), Path("luu_tru"), s, DOC, by="Trần Thị Văn Thư")[0]
                    for s in ("TH01", "THCS01")}
    finally:
        os.chdir(cwd)
    return versions
