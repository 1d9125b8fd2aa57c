"""Kernels forked from the pre-imported zygote: fresh per school, and a safe fallback."""

from __future__ import annotations

import os
import signal
import time

import nbformat
from nbclient import NotebookClient

from kehoach_nb import kernel_fork
from kehoach_nb.kernel_fork import ForkedKernelManager, Zygote

PROBE = """import os, sys
parent = open(f"/proc/{os.getppid()}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
print(os.getpid(), "-m kehoach_nb.kernel_fork" in parent, "kehoach_nb.report" in sys.modules,
      "secret" in globals())
secret = 42"""


def _probe() -> tuple[int, bool, bool, bool]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    NotebookClient(nb, kernel_name="kehoach", kernel_manager_class=ForkedKernelManager,
                   timeout=120).execute()
    pid, forked, preloaded, leaked = nb.cells[0].outputs[0]["text"].split()
    return int(pid), forked == "True", preloaded == "True", leaked == "True"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_each_kernel_is_a_new_fork_with_the_libraries_and_nothing_else():
    first, second = _probe(), _probe()
    assert first[0] != second[0]  # one process per notebook
    assert first[1] and second[1]  # forked by the zygote
    assert first[2] and second[2]  # the package is already imported
    assert not first[3] and not second[3]  # no variable survives from the previous kernel
    assert not _alive(first[0]) and not _alive(second[0])  # stopped after the notebook


def test_kernels_die_with_their_zygote():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; print(os.getpid())")])
    client = NotebookClient(nb, kernel_name="kehoach", kernel_manager_class=ForkedKernelManager)
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        kernel = int(nb.cells[0].outputs[0]["text"])
        for zygote in Zygote._all.values():
            zygote.proc.send_signal(signal.SIGKILL)
            zygote.proc.wait()
        deadline = time.monotonic() + 10
        while _alive(kernel) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(kernel)


def test_falls_back_to_a_launched_kernel_when_the_zygote_fails(monkeypatch):
    def broken(prefix, request):
        raise RuntimeError("zygote did not start")

    monkeypatch.setattr(kernel_fork.Zygote, "fork", broken)
    pid, forked, _, leaked = _probe()
    assert not forked and not leaked
