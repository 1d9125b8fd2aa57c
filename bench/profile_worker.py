"""Where does one school's time go? The worker's own steps, timed in one process.

Runs `worker.render_school` for a few schools, as a pool worker does (forked kernels, all
formats asked), and times each step by wrapping the functions the worker calls: notebook
execution (with each cell's own duration as papermill records it), the model read back from
the notebook, the notebook written out, and each exporter. Wall time and this process's CPU
time are both shown, since the machine may be shared.

    .venv/bin/python bench/profile_worker.py --dataset params/demo --schools 6
"""

from __future__ import annotations

import argparse
import collections
import functools
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS: collections.defaultdict[str, list[float]] = collections.defaultdict(list)


def timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            STEPS[name].append(time.perf_counter() - t0)
    return wrapper


def instrument() -> None:
    import nbformat
    import papermill

    from kehoach_nb import export, notebook, preflight

    original = papermill.execute_notebook

    def execute(*args, **kwargs):
        nb = original(*args, **kwargs)
        for cell in nb.cells:
            meta = cell.metadata.get("papermill", {})
            if cell.cell_type == "code" and meta.get("duration") is not None:
                first = cell.source.splitlines()[0][:40] if cell.source else "(empty)"
                STEPS[f"  cell: {first}"].append(meta["duration"])
        return nb

    papermill.execute_notebook = timed("notebook execution (fork, cells, shutdown)", execute)
    notebook.split_commentary = timed("split_commentary", notebook.split_commentary)
    notebook.document = timed("document(nb) (model from the notebook)", notebook.document)
    nbformat.writes = timed("nbformat.writes", nbformat.writes)
    preflight.check_glyphs = timed("glyph preflight", preflight.check_glyphs)
    for fmt, cls in export.EXPORTERS.items():
        cls.from_document = timed(f"export {fmt}", cls.from_document)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="params/demo")
    p.add_argument("--schools", type=int, default=6)
    p.add_argument("--doc", default="ke_hoach_phat_trien_giao_duc")
    p.add_argument("--formats", default="html,pdf,docx")
    args = p.parse_args(argv)

    from kehoach_nb.run import batch, loading, worker

    instrument()
    ds = loading.load_dataset(args.dataset)
    schools = tuple(ds.school_ids()[:args.schools])
    with tempfile.TemporaryDirectory() as out:
        opts = batch.RunOptions(formats=tuple(args.formats.split(",")), schools=schools,
                                docs=(args.doc,), force=True)
        tasks, settled = batch.plan_tasks(ds, Path(out), opts)
        totals = []
        for task in tasks:
            w0, c0 = time.perf_counter(), time.process_time()
            outcome, _files = worker.render_school(task)
            totals.append((time.perf_counter() - w0, time.process_time() - c0))
            print(f"{task.school_id}: {outcome.status} {totals[-1][0]:.2f} s wall, "
                  f"{totals[-1][1]:.2f} s CPU in this process", flush=True)
    report(totals)
    return 0


def report(totals: list[tuple[float, float]]) -> None:
    later = totals[1:] or totals
    print(f"\nper school, first dropped (warm-up) for the totals: wall {statistics.mean(t[0] for t in later):.2f} s, "
          f"this process's CPU {statistics.mean(t[1] for t in later):.2f} s")
    n = len(totals)
    for name, values in STEPS.items():
        print(f"  {name:52} {len(values) / n:5.1f} calls, {sum(values) / n:6.3f} s per school")


if __name__ == "__main__":
    sys.exit(main())
