"""The office's roll-up ("Báo cáo tổng hợp"): one view over every school of a scope.

record.py  the typed input: each school's stated figures and the state of each of its plans
build.py   that input → the document model (pure)
scope.py   the communes of the schools: a roll-up each, their folders and their UBND (pure)
run.py     gather the records of a run, render when they changed (batch calls it)
"""

from .build import build_rollup
from .record import RollupInput, SchoolEntry, PlanEntry



def load_rollup(path: str):
    """What the notebook calls: the roll-up built from its input file (the notebook's one read)."""
    from pathlib import Path

    return build_rollup(RollupInput.from_json(Path(path).read_text(encoding="utf-8")))


__all__ = ["load_rollup", "build_rollup", "RollupInput", "SchoolEntry", "PlanEntry"]
