"""Kernels forked from the pre-imported zygote: fresh per school, and a safe fallback."""

from __future__ import annotations

import json
import os
import signal
import time

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

from kehoach_nb.run import kernel_fork
from kehoach_nb.run.kernel_fork import ForkedKernelManager, Zygote

PROBE = """import json, os, sys
import numpy
parent = open(f"/proc/{os.getppid()}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
from ipykernel.kernelapp import IPKernelApp
print(json.dumps({"pid": os.getpid(), "forked": "-m kehoach_nb.run.kernel_fork" in parent,
                  "preloaded": "kehoach_nb.plans.development" in sys.modules, "leaked": "secret" in globals(),
                  "env": os.environ.get("KEHOACH_PROBE"), "cwd": os.getcwd(),
                  "random": numpy.random.random(), "parent_handle": IPKernelApp.instance().parent_handle}))
secret = 42"""


@pytest.fixture(autouse=True)
def _no_zygote_left():
    """Each test starts and ends without zygotes in this process (pool workers fork from it)."""
    yield
    for zygote in Zygote._all.values():
        zygote.close()
    Zygote._all.clear()
    Zygote._broken.clear()


def _probe(tmp_path, monkeypatch, tag: str = "") -> dict:
    monkeypatch.setenv("KEHOACH_PROBE", tag)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    NotebookClient(nb, kernel_name="kehoach", kernel_manager_class=ForkedKernelManager, timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return json.loads(nb.cells[0].outputs[0]["text"])


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().split()[2] != "Z"
    except OSError:
        return False


def test_each_kernel_is_a_new_fork_with_the_libraries_and_nothing_else(tmp_path, monkeypatch):
    first = _probe(tmp_path, monkeypatch, "một")
    (tmp_path / "b").mkdir()
    second = _probe(tmp_path / "b", monkeypatch, "hai")
    assert first["forked"] and second["forked"] and first["preloaded"]
    assert first["pid"] != second["pid"]  # one process per notebook
    assert not first["leaked"] and not second["leaked"]  # nothing survives from the previous kernel
    assert (first["env"], second["env"]) == ("một", "hai")  # each request's own environment
    assert (first["cwd"], second["cwd"]) == (str(tmp_path), str(tmp_path / "b"))
    assert first["random"] != second["random"]  # numpy reseeded in every kernel
    zygote = next(iter(Zygote._all.values())).proc.pid
    assert first["parent_handle"] == zygote  # the kernel watches its real parent
    assert not _alive(first["pid"]) and not _alive(second["pid"])  # stopped after the notebook


def test_timed_out_kernel_is_killed_while_the_zygote_lives():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os; print(os.getpid(), flush=True)\nwhile True: pass")])
    client = NotebookClient(nb, kernel_name="kehoach", kernel_manager_class=ForkedKernelManager,
                            timeout=3, shutdown_kernel="immediate")
    with pytest.raises(CellTimeoutError):
        client.execute()
    kernel = int(nb.cells[0].outputs[0]["text"])
    assert all(z.proc.poll() is None for z in Zygote._all.values()) and Zygote._all
    deadline = time.monotonic() + 10
    while _alive(kernel) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(kernel)


def test_kernels_die_with_their_zygote_and_a_dead_zygote_is_replaced(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; print(os.getpid())")])
    client = NotebookClient(nb, kernel_name="kehoach", kernel_manager_class=ForkedKernelManager)
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        kernel = int(nb.cells[0].outputs[0]["text"])
        (zygote,) = Zygote._all.values()
        os.kill(zygote.proc.pid, signal.SIGKILL)
        zygote.proc.wait()
        deadline = time.monotonic() + 10
        while _alive(kernel) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(kernel)
    assert _probe(tmp_path, monkeypatch)["forked"]  # a new zygote serves the next school


def test_kernel_output_goes_to_the_log_of_its_own_call(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os; os.write(2, b'ghi vao nhat ky\\n')")])
    log = tmp_path / "kernel.log"
    NotebookClient(nb, kernel_name="kehoach", kernel_manager_class=ForkedKernelManager.logging_to(log),
                   timeout=60).execute()
    assert b"ghi vao nhat ky" in log.read_bytes()


@pytest.mark.parametrize("failure", ["raises", "never_starts"])
def test_falls_back_to_a_launched_kernel_when_the_zygote_fails(tmp_path, monkeypatch, failure):
    if failure == "raises":
        def broken(prefix, request):
            raise RuntimeError("zygote did not start")
        monkeypatch.setattr(kernel_fork.Zygote, "fork", broken)
    else:  # the zygote process exits at once: no "ready" line
        monkeypatch.setattr(kernel_fork, "MODULE", "kehoach_nb.no_such_module")
    probe = _probe(tmp_path, monkeypatch, "dự phòng")
    assert not probe["forked"] and not probe["leaked"]
    assert probe["env"] == "dự phòng" and probe["cwd"] == str(tmp_path)


def test_a_kernel_that_cannot_be_tracked_is_killed_and_launched_normally(tmp_path, monkeypatch):
    forked = []

    def no_pidfd(pid):
        forked.append(pid)
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(kernel_fork.os, "pidfd_open", no_pidfd)
    probe = _probe(tmp_path, monkeypatch)
    assert forked and not probe["forked"]  # the zygote forked one, the school used a launched one
    deadline = time.monotonic() + 10
    while _alive(forked[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(forked[0])  # no untracked kernel left running
