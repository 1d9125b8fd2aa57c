"""Where does the time go per school? Step timings of the work `kehoach run` does.

Per school, in one long-lived process (like a pool worker), with a fresh kernel each:
kernel start, imports in the kernel, the data load, build_report, display cells, kernel
shutdown, HTML export, glyph preflight, PDF. If the profiled code hands workers a
per-school snapshot (loading.school_snapshot), the kernel reads that snapshot, as the
worker does; otherwise it reads the whole dataset. Plus the parent's per-run work
(load_dataset, planning with per-school digests): what a no-op re-run pays.

    .venv/bin/python bench/profile_school.py --dataset /tmp/synth200 --schools 5 [--code DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = "ke_hoach_phat_trien_giao_duc"
LOAD_PROBE = "load in kernel (probe, repeated by build_report)"


class Clock:
    """Accumulates named step durations for one school."""

    def __init__(self):
        self.steps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = self.steps.get(name, 0.0) + now - self._t
        self._t = now


def parameterised(code: Path, dataset: str, school_id: str):
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(code / "notebooks" / f"{DOC}.ipynb"))
    return parameterize_notebook(nb, {"dataset": dataset, "school_id": school_id,
                                      "doc_kind": DOC, "school_year": 2024})


def cell_label(cell) -> str:
    if "build_report(" in cell.source:
        return "build_report (incl. its own load)"
    if any("parameters" in tag for tag in cell.metadata.get("tags", [])):
        return "parameter cells"
    return "display cells (5, HTML to the client)"


def kernel_steps(code: Path, dataset: str, school_id: str, cwd: Path, clock: Clock):
    """Run the notebook cell by cell in a fresh kernel, timing the parts of the work."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    nb = parameterised(code, dataset, school_id)
    client = NotebookClient(nb, kernel_name="kehoach", timeout=600,
                            resources={"metadata": {"path": str(cwd)}})
    probes = [new_code_cell(src, metadata={"probe": name}) for name, src in (
        ("kernel imports", "import kehoach_nb, kehoach_nb.plans.development, pandas, matplotlib"),
        (LOAD_PROBE, f"from kehoach_nb.loading import load_dataset\n_ = load_dataset({dataset!r})"))]
    nb.cells[:0] = probes
    clock.lap("(setup)")
    with client.setup_kernel():
        clock.lap("kernel start")
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, i)
            clock.lap(cell.metadata.get("probe") or cell_label(cell))
    del nb.cells[:len(probes)]
    clock.lap("kernel shutdown")
    return nb


def export_steps(nb, school_id: str, clock: Clock) -> None:
    from kehoach_nb import export
    from kehoach_nb.preflight import check_glyphs

    try:
        from kehoach_nb.worker import split_commentary
        nb = split_commentary(nb)
    except ImportError:
        pass
    html = export.render_html(nb, f"{DOC} — {school_id}")
    clock.lap("HTML (nbconvert)")
    check_glyphs(html, school_id)
    clock.lap("glyph preflight")
    export.render_pdf(html)
    clock.lap("PDF (WeasyPrint)")


def school_input(ds, school_id: str, tmp: Path) -> tuple[str, Path]:
    """(dataset parameter, kernel cwd) the way the profiled batch code feeds a kernel."""
    from kehoach_nb import loading

    if not hasattr(loading, "school_snapshot"):
        return str(ds.root.resolve()), Path.cwd()
    folder = tmp / ds.root.resolve().name
    for name, blob in loading.school_snapshot(ds, school_id).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(blob)
    return folder.name, tmp


def parent_steps(dataset: str) -> dict[str, float]:
    """What the parent process does before any kernel starts (all a no-op run does)."""
    from kehoach_nb import batch, loading

    clock = Clock()
    ds = loading.load_dataset(dataset)
    clock.lap("load_dataset")
    with tempfile.TemporaryDirectory() as out:
        if hasattr(batch, "RunOptions"):
            batch.plan_tasks(ds, Path(out), batch.RunOptions(docs=(DOC,)))
        else:
            for sid in ds.school_ids():
                ds.problems_for(sid)
                loading.school_digest(ds, sid)
            batch.toolkit_hash()
    clock.lap("plan_tasks (per-school inputs, digests, keys)")
    return clock.steps


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", required=True)
    p.add_argument("--schools", type=int, default=5, help="how many schools to profile")
    p.add_argument("--code", default=str(ROOT), help="package copy to profile (default: this repo)")
    args = p.parse_args(argv)
    code = Path(args.code).resolve()
    sys.path.insert(0, str(code))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    import kehoach_nb.batch  # noqa: F401
    import nbclient  # noqa: F401
    import papermill  # noqa: F401
    print(f"parent imports: {time.perf_counter() - t0:.2f} s  (kehoach_nb from "
          f"{Path(kehoach_nb.__file__).parent})")
    for name, secs in parent_steps(args.dataset).items():
        print(f"parent {name}: {secs:.2f} s")
    profile_schools(code, args.dataset, args.schools)
    return 0


def profile_schools(code: Path, dataset: str, count: int) -> None:
    from kehoach_nb.loading import load_dataset

    ds = load_dataset(dataset)
    per_school = []
    for sid in ds.school_ids()[:count]:
        with tempfile.TemporaryDirectory() as tmp:
            clock = Clock()
            param, cwd = school_input(ds, sid, Path(tmp))
            clock.lap("write school snapshot")
            nb = kernel_steps(code, param, sid, cwd, clock)
            export_steps(nb, sid, clock)
        per_school.append(clock.steps)
        print(f"{sid}: " + ", ".join(f"{k} {v:.2f}" for k, v in clock.steps.items()), flush=True)
    print_summary(per_school)


def print_summary(per_school: list[dict[str, float]]) -> None:
    names = list(per_school[0])
    probe = statistics.mean(s[LOAD_PROBE] for s in per_school)
    total = statistics.mean(sum(s.values()) for s in per_school) - probe
    print(f"\nmean over {len(per_school)} schools: {total:.2f} s per school, not counting the load "
          f"probe (build_report repeats that load); first school included, HTML/PDF warm up "
          f"once per process")
    for name in names:
        values = [s.get(name, 0.0) for s in per_school]
        mean = statistics.mean(values)
        rest = statistics.mean(values[1:]) if len(values) > 1 else mean
        print(f"  {name:48} mean {mean:6.2f} s  first {values[0]:6.2f} s  later {rest:6.2f} s  "
              f"{100 * mean / total:5.1f}%")
    build = statistics.mean(s["build_report (incl. its own load)"] for s in per_school)
    print(f"  {'→ build_report without its load':48} mean {build - probe:6.2f} s")


if __name__ == "__main__":
    sys.exit(main())
