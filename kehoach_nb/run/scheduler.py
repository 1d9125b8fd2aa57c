"""Run render tasks on a pool of workers: retries, a new pool when a worker dies, clean stop.

- At most one task per worker is handed to the pool; the rest wait here, so stopping
  (Ctrl-C, SIGTERM, `--fail-fast`, a full disk) cancels nothing that already started
  and throws away no finished result.
- A worker that dies (killed, out of memory) breaks a local `ProcessPoolExecutor` and
  every task in it. The pool is replaced; the tasks that were in it are retried once,
  each one alone, so a second death is charged to the task that caused it and not to
  the schools beside it. Results already finished are placed as usual.
- Every finished report is placed (placing.place) and announced (`on_done`, which the
  run uses to append the ledger) as soon as it arrives.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .placing import DISK_WIDE, place, write_error_message
from .run_guard import StopSignals, worker_signals
from ..status import Status, is_good, is_placed, is_retried
from .worker import TEMP_ROOT_ENV, Outcome, Task, render_school

POLL = 0.25  # seconds between looks at the stop signals while reports run
STOP_GRACE = 5.0  # seconds a terminated worker gets before SIGKILL


@dataclass
class Attempt:
    task: Task
    number: int = 1
    solo: bool = False  # retried after its pool broke: runs alone
    generation: int = 0  # the pool it was given to


def _init_worker(temp_root: str | None) -> None:
    """Pool initializer: die with the orchestrator, leave signals to it, use the run's temp root."""
    from .kernel_fork import die_with_parent  # imported here: the CLI need not load jupyter_client

    die_with_parent()
    worker_signals()
    if temp_root:
        os.environ[TEMP_ROOT_ENV] = temp_root


class Workers:
    """The executor behind a batch: a local process pool (replaced when broken) or Dask."""

    def __init__(self, executor: str, size: int, scheduler: str | None = None,
                 temp_root: Path | None = None):
        self.kind, self.size, self.scheduler = executor, size, scheduler
        self.temp_root = str(temp_root) if temp_root else None
        self.generation = 0
        self._stack = contextlib.ExitStack()
        self.pool = self._open()

    def _open(self):
        if self.kind == "dask":
            from .scale_out import dask_executor

            return self._stack.enter_context(dask_executor(self.scheduler, self.size))
        return ProcessPoolExecutor(max_workers=self.size, initializer=_init_worker,
                                   initargs=(self.temp_root,))

    def submit(self, task: Task) -> Future:
        try:
            return self.pool.submit(render_school, task)
        except BrokenProcessPool:  # broke before we saw one of its futures fail
            self.renew()
            return self.pool.submit(render_school, task)

    def renew(self) -> None:
        """A new local pool in place of a broken one (its workers are already gone)."""
        self._terminate_local()
        self.generation += 1
        self.pool = self._open()

    def terminate(self) -> None:
        """Stop now: cancel what is queued and end the workers (their kernels die with them)."""
        if self.kind == "dask":
            self.pool.shutdown(wait=False)  # cancels the futures
        else:
            self._terminate_local()
        self._stack.close()

    def close(self) -> None:
        """Normal end: every task has finished."""
        if self.kind != "dask":
            self.pool.shutdown(wait=True)
        self._stack.close()

    def _terminate_local(self) -> None:
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            with contextlib.suppress(OSError, ValueError):
                proc.terminate()
        for proc in processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                proc.join(STOP_GRACE)
                if proc.is_alive():
                    proc.kill()
                    proc.join(STOP_GRACE)


class Batch:
    """The scheduling loop of one execute() call."""

    def __init__(self, tasks: list[Task], opts, on_done=None, stop: StopSignals | None = None):
        self.opts, self.on_done = opts, on_done
        self.stop = stop or StopSignals()
        self.queue = deque(Attempt(t) for t in tasks)
        self.inflight: dict[Future, Attempt] = {}
        self.outcomes: list[Outcome] = []
        self.draining = False  # no new task: --fail-fast or a full disk

    def busy(self) -> bool:
        return not self.stop.requested and bool(self.inflight or (self.queue and not self.draining))

    def run(self, workers: Workers) -> None:
        while self.busy():
            self._fill(workers)
            done, _ = wait(self.inflight, timeout=POLL, return_when=FIRST_COMPLETED)
            for fut in done:
                self._collect(fut, workers)

    def _fill(self, workers: Workers) -> None:
        while self.queue and not self.draining and len(self.inflight) < workers.size:
            if any(a.solo for a in self.inflight.values()) or (self.queue[0].solo and self.inflight):
                return
            attempt = self.queue.popleft()
            attempt.generation = workers.generation
            self.inflight[workers.submit(attempt.task)] = attempt

    def _collect(self, fut: Future, workers: Workers) -> None:
        attempt = self.inflight.pop(fut)
        outcome, files, broke = _result(fut, attempt.task)
        if broke and attempt.generation == workers.generation:
            workers.renew()
        if is_retried(outcome.status) and attempt.number <= self.opts.retries:
            self.queue.appendleft(Attempt(attempt.task, attempt.number + 1, solo=broke))
            return
        outcome.attempts = attempt.number
        self._finish(attempt.task, outcome, files)

    def _finish(self, task: Task, outcome: Outcome, files: dict[str, bytes]) -> None:
        try:
            place(task, outcome, files)
        except OSError as exc:
            self._write_failed(task, outcome, exc)
        self.outcomes.append(outcome)
        if self.on_done:
            self.on_done(outcome)
        if self.opts.fail_fast and not is_good(outcome.status):
            self.draining = True

    def _write_failed(self, task: Task, outcome: Outcome, exc: OSError) -> None:
        """Disk full, read-only folder…: the school gets a message, not a traceback; when the
        whole disk is the problem, no further school is started (each would fail the same)."""
        message = write_error_message(exc, Path(task.out_dir))
        if is_placed(outcome.status):
            outcome.status, outcome.message, outcome.files = Status.WRITE_ERROR, message, {}
        else:  # a failed render whose notebook could not be kept in _loi/
            outcome.message = f"{outcome.message}\n{message}".strip()
        if exc.errno in DISK_WIDE:
            self.draining = True


def _result(fut: Future, task: Task) -> tuple[Outcome, dict[str, bytes], bool]:
    """The worker's answer; a dead worker is an outcome too. Third item: the pool broke."""
    try:
        outcome, files = fut.result()
        return outcome, files, False
    except BrokenProcessPool:
        return Outcome(task.school_id, task.doc_kind, Status.WORKER_DIED,
                       "tiến trình làm việc dừng đột ngột (bị dừng từ bên ngoài hoặc hết bộ nhớ)"), {}, True
    except Exception as exc:  # noqa: BLE001 - a Dask worker lost, a pickling failure…
        return Outcome(task.school_id, task.doc_kind, Status.WORKER_DIED,
                       f"tiến trình chạy notebook dừng: {type(exc).__name__}: {exc}"), {}, False


def execute(tasks: list[Task], opts, on_done=None, *, temp_root: Path | None = None,
            stop: StopSignals | None = None) -> list[Outcome]:
    """Run tasks on the chosen executor; return the outcomes of those that finished (a stop
    leaves the others unrecorded: they run again next time)."""
    if not tasks:
        return []
    batch = Batch(tasks, opts, on_done, stop)
    with batch.stop.deferred():
        if batch.stop.requested:
            return []
        workers = Workers(opts.executor, max(1, min(opts.jobs, len(tasks))), opts.scheduler, temp_root)
        finished = False
        try:
            batch.run(workers)
            finished = not batch.inflight
        finally:
            workers.close() if finished else workers.terminate()
    return batch.outcomes
