"""Issue 13, fault injection on the real CLI: Ctrl-C / SIGTERM stop cleanly, SIGKILL at random
moments leaves only complete reports, and the next run completes only what is missing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from kehoach_nb import archive
from kehoach_nb.run.run_guard import TEMP_PREFIX

from .test_batch import _dataset, _kernels, _no_new_kernels

pytestmark = pytest.mark.integration
CMD = [sys.executable, "-m", "kehoach_nb", "run", "--dataset", "mini", "--out", "out",
       "--formats", "html"]
SCHOOLS = {"TH01", "TH02", "THCS01"}


def _year(tmp: Path) -> Path:
    return tmp / "out" / "mini" / "2024"


def _keyed(tmp: Path) -> set[str]:
    return {p.parent.name for p in _year(tmp).glob("*/*.key")}


def _wait_for_key(tmp: Path, deadline: float = 120) -> None:
    end = time.monotonic() + deadline
    while not _keyed(tmp) and time.monotonic() < end:
        time.sleep(0.1)
    assert _keyed(tmp), "no report finished in time"


def _assert_consistent(tmp: Path) -> list[dict]:
    """Every key matches its files byte for byte; the ledger reads without damage."""
    import json

    for key in _year(tmp).glob("*/ke_hoach_*.key"):  # the plans (audit reports keep a plain key)
        for name, rec in json.loads(key.read_text())["files"].items():
            assert archive.file_hash(key.parent / name) == rec["sha256"], f"{key.parent / name} changed"
    records, damaged = archive.read_ledger(tmp / "out" / "mini" / "so_cai_chay.jsonl")
    assert damaged == []
    return records


def _temp_roots(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}{pid}-*"))


@pytest.mark.parametrize("sig, code, words", [(signal.SIGINT, 130, "Ctrl-C"),
                                              (signal.SIGTERM, 143, "SIGTERM")])
def test_stop_signal_keeps_what_finished_and_ends_everything_else(tmp_path, sig, code, words):
    _dataset(tmp_path, clones=("TH02",))
    before = _kernels()
    proc = subprocess.Popen([*CMD, "--jobs", "1"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    _wait_for_key(tmp_path)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C on a terminal reaches the whole process group
    else:
        proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, out + err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    assert words in err and "Các báo cáo đã xong được giữ" in err
    done = _keyed(tmp_path)
    assert 1 <= len(done) < len(SCHOOLS)
    records = _assert_consistent(tmp_path)
    assert {r["school_id"] for r in records if r["status"] == "ok"} == done  # the ledger has them
    assert _temp_roots(proc.pid) == []  # the run's temp folders are gone
    assert _no_new_kernels(before, wait=15)


def test_sigkill_at_random_moments_then_the_next_run_completes_only_what_is_missing(tmp_path):
    _dataset(tmp_path, clones=("TH02",))
    before = _kernels()
    rng = random.Random(13)
    killed = []
    for moment in sorted(rng.uniform(1.5, 9.0) for _ in range(3)):
        proc = subprocess.Popen([*CMD, "--jobs", "2"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(moment)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed.append(proc.pid)
        assert _no_new_kernels(before, wait=15), f"orphan kernel after a kill at {moment:.1f} s"
        _assert_consistent(tmp_path)
    done = _keyed(tmp_path)
    final = subprocess.run([*CMD, "--jobs", "2"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    assert final.stdout.count("— bỏ qua (không thay đổi)") == len(done)
    assert final.stdout.count("— thành công") == len(SCHOOLS) - len(done)
    assert _keyed(tmp_path) == SCHOOLS
    _assert_consistent(tmp_path)
    assert not list((tmp_path / "out").rglob("*.tmp"))  # writes cut short were cleaned up
    assert all(_temp_roots(pid) == [] for pid in killed)  # so were the killed runs' temp folders
    assert _no_new_kernels(before, wait=15)
