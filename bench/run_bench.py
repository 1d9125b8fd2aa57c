"""Benchmark `kehoach run` against the naive per-school CLI loop an analyst would write.

On N synthetic schools (bench/synth.py) it times:
  (a) naive loop, one school at a time: papermill CLI -> jupyter nbconvert --to html
      --no-input -> python -m weasyprint, on the first --naive-n schools; the per-school
      time is extrapolated to N and labelled as such;
  (b) `kehoach run --dataset D --out O --jobs J` into a fresh output folder;
  (c) the same command again (nothing changed: the no-op re-run).
Then it checks that (a) and (b) wrote the same report text for the naive schools.

    .venv/bin/python bench/run_bench.py --n 200 --naive-n 20 [--jobs 2] [--keep]
    .venv/bin/python bench/run_bench.py --rev HEAD ...   # benchmark a snapshot of a commit

`--rev REV` extracts that commit (git archive) into the work folder and `--code DIR` uses a
copy already on disk; either is put first on PYTHONPATH for every process (CLI, workers,
kernels), so a fixed version is measured while other people edit the working tree. The
synthetic schools are modelled on that version's params/demo, with only the plan document
listed in dataset.yaml, so that (a) and (b) produce the same set of reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

DOC = "ke_hoach_phat_trien_giao_duc"


# --- measuring ------------------------------------------------------------------
class TreeSampler:
    """Peak resident memory of this process's descendants, sampled every `period` s.

    RSS counts a page once per process that maps it, so forked kernels count the pages they
    share with their zygote again; PSS splits each shared page between its processes and so
    adds up to the memory the tree really holds. Both are kept."""

    def __init__(self, period: float = 0.2):
        self.period, self.peak_total, self.peak_single, self.peak_pss = period, 0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.period):
            rss, pss = [], []
            for p in me.children(recursive=True):
                try:
                    full = p.memory_full_info()
                    rss.append(full.rss)
                    pss.append(full.pss)
                except psutil.Error:
                    pass
            self.peak_total = max(self.peak_total, sum(rss))
            self.peak_pss = max(self.peak_pss, sum(pss))
            self.peak_single = max([self.peak_single, *rss])


@dataclass
class Phase:
    """Wall time, CPU and memory of one benchmark phase."""

    name: str
    wall_s: float = 0.0
    children_cpu_s: float = 0.0
    foreign_cpu_s: float = 0.0  # CPU used on the machine by processes outside this benchmark
    peak_tree_rss_mb: float = 0.0
    peak_tree_pss_mb: float = 0.0
    peak_process_rss_mb: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # summed seconds per step
    failures: int = 0


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _busy_cpu() -> float:
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)


class Measure:
    """Context manager filling a Phase: wall, CPU of children, foreign CPU, memory."""

    def __init__(self, phase: Phase):
        self.phase = phase

    def __enter__(self):
        self.sampler = TreeSampler().__enter__()
        own = psutil.Process().cpu_times()
        self.start = (time.monotonic(), _children_cpu(), _busy_cpu(), own.user + own.system)
        return self.phase

    def __exit__(self, *exc):
        self.sampler.__exit__(*exc)
        own = psutil.Process().cpu_times()
        wall0, kids0, busy0, own0 = self.start
        p = self.phase
        p.wall_s = time.monotonic() - wall0
        p.children_cpu_s = _children_cpu() - kids0
        ours = p.children_cpu_s + (own.user + own.system - own0)
        p.foreign_cpu_s = max(0.0, _busy_cpu() - busy0 - ours)
        p.peak_tree_rss_mb = self.sampler.peak_total / 2**20
        p.peak_tree_pss_mb = self.sampler.peak_pss / 2**20
        p.peak_process_rss_mb = self.sampler.peak_single / 2**20


def wait_quiet(max_wait: float, cores: float = 0.3) -> float:
    """Wait (at most max_wait s) until other processes use under `cores` CPUs; return the load."""
    deadline = time.monotonic() + max_wait
    while True:
        busy = psutil.cpu_percent(interval=5) / 100 * (os.cpu_count() or 1)
        if busy < cores or time.monotonic() >= deadline:
            return busy
        print(f"  machine busy ({busy:.1f} CPUs used by other processes), waiting…", flush=True)


def run(cmd: list[str], env: dict, cwd: Path, log: Path) -> tuple[int, float]:
    start = time.monotonic()
    with log.open("ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        rc = subprocess.run(cmd, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT).returncode
    return rc, time.monotonic() - start


# --- the three contenders ----------------------------------------------------------
def naive_commands(code: Path, dataset: Path, sid: str, out: Path) -> dict[str, list[str]]:
    nb, html, pdf = out / f"{sid}.ipynb", out / f"{sid}.html", out / f"{sid}.pdf"
    return {
        "papermill": [str(BIN / "papermill"), str(code / "notebooks" / f"{DOC}.ipynb"), str(nb),
                      "-p", "dataset", str(dataset), "-p", "school_id", sid, "-k", "kehoach"],
        "nbconvert": [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
        "weasyprint": [str(BIN / "python"), "-m", "weasyprint", str(html), str(pdf)],
    }


def naive_loop(code: Path, dataset: Path, schools: list[str], out: Path, env: dict) -> Phase:
    out.mkdir(parents=True, exist_ok=True)
    phase = Phase("naive")
    with Measure(phase):
        for i, sid in enumerate(schools, 1):
            start = time.monotonic()
            for step, cmd in naive_commands(code, dataset, sid, out).items():
                rc, secs = run(cmd, env, out, out / "naive.log")
                phase.steps[step] = phase.steps.get(step, 0.0) + secs
                if rc:
                    phase.failures += 1
                    break
            print(f"  naive {i}/{len(schools)} {sid}: {time.monotonic() - start:.1f} s", flush=True)
    return phase


def kehoach_run(name: str, dataset: Path, out: Path, jobs: int, env: dict, log: Path,
                formats: str = "html,pdf") -> Phase:
    cmd = [str(BIN / "kehoach"), "run", "--dataset", str(dataset), "--out", str(out),
           "--jobs", str(jobs), "--formats", formats]
    phase = Phase(name)
    with Measure(phase):
        rc, _ = run(cmd, env, out.parent, log)
    phase.failures = int(rc != 0)
    return phase


# --- same report text? -------------------------------------------------------------
class TextExtractor(HTMLParser):
    """Text inside the elements that `wanted(tag, attrs)` selects; style/script skipped."""

    SKIP = {"style", "script", "title"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.depth, self.skip, self.parts = wanted, 0, 0, []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hit = self.depth == 0 and self.wanted(tag, dict(attrs))
        self.stack.append(hit)
        if hit or self.depth:
            self.depth += 1
        self.skip += tag in self.SKIP

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()
        if self.depth:
            self.depth -= 1
        self.skip -= tag in self.SKIP and self.skip > 0

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def ours_text(html: str) -> str:
    """Our template: everything inside <main class="document">."""
    ex = TextExtractor(lambda tag, a: tag == "main" and "document" in a.get("class", "").split())
    ex.feed(html)
    return ex.text()


def naive_text(html: str) -> str:
    """nbconvert's lab template: the text/html output areas only (no markdown cell, prompts)."""
    ex = TextExtractor(lambda tag, a: "jp-OutputArea-output" in a.get("class", "").split()
                       and a.get("data-mime-type") == "text/html")
    ex.feed(html)
    return ex.text()


