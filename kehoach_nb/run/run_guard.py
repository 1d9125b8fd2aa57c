"""What a run holds while it works: the output folder's lock, its own temp folder, and the
stop signals (Ctrl-C, SIGTERM).

- `output_lock(base)`: checks up front, before any kernel starts, that the output folder
  can be written, and takes an exclusive `flock` on `<base>/.kehoach.lock` holding the
  run's process id (temporary files of writes cut short by a killed run are removed
  then). A second run on the same folder stops with a message naming that
  process. The kernel releases a flock when its process dies, so the lock of a killed run
  is simply taken over.
- `temp_root()`: one `kehoach-run-<pid>-…` folder under the system temp folder; the pool
  workers put their per-school `kehoach-*` folders inside it (worker.TEMP_ROOT_ENV) and
  the run removes it when it ends, however it ends. A folder left by a run that was
  killed with SIGKILL is removed by the next run (its process is gone).
- `StopSignals`: SIGINT and SIGTERM raise `Interrupted` (no traceback, exit 130/143),
  except inside `deferred()`, where they are only recorded and the batch loop polls
  `requested` to stop scheduling and end the workers cleanly.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from ..archive import os_error_vi
from ..errors import KehoachError

LOCK_NAME = ".kehoach.lock"
TEMP_PREFIX = "kehoach-run-"


class OutputError(KehoachError):
    """The output folder cannot be used (not writable, or another run holds it): exit 2."""


@contextlib.contextmanager
def output_lock(base: Path) -> Iterator[None]:
    """Hold `<base>/.kehoach.lock` for the duration; refuse an unwritable or busy folder."""
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(base / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(_not_writable(base, exc)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"thư mục kết quả {base} đang được một lần chạy kehoach khác sử dụng "
                              f"(tiến trình {_holder(fd)}). Hãy đợi lần chạy đó kết thúc (hoặc dừng "
                              "nó) rồi chạy lại.") from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            _probe(base)
        except OSError as exc:
            raise OutputError(_not_writable(base, exc)) from None
        remove_partial_writes(base)
        yield
    finally:
        os.close(fd)  # the file stays: removing it would race with a run that just opened it


def remove_partial_writes(base: Path) -> int:
    """Remove the temporary files of atomic writes cut short by a killed run (`.<name>.….tmp`);
    safe because this run holds the lock, so nobody else is writing here."""
    count = 0
    for path in base.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
            count += 1
    return count


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip() or "không rõ"
    except (OSError, UnicodeDecodeError):
        return "không rõ"


def _probe(base: Path) -> None:
    """Create, fill and remove a file: a full disk or a read-only folder shows up here."""
    fd, tmp = tempfile.mkstemp(prefix=".kiem-tra-ghi.", suffix=".tmp", dir=base)
    try:
        os.write(fd, b"\0" * 4096)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(tmp)


def _not_writable(base: Path, exc: OSError) -> str:
    return (f"không ghi được vào thư mục kết quả {base}: {os_error_vi(exc)}. Hãy giải phóng chỗ "
            "trống, cấp quyền ghi hoặc chọn thư mục khác bằng --out; chưa có trường nào được chạy.")


@contextlib.contextmanager
def temp_root() -> Iterator[Path]:
    """The run's own temp folder (removed at the end), after removing those of dead runs."""
    remove_stale_temp_roots()
    root = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def remove_stale_temp_roots() -> list[Path]:
    """Remove the temp folders of runs whose process no longer exists (killed with SIGKILL)."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        pid = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        try:
            mine = path.is_dir() and path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM outside the batch loop; like KeyboardInterrupt, not an Exception."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def exit_code(signum: int) -> int:
    return 128 + signum  # 130 for SIGINT, 143 for SIGTERM


STOP_MESSAGES = {signal.SIGINT: "Đã dừng theo yêu cầu (Ctrl-C).",
                 signal.SIGTERM: "Đã dừng do nhận tín hiệu kết thúc (SIGTERM)."}


class StopSignals:
    """SIGINT/SIGTERM: the first one is recorded; outside `deferred()` it also raises."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum: int | None = None
        self._deferred = 0
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, _frame) -> None:
        if self.signum is not None:
            return  # already stopping; let the cleanup finish
        self.signum = signum
        if not self._deferred:
            raise Interrupted(signum)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Record signals without raising (the caller polls `requested`)."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1


def worker_signals() -> None:
    """In a pool worker: Ctrl-C on the terminal reaches the whole process group, but only the
    orchestrator decides (it ends the workers); SIGTERM simply ends the worker."""
    signal.signal(signal.SIGINT, lambda *_: None)  # a handler, not SIG_IGN: exec resets it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
