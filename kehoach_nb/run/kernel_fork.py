"""Fresh kernels forked from a pre-imported template process (a "zygote").

Launching a kernel and importing IPython, pandas, matplotlib and this package
costs about 1 s per school. A zygote pays that once per worker: it imports the
libraries, then waits. Each school's kernel is a new process forked from it,
so every school still gets its own kernel: the zygote never runs notebook code
and never reads school data. A forked kernel differs from a launched one only
in what is shared on purpose: the imported modules and the hash seed; numpy's
random state is reseeded in each kernel.

Protocol: one JSON line per request on the zygote's stdin
({"argv", "env", "cwd", "log"}), one line back with the kernel's pid. The
zygote exits when its stdin closes (its worker is gone) and its kernels die
with it (PR_SET_PDEATHSIG, checked after arming). Whatever goes wrong with the
zygote, the kernel is launched the normal way instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from queue import Empty
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Type

MODULE = "kehoach_nb.run.kernel_fork"
LAUNCHER = "ipykernel_launcher"
READY_TIMEOUT, REPLY_TIMEOUT = 120.0, 20.0
# read at import time by the preloaded libraries: a zygote only serves requests that agree
IMPORT_ENV = ("MPLBACKEND", "MPLCONFIGDIR", "TZ", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS",
              "OMP_NUM_THREADS", "PYTHONHASHSEED", "PYTHONPATH")


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the thread that started it ends (no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _preload() -> None:
    """Import what every report needs; no school data, no kernel, no Python thread."""
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401

    from kehoach_nb import accreditation, audit, catalogues, charts, kinds
    from kehoach_nb import loading, model, narrative, notebook  # noqa: F401
    from kehoach_nb.plans import frame
    from kehoach_nb.workbook import vocab

    for k in kinds.KINDS.values():  # every plan builder, as registered
        k.build()
    # the toolkit's own catalogues and templates, read and compiled once for all kernels
    for name in ("labels", "regimes", "norms"):
        catalogues._load(name)
    for read in (accreditation.catalogue, frame.outline, vocab.texts, audit.documents.legal_catalogue):
        read()
    narrative.compile_templates()
    charts.warm_up()


def _become_kernel(request: dict, zygote: int) -> None:
    """In the forked child: take the request's environment and run the kernel."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent()
        if os.getppid() != zygote:  # the zygote died before the signal was armed
            os._exit(1)
        os.environ.clear()
        os.environ.update(request["env"], JPY_PARENT_PID=str(zygote))
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(request["log"] or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        for fd, target in ((0, null), (1, log), (2, log)):
            os.dup2(target, fd)
        if "numpy.random" in sys.modules:
            sys.modules["numpy.random"].seed()
        sys.argv = [LAUNCHER, *request["argv"]]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=[*request["argv"], f"--IPKernelApp.parent_handle={zygote}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported in the kernel log, then the process ends
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def serve() -> None:
    """The zygote's main loop: preload, say ready, fork one kernel per request until EOF."""
    _preload()
    zygote = os.getpid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, zygote)
        try:
            os.setpgid(pid, pid)  # its own process group, as a launched kernel has
        except OSError:
            pass
        out.write(f"{pid}\n".encode())
        out.flush()


def _readline(proc: subprocess.Popen, timeout: float) -> bytes:
    if not select.select([proc.stdout], [], [], timeout)[0]:
        raise TimeoutError("zygote not answering")
    return proc.stdout.readline()


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("PPid:"))


