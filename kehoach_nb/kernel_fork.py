"""Fresh kernels forked from a pre-imported template process (a "zygote").

Launching a kernel and importing IPython, pandas, matplotlib and this package
costs about 1,5 s per school. A zygote pays that once per worker: it imports
the libraries, then waits. Each school's kernel is a new process forked from
it, so every school still gets its own fresh kernel, in the same state as a
newly launched one: the zygote never runs notebook code and never reads
school data.

Protocol (one JSON line per request on the zygote's stdin, one line back):
{"argv": [...], "env": {...}, "cwd": "...", "log": "..."} -> "<pid>". The
zygote exits when its stdin closes (its worker is gone); its kernels die with
it (PR_SET_PDEATHSIG). Anything unusual falls back to a normal kernel launch.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

MODULE = "kehoach_nb.kernel_fork"
LAUNCHER = "ipykernel_launcher"
KERNEL_LOG = {"path": ""}  # where forked kernels write stdout/stderr; set by the worker


def _die_with_parent() -> None:
    import ctypes

    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _preload() -> None:
    """Import what every report needs; no school data, no kernel, no threads."""
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401

    import kehoach_nb  # noqa: F401
    from kehoach_nb import accreditation, charts, plan_quality, plan_solutions  # noqa: F401
    from kehoach_nb import plan_standard, report  # noqa: F401


def _become_kernel(request: dict) -> None:
    """In the forked child: take the request's environment and run the kernel."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _die_with_parent()
        os.environ.clear()
        os.environ.update(request["env"], JPY_PARENT_PID=str(os.getppid()))
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(request["log"] or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        for fd, target in ((0, null), (1, log), (2, log)):
            os.dup2(target, fd)
        sys.argv = [LAUNCHER, *request["argv"]]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - the process ends either way
                pass
        os._exit(code)


def serve() -> None:
    """The zygote's main loop: preload, say ready, fork one kernel per request."""
    parent = int(sys.argv[1])
    _die_with_parent()
    if os.getppid() != parent:
        return
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_kernel(request)
        try:
            os.setpgid(pid, pid)  # its own process group, as a launched kernel has
        except OSError:
            pass
        out.write(f"{pid}\n".encode())
        out.flush()


class Zygote:
    """Client side, one per worker process and interpreter command."""

    _all: dict[tuple[str, ...], Zygote] = {}
    _lock = threading.Lock()

    def __init__(self, prefix: tuple[str, ...]):
        self.proc = subprocess.Popen([*prefix, "-m", MODULE, str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        if self.proc.stdout.readline() != b"ready\n":
            self.proc.kill()
            raise RuntimeError("zygote did not start")

    @classmethod
    def fork(cls, prefix: tuple[str, ...], request: dict) -> int:
        with cls._lock:
            zygote = cls._all.get(prefix)
            if zygote is None or zygote.proc.poll() is not None:
                zygote = cls._all[prefix] = Zygote(prefix)
            zygote.proc.stdin.write(json.dumps(request).encode() + b"\n")
            zygote.proc.stdin.flush()
            return int(zygote.proc.stdout.readline())


class ForkedProcess:
    """The subset of Popen that LocalProvisioner uses, for a kernel we did not spawn."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self.returncode = -1  # the exit code belongs to the zygote, which discards it
            os.close(self._fd)
        return self.returncode

    def wait(self) -> int:
        while self.poll() is None:
            select.select([self._fd], [], [])
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):
    """Launches the kernel by asking this worker's zygote to fork one."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if LAUNCHER not in cmd or "-m" not in cmd:
            return await super().launch_kernel(cmd, **kwargs)
        at = cmd.index(LAUNCHER)
        request = {"argv": cmd[at + 1:], "env": dict(kwargs.get("env") or os.environ),
                   "cwd": str(kwargs.get("cwd") or os.getcwd()),
                   "log": KERNEL_LOG["path"]}
        try:
            pid = Zygote.fork(tuple(cmd[:at - 1]), request)
        except (OSError, RuntimeError, ValueError):
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = self.pgid = pid
        self.cwd = request["cwd"]
        return self.connection_info


class ForkedKernelManager(AsyncKernelManager):
    """AsyncKernelManager whose kernels come from the zygote."""

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id,
                                                 kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


if __name__ == "__main__":
    serve()