def first_difference(a: str, b: str, context: int = 60) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lo, hi = max(0, i - context), i + context
    return f"at char {i}: ours …{a[lo:hi]}… vs naive …{b[lo:hi]}…"


def compare_reports(schools: list[str], naive_dir: Path, ours_root: Path) -> dict:
    result = {"compared": 0, "identical": 0, "differences": {}}
    for sid in schools:
        ours = next(ours_root.rglob(f"{sid}/{DOC}.html"), None)
        naive = naive_dir / f"{sid}.html"
        if ours is None or not naive.is_file():
            result["differences"][sid] = "missing output"
            continue
        a, b = ours_text(ours.read_text("utf-8")), naive_text(naive.read_text("utf-8"))
        result["compared"] += 1
        if a == b and a:
            result["identical"] += 1
        else:
            result["differences"][sid] = first_difference(a, b)
    return result


# --- report ----------------------------------------------------------------------------
def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    ram = round(psutil.virtual_memory().total / 2**30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram, "os": platform.platform(),
            "python": platform.python_version()}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def snapshot(rev: str, dest: Path) -> str:
    """Extract a commit into dest (read-only for the repository); return its full id."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return commit


def code_version(code: Path, commit: str | None) -> dict:
    if commit:
        return {"code_dir": str(code), "commit": commit, "source": "git archive"}
    if code.resolve() != ROOT:
        return {"code_dir": str(code), "commit": "unknown", "source": "copy on disk"}
    dirty = git("status", "--porcelain", "--", "kehoach_nb", "notebooks").splitlines()
    return {"code_dir": str(code), "commit": git("rev-parse", "HEAD"), "source": "working tree",
            "uncommitted_changes": dirty}


def summarise(n: int, naive_n: int, phases: dict[str, Phase], same: dict) -> dict:
    naive, full, noop = phases["naive"], phases["full"], phases["noop"]
    naive_per = naive.wall_s / naive_n
    full_per = full.wall_s / n
    return {
        "naive_per_school_s": naive_per,
        "naive_total_s_extrapolated": naive_per * n,
        "naive_steps_per_school_s": {k: v / naive_n for k, v in naive.steps.items()},
        "kehoach_run_per_school_s": full_per,
        "speed_ratio": naive_per / full_per,
        "speed_ratio_with_docx": naive_per / (phases["full_docx"].wall_s / n),
        "noop_percent_of_full": 100 * noop.wall_s / full.wall_s,
        "target_12x_met": naive_per / full_per >= 12,
        "target_noop_2pct_met": noop.wall_s / full.wall_s < 0.02,
        "same_text": same,
    }


def print_report(res: dict) -> None:
    s, ph = res["summary"], res["phases"]
    print(f"\n== kehoach bench, {res['date']}, {res['machine']['cpu']} × {res['machine']['cores']}, "
          f"N={res['n']}, naive on {res['naive_n']}, jobs={res['jobs']}")
    v = res["version"]
    dirty = ", with uncommitted changes" if v.get("uncommitted_changes") else ""
    print(f"code: {v['commit'][:10]} ({v['source']}{dirty}) in {v['code_dir']}")
    rows = [("naive loop (measured)", ph["naive"], res["naive_n"]),
            ("kehoach run (fresh)", ph["full"], res["n"]), ("kehoach run (no-op)", ph["noop"], res["n"]),
            ("kehoach run +docx", ph["full_docx"], res["n"])]
    print(f"{'phase':22} {'schools':>7} {'wall s':>8} {'s/school':>8} {'CPU s/school':>12} "
          f"{'peak tree MB':>12} {'tree PSS MB':>11} {'peak proc MB':>12} {'other CPUs':>10} {'fail':>4}")
    for label, p, k in rows:
        print(f"{label:22} {k:7d} {p['wall_s']:8.1f} {p['wall_s'] / k:8.2f} "
              f"{p['children_cpu_s'] / k:12.2f} {p['peak_tree_rss_mb']:12.0f} "
              f"{p.get('peak_tree_pss_mb', 0):11.0f} "
              f"{p['peak_process_rss_mb']:12.0f} {p['foreign_cpu_s'] / p['wall_s']:10.2f} "
              f"{p['failures']:4d}")
    print("(other CPUs: mean number of CPUs busy with processes outside the benchmark)")
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in s["naive_steps_per_school_s"].items())
    print(f"naive per school: {s['naive_per_school_s']:.2f} s ({steps})")
    print(f"naive loop for all {res['n']} schools: {s['naive_total_s_extrapolated']:.0f} s "
          f"(EXTRAPOLATED from {res['naive_n']} schools)")
    if ph["naive"]["failures"] or ph["full"]["failures"]:
        print(f"!! {ph['naive']['failures']} naive and {ph['full']['failures']} kehoach reports FAILED: the "
              "ratio below compares unequal work and is NOT valid (naive PDFs need `pip install -e '.[bench]'`)")
    print(f"speed ratio naive/kehoach run (html,pdf): {s['speed_ratio']:.2f}× (target ≥ 12×: "
          f"{'met' if s['target_12x_met'] else 'NOT met'}); with docx added: "
          f"{s['speed_ratio_with_docx']:.2f}×")
    print(f"no-op re-run: {ph['noop']['wall_s']:.1f} s = {s['noop_percent_of_full']:.2f}% of the "
          f"full run (target < 2%: {'met' if s['target_noop_2pct_met'] else 'NOT met'})")
    same = s["same_text"]
    print(f"same report text: {same['identical']}/{same['compared']} schools identical")
    for sid, diff in list(same["differences"].items())[:5]:
        print(f"  {sid}: {diff}")
    print(f"RUSAGE_CHILDREN maxrss (largest single child, whole bench): "
          f"{res['rusage_children_maxrss_mb']:.0f} MB")


def env_for(code: Path) -> dict:
    env = dict(os.environ)
    if code.resolve() != ROOT:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200, help="schools for kehoach run (default 200)")
    p.add_argument("--naive-n", type=int, default=20, help="schools for the naive loop (default 20)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--rev", help="benchmark this commit (a snapshot made with git archive)")
    p.add_argument("--code", default=str(ROOT), help="package copy to benchmark (default: this repo)")
    p.add_argument("--workdir", help="folder for data and outputs (default: a temporary folder)")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="S",
                   help="before each phase wait up to S s for other processes to go idle")
    p.add_argument("--keep", action="store_true", help="keep the data and outputs")
    p.add_argument("--json", help="also write the results as JSON here")
    args = p.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kehoach_bench_")).resolve()
    commit = snapshot(args.rev, work / "code") if args.rev else None
    code = work / "code" if args.rev else Path(args.code).resolve()
    try:
        res = bench(args, code, work, code_version(code, commit))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_report(res)
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    ok = all(ph["failures"] == 0 for ph in res["phases"].values())
    return 0 if ok and not res["summary"]["same_text"]["differences"] else 1


def bench(args, code: Path, work: Path, version: dict) -> dict:
    dataset = work / f"synth{args.n}"
    tables, config = synth.generate(args.n, args.seed, code / "params" / "demo", [DOC])
    synth.write_tables(dataset, tables, config)
    schools = sorted(r["school_id"] for r in tables["school"].rows)
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    print(f"dataset {dataset} ({args.n} schools); code {code}; work {work}", flush=True)
    phases, quiet = run_phases(args, code, dataset, schools[: args.naive_n], work)
    same = compare_reports(schools[: args.naive_n], work / "naive", work / "out")
    return {"date": started, "machine": machine(), "version": version, "n": args.n,
            "naive_n": args.naive_n, "jobs": args.jobs, "seed": args.seed, "workdir": str(work),
            "phases": {k: asdict(v) for k, v in phases.items()},
            "foreign_cpus_before_phase": quiet,
            "summary": summarise(args.n, args.naive_n, phases, same),
            "rusage_children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def run_phases(args, code: Path, dataset: Path, naive_schools: list[str], work: Path):
    """(a) naive loop, (b) kehoach run (HTML, PDF) into a fresh folder, (c) the same again
    (no-op), (d) kehoach run with HTML, PDF and Word into another fresh folder."""
    env, out, phases, quiet = env_for(code), work / "out", {}, {}
    quiet["naive"] = wait_quiet(args.wait_quiet)
    phases["naive"] = naive_loop(code, dataset, naive_schools, work / "naive", env)
    print(f"naive done: {phases['naive'].wall_s:.0f} s", flush=True)
    quiet["full"] = wait_quiet(args.wait_quiet)
    phases["full"] = kehoach_run("full", dataset, out, args.jobs, env, work / "kehoach_full.log")
    print(f"kehoach run done: {phases['full'].wall_s:.0f} s", flush=True)
    quiet["noop"] = wait_quiet(args.wait_quiet)
    phases["noop"] = kehoach_run("noop", dataset, out, args.jobs, env, work / "kehoach_noop.log")
    quiet["full_docx"] = wait_quiet(args.wait_quiet)
    phases["full_docx"] = kehoach_run("full_docx", dataset, work / "out_docx", args.jobs, env,
                                      work / "kehoach_docx.log", "html,pdf,docx")
    print(f"kehoach run with Word done: {phases['full_docx'].wall_s:.0f} s", flush=True)
    return phases, quiet


if __name__ == "__main__":
    sys.exit(main())