class Zygote:
    """Client side: one zygote per worker process and (interpreter, import environment)."""

    _all: dict[tuple, Zygote] = {}
    _broken: set[tuple] = set()  # keys whose zygote failed: launch normally from then on
    _lock = threading.Lock()

    def __init__(self, prefix: tuple[str, ...]):
        # No PR_SET_PDEATHSIG here: it follows the thread that starts the zygote, and Dask
        # threads come and go. The zygote exits on EOF instead, when its worker is gone.
        self.proc = subprocess.Popen([*prefix, "-P", "-m", MODULE], cwd="/",
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            if _readline(self.proc, READY_TIMEOUT) != b"ready\n":
                raise RuntimeError("zygote did not start")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()

    @staticmethod
    def key(prefix: tuple[str, ...], env: dict) -> tuple:
        code = max(p.stat().st_mtime_ns for p in Path(__file__).parent.parent.rglob("*.py"))
        return (*prefix, code, *(env.get(k, "") for k in IMPORT_ENV))

    @classmethod
    def fork(cls, prefix: tuple[str, ...], request: dict) -> tuple[int, int]:
        """Fork a kernel; return its pid and a pidfd opened while it is surely ours."""
        key = cls.key(prefix, request["env"])
        with cls._lock:
            if key in cls._broken:
                raise RuntimeError("zygote unavailable")
            zygote = cls._all.get(key)
            if zygote is None or zygote.proc.poll() is not None:
                for old in [k for k in cls._all if k[:len(prefix)] == prefix]:
                    cls._all.pop(old).close()  # older code or environment
                try:
                    zygote = cls._all[key] = Zygote(prefix)
                except BaseException:
                    cls._broken.add(key)
                    raise
            try:
                zygote.proc.stdin.write(json.dumps(request).encode() + b"\n")
                zygote.proc.stdin.flush()
                pid = int(_readline(zygote.proc, REPLY_TIMEOUT))
            except BaseException:
                cls._all.pop(key).close()  # replies could fall out of step: discard it
                raise
            try:
                fd = os.pidfd_open(pid)
                if _parent_of(pid) != zygote.proc.pid:
                    os.close(fd)
                    raise ProcessLookupError(pid)
            except BaseException:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                raise
            return pid, fd


class ForkedProcess:
    """The subset of Popen that LocalProvisioner uses, for a kernel we did not spawn.

    Signals go through the pidfd, so a recycled pid can never be hit."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, fd: int):
        self.pid, self._fd = pid, fd
        self.returncode: int | None = None

    def __del__(self):
        if self.returncode is None:
            os.close(self._fd)

    def _exited(self, timeout_ms: int | None) -> bool:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        return bool(poller.poll(timeout_ms))

    def poll(self) -> int | None:
        if self.returncode is None and self._exited(0):
            self.returncode = -1  # the exit code belongs to the zygote, which discards it
            os.close(self._fd)
        return self.returncode

    def wait(self) -> int:
        while self.poll() is None:
            self._exited(None)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):
    """Launches the kernel by asking this worker's zygote to fork one."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        log = getattr(self.parent, "kernel_log", "")
        if LAUNCHER not in cmd or "-m" not in cmd:
            return await self._launch(cmd, log, **kwargs)
        at = cmd.index(LAUNCHER)
        request = {"argv": cmd[at + 1:], "env": dict(kwargs.get("env") or os.environ),
                   "cwd": str(kwargs.get("cwd") or os.getcwd()), "log": log}
        try:
            pid, fd = Zygote.fork(tuple(cmd[:at - 1]), request)
        except (OSError, RuntimeError, ValueError):
            return await self._launch(cmd, log, **kwargs)
        self.process = ForkedProcess(pid, fd)
        self.pid = self.pgid = pid
        self.cwd = request["cwd"]
        return self.connection_info

    async def _launch(self, cmd: list[str], log: str, **kwargs):
        """The normal launch, with the kernel's output in the same log file."""
        if not log:
            return await super().launch_kernel(cmd, **kwargs)
        with open(log, "ab") as out:
            return await super().launch_kernel(cmd, stdout=out, stderr=out, **kwargs)

    async def wait(self) -> int | None:
        """A forked kernel's exit shows on its pidfd: wait on it in short steps instead of
        jupyter_client's 100 ms polls (the caller bounds the whole wait with a timeout)."""
        if not isinstance(self.process, ForkedProcess):
            return await super().wait()
        while self.process.poll() is None:
            await asyncio.sleep(0.005)
        ret, self.process = self.process.returncode, None
        return ret

    async def send_signal(self, signum: int) -> None:
        if isinstance(self.process, ForkedProcess) and self.process.poll() is not None:
            return  # its group may belong to someone else by now
        await super().send_signal(signum)


class QuickReadyClient(AsyncKernelClient):
    """A client that does not idle 0,2 s after the kernel answers kernel_info.

    jupyter_client drains IOPub until 0,2 s pass without a message. The messages it drains
    are the kernel_info request's own status messages, which nbclient ignores anyway (it
    keeps only the messages whose parent is the cell it runs)."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (READY_TIMEOUT if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg and msg["msg_type"] == "kernel_info_reply":
                try:  # IOPub must be connected too, or output would be lost
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    wait_for_ready = _async_wait_for_ready  # the base class binds its own at class creation


class ForkedKernelManager(AsyncKernelManager):
    """AsyncKernelManager whose kernels come from the zygote."""

    client_factory = Type(QuickReadyClient, klass=AsyncKernelClient)
    kernel_log = ""  # file for the kernel's stdout/stderr; set per call with `logging_to`

    @classmethod
    def logging_to(cls, path: str | Path) -> type[ForkedKernelManager]:
        """A manager class whose kernels write their output to `path` (one per call, so
        threads running several schools at once never share it)."""
        return type(cls.__name__, (cls,), {"kernel_log": str(path)})

    async def _async_wait(self, pollinterval: float = 0.005) -> None:
        """After a kill, look for the kernel's end every 5 ms rather than every 100 ms."""
        await super()._async_wait(pollinterval)

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id,
                                                 kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


if __name__ == "__main__":
    serve()
