"""The batch runner's own outcome model, with real kernels and injected faults."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from kehoach_nb import archive
from kehoach_nb.run.batch import RunOptions, execute, place, plan_tasks
from kehoach_nb.loading import load_dataset
from kehoach_nb.run.worker import NOTEBOOKS, Outcome

from .conftest import DATA, ROOT

pytestmark = pytest.mark.integration
TEMPLATE = NOTEBOOKS / "ke_hoach_phat_trien_giao_duc.ipynb"


def _dataset(tmp: Path, clones=("TH02", "TH03", "TH04")) -> Path:
    """The mini dataset with TH01 cloned under new ids (5 schools)."""
    ds = tmp / "mini"
    shutil.copytree(DATA / "mini", ds)
    for path in ds.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8")))
        extra = [[c] + r[1:] for c in clones for r in rows[1:] if r[0] == "TH01"]
        with path.open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(extra)
    return ds


def _faulty_template(tmp: Path, school: str, fault: str) -> Path:
    """The real template plus one cell that misbehaves for one school only."""
    nb = nbformat.read(TEMPLATE, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(f"if school_id == {school!r}:\n" +
                                                 "\n".join("    " + line for line in fault.splitlines())))
    path = tmp / "faulty.ipynb"
    nbformat.write(nb, path)
    return path


def _run(tmp: Path, template: Path | None = None, **opts) -> dict[str, Outcome]:
    ds = load_dataset(tmp / "mini")
    options = RunOptions(formats=("html",), jobs=2, **opts)
    tasks, settled = plan_tasks(ds, tmp / "out", options)
    for t in tasks:
        t.notebook = str(template) if template else ""
    return {o.school_id: o for o in settled + execute(tasks, options)}


def _report(tmp: Path, school: str) -> Path:
    return tmp / "out" / "mini" / "2024" / school / "ke_hoach_phat_trien_giao_duc.html"


TAG = f"KEHOACH_TEST_RUN={os.getpid()}"
os.environ["KEHOACH_TEST_RUN"] = str(os.getpid())  # inherited by workers and their kernels


def _ours(pid: str) -> bool:
    try:
        return TAG.encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _kernels() -> set[int]:
    """Kernels started by this test run (other programs' kernels on the machine are ignored)."""
    out = subprocess.run(["pgrep", "-f", "ipykernel_launcher|kehoach_nb.run.kernel_fork"], capture_output=True, text=True)
    return {int(pid) for pid in out.stdout.split() if _ours(pid)}


def _no_new_kernels(before: set[int], wait: float = 10) -> bool:
    """True once every kernel started since `before` has exited."""
    deadline = time.monotonic() + wait
    while _kernels() - before and time.monotonic() < deadline:
        time.sleep(0.3)
    return not (_kernels() - before)


def test_cell_error_in_one_school_leaves_the_others_rendered(tmp_path):
    _dataset(tmp_path)
    out = _run(tmp_path, _faulty_template(tmp_path, "TH03", "raise ValueError('số liệu hỏng')"))
    assert out["TH03"].status == "cell_error"
    assert "ValueError: số liệu hỏng" in out["TH03"].message and "ô số" in out["TH03"].message
    for school in ("TH01", "TH02", "TH04", "THCS01"):
        assert out[school].status == "ok" and _report(tmp_path, school).is_file()
    failed = tmp_path / "out" / "mini" / "2024" / "_loi" / "TH03"
    assert (failed / "ke_hoach_phat_trien_giao_duc.ipynb").is_file()
    assert json.loads((failed / "ke_hoach_phat_trien_giao_duc.loi.json").read_text())["status"] == "cell_error"
    assert not _report(tmp_path, "TH03").exists()


@pytest.mark.parametrize("fault, status", [
    ("while True:\n    pass", "timeout"),
    ("import os\nos._exit(1)", "kernel_died"),
    ("import sys\nsys.exit(0)", "incomplete"),
])
def test_misbehaving_kernels_are_classified(tmp_path, fault, status):
    _dataset(tmp_path, clones=())
    before = _kernels()
    timeout = 8 if status == "timeout" else 300  # the build cell alone can take seconds
    out = _run(tmp_path, _faulty_template(tmp_path, "TH01", fault), cell_timeout=timeout)
    assert out["TH01"].status == status, out["TH01"]
    assert out["THCS01"].status == "ok"
    if status == "kernel_died":
        assert out["TH01"].attempts == 2  # infrastructure failures are retried once
    if status != "incomplete":  # what ran before the fault is kept for diagnosis
        kept = tmp_path / "out" / "mini" / "2024" / "_loi" / "TH01" / "ke_hoach_phat_trien_giao_duc.ipynb"
        cells = nbformat.reads(kept.read_text(encoding="utf-8"), as_version=4).cells
        assert any(c.get("execution_count") for c in cells if c.cell_type == "code")
    assert _no_new_kernels(before)  # the timed-out or dead kernel is gone


def test_agg_backend_in_the_environment_keeps_the_charts(tmp_path, monkeypatch):
    _dataset(tmp_path, clones=())
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = _run(tmp_path)
    assert out["TH01"].status == "ok"
    assert _report(tmp_path, "TH01").read_text().count('<figure class="chart">') == 2


def test_missing_chart_is_invalid_output_not_success(tmp_path):
    _dataset(tmp_path, clones=())
    fault = "report.document.charts()[0].svg = ''"  # a chart whose drawing is lost
    out = _run(tmp_path, _faulty_template(tmp_path, "TH01", fault))
    assert out["TH01"].status == "invalid_output" and "thiếu biểu đồ" in out["TH01"].message


def test_disk_error_while_writing_keeps_the_previous_report(tmp_path, monkeypatch):
    path = tmp_path / "r.html"
    path.write_bytes(b"old report")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        archive.atomic_write(path, b"new report")
    assert path.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


def test_failed_run_never_overwrites_the_last_good_report(tmp_path):
    _dataset(tmp_path, clones=())
    assert _run(tmp_path)["TH01"].status == "ok"
    good = _report(tmp_path, "TH01").read_bytes()
    out = _run(tmp_path, _faulty_template(tmp_path, "TH01", "raise RuntimeError('x')"), force=True)
    assert out["TH01"].status == "cell_error"
    assert _report(tmp_path, "TH01").read_bytes() == good


def test_killed_orchestrator_resumes_with_only_what_is_left(tmp_path):
    _dataset(tmp_path)
    before = _kernels()
    cmd = [sys.executable, "-m", "kehoach_nb", "run", "--dataset", "mini", "--out", "out",
           "--formats", "html", "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    keys = tmp_path / "out" / "mini" / "2024"
    deadline = time.monotonic() + 120
    while not list(keys.glob("*/*.key")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _no_new_kernels(before, wait=15)  # no orphaned kernel
    done = {p.parent.name for p in keys.glob("*/*.key")}
    assert 1 <= len(done) < 5
    for school_dir in keys.iterdir():  # only complete reports: every html has its key
        if (school_dir / "ke_hoach_phat_trien_giao_duc.html").exists() and school_dir.name not in done:
            pytest.fail(f"half-done report left in {school_dir}")
    again = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout
    assert again.stdout.count("— bỏ qua (không thay đổi)") == len(done)
    assert {p.parent.name for p in keys.glob("*/*.key")} == {"TH01", "TH02", "TH03", "TH04", "THCS01"}


def test_dask_local_cluster_with_a_worker_killed_mid_batch(tmp_path):
    _dataset(tmp_path, clones=("TH02",))
    marker = tmp_path / "killed-once"
    fault = (f"import os, pathlib\nm = pathlib.Path({str(marker)!r})\n"
             "p = os.getppid()  # the zygote; its parent is the Dask worker\n"
             "if b'kehoach_nb.run.kernel_fork' in open(f'/proc/{p}/cmdline', 'rb').read():\n"
             "    p = int(next(l.split()[1] for l in open(f'/proc/{p}/status') if l.startswith('PPid:')))\n"
             "if not m.exists():\n"
             "    m.write_bytes(str(p).encode() + b' ' + open(f'/proc/{p}/cmdline', 'rb').read())\n"
             "    os.kill(p, 9)")
    out = _run(tmp_path, _faulty_template(tmp_path, "TH02", fault), executor="dask")
    pid, cmdline = marker.read_bytes().split(b" ", 1)
    assert b"kernel_fork" not in cmdline and b"python" in cmdline  # a worker, not the zygote
    assert not Path(f"/proc/{int(pid)}/cmdline").exists() or not Path(f"/proc/{int(pid)}/cmdline").read_bytes()
    assert {s: o.status for s, o in out.items()} == {"TH01": "ok", "TH02": "ok", "THCS01": "ok"}
    assert len(list((tmp_path / "out").rglob("*.html"))) == 3


def test_plain_tcp_to_another_machine_is_refused():
    from kehoach_nb.errors import ParamsError
    from kehoach_nb.run.scale_out import check_scheduler

    check_scheduler("tcp://127.0.0.1:8786")
    check_scheduler("tls://10.1.2.3:8786")
    with pytest.raises(ParamsError, match="tls://"):
        check_scheduler("tcp://10.1.2.3:8786")


def test_place_writes_failures_apart(tmp_path):
    from kehoach_nb.run.worker import Task

    task = Task("mini", "TH01", "ke_hoach_phat_trien_giao_duc", 2024, str(tmp_path / "2024" / "TH01"),
                ("html",), {}, run_key="k")
    place(task, Outcome("TH01", task.doc_kind, "timeout", "quá thời gian"), {"x.ipynb": b"{}"})
    assert (tmp_path / "2024" / "_loi" / "TH01" / "x.ipynb").read_bytes() == b"{}"
    assert not (tmp_path / "2024" / "TH01").exists()
